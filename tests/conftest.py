"""Shared fixtures: a real SQLite file per test, and the real PostgreSQL when it is reachable."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from storage.db import Database

if TYPE_CHECKING:
    from faq.matcher import Matcher

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_reachable() -> bool:
    import asyncpg  # type: ignore[import-untyped]

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=3)
        except Exception:
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL for this test session, dropped afterwards."""
    if not _pg_reachable():
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required under CI but not reachable")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipping PostgreSQL tests")
    import asyncpg

    name = f"bot_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")

    async def create() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(drop())


@pytest.fixture
def sqlite_url(tmp_path: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path}/bot.db"  # type: ignore[operator]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/bot.db"
    return str(request.getfixturevalue("postgres_url"))


async def _fresh(url: str) -> Database:
    db = Database(url)
    if not db.is_sqlite:
        from sqlmodel import SQLModel

        from storage import models  # noqa: F401

        async with db.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.drop_all)
    await db.create_all()
    return db


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = await _fresh(sqlite_url)
    yield database
    await database.dispose()


@pytest.fixture
async def any_db(database_url: str) -> AsyncIterator[Database]:
    """The same test on SQLite and on PostgreSQL."""
    database = await _fresh(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[Database]:
    """PostgreSQL only (what several instances share), with fresh tables."""
    database = await _fresh(postgres_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """The FAQ matcher over the shipped knowledge base, built once per test module."""
    from faq.knowledge import load_knowledge_base
    from faq.matcher import Matcher

    return Matcher(load_knowledge_base())
