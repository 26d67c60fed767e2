"""Overlong input never fails an update on PostgreSQL (issue #17).

PostgreSQL refuses a value longer than its VARCHAR(n) column where SQLite keeps it, so an
update carrying a 120-character Telegram name or a 150-character handle after /giao failed
five times, was answered 500 and came back from Telegram forever. Every varchar column now
cuts what is too long (storage.models.ClippedString), on every path: ORM, Core, and the
driver's own statements (storage.driver). Run on the real PostgreSQL at 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import DateTime, Integer, insert, select
from sqlmodel import SQLModel, col
from sqlmodel import select as sm_select

from bot.delivery.outbox import enqueue
from handlers.events import Outgoing, Reply
from storage import repo
from storage.db import Database
from storage.models import Case, CaseEvent, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, group_text_update
from tests.support.telegram_bot import running_bot

CODE = "PA-261207-KXMT"


def overlong(length: int) -> str:
    # Two-byte letters: PostgreSQL counts characters, and so must the cut.
    return ("Nguyễn Thị Phương Thảo " * 40)[: length + 60]


def value_for(column: Any, ids: dict[str, int]) -> Any:
    kind = column.type
    if column.foreign_keys:
        return ids[next(iter(column.foreign_keys)).column.table.name]
    if getattr(kind, "length", None):  # VARCHAR(n) (storage.models.ClippedString)
        return overlong(kind.length)
    if isinstance(getattr(kind, "impl_instance", kind), DateTime):
        return datetime.now(UTC)
    try:
        python = kind.python_type
    except NotImplementedError:
        python = dict  # JSON
    samples: dict[type, Any] = {str: "văn bản", bool: False, int: 1, float: 1.0, datetime: datetime.now(UTC)}
    return samples.get(python, {})


async def test_every_varchar_column_takes_an_overlong_value_on_postgresql(pg: Database) -> None:
    tables = SQLModel.metadata.sorted_tables
    varchars: dict[tuple[str, str], int] = {
        (t.name, c.name): int(getattr(c.type, "length", 0))
        for t in tables
        for c in t.columns
        if getattr(c.type, "length", None)
    }
    assert len(varchars) > 40, "the test covers every varchar column of every table"
    ids: dict[str, int] = {}
    checked = 0
    async with pg.begin() as connection:
        for table in tables:
            values = {
                c.name: value_for(c, ids)
                for c in table.columns
                if not (c.primary_key and isinstance(c.type, Integer))
            }
            result = await connection.execute(
                insert(table).values(**values).returning(*table.primary_key.columns)
            )
            key = result.one()
            if "id" in table.c:
                ids[table.name] = int(key[0])
            stored = (
                await connection.execute(
                    select(table).where(
                        *(c == v for c, v in zip(table.primary_key.columns, key, strict=True))
                    )
                )
            ).one()
            for column in table.columns:
                length = varchars.get((table.name, column.name))
                if length is not None and not column.primary_key:
                    value = getattr(stored, column.name)
                    assert value == overlong(length)[:length], f"{table.name}.{column.name}"
                    checked += 1
    assert checked >= 40


async def test_the_driver_statements_cut_overlong_values_too(pg: Database) -> None:
    """record_update and enqueue run on the driver itself (storage.driver), not the ORM."""
    async with pg.unit() as session:
        assert await repo.record_update(session, "telegram", "u" * 150, "9" * 90)
        await enqueue(session, [Outgoing("telegram", "1" * 90, Reply("chào"), purpose="p" * 50)])
    async with pg.session() as session:
        update = (await session.exec(sm_select(ProcessedUpdate))).one()
        row = (await session.exec(sm_select(OutboxMessage))).one()
    assert (len(update.update_key), len(update.user_id or "")) == (100, 64)
    assert (len(row.chat_id), len(row.purpose)) == (64, 30)


async def seed_case(db: Database) -> int:
    async with db.session() as session:
        reporter = Reporter(channel="telegram", external_id="6601", display_name="Lan")
        session.add(reporter)
        await session.flush()
        assert reporter.id is not None
        case = Case(
            code=CODE,
            reporter_id=reporter.id,
            channel="telegram",
            chat_id="6601",
            description="Không nộp được hồ sơ",
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        return case.id


async def test_staff_with_a_120_character_name_and_a_150_character_handle_on_postgresql(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    long_name = ("Trần Văn Bình Minh Quang Huy " * 6)[:120]
    handle = "canbo_" + "x" * 144
    fresh = Database(postgres_url)
    async with fresh.engine.begin() as conn:  # fresh tables on the session's test database
        await conn.run_sync(SQLModel.metadata.drop_all)
        await conn.run_sync(SQLModel.metadata.create_all)
    case_id = await seed_case(fresh)
    await fresh.dispose()
    async with FakeTelegramServer() as tg, running_bot(tg, postgres_url) as runtime:
        db = runtime.app.db
        tg.set_member(STAFF_GROUP_ID, 9901, "member")
        with caplog.at_level(logging.WARNING):
            tg.push_update(group_text_update(9901, f"/nhan {CODE}", first_name=long_name, update_id=990001))
            await tg.wait_for("sendMessage", lambda c: c.params.get("chat_id") == STAFF_GROUP_ID, timeout=20)
            async with db.session() as session:
                case = await session.get(Case, case_id)
                assert case is not None and case.assignee_name == long_name[:100], (
                    "the name, cut to its column"
                )
            tg.push_update(
                group_text_update(901, f"/giao {CODE} @{handle}", first_name=long_name, update_id=990002)
            )
            for _ in range(200):
                async with db.session() as session:
                    done = (
                        await session.exec(
                            sm_select(ProcessedUpdate).where(ProcessedUpdate.update_key == "990002")
                        )
                    ).first()
                if done is not None:
                    break
                await asyncio.sleep(0.05)
        assert done is not None, "the /giao update was processed, not retried"
        async with db.session() as session:
            case = await session.get(Case, case_id)
            actors = list(
                (
                    await session.exec(sm_select(CaseEvent.actor).where(col(CaseEvent.case_id) == case_id))
                ).all()
            )
        assert case is not None and case.assignee_name is not None and len(case.assignee_name) <= 100
        assert all(a is None or len(a) <= 100 for a in actors)
        failures = [
            r.getMessage()
            for r in caplog.records
            if "retrying update" in r.getMessage() or "could not be handled" in r.getMessage()
        ]
        assert failures == [], failures
