"""Incidents in the weekly/monthly report (issue #23): how many outages, how many reports each
gathered, from how many people and units, and how long each lasted.

An incident "lasted" from its detection (or its first linked report, when staff opened it by hand
after the reports) to its closure or dismissal; one still going is counted up to the report time
and marked as such. Merged incidents are reported inside the incident they were merged into.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, Incident, aware

STATE_VI = {
    "detected": "phát hiện, chưa mở",
    "open": "đang mở",
    "closed": "đã khắc phục",
    "dismissed": "không phải sự cố",
}


@dataclass
class IncidentRow:
    id: int
    subject: str
    status: str
    cases: int
    reporters: int
    units: int
    started: datetime
    ended: datetime | None  # None: still going at the report time
    duration: timedelta


def duration_vi(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} phút"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} giờ {rest} phút" if rest else f"{hours} giờ"
    return f"{hours // 24} ngày {hours % 24} giờ"


async def load_incident_rows(
    session: AsyncSession, start: datetime, end: datetime, subject: Callable[[str], str], now: datetime
) -> list[IncidentRow]:
    """Incidents that were going on at some time in ``[start, end)``, first detected first."""
    statement = select(Incident).where(
        col(Incident.detected_at) < end,
        or_(col(Incident.closed_at).is_(None), col(Incident.closed_at) >= start),
        col(Incident.status) != "merged",
    )
    incidents = list((await session.exec(statement.order_by(col(Incident.detected_at)))).all())
    if not incidents:
        return []
    # Cases of incidents merged into these count where they went (Case.incident_id moved).
    cases = (
        await session.exec(
            select(Case.incident_id, Case.reporter_id, Case.unit_code, Case.created_at).where(  # type: ignore[call-overload]
                col(Case.incident_id).in_([i.id for i in incidents])
            )
        )
    ).all()
    rows = []
    for incident in incidents:
        mine = [c for c in cases if c[0] == incident.id]
        first_report = min((aware(c[3]) for c in mine), default=aware(incident.detected_at))
        started = min(aware(incident.detected_at), first_report)
        ended = aware(incident.closed_at) if incident.closed_at else None
        rows.append(
            IncidentRow(
                id=incident.id or 0,
                subject=subject(incident.key),
                status=incident.status,
                cases=len(mine),
                reporters=len({c[1] for c in mine}),
                units=len({c[2] for c in mine if c[2]}),
                started=started,
                ended=ended,
                duration=(ended or aware(now)) - started,
            )
        )
    return rows


def incident_lines_vi(rows: Sequence[IncidentRow], tz: ZoneInfo, limit: int = 5) -> list[str]:
    """Lines for the report text in the staff group."""
    real = [r for r in rows if r.status != "dismissed"]
    if not real:
        return []
    lines = [f"Sự cố: {len(real)} ({sum(r.cases for r in real)} phản ánh gộp)"]
    for r in real[:limit]:
        going = "" if r.ended else ", chưa kết thúc"
        lines.append(
            f"• #{r.id} {r.subject}: {r.cases} phản ánh, {r.units} đơn vị, từ {r.started.astimezone(tz):%H:%M %d/%m}, "
            f"kéo dài {duration_vi(r.duration)}{going}"
        )
    if len(real) > limit:
        lines.append(f"• … và {len(real) - limit} sự cố khác (chi tiết trong tệp Excel)")
    return lines


def incident_sheet_rows(rows: Sequence[IncidentRow], tz: ZoneInfo) -> list[tuple[Any, ...]]:
    """Rows of the workbook's "Sự cố" sheet (times local, naive, as Excel shows them)."""
    return [
        (
            r.id,
            r.subject,
            STATE_VI.get(r.status, r.status),
            r.cases,
            r.reporters,
            r.units,
            r.started.astimezone(tz).replace(tzinfo=None),
            r.ended.astimezone(tz).replace(tzinfo=None) if r.ended else None,
            round(r.duration.total_seconds() / 3600, 2),
        )
        for r in rows
    ]


INCIDENT_SHEET_HEADERS = (
    "Số sự cố",
    "Nội dung",
    "Trạng thái",
    "Số phản ánh",
    "Số người phản ánh",
    "Số đơn vị",
    "Bắt đầu",
    "Kết thúc",
    "Thời lượng (giờ)",
)
