"""A case's history in staff words, and /thongke (quick figures).

The history merges the audit events and the messages of the case in time order; internal
event names ("sla_escalation") and actors ("bot", "reporter") are said as staff say them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select

from handlers.citizen import texts as T
from handlers.events import Incoming, Outgoing
from handlers.staff import texts as S
from handlers.staff.common import say, staff_label
from handlers.textutil import shorten
from storage import repo
from storage.models import Case, CaseEvent, CaseStatus

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

_MESSAGE_TAGS = {"in": "Người phản ánh nhắn", "out": "trả lời người phản ánh", "note": "ghi chú nội bộ"}


def event_line(item: CaseEvent) -> str:
    actor = S.ACTORS.get(item.actor or "", item.actor or S.ACTORS["bot"])
    if item.kind == "status":
        what = f"{staff_label(item.from_status)} → {staff_label(item.to_status)}"
        if item.from_status is None or item.from_status == item.to_status:
            what = staff_label(item.to_status)
    elif item.kind == "rated":
        what = f"{S.EVENT_LABELS['rated']} {T.RATINGS.get(item.note or '', item.note or '')}"
        return f"{actor}: {what}"
    elif item.kind == "assigned":
        taken = item.note == item.actor
        return f"{actor}: " + (
            S.EVENT_LABELS["taken"] if taken else f"{S.EVENT_LABELS['assigned']} {item.note or '—'}"
        )
    elif item.kind == "note":
        return f"{actor}: {S.EVENT_LABELS['note']}"  # the note's text follows as a message
    else:
        what = S.EVENT_LABELS.get(item.kind, item.kind.replace("_", " "))
    return f"{actor}: {what}" + (f" – {shorten(item.note, 120)}" if item.note else "")


async def history(
    desk: StaffDesk, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case
) -> None:
    assert case.id is not None
    entries: list[tuple[datetime, str]] = []
    for item in await repo.case_events(session, case.id):
        if item.kind == "note":
            continue  # the note itself is listed below, with its words
        entries.append((item.created_at, event_line(item)))
    for message in await repo.case_messages(session, case.id):
        if message.direction == "in":
            line = f"{_MESSAGE_TAGS['in']}: {shorten(message.text, 160)}"
        else:
            line = f"{message.author or '—'} {_MESSAGE_TAGS[message.direction]}: {shorten(message.text, 160)}"
        entries.append((message.created_at, line))
    entries.sort(key=lambda entry: entry[0])
    lines = [f"📋 Lịch sử {case.code}"]
    lines += [f"• {when.astimezone(desk.tz):%H:%M %d/%m} {text}" for when, text in entries]
    say(event, out, "\n".join(lines), case=case)


async def stats(desk: StaffDesk, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
    now = datetime.now(UTC)
    rows = (await session.exec(select(Case.status, func.count()).group_by(Case.status))).all()  # type: ignore[call-overload]
    counts = {status: count for status, count in rows}
    today_start = now.astimezone(desk.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    new_today = (
        await session.exec(select(func.count()).select_from(Case).where(Case.created_at >= today_start))
    ).one()  # type: ignore[call-overload]
    open_cases = (await session.exec(select(Case).where(col(Case.status).in_(CaseStatus.OPEN)))).all()
    overdue = sum(1 for c in open_cases if c.resolution_due and c.resolution_due < now)
    escalated_rows = select(func.count()).select_from(Case).where(col(Case.escalated).is_(True))
    escalated = (await session.exec(escalated_rows)).one()  # type: ignore[call-overload]
    week = now - timedelta(days=7)
    responded = (
        await session.exec(
            select(Case).where(Case.created_at >= week, col(Case.first_response_at).is_not(None))
        )
    ).all()
    avg = (
        sum((c.first_response_at - c.created_at).total_seconds() for c in responded if c.first_response_at)
        / len(responded)
        / 3600
        if responded
        else None
    )
    lines = [
        "📊 Thống kê nhanh",
        f"• Mới hôm nay: {new_today}",
        f"• Đang mở: {len(open_cases)} (quá hạn: {overdue})",
    ]
    lines += [f"• {S.STATUS_LABELS[s]}: {counts.get(s, 0)}" for s in CaseStatus.ALL]
    lines.append(f"• Vượt thẩm quyền: {escalated}")
    lines.append(
        f"• Phản hồi đầu tiên trung bình 7 ngày qua: {avg:.1f} giờ"
        if avg is not None
        else "• Chưa có số liệu phản hồi 7 ngày qua"
    )
    say(event, out, "\n".join(lines))
