"""The OA's durable inbox: an event is stored before Zalo gets its 200, and processed after.

Zalo wants a 200 within 2 seconds and does not say it delivers an answered event again. The
webhook (bot/zalo/oa_webhook.py) therefore answers within 1.5 s whatever happens; an event still
processing then, or whose processing fails, would be lost if it lived only in memory. So the
event is written to the inbox first (a KeyValue row, ``zalo_oa:inbox:<update key>``, shared by
every instance), removed once processed, and `OAInbox.drain` — a supervised background task —
processes whatever is left: events whose processing failed or was cut by a restart. Processing
twice is harmless: the processed-update table makes the second a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import KeyValue, utcnow

log = logging.getLogger(__name__)

_KV: Any = KeyValue.__table__  # type: ignore[attr-defined]

PREFIX = "zalo_oa:inbox:"
# A stored event is left to the request that stored it for this long before the drain takes it
# (the request may still be processing it in the background).
GRACE_SECONDS = 30.0
# Between two tries of an event that fails: doubling from the drain's interval up to this.
MAX_BACKOFF_SECONDS = 300.0

Process = Callable[[dict[str, Any]], Awaitable[None]]


class OAInbox:
    def __init__(self, db: Database, *, interval: float = 5.0, grace: float = GRACE_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self.grace = grace

    @staticmethod
    def key(update_key: str) -> str:
        return (PREFIX + update_key)[:100]

    async def store(self, update_key: str, event: dict[str, Any]) -> None:
        """Write the event (a redelivered one is already there: nothing to do)."""
        value = json.dumps({"event": event, "attempts": 0}, ensure_ascii=False)
        try:
            async with self.db.session() as session:
                if await session.get(KeyValue, self.key(update_key)) is None:
                    session.add(KeyValue(key=self.key(update_key), value=value))
        except IntegrityError:
            pass  # the same event stored at the same moment by another request

    async def done(self, update_key: str) -> None:
        async with self.db.session() as session:
            await session.execute(delete(_KV).where(_KV.c.key == self.key(update_key)))

    async def pending(self) -> int:
        async with self.db.session() as session:
            count = await session.scalar(select(func.count()).where(_KV.c.key.startswith(PREFIX)))
        return int(count or 0)

    async def drain_once(self, process: Process, *, grace: float | None = None) -> int:
        """Process the stored events that are due; the number processed."""
        now = utcnow()
        cutoff = now - timedelta(seconds=self.grace if grace is None else grace)
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(_KV.c.key, _KV.c.value)
                    .where(_KV.c.key.startswith(PREFIX), _KV.c.updated_at <= cutoff)
                    .order_by(_KV.c.updated_at)
                    .limit(100)
                )
            ).all()
        processed = 0
        for key, value in rows:
            stored = json.loads(value)
            try:
                await process(stored["event"])
            except Exception as exc:
                await self._later(key, stored, exc)
                continue
            async with self.db.session() as session:
                await session.execute(delete(_KV).where(_KV.c.key == key))
            processed += 1
        if processed:
            log.info("Zalo OA inbox: %d stored event(s) processed", processed)
        return processed

    async def _later(self, key: str, stored: dict[str, Any], exc: Exception) -> None:
        attempts = int(stored.get("attempts", 0)) + 1
        wait = min(self.interval * 2**attempts, MAX_BACKOFF_SECONDS)
        level = logging.ERROR if attempts >= 5 else logging.WARNING
        log.log(
            level,
            "Zalo OA event %s failed (%s, try %d); trying again in %.0f s",
            key,
            type(exc).__name__,
            attempts,
            wait,
        )
        stored["attempts"] = attempts
        async with self.db.session() as session:
            row = await session.get(KeyValue, key)
            if row is not None:
                row.value = json.dumps(stored, ensure_ascii=False)
                # updated_at is when the drain may take it again (the grace is added back).
                row.updated_at = utcnow() + timedelta(seconds=wait) - timedelta(seconds=self.grace)

    async def drain(self, process: Process, stop: asyncio.Event) -> None:
        """Until `stop`: every `interval` seconds, process what is due (a supervised task)."""
        while not stop.is_set():
            try:
                await self.drain_once(process)
            except Exception as exc:  # the database is down: the events wait in the inbox
                log.warning(
                    "Zalo OA inbox not read (%s); trying again in %.0f s", type(exc).__name__, self.interval
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
