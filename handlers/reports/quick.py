"""``/thongke``: the state of the queue now and the last 7 days' headline figures, computed by
the same definitions as ``/baocao`` (handlers.reports.figures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reports.figures import headline, is_overdue
from handlers.reports.labels import OPEN_STATUSES, STATUS_LABELS_VI, STATUSES
from handlers.reports.loading import load_case_records, load_faq_outcomes
from handlers.reports.records import CaseRecord, FaqOutcome
from handlers.reports.text import QuickStats
from handlers.schedule.worktime import WorkCalendar

WEEK_DAYS = 7


def build_quick_stats(
    cases: Iterable[CaseRecord],
    faq_outcomes: Iterable[FaqOutcome],
    now: datetime,
    calendar: WorkCalendar,
    *,
    topic_label: Callable[[str | None], str] = lambda t: t or "",
    incidents: int = 0,
) -> QuickStats:
    """From the open cases and every case of the last 7 days (today included)."""
    local = calendar.to_local(now)
    today = local.date()
    all_cases = list(cases)
    open_cases = [c for c in all_cases if c.status in OPEN_STATUSES]
    counts = Counter(c.status for c in open_cases)
    week = headline(
        all_cases,
        faq_outcomes,
        today - timedelta(days=WEEK_DAYS - 1),
        today,
        calendar,
        local,
        topic_label=topic_label,
        incidents=incidents,
    )
    return QuickStats(
        now=local,
        new_today=sum(1 for c in all_cases if calendar.to_local(c.created_at).date() == today),
        open=len(open_cases),
        open_by_status={STATUS_LABELS_VI[s]: counts[s] for s in STATUSES if s in OPEN_STATUSES},
        overdue=sum(1 for c in open_cases if is_overdue(c, local)),
        escalated_open=sum(1 for c in open_cases if c.escalated),
        week=week,
    )


async def load_quick_stats(
    session: AsyncSession,
    now: datetime,
    calendar: WorkCalendar,
    *,
    topic_label: Callable[[str | None], str] = lambda t: t or "",
    incidents: int = 0,
) -> QuickStats:
    today = calendar.to_local(now).date()
    start = today - timedelta(days=WEEK_DAYS - 1)
    cases = await load_case_records(session, start, today, calendar)
    outcomes = await load_faq_outcomes(session, start, today, calendar)
    return build_quick_stats(cases, outcomes, now, calendar, topic_label=topic_label, incidents=incidents)
