"""Staff commands, buttons and relays in the task force's group (flow: handlers/FLOWS.md, "Queue").

Every staff action checks authorisation first and changes nothing when it is refused.
Every status change writes an audit event with the actor and time (storage.repo.set_status).
The actions themselves live beside this module: actions (take, ask, close, reopen, escalate,
note, relay, correction), assign (/giao and the picker), listing (/hangdoi), search (/tim),
history (history, /thongke), drafts (/taofaq).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen.lookup import CODE_PATTERN, find_code
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind, Outgoing
from handlers.incidents.hold import release_held
from handlers.services import StaffDirectory
from handlers.staff import texts as S
from handlers.staff.actions import CaseActions, not_now
from handlers.staff.assign import Assignment
from handlers.staff.common import actor_name, handle_of, is_assignee, refuse, say
from handlers.staff.drafts import (
    FAQ_DRAFTS_DIR,
    faq_draft,
    faq_draft_topic,
    render_faq_draft,
    save_faq_draft,
    scrub_personal,
    shorten_lines,
)
from handlers.staff.history import history, stats
from handlers.staff.listing import QueueListing
from handlers.staff.queue import Queue
from handlers.staff.search import Search
from handlers.staff.threads import Threads
from handlers.textutil import clean_text, parse_id
from storage import repo
from storage.models import Case, CaseStatus, Conversation, Reporter

CASE_COMMANDS = frozenset(
    {"nhan", "giao", "dong", "molai", "vuotthamquyen", "bovuot", "ghichu", "chobosung", "taofaq"}
)
GROUP_COMMANDS = frozenset({"hangdoi", "tim", "thongke", "trogiup", "help", "start"})
# Cases changed while handling one staff event (per asyncio task, so concurrent events never mix).
_TOUCHED: ContextVar[list[Case]] = ContextVar("touched_cases")
STAFF_COMMANDS = CASE_COMMANDS | GROUP_COMMANDS | {"baocao", "suco", "taifaq"}
# Staff commands sent to the bot in a private chat, not in the group (the engine hands them to
# the desk): /dangnhap answers with a one-time dashboard login link (bot.dashboard.login).
PRIVATE_STAFF_COMMANDS = frozenset({"dangnhap"})
# How plain messages in a case's forum topic are read (settings: staff.topic_messages):
# "all" relays every staff message there; "replies" only replies to the bot's messages of the
# case (the card, a follow-up, a prompt), so talk among staff in the topic stays in the group.
TOPIC_MESSAGES = ("all", "replies")

__all__ = [
    "CASE_COMMANDS",
    "FAQ_DRAFTS_DIR",
    "GROUP_COMMANDS",
    "PRIVATE_STAFF_COMMANDS",
    "STAFF_COMMANDS",
    "StaffDesk",
    "actor_name",
    "faq_draft_topic",
    "handle_of",
    "is_assignee",
    "render_faq_draft",
    "save_faq_draft",
    "scrub_personal",
    "shorten_lines",
]

ButtonHandler = Callable[[AsyncSession, Incoming, list[Outgoing], str], Awaitable[None]]


class StaffDesk:
    def __init__(
        self,
        queue: Queue,
        directory: StaffDirectory,
        *,
        timezone: str,
        rating_choices: Callable[[Case], list[Choice]],
        faq_drafts_dir: Path = FAQ_DRAFTS_DIR,
        topic_messages: str = "all",
    ) -> None:
        self.queue = queue
        self.faq_drafts_dir = faq_drafts_dir
        self.directory = directory
        self.tz = ZoneInfo(timezone)
        self.rating_choices = rating_choices
        self.topic_messages = topic_messages
        self.extra: dict[str, Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]] = {}
        # Buttons of other desks ("staff:<action>:<arg>"), e.g. the incident card's "open case".
        self.buttons: dict[str, ButtonHandler] = {}
        # Whether the reporter's messenger can show a file staff sent (set by bot/app.py from the
        # channel's sender: Zalo shows pictures by link or upload where configured, else names them).
        self.carries: Callable[[str, AttachmentRef], bool] = lambda channel, _file: channel == "telegram"
        self.actions = CaseActions(self)
        self.assignment = Assignment(self)
        self.listing = QueueListing(self)
        self.search = Search(self)
        self.threads = Threads(self)

    def register(
        self, command: str, handler: Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]
    ) -> None:
        self.extra[command] = handler

    def register_button(self, action: str, handler: ButtonHandler) -> None:
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
        if event.chat_kind == ChatKind.STAFF and await self.directory.is_staff(event.user_id):
            await self.assignment.roster.seen(session, event)
        if event.edited:
            await self.threads.edited(session, event, out)
        elif event.kind == Kind.CHOICE and (event.choice or "").startswith("staff:"):
            await self._button(session, event, out)
        elif event.kind == Kind.COMMAND:
            await self._command(session, event, out)
        elif event.kind in (Kind.TEXT, Kind.ATTACHMENT) and event.chat_kind == ChatKind.STAFF:
            await self.threads.message(session, event, out)

    @staticmethod
    def touch(case: Case) -> None:
        """Refresh this case's card at the end of the staff event being handled (if any)."""
        touched = _TOUCHED.get(None)
        if touched is not None:
            touched.append(case)

    def _say(self, event: Incoming, out: list[Outgoing], text: str) -> None:
        say(event, out, text)

    async def case_of_thread(self, session: AsyncSession, event: Incoming) -> Case | None:
        """The case whose thread this message is in (handlers.staff.threads.Threads.place)."""
        return (await self.threads.place(session, event)).case

    # -- commands ------------------------------------------------------------------------

    async def _command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        command = (event.command or "").lower()
        if command not in STAFF_COMMANDS and command not in self.extra:
            if event.chat_kind == ChatKind.STAFF:
                say(event, out, self._unknown(command))
            return
        if not await self._authorised(event, out):
            return
        args = clean_text(event.args)
        if command in self.extra:
            await self.extra[command](session, event, out)
        elif command in ("trogiup", "help", "start"):
            say(event, out, S.STAFF_HELP)
        elif command == "hangdoi":
            await self.listing.command(session, event, out, args)
        elif command == "tim":
            await self.search.command(session, event, out, args)
        elif command == "thongke":
            await stats(self, session, event, out)
        else:
            case = await self.case_of_thread(session, event)
            code = find_code(args)
            if code:
                found = await repo.case_by_code(session, code)
                if found is None:
                    say(event, out, S.CASE_NOT_FOUND.format(code=code))
                    return
                case = found
                args = CODE_PATTERN.sub("", args, count=1).strip()
            if case is None:
                say(event, out, S.NEED_CASE.format(command=command))
                return
            await self._case_command(session, event, out, command, case, args)

    def _unknown(self, command: str) -> str:
        """ "/dongg" → "Ý bạn là /dong?" rather than the whole help."""
        known = sorted(STAFF_COMMANDS | set(self.extra))
        best = process.extractOne(command, known, scorer=fuzz.ratio, score_cutoff=70)
        if best is not None:
            return S.DID_YOU_MEAN.format(command=command, suggestion=best[0])
        return S.UNKNOWN_COMMAND.format(command=command)

    async def _authorised(self, event: Incoming, out: list[Outgoing]) -> bool:
        if await self.directory.is_staff(event.user_id):
            return True
        refuse(event, out, S.NOT_STAFF)
        return False

    async def _case_command(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], command: str, case: Case, args: str
    ) -> None:
        a = self.actions
        if command == "nhan":
            await a.take(session, event, out, case)
        elif command == "giao":
            await self.assignment.command(session, event, out, case, args)
        elif command == "ghichu":
            await a.note(session, event, out, case, args)
        elif command == "dong":
            await a.close(session, event, out, case, args)
        elif command == "molai":
            await a.reopen(session, event, out, case, args)
        elif command == "vuotthamquyen":
            await a.escalate(session, event, out, case, args)
        elif command == "bovuot":
            await a.unescalate(session, event, out, case, args)
        elif command == "chobosung":
            await a.ask(session, event, out, case, args)
        elif command == "taofaq":
            await faq_draft(self, session, event, out, case, args)

    # -- buttons -------------------------------------------------------------------------

    async def _button(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        if not await self._authorised(event, out):
            return
        parts = (event.choice or "").split(":", 2)
        action = parts[1] if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if action in self.buttons:
            await self.buttons[action](session, event, out, rest.split(":")[0])
            return
        if action == "page":
            await self.listing.page_button(session, event, out, rest)
            return
        case_id, _, arg = rest.partition(":")
        row_id = parse_id(case_id)
        case = await session.get(Case, row_id) if row_id is not None else None
        if case is None:
            refuse(event, out, S.CASE_GONE)
            return
        a = self.actions
        if action == "take":
            await a.take(session, event, out, case)
        elif action in ("ask", "wait"):  # "wait": the button's name on cards posted before
            await a.ask(session, event, out, case, "")
        elif action == "close":
            await a.close(session, event, out, case, "")
        elif action == "handover":
            if await self.assignment._fits(event, out, case):
                await self.assignment.picker(session, event, out, case)
        elif action == "assign":
            await self.assignment.picked(session, event, out, case, arg)
        elif action == "reopen":
            if case.status in CaseStatus.OPEN:
                refuse(event, out, not_now("reopen", case))
            else:
                await a.reopen(session, event, out, case, "")
        elif action == "unescalate":
            await a.unescalate(session, event, out, case, "")
        elif action == "history":
            await history(self, session, event, out, case)

    # -- rating ----------------------------------------------------------------------------

    async def expect_rating(self, session: AsyncSession, case: Case) -> None:
        """Text-menu channels answer "1/2/3": put an idle reporter on the rating step."""
        reporter = await session.get(Reporter, case.reporter_id)
        reporter_user = reporter.external_id if reporter else ""
        conversation = (
            await session.exec(
                select(Conversation).where(
                    Conversation.channel == case.channel, Conversation.user_id == reporter_user
                )
            )
        ).first()
        if conversation is not None and conversation.step in ("idle", "new"):
            conversation.step = "rating"
            conversation.data = {"rating_case_id": case.id}
