"""When a scheduled job is due, and the record of its runs that makes it happen once.

Pure calendar arithmetic (digest, overdue list, weekly and monthly reports, with a catch-up
window for an instance that was down) and the ``JobRun`` bookkeeping; the job bodies are in
handlers.schedule.jobs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reports.desk import previous_month
from handlers.schedule.worktime import WorkCalendar
from storage.models import JobRun, utcnow
from storage.repo import dialect

# How long after its scheduled moment a missed periodic job is still worth running (the
# instance was down, or the leader changed over at that moment). A morning digest at noon
# is still useful; one in the evening is not.
CATCH_UP = {
    "digest": timedelta(hours=4),
    "overdue_list": timedelta(hours=3),
    "weekly_report": timedelta(days=2),
    "monthly_report": timedelta(days=3),
}

MentionsFn = Callable[[], Awaitable[list[str]]]


@dataclass
class JobsConfig:
    digest_time: time = time(8, 0)
    weekly_day: int = 0  # date.weekday(): Monday
    weekly_time: time = time(8, 0)
    monthly_day: int = 1
    monthly_time: time = time(8, 0)
    overdue_list_time: time = time(14, 0)
    reminder_lead_hours: float = 1.0
    escalation_margin_hours: float = 2.0
    autoclose_after_days: float = 3.0
    catch_up: dict[str, timedelta] = field(default_factory=lambda: dict(CATCH_UP))


# -- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A period whose run is due: its key, when it was scheduled, and the dates it covers."""

    job: str
    period: str
    scheduled_at: datetime
    start: date | None = None
    end: date | None = None


def _late(job: str, now: datetime, scheduled: datetime, config: JobsConfig) -> bool:
    return now - scheduled > config.catch_up.get(job, timedelta(0))


def _daily_due(job: str, at: time, now: datetime, calendar: WorkCalendar, config: JobsConfig) -> Due | None:
    local = calendar.to_local(now)
    if not calendar.is_working_day(local.date()):
        return None
    scheduled = datetime.combine(local.date(), at, tzinfo=calendar.tz)
    if local < scheduled or _late(job, local, scheduled, config):
        return None
    return Due(job, local.date().isoformat(), scheduled)


def digest_due(now: datetime, calendar: WorkCalendar, config: JobsConfig) -> Due | None:
    """Today's digest on a working day once its time has come (weekends and holidays: none)."""
    return _daily_due("digest", config.digest_time, now, calendar, config)


def overdue_list_due(now: datetime, calendar: WorkCalendar, config: JobsConfig) -> Due | None:
    return _daily_due("overdue_list", config.overdue_list_time, now, calendar, config)


def weekly_due(now: datetime, calendar: WorkCalendar, config: JobsConfig) -> Due | None:
    """The report of the 7 days before the latest weekly moment (Monday 08:00 → last Mon–Sun)."""
    local = calendar.to_local(now)
    day = local.date() - timedelta(days=(local.weekday() - config.weekly_day) % 7)
    scheduled = datetime.combine(day, config.weekly_time, tzinfo=calendar.tz)
    if scheduled > local:
        scheduled -= timedelta(days=7)
    if _late("weekly_report", local, scheduled, config):
        return None
    start, end = scheduled.date() - timedelta(days=7), scheduled.date() - timedelta(days=1)
    return Due("weekly_report", f"{start.isoformat()}/{end.isoformat()}", scheduled, start, end)


def monthly_due(now: datetime, calendar: WorkCalendar, config: JobsConfig) -> Due | None:
    """The report of the month before the latest monthly moment (1st 08:00 → the previous month)."""
    local = calendar.to_local(now)
    scheduled = datetime.combine(
        local.date().replace(day=config.monthly_day), config.monthly_time, tzinfo=calendar.tz
    )
    if scheduled > local:
        before = local.date().replace(day=1) - timedelta(days=1)
        scheduled = datetime.combine(
            before.replace(day=config.monthly_day), config.monthly_time, tzinfo=calendar.tz
        )
    if _late("monthly_report", local, scheduled, config):
        return None
    start, end = previous_month(scheduled.date())
    return Due("monthly_report", f"{start:%Y-%m}", scheduled, start, end)


# -- idempotency records -----------------------------------------------------------------------


async def claim_run(
    session: AsyncSession, job: str, period: str, holder: str, at: datetime | None = None
) -> bool:
    """Insert-or-skip the ``(job, period)`` row; True when this call inserted it.

    Done in the transaction that stores the job's messages: they commit together or not at all,
    and a second instance (or a second try) that meets the row does nothing. On PostgreSQL a
    concurrent insert of the same key waits for the first transaction and then skips.
    """
    table = JobRun.__table__  # type: ignore[attr-defined]
    insert = pg_insert if dialect(session) == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(job=job, period=period, holder=holder[:100], ran_at=at or utcnow())
        .on_conflict_do_nothing(index_elements=["job", "period"])
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def has_run(session: AsyncSession, job: str, period: str) -> bool:
    statement = select(JobRun.id).where(JobRun.job == job, JobRun.period == period)
    return (await session.exec(statement)).first() is not None


async def ever_run(session: AsyncSession, job: str) -> bool:
    return (await session.exec(select(JobRun.id).where(JobRun.job == job).limit(1))).first() is not None


async def last_run_at(session: AsyncSession, job: str, except_period: str | None = None) -> datetime | None:
    statement = select(func.max(JobRun.ran_at)).where(JobRun.job == job)
    if except_period is not None:
        statement = statement.where(JobRun.period != except_period)
    value = (await session.exec(statement)).first()
    return value if isinstance(value, datetime) else None
