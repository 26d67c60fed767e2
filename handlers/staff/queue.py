"""The task-force queue's side of a case: the card in the staff group and the case thread.

Messages for the staff group carry the case id; where exactly they land (a forum topic,
or replies to the card) is decided at send time by the delivery hooks, because the topic
or card may not exist yet when the message is queued. Flow diagram: handlers/FLOWS.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts as T
from handlers.events import AttachmentRef, Choice, Outgoing, Reply
from handlers.services import FaqStage, FormatTimeFn, UnitDirectory
from handlers.staff import texts as S
from handlers.staff.cards import CHANNEL_NAMES, CardView, card_buttons
from handlers.staff.relay import relay
from handlers.textutil import shorten
from storage import repo
from storage.models import Case, CaseEvent, CaseStatus, Incident, Reporter, aware, utcnow

__all__ = ["CHANNEL_NAMES", "IncidentCards", "Queue", "earlier_cases", "status_changed"]


class IncidentCards(Protocol):
    """The incident card, rendered when it is sent (handlers.incidents.hold.IncidentBoard)."""

    async def render(self, session: AsyncSession, incident_id: int) -> Reply | None: ...

    def topic_name(self, incident: Incident) -> str: ...

    async def pointer(self, session: AsyncSession, case: Case) -> Outgoing | None: ...


def status_changed(case: Case) -> bool:
    """Whether the case's status was changed in this transaction and not yet flushed."""
    state = inspect(case, raiseerr=False)
    return bool(state is not None and state.attrs.status.history.has_changes())


async def answered_just_now(session: AsyncSession, case: Case) -> bool:
    """The reporter's message moved the case from "chờ người phản ánh" back to work a moment ago
    (in this transaction, though already flushed; status_changed no longer sees it)."""
    if case.status != CaseStatus.IN_PROGRESS or case.id is None:
        return False
    statement = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "status")
        .order_by(col(CaseEvent.id).desc())
        .limit(1)
    )
    last = (await session.exec(statement)).first()
    return bool(
        last is not None
        and last.actor == "reporter"
        and last.from_status == CaseStatus.WAITING_REPORTER
        and aware(last.created_at) >= utcnow() - timedelta(seconds=5)
    )


async def earlier_cases(session: AsyncSession, case: Case) -> int:
    """How many cases the same person filed before this one (any channel account is one person)."""
    statement = (
        select(func.count())
        .select_from(Case)
        .where(Case.reporter_id == case.reporter_id, Case.created_at < case.created_at)
    )
    return int((await session.exec(statement)).one())  # type: ignore[call-overload]


class Queue:
    def __init__(
        self,
        *,
        staff_channel: str,
        staff_chat_id: str | None,
        units: UnitDirectory,
        faq: FaqStage,
        format_time: FormatTimeFn,
        timezone: str,
    ) -> None:
        self.staff_channel = staff_channel
        self.staff_chat_id = staff_chat_id
        self.units = units
        self.faq = faq
        self.format_time = format_time
        self.tz = ZoneInfo(timezone)
        self.cards = CardView(units, faq, format_time, self.tz)
        # Follow-ups of one person relayed one by one per minute; the rest merged (settings).
        self.relays_per_minute = 3
        self.digest_seconds = 60.0
        # Set by the incident desk when incidents are on (bot/jobs.install).
        self.incident_cards: IncidentCards | None = None

    # -- addressing ----------------------------------------------------------------------

    def to_thread(self, case: Case, reply: Reply, purpose: str = "case_thread") -> Outgoing | None:
        if not self.staff_chat_id:
            return None
        return Outgoing(self.staff_channel, self.staff_chat_id, reply, case_id=case.id, purpose=purpose)

    def to_group(self, reply: Reply, purpose: str = "staff") -> Outgoing | None:
        if not self.staff_chat_id:
            return None
        return Outgoing(self.staff_channel, self.staff_chat_id, reply, purpose=purpose)

    def to_reporter(self, case: Case, reply: Reply, purpose: str = "relay") -> Outgoing:
        return Outgoing(case.channel, case.chat_id, reply, case_id=case.id, purpose=purpose)

    # -- the card ------------------------------------------------------------------------

    def topic_name(self, case: Case) -> str:
        return self.cards.topic_name(case)

    def card_text(self, case: Case, reporter: Reporter | None, previous: int = 0) -> str:
        return self.cards.text(case, reporter, previous=previous)

    def card_buttons(self, case: Case) -> list[Choice]:
        return card_buttons(case)

    async def card(self, session: AsyncSession, case: Case) -> Reply:
        """The card as it should read now (its buttons follow the status)."""
        reporter = await session.get(Reporter, case.reporter_id)
        previous = await earlier_cases(session, case)
        return Reply(self.card_text(case, reporter, previous), self.card_buttons(case), columns=3)

    async def card_refresh(self, session: AsyncSession, case: Case) -> list[Outgoing]:
        """The card edited in place to show the case's current status and assignee, and the
        forum topic renamed (status icon) and closed or reopened with the case."""
        out = self.to_thread(case, await self.card(session, case), purpose="card_edit")
        if out is None:
            return []
        topic = self.to_thread(case, Reply(""), purpose="topic")
        assert topic is not None
        topic.options = {
            "topic_name": self.topic_name(case),
            "topic_closed": case.status == CaseStatus.CLOSED,
        }
        return [out, topic]

    # -- CaseHooks -----------------------------------------------------------------------

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        assert case.id is not None
        out = self.to_thread(case, await self.card(session, case), purpose="card")
        if out is None:
            return []
        out.reply_to_message_id = None
        result = [out]
        attachments = [
            AttachmentRef(a.kind, a.file_ref, a.file_name, a.mime_type, a.size)
            for a in await repo.case_attachments(session, case.id)
        ]
        if attachments:
            files = self.to_thread(case, Reply("", attachments=attachments))
            assert files is not None
            result.append(files)
        return result

    async def reporter_message(
        self,
        session: AsyncSession,
        case: Case,
        reporter: Reporter,
        text: str,
        attachments: list[AttachmentRef],
    ) -> list[Outgoing]:
        if not self.staff_chat_id:
            return []
        # An answer to "chờ người phản ánh" moved the case back to work in this transaction:
        # the card must not keep saying it waits for the reporter.
        answered = status_changed(case) or await answered_just_now(session, case)
        refresh = await self.card_refresh(session, case) if answered else []
        # A few a minute one by one, the rest merged: one person cannot fill the group's budget.
        return (
            await relay(
                session,
                case,
                text,
                attachments,
                staff_channel=self.staff_channel,
                staff_chat_id=self.staff_chat_id,
                per_minute=self.relays_per_minute,
                digest_seconds=self.digest_seconds,
            )
            + refresh
        )

    async def rating_received(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        if case.rating == "khong_hai_long" and case.incident_held:
            # Reopened after an incident resolved it without staff seeing it: post it now.
            from handlers.incidents.hold import release_held

            await release_held(session, [case])
        if case.rating_comment:
            # The comment comes after the rating, which the group has already seen (and the
            # card already shows): only the comment is new.
            comment = S.RATING_COMMENT.format(code=case.code, comment=shorten(case.rating_comment, 1500))
            out = self.to_thread(case, Reply(comment))
            return [out] if out else []
        lines = [S.RATING.format(code=case.code, rating=T.RATINGS.get(case.rating or "", case.rating or "—"))]
        if case.rating == "khong_hai_long":
            lines.append(S.RATING_REOPENED.format(code=case.code))
        out = self.to_thread(case, Reply("\n".join(lines)))
        return ([out] if out else []) + await self.card_refresh(session, case)
