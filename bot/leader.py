"""Leader election for the scheduled jobs: one lease row, renewed by a heartbeat.

Several instances may run on one PostgreSQL; APScheduler 3 does not coordinate processes, so
every instance runs a scheduler and each job first asks :attr:`LeaderElector.is_leader`.

The lease is a row of the ``lease`` table ``(name, holder, expires_at)``. A heartbeat runs one
conditional upsert every ``renew_every`` seconds::

    INSERT … ON CONFLICT (name) DO UPDATE SET holder = me, expires_at = now + ttl
        WHERE lease.holder = me OR lease.expires_at < now

so an instance takes the lease only when it is free or expired, and keeps it while it renews.

Why two leaders never run at once:

* On PostgreSQL ``now`` is the database's ``clock_timestamp()``, for the writer and for every
  challenger alike, so skewed instance clocks do not matter. On SQLite (one machine, one file)
  it is this machine's clock.
* The holder trusts its lease only until ``ttl - safety`` seconds (monotonic clock) after it
  *sent* the renewing statement. The database stamped ``expires_at`` after that moment, so the
  holder stops believing it leads before any challenger can see the lease expired. A leader
  whose heartbeat fails (database unreachable, task stuck or killed) therefore stops running
  jobs on its own, before its lease could have expired.
* Jobs also re-check the lease inside the transaction that records their effects
  (:meth:`LeaderElector.holds_lease`, ``FOR SHARE`` on PostgreSQL): a challenger's takeover has
  to wait for that transaction, so a job's effects are never committed by a stale leader.

A dead leader is replaced once its lease expires (``ttl``) plus at most one renew interval of
the challenger: with the defaults (30 s, 10 s) within 40 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import Lease, utcnow
from storage.repo import dialect

log = logging.getLogger(__name__)

_LEASE: Any = Lease.__table__  # type: ignore[attr-defined]

Callback = Callable[[], Awaitable[None] | None]


def default_holder() -> str:
    """A name unique to this process (host, pid, random), readable in the lease table."""
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 24):06x}"[:100]


class LeaderElector:
    def __init__(
        self,
        db: Database,
        *,
        name: str = "scheduler",
        holder: str | None = None,
        ttl: float = 30.0,
        renew_every: float = 10.0,
        safety: float | None = None,
        on_elected: Callback | None = None,
        on_demoted: Callback | None = None,
    ) -> None:
        if renew_every * 2 > ttl:
            # One missed heartbeat must not lose the lease.
            raise ValueError("renew_every must be at most half of ttl")
        self.db = db
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = ttl
        self.renew_every = renew_every
        # Margin for the holder's monotonic clock running slow against the database's; 10 %
        # of the lease is generous (real clocks drift by parts per million).
        self.safety = safety if safety is not None else max(0.5, ttl * 0.1)
        self.on_elected = on_elected
        self.on_demoted = on_demoted
        self._valid_until = 0.0  # monotonic seconds
        self._leading = False  # what the callbacks were last told
        self._stopping = False
        # False simulates a crash: the heartbeat stops and the lease is left to expire.
        self.release_on_exit = True
        self.renewals = 0
        self.failures = 0

    # -- state ---------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        """True while the last successful renewal is fresh enough to be sure of the lease."""
        return time.monotonic() < self._valid_until

    @property
    def seconds_left(self) -> float:
        return max(0.0, self._valid_until - time.monotonic())

    # -- heartbeat -----------------------------------------------------------------------

    async def heartbeat(self) -> bool:
        """Take or renew the lease once; True when this instance holds it afterwards."""
        started = time.monotonic()
        try:
            async with self.db.session() as session:
                held = await self._upsert(session)
        except Exception as exc:  # a database hiccup: we are not sure, so we do not lead
            self.failures += 1
            log.warning("leader lease %s: renewal failed (%s)", self.name, type(exc).__name__)
            held = False
            # Keep _valid_until: the lease may still be ours in the database for a while and
            # is_leader stays true only until the previous renewal runs out.
            await self._notify(self.is_leader)
            return False
        if held:
            self.renewals += 1
            self._valid_until = started + self.ttl - self.safety
        else:
            self._valid_until = 0.0
        await self._notify(held)
        return held

    async def _upsert(self, session: AsyncSession) -> bool:
        postgres = dialect(session) == "postgresql"
        if postgres:
            now: Any = func.clock_timestamp()
            expires: Any = func.clock_timestamp() + timedelta(seconds=self.ttl)
            statement: Any = pg_insert(_LEASE)
        else:
            now = utcnow()
            expires = now + timedelta(seconds=self.ttl)
            statement = sqlite_insert(_LEASE)
        statement = statement.values(name=self.name, holder=self.holder, expires_at=expires)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
            where=or_(_LEASE.c.holder == self.holder, _LEASE.c.expires_at < now),
        ).returning(_LEASE.c.holder)
        row = (await session.execute(statement)).first()
        return row is not None and row[0] == self.holder

    async def _notify(self, leading: bool) -> None:
        if leading == self._leading:
            return
        self._leading = leading
        log.info("leader lease %s: %s %s", self.name, self.holder, "elected" if leading else "lost it")
        callback = self.on_elected if leading else self.on_demoted
        if callback is not None:
            try:
                result = callback()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("leader callback failed")

    async def run(self) -> None:
        """Heartbeat until cancelled or stopped; releases the lease on the way out."""
        try:
            while not self._stopping:
                await self.heartbeat()
                # Re-check the demotion when the trust runs out even if a renewal hangs.
                await asyncio.sleep(self.renew_every)
                if not self.is_leader:
                    await self._notify(False)
        finally:
            if self.release_on_exit:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.release())

    def stop(self) -> None:
        self._stopping = True

    async def release(self) -> None:
        """Give the lease up (graceful shutdown) so another instance takes over at once."""
        was = self.is_leader
        self._valid_until = 0.0
        self._leading = False
        if not was:
            return
        async with self.db.session() as session:
            await session.execute(
                delete(_LEASE).where(and_(_LEASE.c.name == self.name, _LEASE.c.holder == self.holder))
            )

    # -- fencing -------------------------------------------------------------------------

    async def holds_lease(self, session: AsyncSession) -> bool:
        """Inside a job's transaction: is the lease still ours? Call it last, before commit.

        On PostgreSQL the row is locked ``FOR SHARE`` until the transaction ends, so a
        challenger's takeover waits for the commit instead of racing it. On SQLite the job's
        transaction already holds the database's single write lock.
        """
        if not self.is_leader:
            return False
        postgres = dialect(session) == "postgresql"
        now: Any = func.clock_timestamp() if postgres else utcnow()
        statement: Any = select(_LEASE.c.holder).where(
            _LEASE.c.name == self.name, _LEASE.c.holder == self.holder, _LEASE.c.expires_at > now
        )
        if postgres:
            statement = statement.with_for_update(read=True)
        return (await session.execute(statement)).first() is not None
