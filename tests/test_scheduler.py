"""The APScheduler side: cron triggers in Asia/Ho_Chi_Minh fire the jobs at 08:00 (real
scheduler, time-machine moving the wall clock), catch-up after a failover, baseline on a fresh
database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlmodel import col, select

from bot.app import Application
from bot.jobs import JobRunner
from bot.leader import LeaderElector
from bot.scheduler import JobScheduler, triggers
from handlers.schedule.worktime import VN_TZ
from storage.db import Database
from storage.models import JobRun
from tests.test_jobs_support import make_app, outbox, seed_case, texts


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    application = make_app(db, tmp_path)
    yield application


async def job_runs(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = (await session.exec(select(JobRun.job, JobRun.period).order_by(col(JobRun.id)))).all()
    return [(job, period) for job, period in rows]


def test_triggers_fire_at_the_configured_local_times(app: Application) -> None:
    table = triggers(app)
    tuesday = vn(2025, 11, 25, 9, 0)

    def next_fire(name: str, after: datetime) -> datetime:
        fire = table[name].get_next_fire_time(None, after)
        assert fire is not None
        return fire

    assert next_fire("digest", tuesday) == vn(2025, 11, 26, 8, 0)
    assert next_fire("overdue_list", tuesday) == vn(2025, 11, 25, 14, 0)
    assert next_fire("weekly_report", tuesday) == vn(2025, 12, 1, 8, 0)
    assert next_fire("monthly_report", tuesday) == vn(2025, 12, 1, 8, 0)
    assert next_fire("tick", vn(2025, 11, 25, 9, 1)) == vn(2025, 11, 25, 9, 5)
    assert next_fire("digest", tuesday).utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]


async def test_real_scheduler_fires_digest_weekly_and_monthly_at_eight(app: Application) -> None:
    """Monday 1 December 2025: digest, weekly report (24–30/11) and monthly report (November)."""
    await seed_case(app, vn(2025, 11, 26, 9, 0), unit="11383")
    await seed_case(app, vn(2025, 11, 28, 15, 0), unit="11629", system="thanh_toan")
    with time_machine.travel(vn(2025, 12, 1, 7, 59, 57), tick=True):
        scheduler = JobScheduler(app, holder="solo")
        await scheduler.start()
        try:
            for _ in range(100):
                if scheduler.elector.is_leader:
                    break
                await asyncio.sleep(0.02)
            assert scheduler.elector.is_leader
            next_runs = scheduler.next_run_times()
            assert next_runs["digest"] == vn(2025, 12, 1, 8, 0)
            assert next_runs["weekly_report"] == next_runs["monthly_report"] == vn(2025, 12, 1, 8, 0)
            await asyncio.sleep(0.3)
            # Fresh database: the jobs start from the current period, nothing is posted at once.
            assert await outbox(app.db) == []
            wanted = {
                ("digest", "2025-12-01"),
                ("weekly_report", "2025-11-24/2025-11-30"),
                ("monthly_report", "2025-11"),
            }
            for _ in range(400):
                if wanted <= set(await job_runs(app.db)):
                    break
                await asyncio.sleep(0.05)
            assert wanted <= set(await job_runs(app.db)), await job_runs(app.db)
            assert datetime.now(VN_TZ) >= vn(2025, 12, 1, 8, 0)
        finally:
            await scheduler.stop()
    digest = texts(await outbox(app.db, purpose="digest"))
    assert len(digest) == 1 and "ĐIỂM TIN SÁNG 01/12/2025" in digest[0]
    reports = await outbox(app.db, purpose="report")
    assert len(reports) == 6  # text, workbook, chart — twice
    headers = [r.payload["text"].splitlines()[0] for r in reports if r.payload["text"]]
    assert sorted(headers) == [
        "BÁO CÁO PHẢN ÁNH 01/11/2025 – 30/11/2025",
        "BÁO CÁO PHẢN ÁNH 24/11/2025 – 30/11/2025",
    ]
    files = [a for r in reports for a in r.payload["attachments"]]
    assert sorted(a["file_name"] for a in files) == [
        "BaoCao_01-11-2025_30-11-2025.png",
        "BaoCao_01-11-2025_30-11-2025.xlsx",
        "BaoCao_24-11-2025_30-11-2025.png",
        "BaoCao_24-11-2025_30-11-2025.xlsx",
    ]
    assert all(a["kind"] == "upload" and Path(a["file_ref"]).is_file() for a in files)
    runs = await job_runs(app.db)
    assert sorted(job for job, period in runs if period == "baseline") == sorted(
        ["digest", "overdue_list", "weekly_report", "monthly_report"]
    )
    # The lease was given back on shutdown: another instance takes over at once.
    assert await LeaderElector(app.db, holder="next", ttl=30, renew_every=10).heartbeat()


async def test_new_leader_catches_up_a_missed_digest_within_its_window(app: Application) -> None:
    """The old leader died at 07:59; the new one is elected at 08:20: it sends the digest.
    Elected at 13:00 instead, it does not (a morning digest at noon is stale)."""
    runner = JobRunner(app, LeaderElector(app.db, holder="old", ttl=30, renew_every=10))
    with time_machine.travel(vn(2025, 11, 28, 7, 0), tick=False) as traveller:
        assert await runner.elector.heartbeat()
        assert len(await runner.baseline()) == 4  # first start on this database
        traveller.move_to(vn(2025, 11, 28, 8, 0))
        assert await runner.elector.heartbeat()
        assert await runner.run_periodic("digest") == "ran"  # Friday's, by the old leader
        await runner.elector.release()

        traveller.move_to(vn(2025, 12, 1, 8, 20))  # Monday
        new = JobRunner(app, LeaderElector(app.db, holder="new", ttl=30, renew_every=10))
        assert await new.elector.heartbeat()
        await new.on_elected()
        assert len(await outbox(app.db, purpose="digest")) == 2
        # The weekly and monthly reports of that Monday were missed too: caught up.
        assert [
            r.payload["text"].splitlines()[0]
            for r in await outbox(app.db, purpose="report")
            if r.payload["text"]
        ] == [
            "BÁO CÁO PHẢN ÁNH 24/11/2025 – 30/11/2025",
            "BÁO CÁO PHẢN ÁNH 01/11/2025 – 30/11/2025",
        ]
        await new.on_elected()  # elected again (lease lost and won back): nothing twice
        assert len(await outbox(app.db, purpose="digest")) == 2

        traveller.move_to(vn(2025, 12, 2, 13, 0))
        assert await new.elector.heartbeat()
        assert (await new.sweep())["digest"] == "not_due"
        assert len(await outbox(app.db, purpose="digest")) == 2
