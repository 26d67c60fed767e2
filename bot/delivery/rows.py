"""Outbox rows: how a reply is stored (in the caller's transaction) and the hooks that place it.

Handlers never send: their replies become rows here, in the same transaction as the change
that caused them, and bot.delivery.outbox sends them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import insert, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import SendResult
from handlers.events import Outgoing
from storage.driver import StatementSet, driver_for
from storage.models import OutboxMessage, utcnow

# Statements built once, on the table (Core: no ORM bulk layer, no autoflush): the insert runs
# for every update, the worker's transitions several times for every message sent.
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_INSERT_OUTBOX = insert(_OUTBOX)
_NEW_ROW_COLUMNS = [
    "channel",
    "chat_id",
    "payload",
    "case_id",
    "purpose",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
]
# Replies are stored on every update: that insert runs on the driver (storage.driver).
_ENQUEUE = StatementSet(lambda _dialect: {"insert": (_INSERT_OUTBOX, _NEW_ROW_COLUMNS)})


async def enqueue(session: AsyncSession, outgoing: Iterable[Outgoing]) -> int:
    """Store replies in the caller's transaction (they are sent only if it commits).

    One INSERT for all of them, on the driver: this runs on every update, and building ORM
    objects for rows nobody reads back here cost more than the conversation logic itself."""
    now = utcnow()
    rows = [
        {
            "channel": item.channel,
            "chat_id": str(item.chat_id),
            "payload": item.payload(),
            "case_id": item.case_id,
            "purpose": item.purpose,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for item in outgoing
    ]
    if rows:
        driver = await driver_for(session)
        insert_row = _ENQUEUE.for_dialect(driver.dialect)["insert"]
        if len(rows) == 1:
            await driver.execute(insert_row, rows[0])
        else:
            await driver.executemany(insert_row, rows)
    return len(rows)


class OutboxHooks(Protocol):
    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]: ...

    async def delivered(
        self, session: AsyncSession, row: OutboxMessage, result: SendResult
    ) -> list[Outgoing]: ...

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]: ...


class NoHooks:
    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]:
        return dict(row.payload)

    async def delivered(
        self, session: AsyncSession, row: OutboxMessage, result: SendResult
    ) -> list[Outgoing]:
        return []

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]:
        return []


async def release_deferred(session: AsyncSession, channel: str, chat_id: str) -> int:
    """The person wrote again (Zalo OA window reopened): deferred replies become pending."""
    statement = (
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status) == "deferred",
        )
        .values(status="pending", next_attempt_at=utcnow())
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return int(result.rowcount or 0)
