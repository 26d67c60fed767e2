"""Erasing personal data (Decree 13/2023): what the retention purge (bot/purge.py) and a person's
own request (`/xoadulieu`, handlers/citizen/erase.py) both do.

A case loses everything that identifies or describes a person — description, dossier code,
procedure, phone, rating comment, resolution and escalation texts, every message text of its
thread, its files' references and names, the free-text notes of its audit trail, and the stored
outbound messages about it — and keeps what the statistics need (unit, system, FAQ topic,
priority, role, status, every time stamp, rating, assignee, escalation flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    Conversation,
    FaqQuery,
    OutboxMessage,
    ProcessedUpdate,
    Reporter,
)

ERASED = "[đã xóa theo thời hạn lưu trữ]"
ERASED_ON_REQUEST = "[đã xóa theo yêu cầu của người phản ánh]"
# Outbox rows that are done with; pending ones are still to be delivered and are left alone.
# "held": a staff-group message of a case an incident gathered and nobody opened (issue #23):
# for a case closed long ago it will never go out, and it carries the description.
FINISHED = ("sent", "failed", "held")
# On a person's request, their words must not go out after it either (a merged follow-up
# still gathering, a relay not yet sent): every row but one being sent right now.
NOT_IN_FLIGHT = ("sent", "failed", "held", "pending", "scheduled", "deferred")


@dataclass
class Erased:
    cases: int = 0
    messages: int = 0
    attachments: int = 0
    outbox: int = 0


async def erase_cases(
    session: AsyncSession,
    cases: Sequence[Case],
    *,
    marker: str = ERASED,
    statuses: tuple[str, ...] = FINISHED,
) -> Erased:
    """Erase the personal data of `cases` (already loaded in `session`)."""
    done = Erased(cases=len(cases))
    for case in cases:
        case.description = marker
        case.dossier_code = None
        case.procedure_name = None  # free text: people write names and dates in it
        case.picture_text = None  # read in their screenshots (#21)
        case.phone = None
        case.rating_comment = None
        case.resolution = marker if case.resolution else None
        case.escalation_reason = marker if case.escalation_reason else None
        case.personal_data_erased = True
    ids = [c.id for c in cases if c.id is not None]
    for chunk in _chunks(ids):
        messages = (await session.exec(select(CaseMessage).where(col(CaseMessage.case_id).in_(chunk)))).all()
        for message in messages:
            if message.text != marker:
                message.text = marker
                done.messages += 1
            if message.direction == "in":
                message.author = None
        attachments = (await session.exec(select(Attachment).where(col(Attachment.case_id).in_(chunk)))).all()
        for attachment in attachments:
            attachment.file_ref = ""
            attachment.file_name = None
            attachment.text = None
            done.attachments += 1
        events = (await session.exec(select(CaseEvent).where(col(CaseEvent.case_id).in_(chunk)))).all()
        for event in events:
            event.note = None
        result = await session.exec(
            update(OutboxMessage)  # type: ignore[call-overload]
            .where(col(OutboxMessage.case_id).in_(chunk), col(OutboxMessage.status).in_(statuses))
            .values(payload={"text": marker})
        )
        done.outbox += int(result.rowcount or 0)
    return done


def anonymise(reporter: Reporter) -> bool:
    """Forget who the person is; True when there was anything to forget."""
    had = bool(reporter.display_name or reporter.username or reporter.phone)
    reporter.display_name = None
    reporter.username = None
    reporter.phone = None
    return had


async def erase_person(session: AsyncSession, reporter: Reporter, conversation: Conversation) -> Erased:
    """Everything the bot keeps about one person, at their request (their cases already closed by
    the caller). Their messenger id stays: it is how the bot knows whom it is talking to."""
    assert reporter.id is not None
    cases = (
        await session.exec(
            select(Case).where(Case.reporter_id == reporter.id, col(Case.personal_data_erased).is_(False))
        )
    ).all()
    done = await erase_cases(session, cases, marker=ERASED_ON_REQUEST, statuses=NOT_IN_FLIGHT)
    anonymise(reporter)
    reporter.consent = None  # withdrawn: asked again if they ever report again
    reporter.consent_at = None
    reporter.role = None
    reporter.unit_code = None
    await session.exec(
        update(FaqQuery)  # type: ignore[call-overload]
        .where(col(FaqQuery.channel) == reporter.channel, col(FaqQuery.user_id) == reporter.external_id)
        .values(text=ERASED_ON_REQUEST)
    )
    # What the bot said to them (it quotes them: summaries, relays): the replies already sent.
    result = await session.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(
            col(OutboxMessage.channel) == reporter.channel,
            col(OutboxMessage.chat_id) == conversation.chat_id,
            col(OutboxMessage.status).in_(FINISHED),
        )
        .values(payload={"text": ERASED_ON_REQUEST})
    )
    done.outbox += int(result.rowcount or 0)
    table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
    await session.exec(
        table.update()
        .where(table.c.channel == reporter.channel, table.c.user_id == reporter.external_id)
        .values(user_id=None)
    )
    return done


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
