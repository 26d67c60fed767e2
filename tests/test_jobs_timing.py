"""Job timing with frozen time (time-machine): reminders, escalation, digests, overdue list and
auto-close fire at the right moments in working time, once each, and go out through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import col, select

from bot.app import Application
from bot.jobs import JobRunner
from bot.leader import LeaderElector
from handlers.schedule.worktime import VN_TZ
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, JobRun
from tests.test_jobs_support import STAFF_CHAT, deliver, make_app, outbox, seed_case, texts


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


class Clock:
    """Frozen wall clock that the runner and the lease both read; moving it renews the lease
    (a real leader renews every 10 s, so after a jump it would have renewed too)."""

    def __init__(self, traveller: time_machine.Traveller, runner: JobRunner) -> None:
        self.traveller = traveller
        self.runner = runner

    async def at(self, moment: datetime) -> None:
        self.traveller.move_to(moment)
        assert await self.runner.elector.heartbeat()


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(vn(2025, 11, 24, 7, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    application = make_app(db, tmp_path)
    yield application
    if application.outbox is not None:
        await application.outbox.stop()


async def leaders() -> list[str]:
    return ["@truong_to"]


@pytest.fixture
async def clock(app: Application, frozen: time_machine.Traveller) -> Clock:
    elector = LeaderElector(app.db, holder="test", ttl=30, renew_every=10)
    runner = JobRunner(app, elector, mentions=leaders)
    assert await elector.heartbeat()
    return Clock(frozen, runner)


async def test_reminders_and_escalation_fire_in_working_time_once_each(
    app: Application, clock: Clock
) -> None:
    runner = clock.runner
    monday_9 = vn(2025, 11, 24, 9, 0)
    # Normal: first response due 15:00 Mon, resolution due 10:00 Wed (4 and 16 working hours).
    a = await seed_case(app, monday_9, unit="11383", thread=11)
    # Already answered: no first-response reminder, the resolution deadline still counts.
    b = await seed_case(
        app,
        monday_9,
        unit="11383",
        thread=12,
        status=CaseStatus.IN_PROGRESS,
        first_response_at=vn(2025, 11, 24, 9, 30),
    )
    # Waiting for the reporter, or sent beyond authority: the task force owes nothing now.
    await seed_case(app, monday_9, thread=13, status=CaseStatus.WAITING_REPORTER, first_response_at=monday_9)
    await seed_case(app, monday_9, thread=14, status=CaseStatus.IN_PROGRESS, escalated=True)
    # Urgent: first response due 10:00 (reminded after half of its hour), resolution due 15:00.
    d = await seed_case(app, monday_9, thread=15, priority="urgent")
    assert a.first_response_due == vn(2025, 11, 24, 15) and a.resolution_due == vn(2025, 11, 26, 10)
    assert d.first_response_due == vn(2025, 11, 24, 10) and d.resolution_due == vn(2025, 11, 24, 15)

    async def tick(moment: datetime) -> list[str]:
        await clock.at(moment)
        before = len(await outbox(app.db))
        await runner.sla_watch()
        return texts((await outbox(app.db))[before:])

    assert await tick(vn(2025, 11, 24, 9, 29)) == []
    [reminder] = await tick(vn(2025, 11, 24, 9, 30))
    assert (
        d.code in reminder and "Nhắc hạn phản hồi đầu tiên" in reminder and "còn 30 phút làm việc" in reminder
    )
    assert await tick(vn(2025, 11, 24, 9, 35)) == []  # once
    assert await tick(vn(2025, 11, 24, 10, 0)) == []  # due passed: no late reminder
    assert await tick(vn(2025, 11, 24, 13, 59)) == []

    at_14 = await tick(vn(2025, 11, 24, 14, 0))
    assert len(at_14) == 3
    first_a, resolution_d, escalation = sorted(
        at_14, key=lambda t: (a.code not in t, "BÁO CÁO LÃNH ĐẠO" in t)
    )
    assert a.code in first_a and "15:00 thứ Hai, 24/11/2025" in first_a and "còn 1 giờ làm việc" in first_a
    assert d.code in resolution_d and "Nhắc hạn giải quyết" in resolution_d
    # Urgent first response due 10:00 + 2 working hours (lunch skipped) = 14:00.
    assert "BÁO CÁO LÃNH ĐẠO" in escalation and "@truong_to" in escalation and d.code in escalation
    assert "quá hạn phản hồi đầu tiên 2 giờ làm việc" in escalation
    assert await tick(vn(2025, 11, 24, 14, 1)) == []

    [late] = await tick(vn(2025, 11, 24, 17, 0))
    assert a.code in late and d.code in late and "2 phản ánh đã quá hạn" in late
    assert await tick(vn(2025, 11, 25, 8, 0)) == []

    wednesday = await tick(vn(2025, 11, 26, 9, 0))
    assert sorted(c for c in (a.code, b.code) if any(c in t for t in wednesday)) == sorted([a.code, b.code])
    assert all("Nhắc hạn giải quyết" in t for t in wednesday) and len(wednesday) == 2
    [late] = await tick(vn(2025, 11, 26, 14, 0))
    assert a.code in late and b.code in late and "quá hạn giải quyết" in late
    assert await tick(vn(2025, 11, 27, 9, 0)) == []

    async with app.db.session() as session:
        runs = (await session.exec(select(JobRun.job).order_by(col(JobRun.job)))).all()
        events = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "sla_escalation"))).all()
    assert sorted(runs) == sorted(
        [
            "remind:first",
            "remind:first",
            "remind:resolution",
            "remind:resolution",
            "remind:resolution",
            "escalate:first",
            "escalate:first",
            "escalate:resolution",
            "escalate:resolution",
            "escalate:resolution",
        ]
    )
    assert len(events) == 5 and all(e.actor == "bot" for e in events)

    # Through the real outbox: reminders land in the case's forum topic, escalations in the group.
    sender = await deliver(app)
    sent = sender.to(STAFF_CHAT)
    assert len(sent) == 8
    reminder_threads = {s.payload.get("thread_id") for s in sent if "Nhắc hạn" in s.text}
    assert reminder_threads == {11, 12, 15}
    assert all(s.payload.get("thread_id") is None for s in sent if "BÁO CÁO LÃNH ĐẠO" in s.text)


async def test_digest_on_working_days_at_eight_with_new_since_the_last_one(
    app: Application, clock: Clock
) -> None:
    runner = clock.runner
    await clock.at(vn(2025, 11, 21, 8, 0))  # Friday
    assert await runner.run_periodic("digest") == "ran"
    await seed_case(app, vn(2025, 11, 21, 10, 0), unit="11383")  # Friday, after the digest
    await seed_case(app, vn(2025, 11, 22, 9, 0), unit="11383")  # Saturday
    for moment in (vn(2025, 11, 22, 8, 0), vn(2025, 11, 23, 8, 0), vn(2025, 11, 24, 7, 59)):
        await clock.at(moment)
        assert await runner.run_periodic("digest") == "not_due"
    await clock.at(vn(2025, 11, 24, 8, 0))
    assert await runner.run_periodic("digest") == "ran"
    await clock.at(vn(2025, 11, 24, 8, 30))
    assert await runner.run_periodic("digest") == "done"  # once a day, however often it fires
    # Too late to be a morning digest: a new instance starting at 13:00 does not send one.
    await clock.at(vn(2025, 11, 25, 13, 0))
    assert await runner.run_periodic("digest") == "not_due"

    friday, monday = texts(await outbox(app.db, purpose="digest"))
    assert "ĐIỂM TIN SÁNG 21/11/2025" in friday
    assert "ĐIỂM TIN SÁNG 24/11/2025" in monday
    assert "Mới từ 08:00 21/11: 2" in monday and "Đang mở: 2" in monday
    assert "Chưa phân công: 2 đang mở" in monday


async def test_digest_skips_holidays_and_covers_tet_and_makeup_saturdays(
    app: Application, clock: Clock
) -> None:
    runner = clock.runner
    await clock.at(vn(2026, 2, 13, 8, 0))  # Friday before Tết
    assert await runner.run_periodic("digest") == "ran"
    await seed_case(app, vn(2026, 2, 17, 9, 0), unit="11383")  # Mùng 1 Tết
    for day in range(14, 23):
        await clock.at(vn(2026, 2, day, 8, 0))
        assert await runner.run_periodic("digest") == "not_due", day
    await clock.at(vn(2026, 2, 23, 8, 0))
    assert await runner.run_periodic("digest") == "ran"
    [_, after_tet] = texts(await outbox(app.db, purpose="digest"))
    assert "Mới từ 08:00 13/02: 1" in after_tet
    # 02/09 (National Day) has no digest; Saturday 26/04/2025 was worked in exchange for 02/05.
    await clock.at(vn(2025, 9, 2, 8, 0))
    assert await runner.run_periodic("digest") == "not_due"
    await clock.at(vn(2025, 4, 26, 8, 0))
    assert await runner.run_periodic("digest") == "ran"


async def test_overdue_list_at_two_pm_lists_open_cases_past_resolution(
    app: Application, clock: Clock
) -> None:
    runner = clock.runner
    late = await seed_case(app, vn(2025, 11, 20, 9, 0), unit="11383", assignee_name="@lan")
    fresh = await seed_case(app, vn(2025, 11, 24, 9, 0), unit="11383")
    await clock.at(vn(2025, 11, 24, 13, 59))
    assert await runner.run_periodic("overdue_list") == "not_due"
    await clock.at(vn(2025, 11, 24, 14, 0))
    assert await runner.run_periodic("overdue_list") == "ran"
    assert await runner.run_periodic("overdue_list") == "done"
    [text] = texts(await outbox(app.db, purpose="overdue_list"))
    assert "PHẢN ÁNH QUÁ HẠN GIẢI QUYẾT (14:00 24/11/2025): 1" in text
    assert late.code in text and "@lan" in text and fresh.code not in text
    # Nothing overdue the next day after the case is resolved: nothing is posted.
    async with app.db.session() as session:
        case = await session.get(Case, late.id)
        assert case is not None
        case.status = CaseStatus.RESOLVED
    await clock.at(vn(2025, 11, 25, 14, 0))
    assert await runner.run_periodic("overdue_list") == "ran"
    assert len(await outbox(app.db, purpose="overdue_list")) == 1


async def test_resolved_cases_without_rating_close_after_three_days(app: Application, clock: Clock) -> None:
    runner = clock.runner
    resolved_at = vn(2025, 11, 20, 10, 0)
    unrated = await seed_case(app, vn(2025, 11, 20, 9), status=CaseStatus.RESOLVED, resolved_at=resolved_at)
    rated = await seed_case(
        app, vn(2025, 11, 20, 9), status=CaseStatus.RESOLVED, resolved_at=resolved_at, rating="hai_long"
    )
    await clock.at(resolved_at + timedelta(days=3) - timedelta(minutes=1))
    assert await runner.autoclose() == 0
    await clock.at(resolved_at + timedelta(days=3, minutes=1))
    # The reporter is told, the card shows "Đã đóng" and the case's forum topic is closed.
    assert await runner.autoclose() == 3
    assert await runner.autoclose() == 0  # once
    async with app.db.session() as session:
        closed = await session.get(Case, unrated.id)
        kept = await session.get(Case, rated.id)
        assert closed is not None and kept is not None
        assert closed.status == CaseStatus.CLOSED and kept.status == CaseStatus.RESOLVED
        [event] = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == unrated.id))).all()
        assert (event.actor, event.from_status, event.to_status) == ("bot", "da_giai_quyet", "da_dong")
    sender = await deliver(app)
    [notice] = sender.to(unrated.chat_id)
    assert notice.text == f"📁 Phản ánh {unrated.code} đã được đóng. Cảm ơn bạn đã sử dụng dịch vụ!"


async def test_a_follower_runs_nothing(app: Application, clock: Clock) -> None:
    follower = JobRunner(app, LeaderElector(app.db, holder="other", ttl=30, renew_every=10))
    assert not await follower.elector.heartbeat()  # "test" holds the lease
    await seed_case(app, vn(2025, 11, 24, 9, 0), priority="urgent", thread=1)
    await clock.at(vn(2025, 11, 24, 14, 0))
    assert await follower.run_periodic("overdue_list") == "not_leader"
    assert await follower.sla_watch() == 0 and await follower.autoclose() == 0
    assert await outbox(app.db) == []
    assert await clock.runner.sla_watch() == 2


def test_report_periods_and_catch_up_windows() -> None:
    from handlers.schedule.jobs import JobsConfig, monthly_due, weekly_due
    from handlers.schedule.worktime import WorkCalendar

    cal, config = WorkCalendar(), JobsConfig()
    due = weekly_due(vn(2025, 12, 1, 8, 0), cal, config)
    assert due is not None and due.period == "2025-11-24/2025-11-30"
    assert (due.start, due.end) == (vn(2025, 11, 24).date(), vn(2025, 11, 30).date())
    assert weekly_due(vn(2025, 12, 1, 7, 59), cal, config) is None  # last week's is long past
    assert weekly_due(vn(2025, 12, 3, 7, 59), cal, config) == due  # caught up within 2 days
    assert weekly_due(vn(2025, 12, 3, 8, 1), cal, config) is None
    due = monthly_due(vn(2026, 1, 1, 8, 0), cal, config)  # a holiday: the report still goes out
    assert due is not None and due.period == "2025-12"
    assert (due.start, due.end) == (vn(2025, 12, 1).date(), vn(2025, 12, 31).date())
    assert monthly_due(vn(2026, 1, 4, 7, 59), cal, config) == due
    assert monthly_due(vn(2026, 1, 4, 8, 1), cal, config) is None
    assert monthly_due(vn(2026, 3, 1, 9, 0), cal, config).period == "2026-02"  # type: ignore[union-attr]
    friday = JobsConfig(weekly_day=4, weekly_time=vn(2025, 1, 1, 16, 30).time())
    due = weekly_due(vn(2025, 11, 28, 16, 30), cal, friday)
    assert due is not None and due.period == "2025-11-21/2025-11-27"
