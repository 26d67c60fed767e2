"""Two instances on one PostgreSQL: exactly one leads, each job runs once, a killed leader is
replaced, and a stale leader cannot commit. Real time, short leases (3 s, renewed every 0.5 s).

Exclusivity is checked by sampling both instances' ``is_leader`` every 10 ms for the whole test:
if the conditional upsert let a challenger take a live lease, both would be true at once and
the test fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import SQLModel, col, func, select

from bot.app import Application
from bot.jobs import PeriodicJob, Produced
from bot.leader import LeaderElector
from bot.scheduler import JobScheduler
from handlers.events import Reply
from handlers.schedule import jobs as J
from handlers.schedule.worktime import VN_TZ
from storage import models  # noqa: F401  (registers the tables)
from storage.db import Database
from storage.models import JobRun, Lease, OutboxMessage
from tests.test_jobs_support import make_app, seed_case

TTL, RENEW = 3.0, 0.5
# Probe runs, without the rows a first election writes to start from the current period.
PROBE_RUNS = (
    col(JobRun.job) == "probe",
    col(JobRun.holder).in_(("A", "B")),
    col(JobRun.period) != "baseline",
)


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[str]:
    db = Database(postgres_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
        await conn.run_sync(SQLModel.metadata.create_all)
    await db.dispose()
    yield postgres_url


class Instance:
    """One process's worth: its own engine and pool, application and scheduler."""

    def __init__(self, url: str, name: str, tmp_path: Path) -> None:
        self.name = name
        self.db = Database(url)
        self.app: Application = make_app(self.db, tmp_path, lease_seconds=TTL, lease_renew_seconds=RENEW)
        self.probes: list[str] = []
        probe = CronTrigger(second="*", timezone=VN_TZ)
        self.scheduler = JobScheduler(
            self.app,
            holder=name,
            extra_triggers={"probe": (probe, lambda: self.runner.run_periodic("probe"))},
        )
        self.runner = self.scheduler.runner
        # A job whose period is the current second: fired by APScheduler on both instances every
        # second, it must run once per second, on the leader only.
        self.runner.periodic["probe"] = PeriodicJob("probe", self._probe_due, self._probe)

    def _probe_due(self, now: datetime) -> J.Due:
        return J.Due("probe", now.strftime("%H:%M:%S"), now)

    async def _probe(self, session: Any, due: J.Due, now: datetime) -> Produced:
        # Listed when produced, unlisted when the runner discards it (fenced out, or already
        # claimed): the list holds what was committed or is still on its way to the database.
        self.probes.append(due.period)
        out = self.app.queue.to_group(Reply(f"probe {due.period} by {self.name}"), purpose="probe")
        return Produced([out] if out else [], lambda: self.probes.remove(due.period))

    @property
    def leading(self) -> bool:
        return self.scheduler.elector.is_leader

    async def close(self) -> None:
        await self.scheduler.stop()
        await self.db.dispose()


class Sampler:
    def __init__(self, a: Instance, b: Instance) -> None:
        self.a, self.b = a, b
        self.both = 0
        self.samples: list[tuple[float, bool, bool]] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            a, b = self.a.leading, self.b.leading
            self.samples.append((time.monotonic(), a, b))
            self.both += a and b
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def wait_for(predicate: Any, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within {timeout} s")


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model).where(*where))).one())


async def settled_probes(a: Instance, b: Instance) -> tuple[int, int]:
    """(probe rows committed, probes listed by both instances). A probe produced a moment ago may
    still be committing: give it that moment, so that a difference means a run lost or doubled."""
    for _ in range(50):
        listed = len(a.probes) + len(b.probes)
        rows = await count(a.db, JobRun, *PROBE_RUNS)
        if rows == listed:
            break
        await asyncio.sleep(0.02)
    return rows, listed


async def test_two_instances_one_leader_each_job_once_and_failover(pg: str, tmp_path: Path) -> None:
    a, b = Instance(pg, "A", tmp_path), Instance(pg, "B", tmp_path)
    await seed_case(a.app, datetime(2025, 11, 28, 9, 0, tzinfo=VN_TZ), unit="11383")
    sampler = Sampler(a, b)
    try:
        await a.scheduler.start()
        await b.scheduler.start()
        await wait_for(lambda: a.leading or b.leading, 5)
        leader, follower = (a, b) if a.leading else (b, a)

        # 1. Both instances fire every periodic job at once, many times: each period runs once.
        monday = datetime(2025, 12, 1, 8, 0, tzinfo=VN_TZ)
        fired = [
            inst.runner.run_periodic(job, monday)
            for job in ("digest", "weekly_report", "monthly_report")
            for inst in (a, b)
            for _ in range(3)
        ]
        outcomes = await asyncio.gather(*fired)
        assert outcomes.count("ran") == 3, outcomes
        assert all(o in ("ran", "done", "not_leader") for o in outcomes)
        assert await count(a.db, OutboxMessage, col(OutboxMessage.purpose) == "digest") == 1
        assert await count(a.db, OutboxMessage, col(OutboxMessage.purpose) == "report") == 6
        assert follower.runner.stats.ran == {}

        # 2. APScheduler fires the probe every second on both instances: once per second.
        await asyncio.sleep(3.2)
        probes, listed = await settled_probes(a, b)
        assert probes >= 2
        assert len(leader.probes) == probes == listed and follower.probes == []

        # 3. The leader's heartbeat dies (process frozen or killed): it stops trusting its lease
        #    before the lease expires, and the follower takes over within TTL + one renewal.
        killed_at = time.monotonic()
        leader.scheduler.kill_heartbeat()
        lost = await wait_for(lambda: not leader.leading, TTL)
        took = await wait_for(lambda: follower.leading, TTL + 2 * RENEW + 1.5)
        assert lost < TTL - leader.scheduler.elector.safety + 0.1
        assert time.monotonic() - killed_at < 60  # "within a minute" with the default lease too
        async with a.db.session() as session:
            lease = await session.get(Lease, "scheduler")
            assert lease is not None and lease.holder == follower.name
        print(f"failover: old leader stood down after {lost:.2f} s, new leader after {took:.2f} s")

        # 4. The digest of that day is not sent again by the new leader (the row is there);
        #    the next day's is sent by the new leader, never by the old one.
        assert await follower.runner.run_periodic("digest", monday) == "done"
        tuesday = datetime(2025, 12, 2, 8, 0, tzinfo=VN_TZ)
        assert await leader.runner.run_periodic("digest", tuesday) == "not_leader"
        assert await follower.runner.run_periodic("digest", tuesday) == "ran"
        assert await count(a.db, OutboxMessage, col(OutboxMessage.purpose) == "digest") == 2

        # 5. The probe keeps running once per second, now on the new leader.
        before = len(follower.probes)
        await asyncio.sleep(2.2)
        assert len(follower.probes) > before
        probe_rows, listed = await settled_probes(a, b)
        assert probe_rows == listed
        assert await count(a.db, OutboxMessage, col(OutboxMessage.purpose) == "probe") == probe_rows
    finally:
        await sampler.stop()
        await a.close()
        await b.close()
    assert sampler.both == 0, "two instances believed they led at the same time"
    assert len(sampler.samples) > 300


async def test_a_stale_leader_cannot_commit(pg: str, tmp_path: Path) -> None:
    """Fencing: an instance that still *believes* it leads (its clock stalled, say) but whose
    lease was taken over stores nothing — the lease is checked in the job's own transaction."""
    a, b = Instance(pg, "A", tmp_path), Instance(pg, "B", tmp_path)
    try:
        assert await a.scheduler.elector.heartbeat()
        async with a.db.session() as session:  # the lease runs out while A is frozen
            lease = await session.get(Lease, "scheduler")
            assert lease is not None
            lease.expires_at = datetime(2000, 1, 1, tzinfo=VN_TZ)
        assert await b.scheduler.elector.heartbeat()
        assert a.leading and b.leading  # A's belief is stale; only the database knows better
        monday = datetime(2025, 12, 1, 8, 0, tzinfo=VN_TZ)
        assert await a.runner.run_periodic("digest", monday) == "not_leader"
        assert await a.runner.sla_watch(monday) == 0
        assert await count(a.db, OutboxMessage, col(OutboxMessage.purpose) == "digest") == 0
        assert await count(a.db, JobRun, col(JobRun.period) == "2025-12-01") == 0
        assert await b.runner.run_periodic("digest", monday) == "ran"
    finally:
        await a.close()
        await b.close()


async def test_lease_on_sqlite_single_instance(db: Database) -> None:
    """SQLite: the same lease, this machine's clock."""
    one = LeaderElector(db, holder="one", ttl=TTL, renew_every=RENEW)
    two = LeaderElector(db, holder="two", ttl=TTL, renew_every=RENEW)
    assert await one.heartbeat() and not await two.heartbeat()
    assert await one.heartbeat()  # renewal
    await one.release()
    assert await two.heartbeat() and not one.is_leader
