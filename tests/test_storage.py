"""Repositories and migrations on a real SQLite file and on the real PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import repo
from storage.db import Database, async_url
from storage.models import Case, CaseStatus, utcnow


def test_database_urls_get_their_async_driver() -> None:
    assert async_url("sqlite:///data/bot.db") == "sqlite+aiosqlite:///data/bot.db"
    assert async_url("postgresql://bot@db/bot") == "postgresql+asyncpg://bot@db/bot"
    assert async_url("postgres://bot:pw@db:5432/bot").startswith("postgresql+asyncpg://bot:pw@db:5432/bot")
    with pytest.raises(ValueError):
        async_url("mysql://x@y/z")


async def test_update_is_recorded_once(any_db: Database) -> None:
    async with any_db.session() as session:
        assert await repo.record_update(session, "telegram", "42", "1")
    async with any_db.session() as session:
        assert not await repo.record_update(session, "telegram", "42", "1")
        assert await repo.record_update(session, "zalo_bot", "42", "1")  # keys are per channel


async def test_case_life_cycle_is_audited(any_db: Database) -> None:
    async with any_db.session() as session:
        reporter = await repo.get_reporter(session, "telegram", "7", display_name="Lan")
        assert reporter.id is not None
        now = utcnow()
        case = Case(
            code=await repo.unique_case_code(session, now),
            reporter_id=reporter.id,
            channel="telegram",
            chat_id="7",
            description="Không đăng nhập được",
            created_at=now,
        )
        session.add(case)
        await session.flush()
        await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor="@an")
        await repo.set_status(session, case, CaseStatus.RESOLVED, actor="@an", note="đã xử lý")
        code = case.code
    async with any_db.session() as session:
        stored = await repo.case_by_code(session, code.lower())
        assert stored is not None and stored.status == "da_giai_quyet" and stored.resolved_at is not None
        assert stored.created_at.tzinfo is not None  # aware UTC round-trips on both databases
        assert stored.id is not None
        events = await repo.case_events(session, stored.id)
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            ("moi", "dang_xu_ly", "@an"),
            ("dang_xu_ly", "da_giai_quyet", "@an"),
        ]
        assert [c.code for c in await repo.cases_of_reporter(session, stored.reporter_id)] == [code]
        assert list(await repo.open_cases_of_reporter(session, stored.reporter_id)) == []


async def test_case_codes_are_short_and_unguessable(any_db: Database) -> None:
    now = datetime(2025, 11, 23, 9, 0, tzinfo=UTC)
    codes = set()
    async with any_db.session() as session:
        reporter = await repo.get_reporter(session, "telegram", "42")
        assert reporter.id is not None
        for _ in range(200):
            # Each code is stored before the next is drawn, as the intake does: a code already
            # taken is never handed out again (4 random characters alone would collide now and then).
            code = await repo.unique_case_code(session, now)
            session.add(Case(code=code, reporter_id=reporter.id, channel="telegram", chat_id="42"))
            await session.flush()
            codes.add(code)
    assert len(codes) == 200
    assert all(c.startswith("PA-251123-") and len(c) == 14 for c in codes)
    assert not any(ch in c[10:] for c in codes for ch in "01OIL")


async def test_key_value_store(any_db: Database) -> None:
    async with any_db.session() as session:
        await repo.kv_set(session, "zalo_oa:tokens", "a")
    async with any_db.session() as session:
        await repo.kv_set(session, "zalo_oa:tokens", "b")
    async with any_db.session() as session:
        assert await repo.kv_get(session, "zalo_oa:tokens") == "b"
        assert await repo.kv_get(session, "missing") is None


def _migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        check=True,
        env={**__import__("os").environ, "DATABASE_URL": url},
        capture_output=True,
        timeout=120,
    )


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def _columns(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        return {c["name"] for c in await conn.run_sync(lambda c: inspect(c).get_columns(table))}


async def _empty(url: str) -> Database:
    db = Database(url)
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    return db


async def test_migrations_from_empty_match_the_models(tmp_path: object, postgres_url: str) -> None:
    from storage import models  # noqa: F401

    expected = set(SQLModel.metadata.tables)
    for url in (f"sqlite:///{tmp_path}/migrated.db", postgres_url):
        db = await _empty(url)
        _migrate(url)
        assert await _tables(db) >= expected, url
        for name, table in SQLModel.metadata.tables.items():
            assert await _columns(db, name) == {c.name for c in table.columns}, (url, name)
        _migrate(url)  # a second upgrade is a no-op
        await db.dispose()


async def test_migration_0002_adds_the_reporter_language_to_a_0001_database(
    tmp_path: object, postgres_url: str
) -> None:
    from storage.migrate import upgrade_async

    for url in (f"sqlite:///{tmp_path}/from-0001.db", postgres_url):
        db = await _empty(url)
        await upgrade_async(url, "0001")
        assert "language" not in await _columns(db, "reporter"), url
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO reporter (channel, external_id, display_name, created_at) "
                "VALUES ('telegram', '77', 'Lan', '2025-11-23 09:00:00')"
            )
        _migrate(url)  # `python -m bot db upgrade`: 0001 → head
        assert "language" in await _columns(db, "reporter"), url
        async with db.session() as session:
            reporter = await repo.get_reporter(session, "telegram", "77")
            assert reporter.display_name == "Lan" and reporter.language is None
            reporter.language = "en"
        async with db.session() as session:
            assert (await repo.get_reporter(session, "telegram", "77")).language == "en"
        await db.dispose()


async def test_the_language_is_saved_with_the_other_reporter_changes(any_db: Database) -> None:
    async with any_db.unit() as session:
        reporter, conversation = await repo.get_person(session, "telegram", "88", "88", display_name="Ann")
        assert reporter.language is None
        reporter.language = "en"
        await repo.save_person(session, reporter, conversation)
    async with any_db.unit() as session:
        reporter, _ = await repo.get_person(session, "telegram", "88", "88")
        assert reporter.language == "en"
