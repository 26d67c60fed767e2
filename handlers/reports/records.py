"""The plain rows reports are computed from; storage is read into them by handlers.reports.loading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class CaseRecord:
    code: str
    created_at: datetime
    status: str  # one of labels.STATUSES
    unit_code: str | None = None
    unit_name: str | None = None
    system: str | None = None
    faq_topic: str | None = None
    reporter_role: str | None = None
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    escalated_at: datetime | None = None
    rating: str | None = None  # "hai_long" | "binh_thuong" | "khong_hai_long"
    channel: str = ""
    resolution_due: datetime | None = None
    priority: str = "normal"  # "normal" | "urgent"


@dataclass
class FaqOutcome:
    """One FAQ answer shown without a case being created; ``solved`` None = no feedback."""

    created_at: datetime
    topic: str | None
    solved: bool | None


@dataclass
class UnitInfo:
    code: str
    full_name: str


@dataclass
class ActionRecord:
    """One staff step on a case, as the per-staff sheet reads it.

    ``kind`` is "assigned" (``note`` names the assignee), "status" (``to_status`` is the new
    status) or "reply" (an answer sent to the reporter). ``actor`` None: not recorded.
    """

    case_code: str
    at: datetime
    kind: str
    actor: str | None
    to_status: str | None = None
    note: str | None = None
