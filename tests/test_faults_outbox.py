"""The outbox when the database freezes right after a message went out (issue #17).

Telegram has accepted the message; recording "sent" then meets a frozen database. The record must
be retried until the database answers again: a row left in "sending" is sent a second time once
its claim lease runs out. Seen with the fault proxy: the delivery task dies with a bare
TimeoutError ("Task exception was never retrieved") and the person gets the message twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.delivery.channel import SendResult
from bot.delivery.outbox import OutboxWorker, enqueue
from bot.delivery.ratelimit import Limit
from handlers.events import Outgoing, Reply
from storage.db import Database
from tests.support.faultproxy import FaultProxy


@pytest.fixture
async def pg_proxy(pg: Database) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", 5432) as proxy:
        yield proxy


class FreezingSender:
    """Delivers; the database freezes just after the first delivery."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.sent: list[str] = []

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        self.sent.append(payload["text"])
        if len(self.sent) == 1:
            self.proxy.mode = "freeze"
        return SendResult(message_id=str(len(self.sent)))


async def test_a_message_sent_as_the_database_freezes_goes_out_once(
    pg_proxy: FaultProxy, postgres_url: str
) -> None:
    db = Database(postgres_url.replace("127.0.0.1:5432", pg_proxy.url_host))
    try:
        async with db.session() as session:
            await enqueue(session, [Outgoing("telegram", "7001", Reply("Đã nhận phản ánh PA-261207-AB2C."))])
        sender = FreezingSender(pg_proxy)
        worker = OutboxWorker(db, {"telegram": sender}, poll_interval=0.05, claim_lease=timedelta(seconds=3))  # type: ignore[dict-item]
        task = asyncio.create_task(worker.run())
        try:
            await asyncio.sleep(8)  # frozen for longer than the statement timeout
            pg_proxy.mode = "pass"
            await asyncio.sleep(8)  # past the claim lease
        finally:
            await worker.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        print(f"\nfrozen after the send: delivered {len(sender.sent)} time(s)")
        assert sender.sent == ["Đã nhận phản ánh PA-261207-AB2C."], "delivered exactly once"
    finally:
        await db.dispose()
