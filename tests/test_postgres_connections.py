"""PostgreSQL connections the server cuts (a restart, an idle timeout, an administrator).

The pool does not check a connection used a moment ago (a check is three round trips); so an
idle one must be checked before it is handed out, and a statement that meets a dead connection
must be retried where giving up would cost something — above all when recording that a message
went out, since a row left in "sending" is sent a second time once its lease runs out.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlmodel import text

import storage.db
from bot.delivery.channel import SendResult
from bot.delivery.outbox import OutboxWorker, enqueue
from bot.delivery.ratelimit import Limit
from handlers.events import Outgoing, Reply
from storage.db import Database


async def cut_every_connection(url: str) -> int:
    """What a server restart does to the bot's pooled connections."""
    admin = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        name = url.rsplit("/", 1)[1]
        return len(
            await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        )
    finally:
        await admin.close()


async def test_an_idle_connection_the_server_cut_is_replaced_before_use(
    pg: Database, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "IDLE_CHECK_SECONDS", 0.2)
    async with pg.session() as session:
        await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    assert await cut_every_connection(postgres_url) >= 1, "the pooled connection was there to cut"
    await asyncio.sleep(0.3)  # idle past the check
    async with pg.session() as session:
        assert (await session.exec(text("SELECT 41 + 1"))).one() == (42,)  # type: ignore[call-overload]


async def outbox_row(url: str) -> Any:
    # The sender cuts every connection to the database, this check's own too when it happens
    # to be open at that moment (a flaky failure): read again on a new one.
    for attempt in range(3):
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
        try:
            return await connection.fetchrow("SELECT status, sent_message_id FROM outboxmessage")
        except (asyncpg.ConnectionDoesNotExistError, asyncpg.AdminShutdownError, ConnectionError):
            if attempt == 2:
                raise
        finally:
            await connection.close()


class CuttingSender:
    """Delivers, and then the database restarts before the worker can record it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sent: list[str] = []

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        self.sent.append(payload["text"])
        await cut_every_connection(self.url)
        return SendResult(message_id=str(len(self.sent)))


async def test_a_message_sent_just_before_the_database_restarts_is_marked_sent_not_sent_again(
    pg: Database, postgres_url: str
) -> None:
    async with pg.session() as session:
        await enqueue(session, [Outgoing("telegram", "7001", Reply("Đã nhận phản ánh PA-261123-AB2C."))])
    sender = CuttingSender(postgres_url)
    worker = OutboxWorker(pg, {"telegram": sender}, poll_interval=0.02)  # type: ignore[dict-item]
    task = asyncio.create_task(worker.run())
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while True:
            row = await outbox_row(postgres_url)  # on its own connection: the pool's get cut
            if row["status"] == "sent" or loop.time() > deadline:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        task.cancel()
    assert row["status"] == "sent", f"left as {row['status']!r}: it would go out again after the lease"
    assert row["sent_message_id"] == "1"
    assert sender.sent == ["Đã nhận phản ánh PA-261123-AB2C."], "delivered exactly once"
