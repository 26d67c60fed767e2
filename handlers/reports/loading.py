"""Read-only queries that turn storage rows into the reports' plain records (only the columns the
figures need, never the complaint texts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.reports.records import ActionRecord, CaseRecord, FaqOutcome, UnitInfo
from handlers.schedule.worktime import WorkCalendar
from storage.models import Case, CaseEvent, CaseMessage, CaseStatus, FaqQuery


def official_units() -> list[UnitInfo]:
    """Every xã, phường and đặc khu of Hải Phòng, in the official order."""
    from faq.units import load_units

    return [UnitInfo(u.code, u.full_name) for u in load_units()]


_RECORD_COLUMNS = (
    Case.code,
    Case.created_at,
    Case.status,
    Case.unit_code,
    Case.system,
    Case.faq_topic,
    Case.reporter_role,
    Case.assignee_name,
    Case.first_response_at,
    Case.resolved_at,
    Case.escalated,
    Case.escalation_reason,
    Case.escalated_at,
    Case.rating,
    Case.channel,
    Case.resolution_due,
    Case.priority,
)


def _record(row: Sequence[object], unit_names: Mapping[str, str]) -> CaseRecord:
    (code, created, status, unit, system, topic, role, assignee, first, resolved) = row[:10]
    (escalated, reason, escalated_at, rating, channel, due, priority) = row[10:]
    return CaseRecord(
        code=str(code),
        created_at=created,  # type: ignore[arg-type]
        status=str(status),
        unit_code=unit,  # type: ignore[arg-type]
        unit_name=unit_names.get(str(unit)) if unit else None,
        system=system,  # type: ignore[arg-type]
        faq_topic=topic,  # type: ignore[arg-type]
        reporter_role=role,  # type: ignore[arg-type]
        assignee=assignee,  # type: ignore[arg-type]
        first_response_at=first,  # type: ignore[arg-type]
        resolved_at=resolved,  # type: ignore[arg-type]
        escalated=bool(escalated),
        escalation_reason=reason,  # type: ignore[arg-type]
        escalated_at=escalated_at,  # type: ignore[arg-type]
        rating=rating,  # type: ignore[arg-type]
        channel=str(channel or ""),
        resolution_due=due,  # type: ignore[arg-type]
        priority=str(priority or "normal"),
    )


def period_bounds(start: date, end: date, calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the calendar's zone, as UTC datetimes."""
    lo = datetime.combine(start, time(0), tzinfo=calendar.tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.tz).astimezone(UTC)
    return lo, hi


async def load_case_records(
    session: AsyncSession,
    start: date,
    end: date,
    calendar: WorkCalendar,
    unit_names: Mapping[str, str] | None = None,
) -> list[CaseRecord]:
    """Cases received in the period, plus older ones still open (the backlog figure)."""
    lo, hi = period_bounds(start, end, calendar)
    statement = select(*_RECORD_COLUMNS).where(  # type: ignore[call-overload]
        or_(
            and_(col(Case.created_at) >= lo, col(Case.created_at) < hi),
            and_(col(Case.created_at) < lo, col(Case.status).in_(CaseStatus.OPEN)),
        )
    )
    rows = (await session.exec(statement)).all()
    return [_record(row, unit_names or {}) for row in rows]


async def load_digest_records(
    session: AsyncSession, since: datetime, unit_names: Mapping[str, str] | None = None
) -> list[CaseRecord]:
    """What a digest or the overdue list looks at: every open case and every case since ``since``."""
    statement = select(*_RECORD_COLUMNS).where(  # type: ignore[call-overload]
        or_(col(Case.status).in_(CaseStatus.OPEN), col(Case.created_at) >= since)
    )
    rows = (await session.exec(statement)).all()
    return [_record(row, unit_names or {}) for row in rows]


async def load_faq_outcomes(
    session: AsyncSession, start: date, end: date, calendar: WorkCalendar
) -> list[FaqOutcome]:
    """FAQ answers shown in the period (questions the matcher abstained on are not answers)."""
    lo, hi = period_bounds(start, end, calendar)
    columns = (FaqQuery.created_at, FaqQuery.topic, FaqQuery.solved)
    statement = select(*columns).where(  # type: ignore[call-overload, type-var]
        col(FaqQuery.created_at) >= lo, col(FaqQuery.created_at) < hi, col(FaqQuery.topic).is_not(None)
    )
    rows = (await session.exec(statement)).all()
    return [FaqOutcome(created_at=created, topic=topic, solved=solved) for created, topic, solved in rows]


async def load_actions(
    session: AsyncSession, start: date, end: date, calendar: WorkCalendar
) -> list[ActionRecord]:
    """Staff steps on the cases received in the period: assignments, status changes and the
    answers sent to reporters, each with the actor it was recorded with."""
    lo, hi = period_bounds(start, end, calendar)
    received = and_(col(Case.created_at) >= lo, col(Case.created_at) < hi)
    events = select(  # type: ignore[call-overload]
        Case.code, CaseEvent.created_at, CaseEvent.kind, CaseEvent.actor, CaseEvent.to_status, CaseEvent.note
    ).where(col(CaseEvent.case_id) == col(Case.id), received, col(CaseEvent.kind).in_(("assigned", "status")))
    replies = select(Case.code, CaseMessage.created_at, CaseMessage.author).where(  # type: ignore[call-overload]
        col(CaseMessage.case_id) == col(Case.id), received, CaseMessage.direction == "out"
    )
    actions = [
        ActionRecord(str(code), at, str(kind), actor, to_status, note)
        for code, at, kind, actor, to_status, note in (await session.exec(events)).all()
    ]
    actions += [
        ActionRecord(str(code), at, "reply", author)
        for code, at, author in (await session.exec(replies)).all()
    ]
    return actions
