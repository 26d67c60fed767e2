"""Staff commands and relays in the task force's group (flow diagram: handlers/FLOWS.md, "Queue").

Every staff action checks authorisation first and changes nothing when it is refused.
Every status change writes an audit event with the actor and time (storage.repo.set_status).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from faq.knowledge import MIN_EXAMPLES
from faq.knowledge import SYSTEMS as FAQ_SYSTEMS
from handlers.citizen import texts as T
from handlers.citizen.language import case_texts, rating_choices_in
from handlers.citizen.lookup import CODE_PATTERN, find_code
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind, Outgoing, Reply
from handlers.incidents.hold import release_held
from handlers.services import StaffDirectory
from handlers.staff import texts as S
from handlers.staff.queue import Queue
from handlers.textutil import (
    CCCD_NUMBER,
    PHONE_NUMBER,
    clean_text,
    normalize_phone,
    parse_id,
    parse_user_id,
    shorten,
)
from storage import repo
from storage.models import Case, CaseMessage, CaseStatus, Conversation, OutboxMessage

CASE_COMMANDS = frozenset({"nhan", "giao", "dong", "molai", "vuotthamquyen", "ghichu", "chobosung", "taofaq"})
GROUP_COMMANDS = frozenset({"hangdoi", "tim", "thongke", "trogiup", "help", "start"})
# Cases changed while handling one staff event (per asyncio task, so concurrent events never mix).
_TOUCHED: ContextVar[list[Case]] = ContextVar("touched_cases")
STAFF_COMMANDS = CASE_COMMANDS | GROUP_COMMANDS | {"baocao", "suco", "taifaq"}
# Staff commands sent to the bot in a private chat, not in the group (the engine hands them to
# the desk): /dangnhap answers with a one-time dashboard login link (bot.dashboard.login).
PRIVATE_STAFF_COMMANDS = frozenset({"dangnhap"})
# /taofaq drafts go here, outside faq/data/topics (all the knowledge base loads): the bot never
# answers from a draft before staff have reviewed it, moved it there and sent /taifaq. Relative
# to the bot's working directory, beside the default SQLite file (data/ is not in git).
FAQ_DRAFTS_DIR = Path("data") / "faq-drafts"
# Personal data that must not travel from a case into a knowledge-base draft (same shapes the
# log masking in bot/logging_setup.py hides): phone numbers and 12-digit citizen ID numbers.
_PERSONAL_NUMBERS = ((CCCD_NUMBER, "<số CCCD>"), (PHONE_NUMBER, "<số điện thoại>"))


def actor_name(event: Incoming) -> str:
    if event.username:
        return f"@{event.username}"
    return event.display_name or f"id {event.user_id}"


def handle_of(name: str) -> str:
    """"canbo_an" or "@canbo_an" as typed after /giao → "@canbo_an"."""
    return name if name.startswith("@") else f"@{name}"


def is_assignee(case: Case, event: Incoming) -> bool:
    """Whether the sender is who the case is assigned to.

    /nhan records the Telegram id; /giao @ten records only the @username (the bot cannot
    resolve a username to an id), so either one identifies the assignee. Telegram
    usernames are case-insensitive."""
    if case.assignee_id is not None and str(case.assignee_id) == event.user_id:
        return True
    return bool(event.username and case.assignee_name and case.assignee_name.lower() == f"@{event.username}".lower())


def _staff_label(status: str | None) -> str:
    return S.STATUS_LABELS.get(status or "", status or "")


class StaffDesk:
    def __init__(
        self,
        queue: Queue,
        directory: StaffDirectory,
        *,
        timezone: str,
        rating_choices: Callable[[Case], list[Choice]],
        faq_drafts_dir: Path = FAQ_DRAFTS_DIR,
    ) -> None:
        self.queue = queue
        self.faq_drafts_dir = faq_drafts_dir
        self.directory = directory
        self.tz = ZoneInfo(timezone)
        self.rating_choices = rating_choices
        self.extra: dict[str, Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]] = {}
        # Buttons of other desks ("staff:<action>:<arg>"), e.g. the incident card's "open case".
        self.buttons: dict[str, Callable[[AsyncSession, Incoming, list[Outgoing], str], Awaitable[None]]] = {}
        # Whether the reporter's messenger can show a file staff sent (set by bot/app.py from the
        # channel's sender: Zalo shows pictures by link or upload where configured, else names them).
        self.carries: Callable[[str, AttachmentRef], bool] = lambda channel, _file: channel == "telegram"

    def register(self, command: str, handler: Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]) -> None:
        self.extra[command] = handler

    def register_button(
        self, action: str, handler: Callable[[AsyncSession, Incoming, list[Outgoing], str], Awaitable[None]]
    ) -> None:
        self.buttons[action] = handler

    # -- entry ---------------------------------------------------------------------------

    async def handle(self, session: AsyncSession, event: Incoming) -> list[Outgoing]:
        out: list[Outgoing] = []
        touched: list[Case] = []
        token = _TOUCHED.set(touched)
        try:
            await self._dispatch(session, event, out)
        finally:
            _TOUCHED.reset(token)
        # A case held by an incident that staff act on (taken, answered, resolved one by one) is
        # someone's work now: its card and topic are posted (handlers.incidents.hold).
        await release_held(session, [c for c in touched if c.incident_held and c.status in CaseStatus.OPEN])
        # Cards of cases whose status or assignee changed are refreshed in place.
        for case in {id(c): c for c in touched}.values():
            out.extend(await self.queue.card_refresh(session, case))
        return out

    async def _dispatch(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        if event.kind == Kind.CHOICE and (event.choice or "").startswith("staff:"):
            await self._button(session, event, out)
        elif event.kind == Kind.COMMAND:
            await self._command(session, event, out)
        elif event.kind in (Kind.TEXT, Kind.ATTACHMENT):
            case = await self.case_of_thread(session, event)
            if case is not None and await self.directory.is_staff(event.user_id):
                await self._relay(session, event, case, out)

    @staticmethod
    def touch(case: Case) -> None:
        """Refresh this case's card at the end of the staff event being handled (if any)."""
        touched = _TOUCHED.get(None)
        if touched is not None:
            touched.append(case)

    def _say(self, event: Incoming, out: list[Outgoing], text: str) -> None:
        out.append(
            Outgoing(event.channel, event.chat_id, Reply(text), thread_id=event.thread_id,
                     reply_to_message_id=None if event.thread_id else event.message_id, purpose="staff")
        )

    async def case_of_thread(self, session: AsyncSession, event: Incoming) -> Case | None:
        """The case whose thread this message is in: its forum topic, or a reply to its card or relays."""
        if event.thread_id:
            case = (await session.exec(select(Case).where(Case.staff_thread_id == event.thread_id))).first()
            if case is not None:
                return case
        if event.topic_name and (code := find_code(event.topic_name)):
            case = await repo.case_by_code(session, code)
            if case is not None:
                return case
        if event.reply_to_message_id:
            case = (await session.exec(select(Case).where(Case.card_message_id == event.reply_to_message_id))).first()
            if case is not None:
                return case
            row = (
                await session.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.chat_id == event.chat_id,
                        OutboxMessage.sent_message_id == str(event.reply_to_message_id),
                        col(OutboxMessage.case_id).is_not(None),
                    )
                )
            ).first()
            if row is not None and row.case_id is not None:
                return await session.get(Case, row.case_id)
        return None

    # -- authorisation -------------------------------------------------------------------

    async def _authorised(self, event: Incoming, out: list[Outgoing]) -> bool:
        if await self.directory.is_staff(event.user_id):
            return True
        self._say(event, out, S.NOT_STAFF)
        return False

    # -- commands ------------------------------------------------------------------------

    async def _command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        command = (event.command or "").lower()
        if command not in STAFF_COMMANDS and command not in self.extra:
            if event.chat_kind == ChatKind.STAFF:
                self._say(event, out, S.STAFF_HELP)
            return
        if not await self._authorised(event, out):
            return
        args = clean_text(event.args)
        if command in self.extra:
            await self.extra[command](session, event, out)
            return
        if command in ("trogiup", "help", "start"):
            self._say(event, out, S.STAFF_HELP)
            return
        if command == "hangdoi":
            await self._queue_list(session, event, out)
            return
        if command == "tim":
            await self._search(session, event, out, args)
            return
        if command == "thongke":
            await self._stats(session, event, out)
            return
        case = await self.case_of_thread(session, event)
        code = find_code(args)
        if code:
            found = await repo.case_by_code(session, code)
            if found is None:
                self._say(event, out, S.CASE_NOT_FOUND.format(code=code))
                return
            case = found
            args = CODE_PATTERN.sub("", args, count=1).strip()
        if case is None:
            self._say(event, out, S.NEED_CASE.format(command=command))
            return
        await self._case_command(session, event, out, command, case, args)

    async def _case_command(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], command: str, case: Case, args: str
    ) -> None:
        actor = actor_name(event)
        leader = self.directory.is_leader(event.user_id)
        if command == "nhan":
            await self._take(session, event, out, case)
        elif command == "giao":
            if not args:
                self._say(event, out, S.NEED_TEXT.format(command="giao", example="@ten_can_bo"))
                return
            target = handle_of(args.split()[0])
            if case.assignee_name and case.assignee_name != target and not leader and not is_assignee(case, event):
                self._say(event, out, S.HANDOVER_REFUSED.format(code=case.code, assignee=case.assignee_name))
                return
            case.assignee_name = target
            case.assignee_id = None  # known by @name only until they act on the case
            await repo.add_event(session, case, "assigned", actor=actor, note=case.assignee_name)
            self.touch(case)
            if case.status == CaseStatus.NEW:
                await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor)
            self._say(event, out, S.ASSIGNED.format(code=case.code, assignee=case.assignee_name, actor=actor))
        elif command == "ghichu":
            if not args:
                self._say(event, out, S.NEED_TEXT.format(command="ghichu", example="nội dung ghi chú"))
                return
            assert case.id is not None
            session.add(CaseMessage(case_id=case.id, direction="note", author=actor, text=args))
            self._say(event, out, S.NOTE_SAVED)
        elif command == "dong":
            if not args:
                self._say(event, out, S.NEED_TEXT.format(command="dong", example="kết quả giải quyết"))
                return
            await self._resolve(session, event, out, case, args)
        elif command == "molai":
            if case.escalated and not leader:
                self._say(event, out, S.LEADER_ONLY.format(action="mở lại phản ánh đã chuyển vượt thẩm quyền"))
                return
            await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor, note=args or None)
            case.rating = None
            self.touch(case)
            self._say(event, out, S.REOPENED.format(actor=actor, code=case.code))
            t = await case_texts(session, case)
            reply = Reply(t.CASE_REOPENED.format(code=case.code), language=t.LANGUAGE)
            out.append(self.queue.to_reporter(case, reply, purpose="notice"))
        elif command == "vuotthamquyen":
            if not args:
                self._say(event, out, S.NEED_TEXT.format(command="vuotthamquyen", example="lý do"))
                return
            if case.status not in CaseStatus.OPEN:
                await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor, note="Mở lại để chuyển vượt thẩm quyền")
            case.escalated = True
            case.escalation_reason = args
            case.escalated_at = datetime.now(UTC)
            await repo.add_event(session, case, "escalated", actor=actor, note=args)
            self.touch(case)
            self._say(event, out, S.ESCALATED.format(code=case.code, actor=actor, reason=args))
            t = await case_texts(session, case)
            reply = Reply(t.CASE_ESCALATED.format(code=case.code), language=t.LANGUAGE)
            out.append(self.queue.to_reporter(case, reply, purpose="notice"))
        elif command == "chobosung":
            await self._wait_for_reporter(session, event, out, case, args)
        elif command == "taofaq":
            await self._faq_draft(session, event, out, case, args)

    async def _button(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        if not await self._authorised(event, out):
            return
        _, action, case_id = ((event.choice or "") + "::").split(":")[:3]
        if action in self.buttons:
            await self.buttons[action](session, event, out, case_id)
            return
        row_id = parse_id(case_id)
        case = await session.get(Case, row_id) if row_id is not None else None
        if case is None:
            return
        if action == "take":
            await self._take(session, event, out, case)
        elif action == "wait":
            await self._wait_for_reporter(session, event, out, case, "")
        elif action == "history":
            await self._history(session, event, out, case)

    # -- actions -------------------------------------------------------------------------

    async def _take(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case) -> None:
        actor = actor_name(event)
        # Assigned by /giao @tên (a name, no id) counts as taken too: only that person or a leader.
        taken = case.assignee_id is not None or bool(case.assignee_name)
        if taken and not is_assignee(case, event) and not self.directory.is_leader(event.user_id):
            self._say(event, out, S.ALREADY_ASSIGNED.format(code=case.code, assignee=case.assignee_name))
            return
        await self._assign_to_sender(session, event, case)
        if case.status in (CaseStatus.NEW, CaseStatus.WAITING_REPORTER):
            await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor)
        self._say(event, out, S.TOOK.format(actor=actor, code=case.code))

    async def _assign_to_sender(self, session: AsyncSession, event: Incoming, case: Case) -> None:
        """Make the sender the case's assignee, with the audit event /nhan writes."""
        actor = actor_name(event)
        case.assignee_id = parse_user_id(event.user_id)
        case.assignee_name = actor
        await repo.add_event(session, case, "assigned", actor=actor, note=actor)
        self.touch(case)

    async def _wait_for_reporter(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, question: str) -> None:
        actor = actor_name(event)
        await repo.set_status(session, case, CaseStatus.WAITING_REPORTER, actor=actor, note=question or None)
        self.touch(case)
        self._mark_first_response(case)
        t = await case_texts(session, case)
        text = t.CASE_WAITING.format(code=case.code)
        if question:
            assert case.id is not None
            session.add(CaseMessage(case_id=case.id, direction="out", author=actor, text=question))
            text = f"{t.STAFF_REPLY.format(code=case.code, text=question)}\n\n{text}"
        out.append(self.queue.to_reporter(case, Reply(text, language=t.LANGUAGE)))
        self._say(event, out, S.WAITING.format(code=case.code, actor=actor))

    async def _resolve(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, resolution: str) -> None:
        actor = actor_name(event)
        assert case.id is not None
        case.resolution = resolution
        # The rating request below is for this resolution: an earlier rating and its comment
        # (a 🙁 that reopened the case) must not be reported with the new rating.
        case.rating = None
        case.rating_comment = None
        await repo.set_status(session, case, CaseStatus.RESOLVED, actor=actor, note=resolution)
        self.touch(case)
        self._mark_first_response(case)
        session.add(CaseMessage(case_id=case.id, direction="out", author=actor, text=resolution))
        t = await case_texts(session, case)
        reply = Reply(
            t.CASE_RESOLVED.format(code=case.code, resolution=resolution),
            rating_choices_in(t, self.rating_choices(case)),
            language=t.LANGUAGE,
        )
        out.append(self.queue.to_reporter(case, reply, purpose="rating_request"))
        await self.expect_rating(session, case)
        self._say(event, out, S.RESOLVED.format(actor=actor, code=case.code, resolution=shorten(resolution, 500)))

    async def expect_rating(self, session: AsyncSession, case: Case) -> None:
        """Text-menu channels answer "1/2/3": put an idle reporter on the rating step."""
        reporter_user = await self._reporter_user_id(session, case)
        conversation = (
            await session.exec(
                select(Conversation).where(Conversation.channel == case.channel, Conversation.user_id == reporter_user)
            )
        ).first()
        if conversation is not None and conversation.step in ("idle", "new"):
            conversation.step = "rating"
            conversation.data = {"rating_case_id": case.id}

    async def _reporter_user_id(self, session: AsyncSession, case: Case) -> str:
        from storage.models import Reporter

        reporter = await session.get(Reporter, case.reporter_id)
        return reporter.external_id if reporter else ""

    def _mark_first_response(self, case: Case) -> None:
        if case.first_response_at is None:
            case.first_response_at = datetime.now(UTC)

    async def _relay(self, session: AsyncSession, event: Incoming, case: Case, out: list[Outgoing]) -> None:
        """A staff message in the case thread goes to the reporter, marked as the task force's answer."""
        if case.status == CaseStatus.CLOSED:
            self._say(event, out, S.CLOSED_ALREADY.format(code=case.code))
            return
        actor = actor_name(event)
        text = clean_text(event.text)
        assert case.id is not None
        session.add(CaseMessage(case_id=case.id, direction="out", author=actor, text=text or f"[{len(event.attachments)} tệp]", staff_message_id=event.message_id))
        t = await case_texts(session, case)
        body = t.STAFF_REPLY.format(code=case.code, text=text or t.STAFF_REPLY_FILES)
        out.append(self.queue.to_reporter(case, Reply(body, attachments=list(event.attachments), language=t.LANGUAGE)))
        if any(not self.carries(case.channel, file) for file in event.attachments):
            # A file the reporter's messenger cannot show: the person only learns that one was sent.
            self._say(event, out, S.FILES_NOT_SHOWN.format(code=case.code))
        self._mark_first_response(case)
        if not case.assignee_name and case.assignee_id is None:
            # Whoever answers a case nobody has taken is handling it: say so in /hangdoi and on
            # the card instead of leaving an answered case "chưa giao".
            await self._assign_to_sender(session, event, case)
        if case.status == CaseStatus.NEW:
            await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor, note="Đã trả lời người phản ánh")
            self.touch(case)
        case.updated_at = datetime.now(UTC)

    async def _faq_draft(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, question: str) -> None:
        """/taofaq [câu hỏi mẫu]: the case's resolution as a draft FAQ topic, saved for review."""
        if not case.resolution or case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            # A reopened case's resolution did not solve it: not something to teach the bot.
            self._say(event, out, S.FAQ_DRAFT_NO_RESOLUTION.format(code=case.code))
            return
        actor = actor_name(event)
        body = render_faq_draft(faq_draft_topic(case, question))
        when = datetime.now(UTC).astimezone(self.tz)
        header = (
            f"# Bản nháp FAQ từ phản ánh {case.code}, {actor} tạo lúc {when:%H:%M %d/%m/%Y}.\n"
            "# Bot không nạp thư mục này. Rà soát, bổ sung câu hỏi mẫu và từ khóa, rồi chuyển mục\n"
            "# dưới đây vào một tệp trong faq/data/topics/ và gõ /taifaq.\n"
        )
        try:
            path = await asyncio.to_thread(save_faq_draft, self.faq_drafts_dir, case.code, header + body)
        except OSError as exc:
            self._say(event, out, S.FAQ_DRAFT_FAILED.format(code=case.code, reason=exc.strerror or exc))
            return
        await repo.add_event(session, case, "faq_draft", actor=actor, note=str(path))
        self._say(event, out, S.FAQ_DRAFT_SAVED.format(
            actor=actor, code=case.code, path=path, draft=shorten_lines(body.strip(), 2500), min_examples=MIN_EXAMPLES,
        ))

    async def _history(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case) -> None:
        assert case.id is not None
        lines = [f"📋 Lịch sử {case.code}"]
        for item in await repo.case_events(session, case.id):
            when = item.created_at.astimezone(self.tz).strftime("%H:%M %d/%m")
            if item.kind == "status":
                change = f"{_staff_label(item.from_status)} → {_staff_label(item.to_status)}"
            else:
                change = S.EVENT_LABELS.get(item.kind, item.kind)
            lines.append(f"• {when} {item.actor or ''}: {change}" + (f" – {shorten(item.note, 120)}" if item.note else ""))
        for message in await repo.case_messages(session, case.id):
            when = message.created_at.astimezone(self.tz).strftime("%H:%M %d/%m")
            tag = {"in": "Người phản ánh", "out": f"Trả lời ({message.author})", "note": f"Ghi chú ({message.author})"}[message.direction]
            lines.append(f"• {when} {tag}: {shorten(message.text, 160)}")
        self._say(event, out, "\n".join(lines))

    # -- group-wide views ----------------------------------------------------------------

    def _age(self, case: Case, now: datetime) -> str:
        hours = (now - case.created_at).total_seconds() / 3600
        return f"{hours:.0f} giờ" if hours < 48 else f"{hours / 24:.0f} ngày"

    def _line(self, case: Case, now: datetime) -> str:
        unit = self.queue.units.get(case.unit_code or "")
        overdue = " ⚠️ QUÁ HẠN" if case.resolution_due and case.resolution_due < now else ""
        due = self.queue.format_time(case.resolution_due) if case.resolution_due else "—"
        escalated = S.QUEUE_ESCALATED_TAG if case.escalated else ""
        return (
            f"{T.STATUS_ICONS.get(case.status, '')} {case.code} · {unit.full_name if unit else 'Không rõ'} · "
            f"{self._age(case, now)} · {case.assignee_name or 'chưa giao'} · hạn {due}{overdue}{escalated}"
        )

    async def _queue_list(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        now = datetime.now(UTC)
        cases = (
            await session.exec(select(Case).where(col(Case.status).in_(CaseStatus.OPEN)).order_by(col(Case.created_at)))
        ).all()
        if not cases:
            self._say(event, out, S.QUEUE_EMPTY)
            return
        lines = [S.QUEUE_HEADER.format(count=len(cases))]
        lines += [self._line(case, now) for case in cases[:40]]
        if len(cases) > 40:
            lines.append(f"… và {len(cases) - 40} phản ánh khác")
        self._say(event, out, "\n".join(lines))

    async def _search(self, session: AsyncSession, event: Incoming, out: list[Outgoing], query: str) -> None:
        if not query:
            self._say(event, out, S.NEED_TEXT.format(command="tim", example="PA-… hoặc số điện thoại hoặc từ khóa"))
            return
        code = find_code(query)
        phone = normalize_phone(query)
        statement = select(Case)
        if code:
            statement = statement.where(Case.code == code)
        elif phone:
            statement = statement.where(Case.phone == phone)
        else:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(func.lower(Case.description).like(pattern), func.lower(col(Case.procedure_name)).like(pattern),
                    func.lower(col(Case.dossier_code)).like(pattern))
            )
        cases = (await session.exec(statement.order_by(col(Case.created_at).desc()).limit(20))).all()
        if not cases:
            self._say(event, out, S.SEARCH_EMPTY.format(query=shorten(query, 60)))
            return
        now = datetime.now(UTC)
        lines = [S.SEARCH_HEADER.format(query=shorten(query, 60))]
        for case in cases:
            lines.append(self._line(case, now))
            lines.append(f"   {shorten(case.description, 100)}")
        self._say(event, out, "\n".join(lines))

    async def _stats(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        now = datetime.now(UTC)
        rows = (await session.exec(select(Case.status, func.count()).group_by(Case.status))).all()  # type: ignore[call-overload]
        counts = {status: count for status, count in rows}
        today_start = now.astimezone(self.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        new_today = (await session.exec(select(func.count()).select_from(Case).where(Case.created_at >= today_start))).one()  # type: ignore[call-overload]
        open_cases = (await session.exec(select(Case).where(col(Case.status).in_(CaseStatus.OPEN)))).all()
        overdue = sum(1 for c in open_cases if c.resolution_due and c.resolution_due < now)
        escalated = (await session.exec(select(func.count()).select_from(Case).where(Case.escalated == True))).one()  # type: ignore[call-overload]  # noqa: E712
        week = now - timedelta(days=7)
        responded = (await session.exec(select(Case).where(Case.created_at >= week, col(Case.first_response_at).is_not(None)))).all()
        avg = (
            sum((c.first_response_at - c.created_at).total_seconds() for c in responded if c.first_response_at) / len(responded) / 3600
            if responded else None
        )
        lines = [
            "📊 Thống kê nhanh",
            f"• Mới hôm nay: {new_today}",
            f"• Đang mở: {len(open_cases)} (quá hạn: {overdue})",
        ]
        lines += [f"• {S.STATUS_LABELS[s]}: {counts.get(s, 0)}" for s in CaseStatus.ALL]
        lines.append(f"• Vượt thẩm quyền: {escalated}")
        lines.append(f"• Phản hồi đầu tiên trung bình 7 ngày qua: {avg:.1f} giờ" if avg is not None else "• Chưa có số liệu phản hồi 7 ngày qua")
        self._say(event, out, "\n".join(lines))


# -- FAQ drafts (/taofaq) -------------------------------------------------------------------


def scrub_personal(text: str) -> str:
    for pattern, replacement in _PERSONAL_NUMBERS:
        text = pattern.sub(replacement, text)
    return text


def _faq_audience(role: str | None) -> str:
    if role in T.OFFICER_ROLES:
        return "officer"
    return "citizen" if role in ("nguoi_dan", "doanh_nghiep") else "both"


def faq_draft_topic(case: Case, question: str = "") -> dict[str, Any]:
    """A topic entry in the shape of faq/data/topics/*.yaml (faq.knowledge.parse_topic).

    It is a starting point: fewer examples than the knowledge base requires and no keywords,
    so it cannot go live by accident before staff complete it. The reporter's words are
    scrubbed of phone and ID numbers; the resolution is staff's own text (a hotline number
    there is meant to be read) and is kept as written."""
    question = scrub_personal(clean_text(question))
    description = scrub_personal(shorten(case.description, 300))
    examples = list(dict.fromkeys(e for e in (question, description) if e))
    title = shorten(question or description or case.code, 100)
    return {
        "id": "nhap_" + case.code.lower().replace("-", "_"),
        "title": title[:1].upper() + title[1:],
        "audience": _faq_audience(case.reporter_role),
        "system": case.system if case.system in FAQ_SYSTEMS else "chung",
        "answer": (case.resolution or "").strip(),
        "examples": examples,
        "keywords": [],
    }


class _DraftDumper(yaml.SafeDumper):
    """Writes multi-line answers as | blocks, like the hand-written topic files."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_DraftDumper.add_representer(str, _represent_text)


def render_faq_draft(topic: dict[str, Any]) -> str:
    return yaml.dump({"topics": [topic]}, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=110)


def save_faq_draft(directory: Path, code: str, text: str) -> Path:
    """Write the draft as <code>.yaml, or <code>-2.yaml… if one exists: a second /taofaq must
    not overwrite a draft someone may be editing. Exclusive create, so two workers never share a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 100):
        path = directory / (f"{code}.yaml" if attempt == 1 else f"{code}-{attempt}.yaml")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        return path.resolve()
    raise FileExistsError(f"quá nhiều bản nháp cho {code} trong {directory}")


def shorten_lines(text: str, limit: int) -> str:
    """Cut a multi-line text at a line boundary (textutil.shorten would join the lines)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit("\n", 1)[0] + "\n…"
