"""One person's follow-ups reach the staff group without filling its budget (issue #17, point 3).

Telegram lets a bot post 20 messages a minute into a group, shared by every case. A person who
sends a follow-up every few seconds would take all of it: new cases and other people's answers
would wait behind them. So each person gets `relays_per_minute` separate relays a minute (their
case's thread sees those at once); anything more is merged into one message per case, stored as
an outbox row in status "scheduled" that gathers the next follow-ups until it is due
(`digest_seconds` later) and is then sent like any other row (bot.delivery.outbox promotes it).
A "scheduled" row never holds the group's queue back (only unsent rows do). Every follow-up is
also a CaseMessage of the case (handlers.citizen.followups), so nothing depends on this message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.events import AttachmentRef, Outgoing, Reply
from handlers.staff import texts as S
from handlers.textutil import shorten
from storage.models import Case, OutboxMessage, utcnow

SINGLE = "followup"
DIGEST = "followup_digest"
# A merged message stays under Telegram's 4096 characters and carries a few files at most
# (each file is one more API call against the group's budget); more starts another one.
_DIGEST_CHARS = 3500
_DIGEST_FILES = 5
_LINE_CHARS = 600


async def relay(
    session: AsyncSession,
    case: Case,
    text: str,
    attachments: list[AttachmentRef],
    *,
    staff_channel: str,
    staff_chat_id: str,
    per_minute: int,
    digest_seconds: float,
    now: datetime | None = None,
) -> list[Outgoing]:
    """The follow-up as its own message while the person is under the cap, else merged."""
    now = now or utcnow()
    if await _recent_relays(session, case.reporter_id, staff_chat_id, now) < per_minute:
        if text:
            body = S.FOLLOWUP.format(code=case.code, text=text)
        else:
            body = S.FOLLOWUP_FILES.format(code=case.code, count=len(attachments))
        reply = Reply(body, attachments=list(attachments))
        return [Outgoing(staff_channel, staff_chat_id, reply, case_id=case.id, purpose=SINGLE)]
    await merge(
        session,
        case,
        text,
        attachments,
        staff_channel=staff_channel,
        staff_chat_id=staff_chat_id,
        digest_seconds=digest_seconds,
        now=now,
    )
    return []


async def merge(
    session: AsyncSession,
    case: Case,
    text: str,
    attachments: list[AttachmentRef],
    *,
    staff_channel: str,
    staff_chat_id: str,
    digest_seconds: float,
    now: datetime | None = None,
) -> None:
    """Add a follow-up to the case's gathering message (a new one when there is none, or it is full)."""
    now = now or utcnow()
    line = shorten(text, _LINE_CHARS) if text else ""
    row = (
        await session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.case_id == case.id,
                OutboxMessage.purpose == DIGEST,
                OutboxMessage.status == "scheduled",
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(1)
        )
    ).first()
    digest: dict[str, Any] = dict(row.payload.get("digest") or {}) if row is not None else {}
    lines: list[str] = list(digest.get("lines", []))
    files: list[dict[str, Any]] = list(digest.get("files", []))
    full = row is None or sum(len(x) + 3 for x in lines) + len(line) > _DIGEST_CHARS
    if full or (attachments and len(files) + len(attachments) > _DIGEST_FILES):
        row, lines, files, digest = None, [], [], {}
    if line:
        lines.append(line)
    files += [a.to_dict() for a in attachments]
    digest = {"count": int(digest.get("count", 0)) + 1, "lines": lines, "files": files}
    reply = Reply(_text(case.code, digest), attachments=[AttachmentRef.from_dict(f) for f in files])
    payload = {**Outgoing(staff_channel, staff_chat_id, reply).payload(), "digest": digest}
    if row is None:
        session.add(
            OutboxMessage(
                channel=staff_channel,
                chat_id=staff_chat_id,
                case_id=case.id,
                purpose=DIGEST,
                status="scheduled",
                payload=payload,
                next_attempt_at=now + timedelta(seconds=digest_seconds),
                created_at=now,
            )
        )
    else:
        row.payload = payload  # a new dict: the JSON column sees the change
        session.add(row)


def _text(code: str, digest: dict[str, Any]) -> str:
    body = "\n".join(f"• {line}" for line in digest["lines"])
    head = S.FOLLOWUP_DIGEST.format(code=code, count=digest["count"])
    if digest["files"]:
        head += " " + S.FOLLOWUP_DIGEST_FILES.format(count=len(digest["files"]))
    return f"{head}\n{body}".rstrip()


async def _recent_relays(session: AsyncSession, reporter_id: int, staff_chat_id: str, now: datetime) -> int:
    """This person's separate relays to the group in the last minute (every case of theirs)."""
    cases = select(Case.id).where(Case.reporter_id == reporter_id)
    statement = select(func.count()).where(
        col(OutboxMessage.chat_id) == staff_chat_id,
        col(OutboxMessage.purpose) == SINGLE,
        col(OutboxMessage.created_at) >= now - timedelta(seconds=60),
        col(OutboxMessage.case_id).in_(cases),
    )
    return int((await session.exec(statement)).one())  # type: ignore[call-overload]
