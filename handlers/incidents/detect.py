"""Incident detection: many similar reports from several units in a short time (DESIGN §6).

When the city system or VNeID is down, dozens of people report the same thing within
minutes. Staff should get one alert, not dozens of cases to triage one by one.

Reports are grouped by FAQ topic when the matcher gave one (the most specific signal), then
by the error message read in their screenshot (``picture_error``, handlers.pictures: the same
"Mã lỗi …" the FAQ does not know, from several units), otherwise by system. A group is a
candidate when, within the trailing ``window`` ending at
``now``, it has at least ``min_reports`` distinct cases from as many distinct reporters, and at
least ``min_units`` distinct units: several units rule out one commune's local network, several
reporters one person (or one officer) retrying again and again.

The catch-all system "Khác" is never a key: reports that fit no system have nothing in common
(office hours, marriage papers…), so grouping them would invent an outage.

Pure: the integrator calls :func:`detect_incidents` after each new case (or from a job),
remembers which ``key`` it has already alerted, and alerts only new keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.reports.reports import SYSTEM_LABELS_VI
from handlers.schedule.worktime import VN_TZ
from storage.models import aware

__all__ = [
    "IncidentCandidate",
    "IncidentRule",
    "ReportSignal",
    "detect_incidents",
    "format_incident_alert_vi",
    "incident_key",
]

# Systems that say nothing about what failed: never grouped into an incident.
CATCH_ALL_SYSTEMS = frozenset({"khac"})


@dataclass
class IncidentRule:
    min_reports: int = 5
    min_units: int = 3
    window: timedelta = timedelta(minutes=30)


@dataclass
class ReportSignal:
    case_code: str
    created_at: datetime  # naive = UTC
    unit_code: str | None
    system: str | None
    faq_topic: str | None
    reporter_id: int | None = None  # None: each report counts as its own reporter
    picture_error: str | None = None  # the folded error message read in its screenshot


@dataclass
class IncidentCandidate:
    key: str  # "topic:<faq_topic>", "error:<picture_error>" or "system:<system>"
    kind: str  # "topic" | "error" | "system"
    value: str
    case_codes: list[str]  # in arrival order
    unit_codes: list[str]  # distinct, in order of first report
    first_at: datetime
    last_at: datetime
    window: timedelta = field(default_factory=lambda: timedelta(minutes=30))

    @property
    def count(self) -> int:
        return len(self.case_codes)


def incident_key(signal: ReportSignal) -> str | None:
    """The group a report belongs to; None when it has neither topic nor system."""
    if signal.faq_topic:
        return f"topic:{signal.faq_topic}"
    if signal.picture_error:
        return f"error:{signal.picture_error}"
    if signal.system and signal.system not in CATCH_ALL_SYSTEMS:
        return f"system:{signal.system}"
    return None


def detect_incidents(
    signals: Iterable[ReportSignal], now: datetime, rule: IncidentRule | None = None
) -> list[IncidentCandidate]:
    """Candidates among the signals received in ``(now - window, now]``, largest first.

    Duplicate case codes count once (a case re-delivered or edited is one report), and
    ``min_reports`` counts distinct reporters: one person filing five times is not a burst.
    Reports without a unit count toward ``min_reports`` but not toward ``min_units``:
    an unknown unit cannot show that the problem is spread across the city.
    """
    rule = rule or IncidentRule()
    now = aware(now)
    since = now - rule.window
    groups: dict[str, list[ReportSignal]] = {}
    seen: set[str] = set()
    for s in sorted(signals, key=lambda s: aware(s.created_at)):
        at = aware(s.created_at)
        key = incident_key(s)
        if key is None or not (since < at <= now) or s.case_code in seen:
            continue
        seen.add(s.case_code)
        groups.setdefault(key, []).append(s)

    found = []
    for key, group in groups.items():
        units = list(dict.fromkeys(s.unit_code for s in group if s.unit_code))
        reporters = {s.reporter_id if s.reporter_id is not None else f"case:{s.case_code}" for s in group}
        if len(reporters) < rule.min_reports or len(units) < rule.min_units:
            continue
        kind, _, value = key.partition(":")
        found.append(
            IncidentCandidate(
                key=key,
                kind=kind,
                value=value,
                case_codes=[s.case_code for s in group],
                unit_codes=units,
                first_at=aware(group[0].created_at),
                last_at=aware(group[-1].created_at),
                window=rule.window,
            )
        )
    return sorted(found, key=lambda c: (-c.count, c.key))


def _minutes_vi(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 120:
        return f"{minutes} phút"
    return f"{minutes // 60} giờ {minutes % 60} phút" if minutes % 60 else f"{minutes // 60} giờ"


def format_incident_alert_vi(
    candidate: IncidentCandidate,
    unit_names: Mapping[str, str],
    topic_labels: Mapping[str, str] | None = None,
    tz: ZoneInfo = VN_TZ,
    max_listed: int = 20,
) -> str:
    """Plain-text alert for the staff group (send without a parse mode)."""
    c = candidate
    if c.kind == "topic":
        subject = f"chủ đề «{(topic_labels or {}).get(c.value, c.value)}»"
    elif c.kind == "error":
        subject = f"cùng thông báo lỗi trong ảnh «{c.value}»"
    else:
        subject = f"hệ thống «{SYSTEM_LABELS_VI.get(c.value, c.value)}»"
    first, last = c.first_at.astimezone(tz), c.last_at.astimezone(tz)
    span = _minutes_vi(last - first)
    when = f"{first:%H:%M}–{last:%H:%M} ngày {last:%d/%m/%Y}"
    units = [unit_names.get(u, u) for u in c.unit_codes]

    def listed(items: list[str]) -> str:
        more = f" và {len(items) - max_listed} khác" if len(items) > max_listed else ""
        return ", ".join(items[:max_listed]) + more

    return "\n".join(
        [
            "CẢNH BÁO NGHI CÓ SỰ CỐ",
            f"{c.count} phản ánh về {subject} từ {len(units)} đơn vị trong {span} ({when}).",
            f"Đơn vị: {listed(units)}",
            f"Mã phản ánh: {listed(c.case_codes)}",
            "Đề nghị kiểm tra hệ thống; khi đã rõ nguyên nhân hoặc đã khắc phục, "
            "thông báo chung cho tất cả người phản ánh.",
        ]
    )
