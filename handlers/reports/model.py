"""What one period report holds (built by handlers.reports.build, shown by text/workbook/chart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from handlers.reports.figures import DurationStats, FaqDeflection, Headline, Satisfaction
from handlers.reports.labels import DEFAULT_ORGANISATION, RATING_LABELS_VI, STATUS_LABELS_VI
from handlers.reports.staffing import StaffFigures


@dataclass
class Summary:
    total_new: int
    open: int
    resolved: int  # status "đã giải quyết" (waiting for a rating)
    closed: int
    escalated: int
    # None when no case of the period carries a resolution_due.
    overdue: int | None
    with_due: int
    # Cases received before the period that are still open (the backlog carried over).
    open_before_period: int


@dataclass
class CountRow:
    key: str | None
    label: str
    count: int
    share: float  # of the period's cases (0..1)


@dataclass
class UnitRow:
    code: str | None
    name: str
    total: int = 0
    open: int = 0
    resolved: int = 0
    closed: int = 0
    escalated: int = 0
    overdue: int = 0


@dataclass
class EscalatedCase:
    code: str
    created_at: datetime
    unit_name: str
    system_label: str
    topic_label: str
    reason: str
    escalated_at: datetime | None
    status_label: str


@dataclass
class CaseRow:
    """One line of the case list (no complaint text: the workbook travels by chat)."""

    code: str
    received: datetime
    priority: str
    unit: str
    system: str
    topic: str
    channel: str
    status: str
    assignee: str
    first_response_at: datetime | None
    first_response_hours: float | None
    resolved_at: datetime | None
    resolution_hours: float | None
    due: datetime | None
    due_state: str
    rating: str
    escalated: bool


@dataclass
class DailyStatusCount:
    day: date
    counts: dict[str, int]  # status code → cases received that day now in that status

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Report:
    start: date
    end: date
    as_of: datetime
    summary: Summary
    headline: Headline
    by_unit: list[UnitRow]  # most cases first, zero rows last
    by_system: list[CountRow]
    by_topic: list[CountRow]
    by_status: list[CountRow]
    escalated: list[EscalatedCase]
    # Received days up to the report time: a period that ends later has no empty future days.
    daily: list[DailyStatusCount]
    staff: StaffFigures
    cases: list[CaseRow]
    # The same figures for the period before (handlers.reports.figures.previous_period).
    previous: Headline | None = None
    organisation: str = DEFAULT_ORGANISATION
    status_labels: dict[str, str] = field(default_factory=lambda: dict(STATUS_LABELS_VI))
    rating_labels: dict[str, str] = field(default_factory=lambda: dict(RATING_LABELS_VI))
    # Outages of the period (handlers.reports.incidents.IncidentRow).
    incidents: list[Any] = field(default_factory=list)

    @property
    def response_time(self) -> DurationStats:
        return self.headline.first_response

    @property
    def resolution_time(self) -> DurationStats:
        return self.headline.resolution

    @property
    def satisfaction(self) -> Satisfaction:
        return self.headline.satisfaction

    @property
    def faq(self) -> FaqDeflection:
        return self.headline.faq
