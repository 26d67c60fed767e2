"""The data of the case, units, FAQ and incidents pages (the queue's is in queries.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.labels import EVENT_LABELS, Labels, mask_phones, scrub_ids
from handlers.reports.incidents import duration_vi
from storage import repo
from storage.models import Case, CaseStatus, FaqQuery, Incident, OutboxMessage, Reporter

# -- Phản ánh: one case ----------------------------------------------------------------------


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # in | out | note | event | file
    who: str
    title: str
    text: str = ""
    attachment_id: int | None = None
    is_image: bool = False


@dataclass
class CaseDetail:
    case: Case
    reporter: Reporter | None
    timeline: list[TimelineItem]
    telegram_link: str | None


def telegram_link(case: Case) -> str | None:
    """The case's topic (or card) in the staff group: t.me/c/<group without -100>/<message>."""
    chat = case.staff_chat_id or ""
    message = case.staff_thread_id or case.card_message_id
    if not chat.startswith("-100") or not message:
        return None
    return f"https://t.me/c/{chat[4:]}/{message}"


async def case_detail(session: AsyncSession, code: str, labels: Labels) -> CaseDetail | None:
    case = await repo.case_by_code(session, code)
    if case is None or case.id is None:
        return None
    reporter = await session.get(Reporter, case.reporter_id)
    items: list[TimelineItem] = [
        TimelineItem(
            case.created_at, "in", "Người phản ánh", "Tiếp nhận phản ánh", scrub_ids(case.description)
        )
    ]
    names = {"in": "Tin nhắn", "out": "Trả lời người phản ánh", "note": "Ghi chú nội bộ"}
    for message in await repo.case_messages(session, case.id):
        who = "Người phản ánh" if message.direction == "in" else (message.author or "Cán bộ")
        items.append(
            TimelineItem(
                message.created_at,
                message.direction,
                who,
                names.get(message.direction, ""),
                scrub_ids(message.text),
            )
        )
    for event in await repo.case_events(session, case.id):
        if event.kind == "status":
            title = f"{labels.status(event.from_status)} → {labels.status(event.to_status)}"
        else:
            title = EVENT_LABELS.get(event.kind, event.kind)
        items.append(
            TimelineItem(
                event.created_at, "event", event.actor or "Hệ thống", title, scrub_ids(event.note or "")
            )
        )
    for attachment in await repo.case_attachments(session, case.id):
        image = attachment.kind == "photo" or (attachment.mime_type or "").startswith("image/")
        items.append(
            TimelineItem(
                attachment.created_at,
                "file",
                "Người phản ánh",
                attachment.file_name or "Tệp đính kèm",
                attachment_id=attachment.id,
                is_image=image,
            )
        )
    for item in items:
        item.at = labels.local(item.at)
    items.sort(key=lambda i: i.at)
    return CaseDetail(case, reporter, items, telegram_link(case))


# -- Đơn vị ----------------------------------------------------------------------------------


@dataclass
class UnitLine:
    code: str | None
    name: str
    cases: int = 0
    open: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    top_system: str = "—"

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


UNIT_SORTS = {
    "phan-anh": lambda u: (-u.cases, u.name),
    "dang-mo": lambda u: (-u.open, u.name),
    "qua-han": lambda u: (-u.overdue, u.name),
    "hai-long": lambda u: (-(u.satisfaction if u.satisfaction is not None else -1), u.name),
    "ten": lambda u: (u.name,),
}


async def unit_lines(
    session: AsyncSession, labels: Labels, now: datetime, since: datetime | None, sort: str
) -> list[UnitLine]:
    """Every official unit (zeros too), then unknown ones. Cases, top system and satisfaction
    count the period's cases; open and overdue are the unit's state now, whatever the period
    (an overdue case from last quarter is the unit's problem today)."""
    period = [col(Case.created_at) >= since] if since is not None else []
    is_open = col(Case.status).in_(CaseStatus.OPEN)
    received = (
        select(  # type: ignore[call-overload]
            Case.unit_code,
            func.count(),
            func.sum(when((col(Case.rating).is_not(None), 1), else_=0)),
            func.sum(when((col(Case.rating) == "hai_long", 1), else_=0)),
        )
        .where(*period)
        .group_by(Case.unit_code)
    )
    lines: dict[str | None, UnitLine] = {code: UnitLine(code, name) for code, name in labels.units.items()}
    for code, total, rated, satisfied in (await session.exec(received)).all():
        line = lines.setdefault(code, UnitLine(code, labels.unit(code)))
        line.cases, line.rated, line.satisfied = int(total), int(rated or 0), int(satisfied or 0)
    state = (
        select(Case.unit_code, func.count(), func.sum(when((col(Case.resolution_due) < now, 1), else_=0)))  # type: ignore[call-overload]
        .where(is_open)
        .group_by(Case.unit_code)
    )
    for code, open_, overdue in (await session.exec(state)).all():
        line = lines.setdefault(code, UnitLine(code, labels.unit(code)))
        line.open, line.overdue = int(open_), int(overdue or 0)
    systems = (
        select(Case.unit_code, Case.system, func.count())
        .where(*period)
        .group_by(col(Case.unit_code), col(Case.system))
    )  # type: ignore[call-overload]
    best: dict[Any, tuple[int, str]] = {}
    for code, system, count in (await session.exec(systems)).all():
        if code in lines and (code not in best or count > best[code][0]):
            best[code] = (count, labels.system(system))
    for code, (_, label) in best.items():
        lines[code].top_system = label
    return sorted(lines.values(), key=UNIT_SORTS.get(sort, UNIT_SORTS["phan-anh"]))  # type: ignore[arg-type]


# -- Câu hỏi thường gặp ----------------------------------------------------------------------


@dataclass
class TopicLine:
    topic: str
    label: str
    shown: int
    solved: int
    not_solved: int

    @property
    def rate(self) -> float | None:
        answered = self.solved + self.not_solved
        return self.solved / answered if answered else None


@dataclass
class Unmatched:
    text: str
    count: int
    last: datetime


async def faq_stats(
    session: AsyncSession, labels: Labels, since: datetime
) -> tuple[list[TopicLine], list[Unmatched]]:
    recent = col(FaqQuery.created_at) >= since
    statement = (
        select(  # type: ignore[call-overload]
            FaqQuery.topic,
            func.count(),
            func.sum(when((col(FaqQuery.solved).is_(True), 1), else_=0)),
            func.sum(when((col(FaqQuery.solved).is_(False), 1), else_=0)),
        )
        .where(recent, col(FaqQuery.topic).is_not(None))
        .group_by(FaqQuery.topic)
        .order_by(func.count().desc())
    )
    topics = [
        TopicLine(str(topic), labels.topic(topic), int(n), int(solved or 0), int(not_solved or 0))
        for topic, n, solved, not_solved in (await session.exec(statement)).all()
    ]
    # The same question typed twice ("Không đăng nhập được" / "không đăng nhập được ") counts once.
    key = func.lower(func.trim(FaqQuery.text))
    grouped = (
        select(key, func.count(), func.max(FaqQuery.created_at))  # type: ignore[call-overload]
        .where(recent, col(FaqQuery.topic).is_(None))
        .group_by(key)
        .order_by(func.count().desc(), func.max(FaqQuery.created_at).desc())
        .limit(100)
    )
    unmatched = [
        Unmatched(mask_phones(scrub_ids(text)), int(n), labels.local(last))
        for text, n, last in (await session.exec(grouped)).all()
    ]
    return topics, unmatched


# -- Sự cố -----------------------------------------------------------------------------------


@dataclass
class IncidentView:
    incident: Incident
    subject: str
    cases: list[Case] = field(default_factory=list)
    notices_sent: int = 0
    notices_pending: int = 0
    # From detection (or the first linked report) to closure; up to now while it goes on.
    duration: str = ""
    ongoing: bool = False

    @property
    def held(self) -> int:
        """Reports gathered on the incident card, not posted as their own card (incident mode)."""
        return sum(1 for c in self.cases if c.incident_held)


def incident_subject(key: str, labels: Labels) -> str:
    kind, _, value = key.partition(":")
    return f"Chủ đề: {labels.topic(value)}" if kind == "topic" else f"Hệ thống: {labels.system(value)}"


async def incidents(session: AsyncSession, labels: Labels, limit: int = 50) -> list[IncidentView]:
    rows = (await session.exec(select(Incident).order_by(col(Incident.id).desc()).limit(limit))).all()
    views = {i.id: IncidentView(i, incident_subject(i.key, labels)) for i in rows}
    if not views:
        return []
    linked = (
        await session.exec(
            select(Case).where(col(Case.incident_id).in_(list(views))).order_by(col(Case.created_at))
        )
    ).all()
    of_case: dict[int, int] = {}
    for case in linked:
        if case.incident_id is not None and case.id is not None:
            views[case.incident_id].cases.append(case)
            of_case[case.id] = case.incident_id
    now = datetime.now(UTC)
    for view in views.values():
        started = min([as_utc(view.incident.detected_at), *(as_utc(c.created_at) for c in view.cases)])
        ended = as_utc(view.incident.closed_at) if view.incident.closed_at else None
        view.ongoing = ended is None
        view.duration = duration_vi((ended or now) - started)
    if of_case:
        # The notices the incident sent reporters (known, fixed): the outbox rows of its cases.
        notices = (
            select(OutboxMessage.case_id, OutboxMessage.status, func.count())
            .where(  # type: ignore[call-overload]
                col(OutboxMessage.case_id).in_(list(of_case)), OutboxMessage.purpose == "notice"
            )
            .group_by(col(OutboxMessage.case_id), col(OutboxMessage.status))
        )
        tally: defaultdict[int, Counter[str]] = defaultdict(Counter)
        for case_id, status, n in (await session.exec(notices)).all():
            if case_id is not None:
                tally[of_case[case_id]][status] += int(n)
        for incident_id, counts in tally.items():
            views[incident_id].notices_sent = counts["sent"]
            views[incident_id].notices_pending = sum(n for s, n in counts.items() if s != "sent")
    return list(views.values())


def since_days(now: datetime, days: int | None) -> datetime | None:
    return now - timedelta(days=days) if days else None


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
