"""/taofaq, /suafaq, /traloi and the draft card's buttons and replies (flow: handlers/FLOWS.md,
"Knowledge base"). Registered on the staff desk's command and button tables (bot.knowledge)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from sqlmodel import col, select

from handlers.citizen.language import case_texts
from handlers.citizen.lookup import CODE_PATTERN, find_code
from handlers.events import ChatKind, Incoming, Kind, Outgoing
from handlers.knowledge import texts as K
from handlers.knowledge.card import (
    BUTTON,
    CARD,
    FIELDS,
    PROMPT,
    apply_edit,
    card,
    copy_fields,
    prompt,
    read_edit,
)
from handlers.knowledge.entries import entry_from_case, mask_personal
from handlers.knowledge.publish import Publisher
from handlers.staff import texts as S
from handlers.staff.common import actor_name, refuse, say
from handlers.textutil import clean_text, fold, parse_id, shorten
from storage import faq_repo, repo
from storage.faq_models import FaqEvalRow, FaqStatus, FaqTopicRecord
from storage.models import Case, CaseStatus, FaqQuery, OutboxMessage

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.knowledge.live import LiveKnowledge
    from handlers.staff.desk import StaffDesk

__all__ = ["BUTTON", "FIELDS", "KnowledgeDesk", "KnowledgeStaff"]


class KnowledgeDesk:
    def __init__(self, desk: StaffDesk, live: LiveKnowledge) -> None:
        self.desk = desk
        self.live = live
        self.publisher = Publisher(desk, live)

    # -- commands --------------------------------------------------------------------------

    async def _case(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], command: str
    ) -> tuple[Case | None, str]:
        """The case the command is about (its thread, the message it replies to, or a code typed)."""
        case = await self.desk.case_of_thread(session, event)
        args = clean_text(event.args)
        code = find_code(args)
        if code:
            case = await repo.case_by_code(session, code)
            if case is None:
                say(event, out, S.CASE_NOT_FOUND.format(code=code))
                return None, args
            args = CODE_PATTERN.sub("", args, count=1).strip()
        if case is None:
            say(event, out, S.NEED_CASE.format(command=command))
        return case, args

    async def taofaq(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """/taofaq [câu hỏi mẫu] on a resolved case: a draft topic in the database, shown as a card."""
        case, question = await self._case(session, event, out, "taofaq")
        if case is None:
            return
        if not case.resolution or case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            # A reopened case's resolution did not solve it: not something to teach the bot.
            say(event, out, K.DRAFT_NO_RESOLUTION.format(code=case.code))
            return
        actor = actor_name(event)
        entry = entry_from_case(case, question)
        row = FaqTopicRecord(
            slug=entry["id"],
            title=entry["title"],
            audience=entry["audience"],
            system=entry["system"],
            answer=entry["answer"],
            examples=entry["examples"],
            status=FaqStatus.DRAFT,
            case_id=case.id,
            created_by=actor,
        )
        await faq_repo.record_change(
            session, row, actor=actor, reason=f"/taofaq từ phản ánh {case.code}", bump=False
        )
        await repo.add_event(session, case, "faq_draft", actor=actor, note=f"#{row.id} {row.slug}")
        say(event, out, K.DRAFT_CREATED.format(actor=actor, id=row.id, code=case.code))
        out.append(card(event, row, code=case.code))

    async def suafaq(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """/suafaq ten_chu_de: a draft copy of a live topic, edited and approved like a new one."""
        slug = fold(clean_text(event.args)).replace(" ", "_")
        if not slug:
            say(event, out, K.NEED_TOPIC.format(command="suafaq"))
            return
        target = await self._live(session, event, out, slug)
        if target is None:
            return
        pending = (
            await session.exec(
                select(FaqTopicRecord).where(
                    FaqTopicRecord.draft_of == target.id, FaqTopicRecord.status == FaqStatus.DRAFT
                )
            )
        ).first()
        if pending is not None:
            say(event, out, K.EDIT_PENDING.format(slug=target.slug, id=pending.id))
            out.append(card(event, pending, target=target.slug))
            return
        actor = actor_name(event)
        row = FaqTopicRecord(
            slug=target.slug,
            title=target.title,
            status=FaqStatus.DRAFT,
            draft_of=target.id,
            file=target.file,
            created_by=actor,
        )
        copy_fields(target, row)
        await faq_repo.record_change(session, row, actor=actor, reason=f"/suafaq {target.slug}", bump=False)
        say(event, out, K.EDIT_OPENED.format(actor=actor, id=row.id, slug=target.slug))
        out.append(card(event, row, target=target.slug))

    async def traloi(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """/traloi ten_chu_de in a case thread: the topic's answer goes to the reporter as the
        task force's reply (in English when the reporter uses English and the topic has it)."""
        case, args = await self._case(session, event, out, "traloi")
        if case is None:
            return
        slug = fold(args.split()[0]).replace(" ", "_") if args.split() else ""
        if not slug:
            say(event, out, K.NEED_TOPIC.format(command="traloi"))
            return
        view = self.live.stage.topic(slug)
        if view is None:
            self._no_topic(event, out, slug)
            return
        if case.status == CaseStatus.CLOSED:
            say(event, out, S.CLOSED_ALREADY.format(code=case.code), case=case)
            return
        texts = await case_texts(session, case)
        english = texts.LANGUAGE == "en" and bool(view.answer_en)
        answer = (view.answer_en if english else view.answer) or view.answer
        await self.desk.actions.relay(
            session, replace(event, kind=Kind.TEXT, text=answer, attachments=[]), out, case
        )
        actor = actor_name(event)
        # Counted per topic with the FAQ's own figures ("answered by staff with /traloi").
        await repo.add_event(session, case, "faq_answer", actor=actor, note=slug)
        if case.description:
            # Staff confirmed this topic answers this message: the publish gate keeps it answered.
            text = mask_personal(shorten(case.description, 500))
            session.add(FaqEvalRow(text=text, topic=slug, source=f"/traloi {case.code}"))
        language = K.SENT_IN_ENGLISH if english else ""
        say(
            event,
            out,
            K.SENT_ANSWER.format(actor=actor, title=view.title, slug=slug, code=case.code, language=language),
            case=case,
        )

    async def _live(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], slug: str
    ) -> FaqTopicRecord | None:
        row = await faq_repo.live_by_slug(session, slug)
        if row is None or row.status != FaqStatus.PUBLISHED:
            self._no_topic(event, out, slug)
            return None
        return row

    def _no_topic(self, event: Incoming, out: list[Outgoing], slug: str) -> None:
        known = list(self.live.knowledge.topics)
        found = process.extract(slug, known, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        if found:
            say(event, out, K.NO_TOPIC_SUGGEST.format(slug=slug, suggestions=", ".join(f[0] for f in found)))
        else:
            say(event, out, K.NO_TOPIC.format(slug=slug))

    async def reload(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """/taifaq: read the published topics again now (every instance also does it by itself)."""
        try:
            await self.live.refresh(session, force=True)
        except Exception as exc:  # the running knowledge base stays; say why
            say(event, out, K.RELOAD_FAILED.format(reason=type(exc).__name__))
            return
        say(event, out, K.RELOADED.format(count=len(self.live.knowledge.topics)))

    # -- the card's buttons and replies ------------------------------------------------------

    async def button(self, session: AsyncSession, event: Incoming, out: list[Outgoing], arg: str) -> None:
        verb, _, raw = arg.partition(".")
        row_id = parse_id(raw)
        if verb == "gap":
            await self.from_gap(session, event, out, row_id)
            return
        version = None
        if verb == "publish":  # the follow-up of ✅ Duyệt once the gate ran: "<id>-<version>"
            raw_id, _, raw_version = raw.partition("-")
            row_id, version = parse_id(raw_id), parse_id(raw_version)
        row = await session.get(FaqTopicRecord, row_id) if row_id is not None else None
        if row is None or row.status != FaqStatus.DRAFT:
            refuse(event, out, K.DRAFT_GONE)
            return
        if verb == "edit":
            out.append(prompt(event, row))
        elif verb in ("approve", "publish"):
            await self.publisher.approve(session, event, out, row, version)
        elif verb == "retire":
            await self.publisher.retire(session, event, out, row)
        elif verb == "drop":
            before = faq_repo.as_entry(row)
            row.status = FaqStatus.RETIRED
            actor = actor_name(event)
            await faq_repo.record_change(session, row, actor=actor, reason="bỏ bản nháp", before=before)
            say(event, out, K.DROPPED.format(actor=actor, id=row.id))
            out.append(card(event, row, edit=event.message_id))  # the card says so, without buttons

    async def from_gap(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], query_id: int | None
    ) -> None:
        """📝 Nháp under the unanswered questions: a draft whose first example is that question."""
        query = await session.get(FaqQuery, query_id) if query_id is not None else None
        if query is None:
            refuse(event, out, K.GAP_GONE)
            return
        text = mask_personal(shorten(query.text, 300))
        actor = actor_name(event)
        row = FaqTopicRecord(
            slug=f"nhap_cau_hoi_{query.id}",
            title=shorten(text[:1].upper() + text[1:], 100),
            examples=[text],
            status=FaqStatus.DRAFT,
            created_by=actor,
        )
        await faq_repo.record_change(
            session, row, actor=actor, reason="từ câu hỏi chưa có lời giải", bump=False
        )
        say(event, out, K.DRAFT_FROM_GAP.format(actor=actor, id=row.id))
        out.append(card(event, row))

    async def edit_reply(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], row_id: int
    ) -> None:
        """A reply to the card or to the ✏️ prompt: "tiêu đề: …", "câu hỏi: …" and so on."""
        row = await session.get(FaqTopicRecord, row_id)
        if row is None:
            say(event, out, K.DRAFT_GONE)
            return
        if row.status != FaqStatus.DRAFT:
            state = K.CARD_STATE.get(row.status, row.status).rstrip(".").lower()
            say(event, out, K.EDIT_CLOSED.format(id=row.id, state=state, slug=row.slug))
            return
        edit = read_edit(event.text)
        if not edit.field:
            say(event, out, K.EDIT_UNCLEAR.format(id=row.id))
            return
        name = K.FIELD_NAMES[edit.field]
        if not edit.value:
            say(event, out, K.EDIT_EMPTY.format(field=name, id=row.id))
            return
        before = faq_repo.as_entry(row)
        trouble = apply_edit(row, edit)
        if trouble:
            say(event, out, K.EDIT_BAD_VALUE.format(id=row.id, problem=trouble))
            return
        actor = actor_name(event)
        await faq_repo.record_change(session, row, actor=actor, reason=f"sửa {name}", before=before)
        say(event, out, K.EDIT_DONE.format(actor=actor, field=name, id=row.id))
        target = await session.get(FaqTopicRecord, row.draft_of) if row.draft_of else None
        message = await card_message(session, event.chat_id, row.id)
        out.append(card(event, row, target=target.slug if target else None, edit=message))


async def card_message(session: AsyncSession, chat_id: str, row_id: int | None) -> int | None:
    """The message of the draft's latest card in this chat, once sent (None: not sent yet)."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.purpose == f"{CARD}:{row_id}",
            col(OutboxMessage.sent_message_id).is_not(None),
        )
        .order_by(col(OutboxMessage.id).desc())
    )
    row = (await session.exec(statement)).first()
    return parse_id(row.sent_message_id or "") if row is not None else None


class KnowledgeStaff:
    """The staff handler with the knowledge base's replies first: a reply to a draft's card or
    to its ✏️ prompt edits the draft; everything else goes to the staff desk as before."""

    def __init__(self, inner: Any, knowledge: KnowledgeDesk) -> None:
        self.inner = inner
        self.knowledge = knowledge

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def handle(self, session: AsyncSession, event: Incoming) -> list[Outgoing]:
        row_id = await self._draft_replied(session, event)
        if row_id is not None and await self.knowledge.desk.directory.is_staff(event.user_id):
            out: list[Outgoing] = []
            await self.knowledge.edit_reply(session, event, out, row_id)
            return out
        result: list[Outgoing] = await self.inner.handle(session, event)
        return result

    @staticmethod
    async def _draft_replied(session: AsyncSession, event: Incoming) -> int | None:
        replied = event.reply_to_message_id
        if (
            event.chat_kind != ChatKind.STAFF
            or event.kind != Kind.TEXT
            or event.edited
            or replied is None
            or replied == event.thread_id
        ):
            return None
        row = (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == event.chat_id,
                    OutboxMessage.sent_message_id == str(replied),
                    col(OutboxMessage.purpose).startswith("faq_"),
                )
            )
        ).first()
        if row is None:
            return None
        kind, _, raw = row.purpose.partition(":")
        return parse_id(raw) if kind in (CARD, PROMPT) else None
