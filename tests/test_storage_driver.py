"""The per-message statements that run on the database driver (storage/driver.py).

They bypass SQLAlchemy's execution layer, so what SQLAlchemy would otherwise guarantee is
checked here on both databases: values are stored exactly as the ORM stores them (and read
back as the ORM reads them), the statements are part of the turn's transaction, driver
errors arrive as SQLAlchemy's exceptions (the intake retries those), and a connection the
server cut is replaced.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Application
from bot.delivery.outbox import enqueue
from bot.settings import load_settings
from handlers.events import ChatKind, Incoming, Kind, Outgoing, Reply
from storage import repo
from storage.db import Database
from storage.driver import AsyncpgDriver, driver_for
from storage.models import Conversation, KeyValue, OutboxMessage, ProcessedUpdate, Reporter
from tests.test_postgres_connections import cut_every_connection


async def test_a_person_saved_on_the_driver_reads_back_through_the_orm_unchanged(any_db: Database) -> None:
    consent_at = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)
    async with any_db.unit() as session:
        reporter, conversation = await repo.get_person(
            session, "telegram", "501", "501", display_name="Chị Hoa"
        )
        # The name is stored only once the person has consented (Decree 13/2023): set with it.
        reporter.consent, reporter.consent_at, reporter.phone = True, consent_at, "0912345678"
        reporter.display_name = "Chị Hoa"
        conversation.step = "describe"
        conversation.data = {"system": "vneid", "mô_tả": "Không đăng nhập được", "files": [1, 2]}
        conversation.recent = [1763886615.25]
        await repo.save_person(session, reporter, conversation)

    async with any_db.session() as session:
        stored = (await session.exec(select(Reporter).where(Reporter.external_id == "501"))).one()
        state = (await session.exec(select(Conversation).where(Conversation.user_id == "501"))).one()
    assert stored.display_name == "Chị Hoa"
    assert stored.consent is True
    assert stored.consent_at == consent_at
    assert stored.phone == "0912345678"
    assert state.step == "describe"
    assert state.data == {"system": "vneid", "mô_tả": "Không đăng nhập được", "files": [1, 2]}
    assert state.recent == [1763886615.25]


async def test_a_person_the_orm_wrote_is_read_on_the_driver_with_the_orms_types(any_db: Database) -> None:
    consent_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with any_db.session() as session:
        session.add(
            Reporter(
                channel="zalo_bot", external_id="z9", consent=False, consent_at=consent_at, role="can_bo"
            )
        )
        session.add(
            Conversation(channel="zalo_bot", user_id="z9", chat_id="z9", step="unit", data={"role": "can_bo"})
        )

    async with any_db.unit() as session:
        reporter, conversation = await repo.get_person(session, "zalo_bot", "z9", "z9")
    assert reporter.consent is False, "a boolean, not SQLite's 0"
    assert reporter.consent_at == consent_at and reporter.consent_at.tzinfo is not None
    assert reporter.role == "can_bo"
    assert (conversation.step, conversation.data) == ("unit", {"role": "can_bo"})
    assert conversation.updated_at.tzinfo is not None


async def test_a_person_whose_conversation_was_purged_starts_a_new_one(any_db: Database) -> None:
    async with any_db.session() as session:
        session.add(Reporter(channel="telegram", external_id="504", role="nguoi_dan", consent=True))
    async with any_db.unit() as session:
        reporter, conversation = await repo.get_person(session, "telegram", "504", "504")
        await repo.save_person(session, reporter, conversation)
    assert (reporter.role, conversation.step, conversation.data) == ("nguoi_dan", "new", {})
    async with any_db.session() as session:
        assert (await session.exec(select(func.count()).select_from(Conversation))).one() == 1


async def test_driver_statements_roll_back_with_the_turn(any_db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with any_db.unit() as session:
            assert await repo.record_update(session, "telegram", "u-1", "502")
            await repo.get_person(session, "telegram", "502", "502")
            await enqueue(session, [Outgoing("telegram", "502", Reply("Xin chào"))])
            raise RuntimeError("the handler failed")
    async with any_db.session() as session:
        for table in (ProcessedUpdate, Reporter, Conversation, OutboxMessage):
            assert (await session.exec(select(func.count()).select_from(table))).one() == 0, table.__name__


@pytest.mark.parametrize("orm_first", [True, False], ids=["orm-first", "driver-first"])
async def test_the_orm_and_the_driver_share_one_transaction(any_db: Database, orm_first: bool) -> None:
    """A message that files a complaint writes through both (the case through the ORM, the
    conversation and the replies on the driver): whichever begins, both commit or neither."""

    async def both(session: AsyncSession, key: str) -> None:
        async def orm() -> None:
            session.add(KeyValue(key=key, value="case"))
            await session.flush()

        async def driver() -> None:
            assert await repo.record_update(session, "telegram", key, "505")

        for step in (orm, driver) if orm_first else (driver, orm):
            await step()

    with pytest.raises(RuntimeError):
        async with any_db.unit() as session:
            await both(session, "rolled-back")
            raise RuntimeError("the handler failed after both wrote")
    async with any_db.unit() as session:
        await both(session, "kept")

    async with any_db.session() as session:
        assert (await session.exec(select(KeyValue.key))).all() == ["kept"]
        assert (await session.exec(select(ProcessedUpdate.update_key))).all() == ["kept"]


async def test_postgresql_statements_run_on_asyncpg_itself(pg: Database) -> None:
    """The per-message statements skip the adapter's cursor (storage.driver.AsyncpgDriver) by
    using adapter members that are not public API: a SQLAlchemy that changes them must fail
    here rather than quietly fall back to the slower path."""
    async with pg.unit() as session:
        assert isinstance(await driver_for(session), AsyncpgDriver)
    async with pg.session() as session:  # an ORM session's connection, as the outbox uses
        assert isinstance(await driver_for(session), AsyncpgDriver)


async def test_a_driver_error_is_sqlalchemys_exception(any_db: Database) -> None:
    """The intake retries SQLAlchemy's DBAPIError family: a driver's own exception would escape it."""
    async with any_db.unit() as session:
        await repo.get_person(session, "telegram", "503", "503")
    with pytest.raises(IntegrityError):
        async with any_db.unit() as session:
            # Another instance created the person a moment ago: this one's first-contact insert collides.
            from storage.repo import _STATEMENTS

            driver = await driver_for(session)
            await driver.fetchone(
                _STATEMENTS.for_dialect(driver.dialect)["new_reporter"],
                {
                    "channel": "telegram",
                    "external_id": "503",
                    "display_name": None,
                    "username": None,
                    "phone": None,
                    "consent": None,
                    "consent_at": None,
                    "role": None,
                    "unit_code": None,
                    "created_at": datetime.now(UTC),
                    "language": None,
                },
            )


def message(user: str, text: str, key: str) -> Incoming:
    return Incoming("telegram", user, user, Kind.TEXT, text=text, update_key=key, chat_kind=ChatKind.PRIVATE)


async def test_messages_right_after_the_server_cut_every_connection_are_processed(
    pg: Database, postgres_url: str
) -> None:
    app = Application(load_settings(database_url=postgres_url), db=Database(postgres_url))
    people = [str(600 + i) for i in range(12)]
    # Twelve people at once: the pool holds a connection for each.
    await asyncio.gather(*(app.receive(message(user, "/start", f"{user}-1")) for user in people))
    assert await cut_every_connection(postgres_url) >= 2
    # At once, before any connection counts as idle (idle ones are checked before use).
    await asyncio.gather(*(app.receive(message(user, "/huy", f"{user}-2")) for user in people))

    await app.close()
    check = Database(postgres_url)  # the fixture's own pooled connection was cut as well
    async with check.session() as session:
        keys = (await session.exec(select(ProcessedUpdate.update_key))).all()
        replies = (await session.exec(select(OutboxMessage.chat_id))).all()
    await check.dispose()
    assert sorted(keys) == sorted(f"{user}-{n}" for user in people for n in (1, 2))
    assert sorted(replies) == sorted(people * 2), (
        "each person: the greeting, then the /huy answer; none twice"
    )
