"""Durable outbox: every outbound message is a row before it is sent.

The worker sends the oldest unsent row of each chat (so one chat's messages keep their
order), paced by each channel's rate limits, and marks the row. Failures:

* 429 / 5xx / network → the row waits (`retry_after`, or a backoff capped at a few minutes) and
  is retried until it is `give_up_after` old (then "expired", sent again when the channel
  recovers; a 429 is not counted as a failure): bot.delivery.patience;
* misplaced (a deleted forum topic or card) → the hooks find it a new place and it is sent again;
* permanent (blocked, chat gone, invalid) → the row is marked failed and staff are told;
* deferred (Zalo OA outside its window) → parked until the person writes again.

Two more states keep the staff group readable during an outage (issue #23):

* held — the hooks said the row belongs to a case held by an incident: it is parked without
  an API call and goes back to pending when staff open or release the case
  (handlers.incidents.hold.release), so nothing linked is lost;
* scheduled — written by the incident desk for an edit of the incident card due later (at most
  one edit a minute); it becomes pending when due (:func:`promote_scheduled`).

Within the staff group rows go in three lanes (:data:`LANES`): answers to staff commands and
card edits first; then new cards (cases, incidents); then everything else (follow-ups, files,
reminders, digests). A command answer must not wait behind thirty new cards, nor a new
case behind an hour of follow-ups. Each chat still sends one row at a time, in order within a lane.

A row goes pending → claimed → sending → sent. "claimed" means a worker owns it but has not
called the messenger yet (it may be waiting for the rate limiter); "sending" is written,
conditionally on still owning the claim, immediately before the API call. So:

* a worker that dies while a row is *claimed* sent nothing: the row goes back to pending
  once the claim is stale and is delivered exactly once;
* a worker that dies while a row is *sending* may or may not have reached the messenger.
  The Bot API has no idempotency key and a bot cannot read its chat history, so the row is
  sent again once the lease (`claim_lease`, longer than any API call can take) has expired:
  **at-least-once**, and a second copy only for a crash inside that window — at most one
  extra copy per crash. A worker that lost its claim (lease expired while it waited) notices
  at the claimed → sending step and backs off, so two live workers never both send a row.

Several instances may run workers on one PostgreSQL: a row is claimed with a conditional
UPDATE, so only one worker sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import os
import random
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import col, select

from bot.delivery.channel import DeliveryDeferred, Misplaced, PermanentFailure, RetryLater, Sender, SendResult
from bot.delivery.patience import ADOPT_WITHIN, ALERT_PURPOSE, UNSENT, Recovery, StuckWatch, health
from bot.delivery.ratelimit import Limiter, RateLimiter
from bot.delivery.rows import NoHooks, OutboxHooks, enqueue, release_deferred
from bot.delivery.transitions import _HOLD, RowTransitions
from storage.db import Database
from storage.models import OutboxMessage, utcnow

# enqueue, the hooks and release_deferred live in bot.delivery.rows; imported from here too.
__all__ = ["NoHooks", "OutboxHooks", "OutboxWorker", "enqueue", "release_deferred"]

log = logging.getLogger(__name__)

# Longer than any single API call may take (aiogram's request timeout is 60 s): a row in
# "sending" older than this belongs to a dead worker.
CLAIM_LEASE = timedelta(seconds=120)
WAKE_GAP = 0.01
# Lanes of the staff group's queue (the rest keep their order behind them): first what staff
# are waiting for — answers to their commands, card edits after an action, the outbox's own
# alert; then new cards (cases, incident alerts and cards, in their order); then follow-ups,
# files, reminders, digests.
LANES = (
    (ALERT_PURPOSE, "staff", "card_edit", "topic", "incident_edit"),
    ("card", "incident", "incident_card"),
)
FIRST_IN_GROUP = LANES[0] + LANES[1]
# Rank of a row within its chat: lane * 2^40 + id, one number so that "the first row of each
# chat" stays a GROUP BY min().
_RANK_SHIFT = 1 << 40


class OutboxWorker(RowTransitions):
    def __init__(
        self,
        db: Database,
        senders: dict[str, Sender],
        *,
        hooks: OutboxHooks | None = None,
        give_up_after: timedelta = timedelta(hours=48),
        max_backoff: float = 300.0,
        stuck_after: timedelta = timedelta(minutes=10),
        alert_chat: tuple[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        poll_interval: float = 0.5,
        concurrency: int = 32,
        limiter: Limiter | None = None,
        claim_lease: timedelta = CLAIM_LEASE,
        recover_all_on_start: bool = False,
    ) -> None:
        self.db = db
        self.senders = senders
        self.hooks: OutboxHooks = hooks or NoHooks()
        self.give_up_after = give_up_after
        self.max_backoff = max_backoff
        self.stuck_after = stuck_after
        # Every "now" of the worker: tests run hours of outage on a clock they move.
        self.clock = clock
        self.recovery = Recovery(db, senders, clock)
        self.stuck = StuckWatch(db, clock, stuck_after, alert_chat)
        self.poll_interval = poll_interval
        self.limiter: Limiter = limiter or RateLimiter()
        self.claim_lease = claim_lease
        # With SQLite only one process serves, so at start-up every claim is a dead one.
        self.recover_all_on_start = recover_all_on_start
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30)}"
        for sender in senders.values():
            # Senders that make several API calls for one row pace the extra calls themselves.
            use_limiter = getattr(sender, "use_limiter", None)
            if callable(use_limiter):
                use_limiter(self.limiter)
        self._wake = asyncio.Event()
        self._inflight: set[tuple[str, str]] = set()
        self.concurrency = concurrency
        self._refill_at = max(1, concurrency // 4)
        self._semaphore = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await self.recover_stale_claims(everything=self.recover_all_on_start)
        await self.recovery.adopt_given_up(ADOPT_WITHIN)
        loop = asyncio.get_running_loop()
        # Another instance may die at any time: look for its stale claims a few times per lease.
        check_every = max(1.0, self.claim_lease.total_seconds() / 4)
        next_check = loop.time() + check_every
        next_stuck = loop.time() + 60.0
        next_promote = loop.time()
        last_look = -math.inf
        while not self._stopping:
            try:
                if loop.time() >= next_check:
                    next_check = loop.time() + check_every
                    await self.recover_stale_claims()
                    self.limiter.forget_idle()
                if loop.time() >= next_stuck:
                    next_stuck = loop.time() + 60.0
                    await self.check_stuck()
                if loop.time() >= next_promote:
                    next_promote = loop.time() + self.poll_interval
                    await self.promote_scheduled()
                started = 0
                if self._worth_a_look(loop.time() - last_look):
                    last_look = loop.time()
                    started = await self.dispatch_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox dispatch failed")
                started = 0
            if started == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
                self._wake.clear()
                # Every processed update wakes the worker: under a burst, one look at the
                # table per few milliseconds is plenty and leaves the database to the intake.
                await asyncio.sleep(WAKE_GAP)
            else:
                await asyncio.sleep(0)

    def _worth_a_look(self, since_last: float) -> bool:
        """Whether to read the table for more rows now.

        Under a backlog every slot holds a send waiting for the rate limiter, and each send
        that ends frees one. Looking for one row each time read the whole backlog 25 times a
        second (the query that keeps each chat's order groups every unsent row: 7.5 ms on
        PostgreSQL with 8,000 waiting). So the worker refills when a quarter of the slots is
        free, or when any is and it has not looked for a poll interval; with nothing in
        flight (the usual case) it looks at once."""
        free = self.concurrency - len(self._tasks)
        return free >= self._refill_at or (free > 0 and since_last >= self.poll_interval)

    async def stop(self, grace: float = 5.0) -> None:
        """Let sends under way finish (up to `grace` seconds); rows still waiting for the rate
        limiter give their claim back, so a restart or another worker sends them at once."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            _done, waiting = await asyncio.wait(list(self._tasks), timeout=grace)
            for task in waiting:
                task.cancel()
            if waiting:
                await asyncio.gather(*waiting, return_exceptions=True)

    async def drain(self, timeout: float = 30.0, channels: set[str] | None = None) -> None:
        """Send everything pending now (console runs, tests, shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await self.promote_scheduled()
            await self.dispatch_once(channels=channels, due_only=False)
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                continue
            if await self.pending_count(channels) == 0:
                return
            await asyncio.sleep(0.05)

    async def pending_count(self, channels: set[str] | None = None) -> int:
        async with self.db.session() as session:
            statement = select(func.count()).where(col(OutboxMessage.status).in_(UNSENT))
            if channels:
                statement = statement.where(col(OutboxMessage.channel).in_(channels))
            return int((await session.exec(statement)).one())

    async def check_stuck(self) -> None:
        """An ERROR line and a staff alert when rows wait too long; a note when they move again."""
        notes = await self.stuck.check()
        if notes:
            async with self.db.session() as session:
                await enqueue(session, notes)
            self._wake.set()

    async def health(self) -> dict[str, Any]:
        return await health(self.db, self.clock, self.stuck_after)

    async def dispatch_once(self, channels: set[str] | None = None, due_only: bool = True) -> int:
        # Every slot is busy (sends waiting for the rate limiter): nothing to look up. Under a
        # burst this keeps the worker from re-reading a growing backlog on every wake-up.
        capacity = self.concurrency - len(self._tasks)
        if capacity <= 0:
            return 0
        now = self.clock()
        async with self.db.session() as session:
            # Only the first unsent row of a chat may go (by rank: see FIRST_IN_GROUP), so each
            # chat's order is kept within a rank.
            oldest = select(func.min(_rank())).where(col(OutboxMessage.status).in_(UNSENT))
            if channels:
                oldest = oldest.where(col(OutboxMessage.channel).in_(channels))
            statement = select(OutboxMessage).where(
                _rank().in_(oldest.group_by(OutboxMessage.channel, OutboxMessage.chat_id)),
                col(OutboxMessage.status) == "pending",
            )
            if due_only:
                statement = statement.where(col(OutboxMessage.next_attempt_at) <= now)
            # Group chats first (Telegram group ids are negative): their window is 20 a minute
            # against 1 a second for a private chat, so a group message held back behind a
            # burst of private replies pushes the whole group queue back by minutes.
            group_first = case((col(OutboxMessage.chat_id).startswith("-"), 0), else_=1)
            rows = (
                await session.exec(statement.order_by(group_first, col(OutboxMessage.id)).limit(capacity))
            ).all()
        wanted = [
            r for r in rows if (r.channel, r.chat_id) not in self._inflight and r.channel in self.senders
        ]
        claims = await self._claim_many(wanted)
        started = 0
        for row in wanted:
            key = (row.channel, row.chat_id)
            token = claims.get(row.id)  # type: ignore[arg-type]
            if token is None:
                continue
            self._inflight.add(key)
            task = asyncio.create_task(self._deliver(row, token))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _deliver(self, row: OutboxMessage, token: str) -> None:
        key = (row.channel, row.chat_id)
        sender = self.senders[row.channel]
        try:
            async with self._semaphore:
                async with self.db.session() as session:
                    # The row was read a moment ago by dispatch_once and is ours now: no need
                    # to read it again (hooks query only what they need, e.g. the case).
                    payload = await self.hooks.prepare(session, row)
                if payload.get("hold"):
                    # A held case's message: parked without touching the messenger or the limiter.
                    await self._move_claimed(_HOLD, row, token)
                    return
                if payload.get("skip") and not payload.get("edit_message_id"):
                    # Nothing to send (an edit of a card that was never posted): done at once.
                    if await self._start_sending(row, token):
                        await self._mark_sent(row, SendResult())
                    return
                limits = sender.limits(row.chat_id)
                try:
                    ticket = await self.limiter.acquire(limits)
                except asyncio.CancelledError:
                    await asyncio.shield(self._release(row, token))
                    raise
                if not await self._start_sending(row, token):
                    log.info("outbox row %s: claim lost while waiting, another worker has it", row.id)
                    return
                touched = self.limiter.touch(limits, ticket)
                if inspect.isawaitable(touched):
                    await touched
                try:
                    result = await sender.send(row.chat_id, payload)
                except RetryLater as exc:
                    if exc.retry_after:
                        for limit_key, limit in limits[-1:]:
                            blocked = self.limiter.block(limit_key, limit, exc.retry_after)
                            if inspect.isawaitable(blocked):
                                await blocked
                    await self._retry(row, token, str(exc), exc.retry_after, _progress(exc))
                except DeliveryDeferred as exc:
                    await self._defer(row, token, str(exc), _progress(exc))
                except Misplaced as exc:
                    await self._relocate(row, token, str(exc))
                except PermanentFailure as exc:
                    await self._fail(row, token, str(exc))
                except Exception as exc:  # unknown errors are retried, never dropped
                    log.warning("outbox row %s: unexpected error %s", row.id, type(exc).__name__)
                    await self._retry(row, token, f"{type(exc).__name__}: {exc}", None, _progress(exc))
                else:
                    await self._mark_sent(row, result)
                    if await self.recovery.delivered(row.channel):
                        self._wake.set()
        finally:
            self._inflight.discard(key)
            self._wake.set()


def _rank() -> Any:
    """Order of a row within its chat (lower first): the group's lanes (LANES), then by id."""
    group = col(OutboxMessage.chat_id).startswith("-")
    lanes = [
        (and_(group, col(OutboxMessage.purpose).in_(purposes)), index * _RANK_SHIFT)
        for index, purposes in enumerate(LANES)
    ]
    return case(*lanes, else_=len(LANES) * _RANK_SHIFT) + col(OutboxMessage.id)


def _progress(exc: BaseException) -> dict[str, Any] | None:
    """Payload keys a sender attached to its error to say how far it got (duck-typed so any
    channel's sender can opt in, e.g. `RetryLater(...).progress = {"sent_parts": 2}`)."""
    progress = getattr(exc, "progress", None)
    return dict(progress) if isinstance(progress, dict) else None
