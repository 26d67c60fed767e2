"""Durable outbox: every outbound message is a row before it is sent.

The worker sends the oldest pending row of each chat (so one chat's messages keep their
order), paced by each channel's rate limits, and marks the row. Failures:

* 429 / 5xx / network → the row waits (`retry_after`, or exponential backoff) and is retried;
* permanent (blocked, chat gone, invalid) → the row is marked failed and staff are told;
* a crash between "sent" and "marked" leaves the row in `sending`; after the claim lease
  expires it is sent again (at-least-once, since the Bot API has no idempotency key — see
  docs in README "Delivery guarantees").

Several instances may run workers on one PostgreSQL: a row is claimed with a conditional
UPDATE, so only one worker sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import DeliveryDeferred, PermanentFailure, RetryLater, Sender, SendResult
from bot.ratelimit import RateLimiter
from handlers.events import Outgoing
from storage.db import Database
from storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=60)


def enqueue(session: AsyncSession, outgoing: Iterable[Outgoing]) -> list[OutboxMessage]:
    """Store replies in the caller's transaction (they are sent only if it commits)."""
    rows = []
    for item in outgoing:
        row = OutboxMessage(
            channel=item.channel,
            chat_id=str(item.chat_id),
            payload=item.payload(),
            case_id=item.case_id,
            purpose=item.purpose,
        )
        session.add(row)
        rows.append(row)
    return rows


class OutboxHooks(Protocol):
    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]: ...

    async def delivered(self, session: AsyncSession, row: OutboxMessage, result: SendResult) -> list[Outgoing]: ...

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]: ...


class NoHooks:
    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]:
        return dict(row.payload)

    async def delivered(self, session: AsyncSession, row: OutboxMessage, result: SendResult) -> list[Outgoing]:
        return []

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]:
        return []


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        senders: dict[str, Sender],
        *,
        hooks: OutboxHooks | None = None,
        max_attempts: int = 12,
        poll_interval: float = 0.5,
        concurrency: int = 32,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.hooks: OutboxHooks = hooks or NoHooks()
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.limiter = limiter or RateLimiter()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30)}"
        self._wake = asyncio.Event()
        self._inflight: set[tuple[str, str]] = set()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await self.recover_stale_claims()
        while not self._stopping:
            try:
                started = await self.dispatch_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox dispatch failed")
                started = 0
            if started == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
                self._wake.clear()
            else:
                await asyncio.sleep(0)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self, timeout: float = 30.0, channels: set[str] | None = None) -> None:
        """Send everything pending now (console runs, tests, shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await self.dispatch_once(channels=channels, due_only=False)
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                continue
            if await self.pending_count(channels) == 0:
                return
            await asyncio.sleep(0.05)

    async def pending_count(self, channels: set[str] | None = None) -> int:
        async with self.db.session() as session:
            statement = select(OutboxMessage.id).where(col(OutboxMessage.status).in_(("pending", "sending")))
            if channels:
                statement = statement.where(col(OutboxMessage.channel).in_(channels))
            return len((await session.exec(statement)).all())

    async def recover_stale_claims(self) -> int:
        """Rows left in `sending` by a crashed worker go back to pending after the lease."""
        async with self.db.session() as session:
            statement = (
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "sending", col(OutboxMessage.claimed_at) < utcnow() - CLAIM_LEASE)
                .values(status="pending", claimed_by=None)
            )
            result = await session.exec(statement)  # type: ignore[call-overload]
            return int(result.rowcount or 0)

    async def dispatch_once(self, channels: set[str] | None = None, due_only: bool = True) -> int:
        now = utcnow()
        async with self.db.session() as session:
            statement = select(OutboxMessage).where(col(OutboxMessage.status).in_(("pending", "sending")))
            if channels:
                statement = statement.where(col(OutboxMessage.channel).in_(channels))
            rows = (await session.exec(statement.order_by(col(OutboxMessage.id)).limit(1000))).all()
        heads: dict[tuple[str, str], OutboxMessage] = {}
        for row in rows:
            key = (row.channel, row.chat_id)
            # Only the oldest unsent row of a chat may go: that keeps each chat's order.
            if key not in heads:
                heads[key] = row
        started = 0
        for key, row in heads.items():
            if row.status != "pending" or key in self._inflight or row.channel not in self.senders:
                continue
            if due_only and row.next_attempt_at > now:
                continue
            if not await self._claim(row):
                continue
            self._inflight.add(key)
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _claim(self, row: OutboxMessage) -> bool:
        async with self.db.session() as session:
            statement = (
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == "pending")
                .values(status="sending", claimed_at=utcnow(), claimed_by=self.worker_id)
            )
            result = await session.exec(statement)  # type: ignore[call-overload]
            return bool(result.rowcount)

    async def _deliver(self, row: OutboxMessage) -> None:
        key = (row.channel, row.chat_id)
        sender = self.senders[row.channel]
        try:
            async with self._semaphore:
                async with self.db.session() as session:
                    fresh = await session.get(OutboxMessage, row.id)
                    assert fresh is not None
                    payload = await self.hooks.prepare(session, fresh)
                await self.limiter.acquire(sender.limits(row.chat_id))
                try:
                    result = await sender.send(row.chat_id, payload)
                except RetryLater as exc:
                    if exc.retry_after:
                        for limit_key, limit in sender.limits(row.chat_id)[-1:]:
                            self.limiter.block(limit_key, limit, exc.retry_after)
                    await self._retry(row, str(exc), exc.retry_after)
                except DeliveryDeferred as exc:
                    await self._defer(row, str(exc))
                except PermanentFailure as exc:
                    await self._fail(row, str(exc))
                except Exception as exc:  # unknown errors are retried, never dropped
                    log.warning("outbox row %s: unexpected error %s", row.id, type(exc).__name__)
                    await self._retry(row, f"{type(exc).__name__}: {exc}", None)
                else:
                    await self._mark_sent(row, result)
        finally:
            self._inflight.discard(key)
            self._wake.set()

    async def _mark_sent(self, row: OutboxMessage, result: SendResult) -> None:
        async with self.db.session() as session:
            fresh = await session.get(OutboxMessage, row.id)
            assert fresh is not None
            fresh.status = "sent"
            fresh.sent_at = utcnow()
            fresh.sent_message_id = result.message_id
            fresh.attempts += 1
            follow_up = await self.hooks.delivered(session, fresh, result)
            enqueue(session, follow_up)

    async def _retry(self, row: OutboxMessage, reason: str, retry_after: float | None) -> None:
        async with self.db.session() as session:
            fresh = await session.get(OutboxMessage, row.id)
            assert fresh is not None
            fresh.attempts += 1
            fresh.last_error = reason[:500]
            if fresh.attempts >= self.max_attempts:
                fresh.status = "failed"
                enqueue(session, await self.hooks.failed(session, fresh, reason))
                return
            delay = retry_after if retry_after is not None else min(300.0, 2.0 ** fresh.attempts) * random.uniform(0.5, 1.0)
            fresh.status = "pending"
            fresh.claimed_by = None
            fresh.next_attempt_at = utcnow() + timedelta(seconds=delay)

    async def _defer(self, row: OutboxMessage, reason: str) -> None:
        async with self.db.session() as session:
            fresh = await session.get(OutboxMessage, row.id)
            assert fresh is not None
            first_time = fresh.status != "deferred" and fresh.last_error != reason[:500]
            fresh.status = "deferred"
            fresh.last_error = reason[:500]
            fresh.claimed_by = None
            if first_time:
                enqueue(session, await self.hooks.failed(session, fresh, reason))

    async def _fail(self, row: OutboxMessage, reason: str) -> None:
        log.warning("outbox row %s to %s failed permanently: %s", row.id, row.channel, reason[:200])
        async with self.db.session() as session:
            fresh = await session.get(OutboxMessage, row.id)
            assert fresh is not None
            fresh.status = "failed"
            fresh.attempts += 1
            fresh.last_error = reason[:500]
            enqueue(session, await self.hooks.failed(session, fresh, reason))


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
