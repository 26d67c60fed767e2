"""Builds a period :class:`Report` from plain rows (pure: the desk loads them from storage).

Every headline figure comes from handlers.reports.figures; the rest are breakdowns of the same
cases received in the period (by unit, system, topic, status, day, staff, and the case list).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from handlers.reports.figures import (
    DUE_STATE_LABELS_VI,
    Headline,
    due_state,
    first_response_hours,
    headline,
    is_overdue,
    period_window,
    received_in,
    resolution_hours,
)
from handlers.reports.labels import (
    DEFAULT_ORGANISATION,
    OPEN_STATUSES,
    OTHER_UNITS_LABEL,
    PRIORITY_LABELS_VI,
    STATUS_LABELS_VI,
    STATUSES,
    SYSTEM_LABELS_VI,
    UNKNOWN_LABEL,
    Labels,
)
from handlers.reports.model import (
    CaseRow,
    CountRow,
    DailyStatusCount,
    EscalatedCase,
    Report,
    Summary,
    UnitRow,
)
from handlers.reports.records import ActionRecord, CaseRecord, FaqOutcome, UnitInfo
from handlers.reports.staffing import staff_figures
from handlers.schedule.worktime import WorkCalendar
from storage.models import aware


def real_incidents(rows: Iterable[Any]) -> int:
    """Outages that were real (staff did not dismiss them)."""
    return sum(1 for r in rows if getattr(r, "status", "") != "dismissed")


def build_report(
    cases: Iterable[CaseRecord],
    faq_outcomes: Iterable[FaqOutcome],
    units: Sequence[UnitInfo],
    start: date,
    end: date,
    calendar: WorkCalendar,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    *,
    now: datetime | None = None,
    actions: Iterable[ActionRecord] = (),
    previous: Headline | None = None,
    incidents: Sequence[Any] = (),
    organisation: str = DEFAULT_ORGANISATION,
) -> Report:
    """Figures for the cases received from ``start`` to ``end`` (inclusive, calendar zone).

    ``now`` (default: the current time) decides which open cases are overdue. ``labels`` may
    override or add names: ``{"topics": {...}, "systems": {...}, "statuses": {...}, "ratings": {...}}``.
    ``previous`` is the headline of the period compared with (figures.previous_period).
    """
    if end < start:
        raise ValueError("end must not be before start")
    lab = Labels(labels)
    as_of = calendar.to_local(now or datetime.now(UTC))
    all_cases = list(cases)
    period = received_in(all_cases, start, end, calendar)
    period_start, _ = period_window(start, end, calendar)
    total = len(period)
    status_counts = Counter(c.status for c in period)
    with_due = [c for c in period if c.resolution_due is not None]
    summary = Summary(
        total_new=total,
        open=sum(status_counts[s] for s in OPEN_STATUSES),
        resolved=status_counts["da_giai_quyet"],
        closed=status_counts["da_dong"],
        escalated=sum(1 for c in period if c.escalated),
        overdue=sum(1 for c in with_due if is_overdue(c, as_of)) if with_due else None,
        with_due=len(with_due),
        open_before_period=sum(
            1 for c in all_cases if aware(c.created_at) < period_start and c.status in OPEN_STATUSES
        ),
    )
    head = headline(
        period,
        faq_outcomes,
        start,
        end,
        calendar,
        as_of,
        topic_label=lab.topic,
        incidents=real_incidents(incidents),
    )
    unit_names = {u.code: u.full_name for u in units}
    return Report(
        start=start,
        end=end,
        as_of=as_of,
        summary=summary,
        headline=head,
        by_unit=_by_unit(period, units, as_of),
        by_system=_by_system(period, lab),
        by_topic=[
            CountRow(k, lab.topic(k), n, _share(n, total))
            for k, n in sorted(
                Counter(c.faq_topic for c in period).items(), key=lambda kv: (-kv[1], lab.topic(kv[0]))
            )
        ],
        by_status=_by_status(status_counts, total, lab),
        escalated=_escalated(period, unit_names, lab, calendar),
        daily=_daily(period, start, end, as_of, calendar),
        staff=staff_figures(period, actions, calendar, as_of),
        cases=[_case_row(c, unit_names, lab, calendar, as_of) for c in period],
        previous=previous,
        organisation=organisation or DEFAULT_ORGANISATION,
        status_labels=dict(lab.statuses),
        rating_labels=dict(lab.ratings),
        incidents=list(incidents),
    )


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def _by_status(status_counts: Counter[str], total: int, lab: Labels) -> list[CountRow]:
    rows = [CountRow(s, lab.status(s), status_counts[s], _share(status_counts[s], total)) for s in STATUSES]
    # Statuses outside the life cycle should not exist, but must not vanish from the totals.
    return rows + [
        CountRow(s, lab.status(s), n, _share(n, total))
        for s, n in status_counts.items()
        if s not in STATUS_LABELS_VI
    ]


def _by_system(period: Sequence[CaseRecord], lab: Labels) -> list[CountRow]:
    counts = Counter(c.system for c in period)
    keys: list[str | None] = list(SYSTEM_LABELS_VI)
    keys += sorted(k for k in counts if k is not None and k not in SYSTEM_LABELS_VI)
    if counts[None]:
        keys.append(None)
    return [CountRow(k, lab.system(k), counts[k], _share(counts[k], len(period))) for k in keys]


def _unit_name(case: CaseRecord, unit_names: Mapping[str, str]) -> str:
    if case.unit_code is not None and case.unit_code in unit_names:
        return unit_names[case.unit_code]
    return case.unit_name or case.unit_code or UNKNOWN_LABEL


def _by_unit(period: Sequence[CaseRecord], units: Sequence[UnitInfo], as_of: datetime) -> list[UnitRow]:
    """Every official unit, codes no longer in the list (under the name stored with the case, so
    nothing disappears) and "Không rõ"; most cases first (ties in the official order), zeros last."""
    rows: dict[str | None, UnitRow] = {u.code: UnitRow(u.code, u.full_name) for u in units}
    extra: dict[str, UnitRow] = {}
    unknown = UnitRow(None, UNKNOWN_LABEL)
    for c in period:
        if c.unit_code is None:
            row = unknown
        elif c.unit_code in rows:
            row = rows[c.unit_code]
        else:
            row = extra.setdefault(c.unit_code, UnitRow(c.unit_code, c.unit_name or c.unit_code))
        row.total += 1
        row.open += c.status in OPEN_STATUSES
        row.resolved += c.status == "da_giai_quyet"
        row.closed += c.status == "da_dong"
        row.escalated += c.escalated
        row.overdue += is_overdue(c, as_of)
    ordered = [*rows.values(), *sorted(extra.values(), key=lambda r: r.name), unknown]
    return sorted(ordered, key=lambda r: -r.total)  # stable: ties keep the official order


def fold_units(rows: Sequence[UnitRow]) -> tuple[list[UnitRow], int]:
    """The units with cases, then one "Các đơn vị khác (0 phản ánh)" row; also how many it folds."""
    shown = [r for r in rows if r.total]
    folded = len(rows) - len(shown)
    if folded:
        shown.append(UnitRow(None, OTHER_UNITS_LABEL))
    return shown, folded


def _escalated(
    period: Sequence[CaseRecord], unit_names: Mapping[str, str], lab: Labels, calendar: WorkCalendar
) -> list[EscalatedCase]:
    escalated = sorted(
        (c for c in period if c.escalated), key=lambda c: aware(c.escalated_at or c.created_at)
    )
    return [
        EscalatedCase(
            code=c.code,
            created_at=calendar.to_local(c.created_at),
            unit_name=_unit_name(c, unit_names),
            system_label=lab.system(c.system),
            topic_label=lab.topic(c.faq_topic),
            reason=c.escalation_reason or "",
            escalated_at=calendar.to_local(c.escalated_at) if c.escalated_at else None,
            status_label=lab.status(c.status),
        )
        for c in escalated
    ]


def _daily(
    period: Sequence[CaseRecord], start: date, end: date, as_of: datetime, calendar: WorkCalendar
) -> list[DailyStatusCount]:
    """One row per day from ``start`` up to the report time (never empty days still to come)."""
    days = [calendar.to_local(c.created_at).date() for c in period]
    last = min(end, max([as_of.date(), *days]))
    rows = [
        DailyStatusCount(start + timedelta(days=i), dict.fromkeys(STATUSES, 0))
        for i in range((last - start).days + 1)
    ]
    for c, day in zip(period, days, strict=True):
        row = rows[(day - start).days]
        row.counts[c.status] = row.counts.get(c.status, 0) + 1
    return rows


def _case_row(
    c: CaseRecord, unit_names: Mapping[str, str], lab: Labels, calendar: WorkCalendar, as_of: datetime
) -> CaseRow:
    def local(dt: datetime | None) -> datetime | None:
        return calendar.to_local(dt) if dt is not None else None

    return CaseRow(
        code=c.code,
        received=calendar.to_local(c.created_at),
        priority=PRIORITY_LABELS_VI.get(c.priority, c.priority),
        unit=_unit_name(c, unit_names),
        system=lab.system(c.system),
        topic=lab.topic(c.faq_topic),
        channel=c.channel,
        status=lab.status(c.status),
        assignee=c.assignee or "",
        first_response_at=local(c.first_response_at),
        first_response_hours=first_response_hours(c, calendar),
        resolved_at=local(c.resolved_at) if resolution_hours(c, calendar) is not None else None,
        resolution_hours=resolution_hours(c, calendar),
        due=local(c.resolution_due),
        due_state=DUE_STATE_LABELS_VI[due_state(c, as_of)],
        rating=lab.rating(c.rating),
        escalated=c.escalated,
    )
