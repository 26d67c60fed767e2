"""What staff do to a case: take it, ask the reporter, close, reopen, escalate, note, answer.

Each action checks that it fits the case's status first and changes nothing when it does not
(a button on an old card, two people at once); the refusal goes to the one who acted only
(handlers.staff.common.refuse). Every change writes an audit event with the actor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from handlers.citizen.language import case_texts, rating_choices_in
from handlers.events import Incoming, Kind, Outgoing, Reply
from handlers.staff import texts as S
from handlers.staff.cards import CLOSED_STATES
from handlers.staff.common import actor_name, addressed, is_assignee, refuse, say, staff_label
from handlers.textutil import clean_text, parse_user_id, shorten
from storage import repo
from storage.models import Case, CaseMessage, CaseStatus

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

# The bot's prompts, marked in their outbox payload ("prompt"): a reply to one is the question or
# the result it asked for. They go out as staff answers (purpose "staff", the first lane).
ASK_PROMPT = "ask_prompt"
CLOSE_PROMPT = "close_prompt"


def not_now(action: str, case: Case) -> str:
    return S.NOT_NOW[action].format(code=case.code, state=S.STATE_WORDS.get(case.status, case.status))


class CaseActions:
    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk

    # -- taking and handing over -----------------------------------------------------------

    async def take(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case) -> None:
        if case.status not in CaseStatus.OPEN:
            refuse(event, out, not_now("take", case))
            return
        if is_assignee(case, event):
            refuse(event, out, S.TOOK_ALREADY.format(code=case.code))
            return
        # Assigned by /giao counts as taken too: only that person or a leader.
        taken = case.assignee_id is not None or bool(case.assignee_name)
        if taken and not self.desk.directory.is_leader(event.user_id):
            refuse(event, out, S.ALREADY_ASSIGNED.format(code=case.code, assignee=case.assignee_name))
            return
        actor = actor_name(event)
        await self.assign_to_sender(session, event, case)
        if case.status in (CaseStatus.NEW, CaseStatus.WAITING_REPORTER):
            await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor)
        say(event, out, S.TOOK.format(actor=actor, code=case.code), case=case)

    async def assign_to_sender(self, session: AsyncSession, event: Incoming, case: Case) -> None:
        """Make the sender the case's assignee, with the audit event /nhan writes."""
        actor = actor_name(event)
        case.assignee_id = parse_user_id(event.user_id)
        case.assignee_name = actor
        await repo.add_event(session, case, "assigned", actor=actor, note=actor)
        self.desk.touch(case)

    async def _claim_if_unassigned(self, session: AsyncSession, event: Incoming, case: Case) -> None:
        """Whoever acts on a case nobody has taken is handling it (so /hangdoi, the card and the
        per-person figures say who), as if they had pressed "Nhận xử lý"."""
        if not case.assignee_name and case.assignee_id is None:
            await self.assign_to_sender(session, event, case)

    # -- asking the reporter ---------------------------------------------------------------

    async def ask(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, question: str
    ) -> None:
        """/chobosung câu hỏi, or the reply to the "Hỏi thêm" prompt; no question: the prompt."""
        if case.status not in CaseStatus.OPEN:
            refuse(event, out, not_now("ask", case))
            return
        question = clean_text(question)
        if not question:
            # A request for "more information" with no question would leave the reporter guessing
            # and count as a first response: ask staff for the question instead.
            say(event, out, addressed(event, S.ASK_PROMPT.format(code=case.code)), case=case)
            out[-1].options = {"prompt": ASK_PROMPT, "force_reply": True}
            return
        actor = actor_name(event)
        await self._claim_if_unassigned(session, event, case)
        await repo.set_status(session, case, CaseStatus.WAITING_REPORTER, actor=actor, note=question)
        self.desk.touch(case)
        self.mark_first_response(case)
        assert case.id is not None
        session.add(
            CaseMessage(
                case_id=case.id,
                direction="out",
                author=actor,
                text=question,
                staff_message_id=event.message_id if event.kind == Kind.TEXT else None,
            )
        )
        t = await case_texts(session, case)
        text = f"{t.STAFF_REPLY.format(code=case.code, text=question)}\n\n{t.CASE_WAITING.format(code=case.code)}"
        out.append(self.desk.queue.to_reporter(case, Reply(text, language=t.LANGUAGE)))
        say(event, out, S.WAITING.format(code=case.code, actor=actor), case=case)

    # -- closing and reopening -------------------------------------------------------------

    async def close(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, resolution: str
    ) -> None:
        """/dong kết quả, or the reply to the "Đóng" prompt; no result: the prompt."""
        if case.status == CaseStatus.CLOSED or (case.status == CaseStatus.RESOLVED and not resolution):
            refuse(event, out, not_now("close", case))
            return
        resolution = clean_text(resolution)
        if not resolution:
            say(event, out, addressed(event, S.CLOSE_PROMPT.format(code=case.code)), case=case)
            out[-1].options = {"prompt": CLOSE_PROMPT, "force_reply": True}
            return
        actor = actor_name(event)
        assert case.id is not None
        await self._claim_if_unassigned(session, event, case)
        case.resolution = resolution
        # The rating request below is for this resolution: an earlier rating and its comment
        # (a 🙁 that reopened the case) must not be reported with the new rating.
        case.rating = None
        case.rating_comment = None
        await repo.set_status(session, case, CaseStatus.RESOLVED, actor=actor, note=resolution)
        self.desk.touch(case)
        self.mark_first_response(case)
        session.add(CaseMessage(case_id=case.id, direction="out", author=actor, text=resolution))
        t = await case_texts(session, case)
        reply = Reply(
            t.CASE_RESOLVED.format(code=case.code, resolution=resolution),
            rating_choices_in(t, self.desk.rating_choices(case)),
            language=t.LANGUAGE,
        )
        out.append(self.desk.queue.to_reporter(case, reply, purpose="rating_request"))
        await self.desk.expect_rating(session, case)
        say(
            event,
            out,
            S.RESOLVED.format(actor=actor, code=case.code, resolution=shorten(resolution, 500)),
            case=case,
        )

    async def reopen(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, note: str
    ) -> None:
        leader = self.desk.directory.is_leader(event.user_id)
        if case.status in CaseStatus.OPEN:
            # Nothing to reopen: the reporter is told nothing (it was never closed for them).
            text = S.STILL_OPEN_ESCALATED if case.escalated and leader else S.STILL_OPEN
            refuse(event, out, text.format(code=case.code, status=staff_label(case.status)))
            return
        if case.escalated and not leader:
            refuse(event, out, S.LEADER_ONLY.format(action="mở lại phản ánh đã chuyển vượt thẩm quyền"))
            return
        actor = actor_name(event)
        await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor, note=note or None)
        case.rating = None
        self.desk.touch(case)
        say(event, out, S.REOPENED.format(actor=actor, code=case.code), case=case)
        t = await case_texts(session, case)
        reply = Reply(t.CASE_REOPENED.format(code=case.code), language=t.LANGUAGE)
        out.append(self.desk.queue.to_reporter(case, reply, purpose="notice"))

    # -- escalation ------------------------------------------------------------------------

    async def escalate(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, reason: str
    ) -> None:
        if not reason:
            say(event, out, S.NEED_TEXT.format(command="vuotthamquyen", example="lý do"))
            return
        actor = actor_name(event)
        if case.status not in CaseStatus.OPEN:
            await repo.set_status(
                session, case, CaseStatus.IN_PROGRESS, actor=actor, note="Mở lại để chuyển vượt thẩm quyền"
            )
        case.escalated = True
        case.escalation_reason = reason
        case.escalated_at = datetime.now(UTC)
        await repo.add_event(session, case, "escalated", actor=actor, note=reason)
        self.desk.touch(case)
        say(event, out, S.ESCALATED.format(code=case.code, actor=actor, reason=reason), case=case)
        t = await case_texts(session, case)
        reply = Reply(t.CASE_ESCALATED.format(code=case.code), language=t.LANGUAGE)
        out.append(self.desk.queue.to_reporter(case, reply, purpose="notice"))

    async def unescalate(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, note: str
    ) -> None:
        """A leader takes the escalation back: the task force handles the case itself again."""
        if not self.desk.directory.is_leader(event.user_id):
            refuse(event, out, S.LEADER_ONLY.format(action="bỏ đánh dấu vượt thẩm quyền"))
            return
        if not case.escalated:
            refuse(event, out, S.NOT_ESCALATED.format(code=case.code))
            return
        actor = actor_name(event)
        case.escalated = False
        case.escalated_at = None
        await repo.add_event(
            session, case, "escalation_cleared", actor=actor, note=note or case.escalation_reason
        )
        case.escalation_reason = None
        self.desk.touch(case)
        say(event, out, S.UNESCALATED.format(actor=actor, code=case.code), case=case)

    # -- notes and answers -----------------------------------------------------------------

    async def note(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, text: str
    ) -> None:
        if not text:
            say(event, out, S.NEED_TEXT.format(command="ghichu", example="nội dung ghi chú"))
            return
        actor = actor_name(event)
        assert case.id is not None
        session.add(CaseMessage(case_id=case.id, direction="note", author=actor, text=text))
        await repo.add_event(session, case, "note", actor=actor)
        say(event, out, S.NOTE_SAVED, case=case)

    async def relay(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case) -> None:
        """A staff message in the case thread goes to the reporter, marked as the task force's answer."""
        if case.status == CaseStatus.CLOSED:
            say(event, out, S.CLOSED_ALREADY.format(code=case.code), case=case)
            return
        actor = actor_name(event)
        text = clean_text(event.text)
        assert case.id is not None
        stored = text or f"[{len(event.attachments)} tệp]"
        session.add(
            CaseMessage(
                case_id=case.id, direction="out", author=actor, text=stored, staff_message_id=event.message_id
            )
        )
        t = await case_texts(session, case)
        body = t.STAFF_REPLY.format(code=case.code, text=text or t.STAFF_REPLY_FILES)
        out.append(
            self.desk.queue.to_reporter(
                case, Reply(body, attachments=list(event.attachments), language=t.LANGUAGE)
            )
        )
        if any(not self.desk.carries(case.channel, file) for file in event.attachments):
            # A file the reporter's messenger cannot show: the person only learns that one was sent.
            say(event, out, S.FILES_NOT_SHOWN.format(code=case.code), case=case)
        self.mark_first_response(case)
        await self._claim_if_unassigned(session, event, case)
        if case.status == CaseStatus.NEW:
            await repo.set_status(
                session, case, CaseStatus.IN_PROGRESS, actor=actor, note="Đã trả lời người phản ánh"
            )
            self.desk.touch(case)
        case.updated_at = datetime.now(UTC)

    async def correct(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], message: CaseMessage
    ) -> None:
        """A relayed staff message was edited: the reporter gets the new text as a correction."""
        text = clean_text(event.text)
        case = await session.get(Case, message.case_id)
        if case is None or not text or text == message.text:
            return
        if case.status == CaseStatus.CLOSED:
            say(event, out, S.CLOSED_ALREADY.format(code=case.code), case=case)
            return
        message.text = text
        await repo.add_event(session, case, "correction", actor=actor_name(event), note=shorten(text, 300))
        t = await case_texts(session, case)
        header = t.CORRECTION_HEADER.format(code=case.code)
        out.append(self.desk.queue.to_reporter(case, Reply(f"{header}\n\n{text}", language=t.LANGUAGE)))
        say(event, out, S.CORRECTED.format(code=case.code), case=case)

    @staticmethod
    def mark_first_response(case: Case) -> None:
        if case.first_response_at is None:
            case.first_response_at = datetime.now(UTC)


__all__ = ["ASK_PROMPT", "CLOSED_STATES", "CLOSE_PROMPT", "CaseActions", "not_now"]
