"""Tổng quan: the period figures, their change against the previous period, the daily chart
data and working-hour medians.

Every figure counts what *happened* in the window, so that a period can be compared with the
one before it: received (created), resolved (resolved_at), escalated (escalated_at), overdue
(a resolution deadline that fell in the window and was missed), satisfaction (ratings of the
cases resolved in it), FAQ deflection (answers shown in it: solved / (solved + not solved),
as in the reports). "This week" is compared with the same stretch of last week (Monday 00:00
up to the same weekday and time), not with a whole week, or every Monday would look like a
collapse.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reports.reports import percentile
from handlers.schedule.worktime import WorkCalendar
from storage.models import Case, CaseStatus, FaqQuery

CHART_DAYS = 30


class WorkClock:
    """Working hours between two moments in O(1) (after a one-off table of days).

    WorkCalendar.working_hours_between walks day by day (~70 µs a call); the overview needs it
    for thousands of cases on every view. Here a moment's position is the working hours from
    a fixed origin, so a duration is one subtraction. Same office intervals, same result."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._origin: date | None = None
        self._starts: list[float] = []  # working hours from the origin to each day's start
        self._segments: dict[date, list[tuple[float, float]]] = {}  # office intervals, epoch seconds
        self._durations: dict[
            tuple[datetime, datetime | None, datetime | None], tuple[float | None, float | None]
        ] = {}

    def _day(self, d: date) -> list[tuple[float, float]]:
        found = self._segments.get(d)
        if found is None:
            # The calendar's own office intervals of the day (holidays, make-up days included).
            found = [(s.timestamp(), e.timestamp()) for s, e in self.calendar._day_segments(d)]
            self._segments[d] = found
        return found

    def _day_start(self, d: date) -> float:
        if self._origin is None or d < self._origin:
            self._origin = d - timedelta(days=400)
            self._starts = [0.0]
        index = (d - self._origin).days
        while len(self._starts) <= index:
            day = self._origin + timedelta(days=len(self._starts) - 1)
            self._starts.append(self._starts[-1] + sum(e - s for s, e in self._day(day)) / 3600)
        return self._starts[index]

    def position(self, moment: datetime) -> float:
        d = self.calendar.to_local(moment).date()
        t = moment.timestamp() if moment.tzinfo is not None else moment.replace(tzinfo=UTC).timestamp()
        within = sum(min(e, t) - s for s, e in self._day(d) if t > s)
        return self._day_start(d) + within / 3600

    def durations(
        self, created: datetime, first: datetime | None, resolved: datetime | None
    ) -> tuple[float | None, float | None]:
        """Working hours to the first response and to the resolution, remembered: they only
        change if the case does (then the key does too), and the overview asks on every view."""
        key = (created, first, resolved)
        found = self._durations.get(key)
        if found is None:
            if len(self._durations) > 200_000:
                self._durations.clear()  # bounded: a long-running bot must not grow without end
            start = self.position(created)
            found = (
                self.position(first) - start if first is not None else None,
                self.position(resolved) - start if resolved is not None else None,
            )
            self._durations[key] = found
        return found

    def between(self, a: datetime, b: datetime) -> float:
        if b < a:
            return -self.between(b, a)
        start = self.position(a)  # the earlier first: it may move the origin back
        return self.position(b) - start


@dataclass
class Figures:
    received: int = 0
    resolved: int = 0
    overdue: int = 0
    escalated: int = 0
    rated: int = 0
    satisfied: int = 0
    faq_solved: int = 0
    faq_not_solved: int = 0
    response_hours: list[float] = field(default_factory=list)
    resolution_hours: list[float] = field(default_factory=list)

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def deflection(self) -> float | None:
        answered = self.faq_solved + self.faq_not_solved
        return self.faq_solved / answered if answered else None

    def stat(self, name: str, q: float) -> float | None:
        return percentile(getattr(self, name), q)


@dataclass
class Period:
    key: str  # hom-nay | tuan-nay | thang-nay
    label: str
    previous_label: str
    start: datetime
    end: datetime
    previous_start: datetime
    previous_end: datetime
    current: Figures = field(default_factory=Figures)
    previous: Figures = field(default_factory=Figures)


@dataclass
class DayCount:
    day: date
    received: int = 0
    resolved: int = 0


@dataclass
class Overview:
    as_of: datetime
    periods: list[Period]
    daily: list[DayCount]
    open_now: int
    overdue_now: int
    escalated_open: int


def _midnight(d: date, calendar: WorkCalendar) -> datetime:
    return datetime.combine(d, time(0), tzinfo=calendar.tz)


def _month_back(moment: datetime) -> datetime:
    """The same day and time one month earlier (31 March → 28/29 February)."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def periods(now: datetime, calendar: WorkCalendar) -> list[Period]:
    local = calendar.to_local(now)
    today = _midnight(local.date(), calendar)
    week = today - timedelta(days=local.weekday())
    month = today.replace(day=1)
    day = timedelta(days=1)
    return [
        Period("hom-nay", "Hôm nay", "hôm qua", today, local, today - day, local - day),
        Period("tuan-nay", "Tuần này", "cùng kỳ tuần trước", week, local, week - 7 * day, local - 7 * day),
        Period(
            "thang-nay",
            "Tháng này",
            "cùng kỳ tháng trước",
            month,
            local,
            _month_back(month),
            _month_back(local),
        ),
    ]


_COLUMNS = (
    Case.created_at,
    Case.status,
    Case.first_response_at,
    Case.resolved_at,
    Case.resolution_due,
    Case.escalated_at,
    Case.rating,
)


def _ts(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()


# One case as the windows need it: moments as epoch seconds (cheap to compare thousands of
# times), durations in working hours computed once (not once per window).
_Prepared = tuple[
    float, str, float | None, float | None, float | None, float | None, str | None, float | None, float | None
]


def _prepare(row: Any, clock: WorkClock, windows: list[tuple[float, float]]) -> _Prepared:
    created, status, first, resolved, due, escalated, rating = row
    first_ts, resolved_ts = _ts(first), _ts(resolved)
    response = resolution = None
    # Durations only for cases whose response or resolution some window counts.
    if any(
        (first_ts is not None and lo <= first_ts < hi) or (resolved_ts is not None and lo <= resolved_ts < hi)
        for lo, hi in windows
    ):
        response, resolution = clock.durations(created, first, resolved)
    return (
        _ts(created),
        status,
        first_ts,
        resolved_ts,
        _ts(due),
        _ts(escalated),
        rating,
        response,
        resolution,
    )  # type: ignore[return-value]


def _tally(figures: Figures, rows: list[_Prepared], lo: float, hi: float) -> None:
    for created, status, first, resolved, due, escalated, rating, response, resolution in rows:
        if lo <= created < hi:
            figures.received += 1
        if resolved is not None and lo <= resolved < hi:
            figures.resolved += 1
            if resolution is not None:
                figures.resolution_hours.append(resolution)
            if rating is not None:
                figures.rated += 1
                figures.satisfied += rating == "hai_long"
        if first is not None and lo <= first < hi and response is not None:
            figures.response_hours.append(response)
        if escalated is not None and lo <= escalated < hi:
            figures.escalated += 1
        # A deadline that fell in the window and was missed: still open, or resolved after it.
        # (A case closed without a resolution time, a duplicate, cannot be judged.)
        if due is not None and lo <= due < hi:
            figures.overdue += (resolved > due) if resolved is not None else (status in CaseStatus.OPEN)


async def build_overview(
    session: AsyncSession, now: datetime, calendar: WorkCalendar, clock: WorkClock
) -> Overview:
    spans = periods(now, calendar)
    chart_start = _midnight(calendar.to_local(now).date() - timedelta(days=CHART_DAYS - 1), calendar)
    lo = min([chart_start, *(p.previous_start for p in spans)]).astimezone(UTC)
    recent = or_(
        col(Case.created_at) >= lo,
        col(Case.resolved_at) >= lo,
        col(Case.first_response_at) >= lo,
        col(Case.escalated_at) >= lo,
        and_(col(Case.resolution_due) >= lo, col(Case.resolution_due) < now),
    )
    rows = (await session.exec(select(*_COLUMNS).where(recent))).all()  # type: ignore[call-overload]
    windows = [(p.current, p.start.timestamp(), p.end.timestamp()) for p in spans] + [
        (p.previous, p.previous_start.timestamp(), p.previous_end.timestamp()) for p in spans
    ]
    bounds = [(start, end) for _, start, end in windows]
    prepared = [_prepare(row, clock, bounds) for row in rows]
    for figures, start, end in windows:
        _tally(figures, prepared, start, end)
    faq_rows = (
        await session.exec(
            select(FaqQuery.created_at, FaqQuery.solved).where(  # type: ignore[call-overload]
                col(FaqQuery.created_at) >= lo, col(FaqQuery.topic).is_not(None)
            )
        )
    ).all()
    faq_moments = [(_ts(created), solved) for created, solved in faq_rows]
    for figures, start, end in windows:
        for moment, solved in faq_moments:
            if start <= moment < end:  # type: ignore[operator]
                figures.faq_solved += int(solved is True)
                figures.faq_not_solved += int(solved is False)
    daily = {
        chart_start.date() + timedelta(days=i): DayCount(chart_start.date() + timedelta(days=i))
        for i in range(CHART_DAYS)
    }
    for created, _status, _first, resolved, *_ in rows:
        if (day := daily.get(calendar.to_local(created).date())) is not None:
            day.received += 1
        if resolved is not None and (day := daily.get(calendar.to_local(resolved).date())) is not None:
            day.resolved += 1
    open_rows = (
        await session.exec(
            select(Case.resolution_due, Case.escalated).where(col(Case.status).in_(CaseStatus.OPEN))  # type: ignore[call-overload]
        )
    ).all()
    return Overview(
        as_of=calendar.to_local(now),
        periods=spans,
        daily=list(daily.values()),
        open_now=len(open_rows),
        overdue_now=sum(
            1 for due, _ in open_rows if due is not None and due.replace(tzinfo=due.tzinfo or UTC) < now
        ),
        escalated_open=sum(1 for _, escalated in open_rows if escalated),
    )
