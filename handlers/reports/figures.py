"""The one definition of every headline figure, used by ``/thongke``, ``/baocao``, the weekly and
monthly report and its workbook.

Figures are about the cases **received in the period** (created_at in [start, end], dates in the
calendar's zone), with their status as stored when the figures are computed:

* received: cases received in the period;
* resolved: of those, cases resolved or closed with a resolution time;
* on time: of those that can be judged (a resolution due time, and either resolved or still
  open past it), the share resolved by their due time;
* first response and resolution: medians in WORKING hours of the :class:`WorkCalendar`, from
  receipt to the first staff answer and to the resolution;
* satisfaction: "Hài lòng" ratings over all ratings;
* FAQ deflection: answers marked solved over answers with feedback (no feedback is left out);
* incidents: outages going on in the period that were not dismissed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from handlers.reports.labels import FINAL_STATUSES, OPEN_STATUSES, RATING_LABELS_VI
from handlers.reports.records import CaseRecord, FaqOutcome
from handlers.schedule.worktime import WorkCalendar
from storage.models import aware

DueState = Literal["on_time", "late", "not_due", "no_due"]
DUE_STATE_LABELS_VI: dict[str, str] = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "not_due": "Chưa đến hạn",
    "no_due": "Không có hạn",
}


# -- one case ----------------------------------------------------------------------------------


def is_resolved(case: CaseRecord) -> bool:
    """Resolved or closed after a resolution (a reopened case keeps no resolution time)."""
    return case.status in FINAL_STATUSES and case.resolved_at is not None


def due_state(case: CaseRecord, as_of: datetime) -> DueState:
    """An open case is judged by its status first, so a case reopened after a resolution is late
    again once ``as_of`` passes the due time. A case closed without a resolution (duplicate,
    spam) cannot be judged."""
    if case.resolution_due is None:
        return "no_due"
    due = aware(case.resolution_due)
    if case.status in OPEN_STATUSES:
        return "late" if aware(as_of) > due else "not_due"
    if case.resolved_at is None:
        return "no_due"
    return "late" if aware(case.resolved_at) > due else "on_time"


def is_overdue(case: CaseRecord, as_of: datetime) -> bool:
    return due_state(case, as_of) == "late"


def first_response_hours(case: CaseRecord, calendar: WorkCalendar) -> float | None:
    if case.first_response_at is None:
        return None
    return calendar.working_hours_between(case.created_at, case.first_response_at)


def resolution_hours(case: CaseRecord, calendar: WorkCalendar) -> float | None:
    if not is_resolved(case) or case.resolved_at is None:
        return None
    return calendar.working_hours_between(case.created_at, case.resolved_at)


# -- statistics ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """``q``-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class DurationStats:
    count: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None


def duration_stats(values: Sequence[float]) -> DurationStats:
    return DurationStats(
        count=len(values),
        median_hours=percentile(values, 50),
        p90_hours=percentile(values, 90),
        mean_hours=sum(values) / len(values) if values else None,
    )


@dataclass
class Satisfaction:
    counts: dict[str, int]  # rating code → number, every code of RATING_LABELS_VI present
    rated: int
    # Cases resolved or closed without a rating.
    unrated: int

    def share(self, rating: str) -> float | None:
        return self.counts.get(rating, 0) / self.rated if self.rated else None

    @property
    def satisfied_share(self) -> float | None:
        return self.share("hai_long")


def satisfaction(cases: Sequence[CaseRecord]) -> Satisfaction:
    ratings = Counter(c.rating for c in cases if c.rating is not None)
    return Satisfaction(
        counts={r: ratings[r] for r in RATING_LABELS_VI}
        | {r: n for r, n in ratings.items() if r not in RATING_LABELS_VI},
        rated=sum(ratings.values()),
        unrated=sum(1 for c in cases if c.rating is None and c.status in FINAL_STATUSES),
    )


class _FaqOutcomes:
    """Totals shared by a topic's row and the whole period."""

    solved: int
    not_solved: int
    no_answer: int

    @property
    def total(self) -> int:
        return self.solved + self.not_solved + self.no_answer

    @property
    def rate(self) -> float | None:
        answered = self.solved + self.not_solved
        return self.solved / answered if answered else None


@dataclass
class FaqTopicRow(_FaqOutcomes):
    topic: str | None
    label: str
    solved: int = 0
    not_solved: int = 0
    no_answer: int = 0


@dataclass
class FaqDeflection(_FaqOutcomes):
    solved: int
    not_solved: int
    no_answer: int
    by_topic: list[FaqTopicRow]


def faq_deflection(outcomes: Iterable[FaqOutcome], topic_label: Callable[[str | None], str]) -> FaqDeflection:
    topics: dict[str | None, FaqTopicRow] = {}
    for o in outcomes:
        row = topics.setdefault(o.topic, FaqTopicRow(o.topic, topic_label(o.topic)))
        if o.solved is True:
            row.solved += 1
        elif o.solved is False:
            row.not_solved += 1
        else:
            row.no_answer += 1
    by_topic = sorted(topics.values(), key=lambda r: (-r.total, r.label))
    return FaqDeflection(
        solved=sum(r.solved for r in by_topic),
        not_solved=sum(r.not_solved for r in by_topic),
        no_answer=sum(r.no_answer for r in by_topic),
        by_topic=by_topic,
    )


# -- the period ---------------------------------------------------------------------------------


def period_window(start: date, end: date, calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the calendar's zone."""
    lo = datetime.combine(start, time(0), tzinfo=calendar.tz)
    return lo, datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.tz)


def received_in(
    cases: Iterable[CaseRecord], start: date, end: date, calendar: WorkCalendar
) -> list[CaseRecord]:
    lo, hi = period_window(start, end, calendar)
    return sorted((c for c in cases if lo <= aware(c.created_at) < hi), key=lambda c: aware(c.created_at))


def previous_period(start: date, end: date) -> tuple[date, date]:
    """What a period is compared with: the month before for a calendar month (or the same days of
    it for a month so far), else the same number of days just before."""
    if start.day == 1 and end.month == start.month and end.year == start.year:
        prev_last = start - timedelta(days=1)
        prev_start = prev_last.replace(day=1)
        if (end + timedelta(days=1)).month != end.month:  # the whole month
            return prev_start, prev_last
        return prev_start, prev_start.replace(day=min(end.day, prev_last.day))
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


@dataclass
class Headline:
    start: date
    end: date
    received: int
    resolved: int
    on_time: int
    late: int
    first_response: DurationStats
    resolution: DurationStats
    satisfaction: Satisfaction
    faq: FaqDeflection
    incidents: int

    @property
    def judged(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.judged if self.judged else None


def headline(
    cases: Iterable[CaseRecord],
    faq_outcomes: Iterable[FaqOutcome],
    start: date,
    end: date,
    calendar: WorkCalendar,
    as_of: datetime,
    *,
    topic_label: Callable[[str | None], str] = lambda t: t or "",
    incidents: int = 0,
) -> Headline:
    """The headline figures of ``start``..``end`` from any superset of the period's rows."""
    period = received_in(cases, start, end, calendar)
    lo, hi = period_window(start, end, calendar)
    states = Counter(due_state(c, as_of) for c in period)
    responses = [h for c in period if (h := first_response_hours(c, calendar)) is not None]
    resolutions = [h for c in period if (h := resolution_hours(c, calendar)) is not None]
    return Headline(
        start=start,
        end=end,
        received=len(period),
        resolved=sum(1 for c in period if is_resolved(c)),
        on_time=states["on_time"],
        late=states["late"],
        first_response=duration_stats(responses),
        resolution=duration_stats(resolutions),
        satisfaction=satisfaction(period),
        faq=faq_deflection((o for o in faq_outcomes if lo <= aware(o.created_at) < hi), topic_label),
        incidents=incidents,
    )


# -- how each figure is shown -------------------------------------------------------------------

FigureKind = Literal["count", "share", "hours"]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: FigureKind
    value: Callable[[Headline], float | None]

    def change(self, current: Headline, previous: Headline | None) -> float | None:
        """Current minus previous; a share's change in percentage points."""
        now = self.value(current)
        before = self.value(previous) if previous is not None else None
        if now is None or before is None:
            return None
        return (now - before) * 100 if self.kind == "share" else now - before


HEADLINE_FIGURES: tuple[Figure, ...] = (
    Figure("received", "Phản ánh tiếp nhận", "count", lambda h: h.received),
    Figure("resolved", "Đã giải quyết", "count", lambda h: h.resolved),
    Figure("on_time", "Tỷ lệ giải quyết đúng hạn", "share", lambda h: h.on_time_share),
    Figure(
        "first_response",
        "Phản hồi đầu tiên – trung vị (giờ làm việc)",
        "hours",
        lambda h: h.first_response.median_hours,
    ),
    Figure(
        "resolution", "Giải quyết – trung vị (giờ làm việc)", "hours", lambda h: h.resolution.median_hours
    ),
    Figure("satisfaction", "Tỷ lệ hài lòng", "share", lambda h: h.satisfaction.satisfied_share),
    Figure("faq", "Tỷ lệ FAQ tự giải đáp", "share", lambda h: h.faq.rate),
    Figure("incidents", "Sự cố", "count", lambda h: h.incidents),
)
FIGURES_BY_KEY = {f.key: f for f in HEADLINE_FIGURES}
