"""The incidents on record: the current one for a new case, recent reports, what is quiet or dismissed.

Queries only (no messages, no state changes), split from handlers.incidents.desk so the desk keeps
the decisions and this module the reading of the tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.incidents.detect import CATCH_ALL_SYSTEMS, ReportSignal, incident_key
from storage.models import Case, CaseStatus, Incident, aware

DETECTED, OPEN, CLOSED, DISMISSED, MERGED = "detected", "open", "closed", "dismissed", "merged"
ACTIVE = (DETECTED, OPEN)


def case_incident_key(case: Case) -> str | None:
    """The detection key of a case: its FAQ topic when it has one, else its system."""
    signal = ReportSignal(case.code, case.created_at, case.unit_code, case.system, case.faq_topic)
    signal.picture_error = case.picture_error
    return incident_key(signal)


async def latest(session: AsyncSession, key: str, *statuses: str) -> Incident | None:
    statement = (
        select(Incident)
        .where(Incident.key == key, col(Incident.status).in_(statuses))
        .order_by(col(Incident.id).desc())
    )
    return (await session.exec(statement)).first()


async def current_for(
    session: AsyncSession, case: Case, now: datetime, quiet_after: timedelta
) -> Incident | None:
    """The incident a new case belongs to: an open one for its topic, else for its system;
    else a detected one of its own key that is not quiet."""
    keys = [f"topic:{case.faq_topic}" if case.faq_topic else None]
    if case.picture_error:
        keys.append(f"error:{case.picture_error}")
    if case.system and case.system not in CATCH_ALL_SYSTEMS:
        keys.append(f"system:{case.system}")
    for key in keys:
        if key is not None and (incident := await latest(session, key, OPEN)) is not None:
            return incident
    own = case_incident_key(case)
    if own is None:
        return None
    detected = await latest(session, own, DETECTED)
    if detected is not None and not await quiet(session, detected, now, quiet_after):
        return detected
    return None


async def quiet(session: AsyncSession, incident: Incident, now: datetime, quiet_after: timedelta) -> bool:
    statement = select(func.max(Case.created_at)).where(Case.incident_id == incident.id)
    last = (await session.exec(statement)).first() or incident.detected_at
    return aware(last) < aware(now) - quiet_after


async def dismissed_lately(session: AsyncSession, key: str, now: datetime, quiet_after: timedelta) -> bool:
    """Staff said this key's burst is no incident: do not alert it again while it goes on."""
    dismissed = await latest(session, key, DISMISSED)
    return (
        dismissed is not None
        and dismissed.closed_at is not None
        and aware(dismissed.closed_at) >= aware(now) - quiet_after
    )


async def recent_signals(session: AsyncSession, now: datetime, window: timedelta) -> list[ReportSignal]:
    """Recent reports, without those already settled by an incident that is over (so closing
    an incident does not set the same reports off again)."""
    since = aware(now) - window
    statement = select(  # type: ignore[misc]  # eight columns: more than mypy tries
        Case.code,
        Case.created_at,
        Case.unit_code,
        Case.system,
        Case.faq_topic,
        Case.incident_id,
        Case.reporter_id,
        Case.picture_error,
    ).where(col(Case.created_at) > since)  # type: ignore[call-overload]
    rows = (await session.exec(statement)).all()
    linked = {row[5] for row in rows if row[5] is not None}
    over: set[int] = set()
    if linked:
        ended = select(Incident.id).where(
            col(Incident.id).in_(linked), col(Incident.status).in_((CLOSED, MERGED))
        )
        over = {i for i in (await session.exec(ended)).all() if i is not None}
    return [
        ReportSignal(code, at, unit, system, topic, reporter, picture)
        for code, at, unit, system, topic, inc, reporter, picture in rows
        if inc not in over
    ]


async def active(session: AsyncSession) -> list[Incident]:
    statement = select(Incident).where(col(Incident.status).in_(ACTIVE)).order_by(col(Incident.id))
    return list((await session.exec(statement)).all())


async def cases_to_announce(
    session: AsyncSession, incident: Incident, case: Case | None, *, since: datetime
) -> list[Case]:
    """The cases an announcement reaches: those linked to the incident, the open reports of its
    topic or system since `since` that no incident has, and the case it was typed about."""
    kind, _, value = incident.key.partition(":")
    column = {"topic": Case.faq_topic, "error": Case.picture_error}.get(kind, Case.system)
    matches = col(column) == value
    statement = select(Case).where(
        or_(
            col(Case.incident_id) == incident.id,
            and_(
                matches,
                col(Case.incident_id).is_(None),
                col(Case.created_at) >= since,
                col(Case.status).in_(CaseStatus.OPEN),
            ),
        )
    )
    cases = list((await session.exec(statement.order_by(col(Case.created_at)))).all())
    if case is not None and case.incident_id in (None, incident.id) and all(c.id != case.id for c in cases):
        cases.append(case)
    return cases
