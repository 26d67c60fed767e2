"""The outbox's row transitions: claim, hand back, start sending, and every outcome of a send.

A mixin of bot.delivery.outbox.OutboxWorker (kept apart so each part stays readable): the
state machine pending → claimed → sending → sent, and the branches a send can take —
retried (bot.delivery.patience: by age, not by count), expired, moved to a new place
(a deleted topic), deferred, failed. Every transition of a claimed row is conditional on
the worker still owning the claim.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import SendResult
from bot.delivery.patience import Recovery, backoff, expired_by_age
from bot.delivery.rows import _OUTBOX, OutboxHooks, enqueue
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger("bot.delivery.outbox")

# How long a sent message's "sent" mark is retried while the database cannot be reached.
MARK_PATIENCE = timedelta(hours=1)


def _unreachable(exc: DBAPIError) -> bool:
    """A database error that says the database could not be reached or answer in time (a
    statement or connection timeout, a closed connection), not that the statement was wrong."""
    text = f"{type(exc.orig).__name__} {exc.orig}".lower()
    return any(word in text for word in ("timeout", "timed out", "cancel", "closed", "connection", "locked"))


# A row whose place keeps vanishing (topic deleted again and again) fails after this many moves.
MAX_MOVES = 5

_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == "pending")
    .values(status="claimed", claimed_at=bindparam("new_claimed_at"), claimed_by=bindparam("token"))
)
_OWNED_CLAIM = and_(
    _OUTBOX.c.id == bindparam("row_id"),
    _OUTBOX.c.status == "claimed",
    _OUTBOX.c.claimed_by == bindparam("token"),
)
_TO_SENDING = (
    update(_OUTBOX).where(_OWNED_CLAIM).values(status="sending", claimed_at=bindparam("new_claimed_at"))
)
_RELEASE = update(_OUTBOX).where(_OWNED_CLAIM).values(status="pending", claimed_by=None)
_HOLD = update(_OUTBOX).where(_OWNED_CLAIM).values(status="held", claimed_by=None)
_PROMOTE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.status == "scheduled", _OUTBOX.c.next_attempt_at <= bindparam("now"))
    .values(status="pending")
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status != "sent")
    .values(
        status="sent",
        sent_at=bindparam("new_sent_at"),
        sent_message_id=bindparam("message_id"),
        attempts=_OUTBOX.c.attempts + 1,
    )
)


class RowTransitions:
    """State changes of outbox rows (see the module doc); OutboxWorker provides the attributes."""

    db: Database
    hooks: OutboxHooks
    clock: Callable[[], datetime]
    claim_lease: timedelta
    give_up_after: timedelta
    max_backoff: float
    recovery: Recovery
    _wake: asyncio.Event

    async def promote_scheduled(self) -> int:
        """Scheduled rows that are due become pending (an incident card edit, see module doc)."""
        async with self.db.begin() as connection:
            result = await connection.execute(_PROMOTE, {"now": self.clock()})
            promoted = int(result.rowcount or 0)
        if promoted:
            self._wake.set()
        return promoted

    async def recover_stale_claims(self, *, everything: bool = False) -> int:
        """Rows claimed or being sent by a dead worker go back to pending after the lease.

        A recovered "sending" row counts as an attempt (it may have been delivered, and a row
        that crashes its worker every time must not loop forever); a recovered "claimed" row
        was never handed to the messenger."""
        cutoff = self.clock() - self.claim_lease
        recovered = 0
        async with self.db.session() as session:
            for status, spent in (("sending", 1), ("claimed", 0)):
                statement = update(OutboxMessage).where(col(OutboxMessage.status) == status)
                if not everything:
                    statement = statement.where(col(OutboxMessage.claimed_at) < cutoff)
                statement = statement.values(
                    status="pending",
                    claimed_by=None,
                    attempts=OutboxMessage.attempts + spent,  # type: ignore[operator]
                )
                result = await session.exec(statement)  # type: ignore[call-overload]
                recovered += int(result.rowcount or 0)
        if recovered:
            log.warning("outbox: %d row(s) of a stopped worker back to pending", recovered)
        return recovered

    async def _claim_many(self, rows: list[OutboxMessage]) -> dict[int, str]:
        """Own the rows (a conditional UPDATE each: one winner among all workers), in one
        transaction; returns the claim token of each row won."""
        won: dict[int, str] = {}
        if not rows:
            return won
        now = self.clock()
        async with self.db.begin() as connection:
            for row in rows:
                token = f"{os.getpid()}-{uuid.uuid4().hex[:24]}"
                result = await connection.execute(
                    _CLAIM, {"row_id": row.id, "new_claimed_at": now, "token": token}
                )
                if result.rowcount and row.id is not None:
                    won[row.id] = token
        return won

    async def _release(self, row: OutboxMessage, token: str) -> None:
        """Give a claim back that was never used (shutting down while waiting for the limiter)."""
        await self._move_claimed(_RELEASE, row, token)

    async def _start_sending(self, row: OutboxMessage, token: str) -> bool:
        """Committed right before the API call, only while the claim is still ours."""
        return await self._move_claimed(_TO_SENDING, row, token, new_claimed_at=self.clock())

    async def _move_claimed(self, statement: Any, row: OutboxMessage, token: str, **values: Any) -> bool:
        """Change a row this worker has claimed (and still owns); False when the claim was lost."""
        async with self.db.begin() as connection:
            result = await connection.execute(statement, {"row_id": row.id, "token": token, **values})
            return bool(result.rowcount)

    async def _owned(self, session: AsyncSession, row: OutboxMessage, token: str) -> OutboxMessage | None:
        """The row, if this worker still owns it (a stale claim may have been handed on)."""
        fresh = await session.get(OutboxMessage, row.id)
        if fresh is None or fresh.claimed_by != token or fresh.status not in ("claimed", "sending"):
            log.info("outbox row %s: no longer ours, leaving it to its new owner", row.id)
            return None
        return fresh

    async def _mark_sent(self, row: OutboxMessage, result: SendResult) -> None:
        """Record the delivery. The message is out: a row left in "sending" would be sent again
        once its lease runs out, so a database that is frozen, cut or restarting is waited out
        here (its chat stays in flight, so this worker does not claim the row again meanwhile),
        for up to MARK_PATIENCE; only an error that is not about reaching the database is raised."""
        started = self.clock()
        attempt = 0
        while True:
            try:
                await self._mark_sent_once(row, result)
                return
            except (DBAPIError, OSError, TimeoutError) as exc:
                transient = not isinstance(exc, DBAPIError) or exc.connection_invalidated or _unreachable(exc)
                if not transient or self.clock() - started > MARK_PATIENCE:
                    raise
                if attempt == 0 or attempt % 30 == 0:
                    log.warning(
                        "outbox row %s: sent, but the database did not record it (%s); trying again",
                        row.id,
                        type(exc).__name__,
                    )
                attempt += 1
                # The pool drops a dead connection: the next attempt gets a new one.
                await asyncio.sleep(min(0.1 * 2**attempt, 2.0))

    async def _mark_sent_once(self, row: OutboxMessage, result: SendResult) -> None:
        # Not conditional on the claim: the message did go out, whoever owns the row now.
        async with self.db.session() as session:
            connection = await session.connection()
            marked = await connection.execute(
                _MARK_SENT, {"row_id": row.id, "new_sent_at": self.clock(), "message_id": result.message_id}
            )
            if not marked.rowcount:
                return  # a second copy sent after a lost lease: the first mark stands
            follow_up = await self.hooks.delivered(session, row, result)
            await enqueue(session, follow_up)

    async def _retry(
        self,
        row: OutboxMessage,
        token: str,
        reason: str,
        retry_after: float | None,
        progress: dict[str, Any] | None,
    ) -> None:
        self.recovery.failed(row.channel)
        now = self.clock()
        async with self.db.session() as session:
            fresh = await self._owned(session, row, token)
            if fresh is None:
                return
            if progress:
                # Parts of the row that did go out (a sender that makes several calls per row):
                # the next attempt resumes after them instead of sending them twice.
                fresh.payload = {**fresh.payload, **progress}
            if retry_after is None:
                fresh.attempts += 1  # a flood wait is what Telegram asked for, not a failure
            fresh.last_error = reason[:500]
            fresh.claimed_by = None
            if expired_by_age(fresh.created_at, now, self.give_up_after):
                # Kept and visible; sent again as soon as the channel delivers (patience.Recovery).
                fresh.status = "expired"
                log.error(
                    "outbox row %s to %s expired after %.0f h of failures (%d tries): %s",
                    row.id,
                    row.channel,
                    self.give_up_after.total_seconds() / 3600,
                    fresh.attempts,
                    reason[:200],
                )
                await enqueue(session, await self.hooks.failed(session, fresh, reason))
                return
            delay = retry_after if retry_after is not None else backoff(fresh.attempts, self.max_backoff)
            fresh.status = "pending"
            fresh.next_attempt_at = now + timedelta(seconds=delay)

    async def _relocate(self, row: OutboxMessage, token: str, reason: str) -> None:
        """The row's place is gone (a forum topic staff deleted): the hooks find it a new one
        (a new topic with the card posted again) and the row goes back to the queue; a notice
        never goes into the thread that failed."""
        relocate = getattr(self.hooks, "relocate", None)
        async with self.db.session() as session:
            fresh = await self._owned(session, row, token)
            if fresh is None:
                return
            moved = (
                await relocate(session, fresh, reason)
                if relocate is not None and fresh.attempts < MAX_MOVES
                else None
            )
            if moved is None:
                log.warning("outbox row %s to %s failed permanently: %s", row.id, row.channel, reason[:200])
                await self._failed(session, fresh, reason)
                return
            log.warning("outbox row %s: %s; sent again to a new place", row.id, reason[:200])
            fresh.attempts += 1
            fresh.last_error = reason[:500]
            fresh.status = "pending"
            fresh.claimed_by = None
            fresh.next_attempt_at = self.clock()
            await enqueue(session, moved)

    async def _defer(
        self, row: OutboxMessage, token: str, reason: str, progress: dict[str, Any] | None = None
    ) -> None:
        async with self.db.session() as session:
            fresh = await self._owned(session, row, token)
            if fresh is None:
                return
            if progress:
                # Parts already delivered (a long reply split in several) are not sent again on release.
                fresh.payload = {**fresh.payload, **progress}
            first_time = fresh.status != "deferred" and fresh.last_error != reason[:500]
            fresh.status = "deferred"
            fresh.last_error = reason[:500]
            fresh.claimed_by = None
            if first_time:
                await enqueue(session, await self.hooks.failed(session, fresh, reason))

    async def _fail(self, row: OutboxMessage, token: str, reason: str) -> None:
        log.warning("outbox row %s to %s failed permanently: %s", row.id, row.channel, reason[:200])
        async with self.db.session() as session:
            fresh = await self._owned(session, row, token)
            if fresh is None:
                return
            await self._failed(session, fresh, reason)

    async def _failed(self, session: AsyncSession, fresh: OutboxMessage, reason: str) -> None:
        """Mark an owned row failed for good; the hooks say what staff are told."""
        fresh.status = "failed"
        fresh.attempts += 1
        fresh.last_error = reason[:500]
        await enqueue(session, await self.hooks.failed(session, fresh, reason))
