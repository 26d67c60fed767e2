"""The conversation engine: one entry point for every incoming event, on any messenger.

`Engine.handle(session, event)` runs inside the caller's transaction and returns the replies
to send; the caller stores them in the outbox in the same transaction, so a message is
either fully processed (state, case, replies) or not at all. Flow diagram: handlers/FLOWS.md.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.choices import Prompt, Resolution, resolve_choice, typed_number
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind, Outgoing
from handlers.faq_browse import FaqBrowser
from handlers.intake import IntakeFlow
from handlers.language import requested_language, texts_for, wants_hint
from handlers.lookup import CODE_PATTERN, RATING_COMMENT_PREFIX, Lookup, find_code
from handlers.menu_reading import read_at_menu, show_open_cases
from handlers.services import (
    CaseHooks,
    CoreConfig,
    DeadlineFn,
    FaqStage,
    FormatTimeFn,
    NoFaq,
    NoQueue,
    UnitDirectory,
    images_only,
)
from handlers.staff import STAFF_COMMANDS
from handlers.textutil import clean_text, fold, parse_id, shorten
from handlers.turn import Turn
from storage import repo
from storage.models import Attachment, Case, CaseMessage, CaseStatus

MENU_STEPS = ("new", "idle")
# The task force's commands (handlers.staff), refused here with a pointer instead of "unknown".
_STAFF_ONLY = STAFF_COMMANDS - {"trogiup", "help", "start"}
# A message at the menu this long is taken for a problem, kept for the report it may start.
_PROBLEM_WORDS = 4
# Typed alone in the middle of a report, these cancel it as /huy does.
_CANCEL_WORDS = frozenset({"huy", "huy bo", "huy phan anh", "cancel", "thoi khong gui nua"})
# Typed alone, these ask for the menu (not a follow-up to relay to staff).
_MENU_WORDS = frozenset({"menu", "trang chu", "danh muc", "bat dau", "main menu", "start"})
# Longest message read as a request for a menu item (handlers.texts.MENU_INTENTS).
_INTENT_WORDS = 7
# Typed at the look-up question or in the FAQ screens to leave them.
_LEAVE_WORDS = frozenset(
    {
        "huy",
        "thoi",
        "thoat",
        "quay lai",
        "tro lai",
        "menu",
        "khong",
        "ko",
        "bo qua",
        "cancel",
        "exit",
        "quit",
        "back",
        "no",
    }
)
_RESUMABLE_IDLE = frozenset(
    {
        "new",
        "idle",
        "lookup",
        "faq_browse",
        "faq_topics",
        "faq_answered",
        "rating",
        "rating_comment",
        "followup_pick",
        "resume",
    }
)


class StaffHandler(Protocol):
    async def handle(self, session: AsyncSession, event: Incoming) -> list[Outgoing]: ...


class Engine:
    def __init__(
        self,
        *,
        config: CoreConfig,
        units: UnitDirectory,
        deadline: DeadlineFn,
        format_time: FormatTimeFn,
        faq: FaqStage | None = None,
        queue: CaseHooks | None = None,
        staff: StaffHandler | None = None,
        clock: type[datetime] | None = None,
    ) -> None:
        self.config = config
        self.faq: FaqStage = faq or NoFaq()
        self.queue: CaseHooks = queue or NoQueue()
        self.staff = staff
        self.units = units
        self.format_time = format_time
        self.intake = IntakeFlow(config, self.faq, units, self.queue, deadline, format_time)
        self.lookup = Lookup(units, format_time, config.timezone)
        self.browser = FaqBrowser(self.faq, config.max_text_length)
        # Commands and questions typed in the middle of a report are the engine's to answer.
        self.intake.reader.command = self._command_in_words
        self.intake.reader.status = self._status_during_report

    def now(self) -> datetime:
        return datetime.now(UTC)

    def set_faq(self, faq: FaqStage) -> None:
        """Swap the knowledge base at runtime (staff reload) without restarting."""
        self.faq = faq
        self.intake.faq = faq
        self.browser.faq = faq

    # -- entry point ---------------------------------------------------------------------

    async def handle(self, session: AsyncSession, event: Incoming) -> list[Outgoing]:
        if event.update_key is not None and not await repo.record_update(
            session, event.channel, event.update_key, event.user_id
        ):
            return []  # delivered again: it already had its effect
        if event.chat_kind == ChatKind.STAFF:
            return await self.staff.handle(session, event) if self.staff else []
        if event.chat_kind == ChatKind.OTHER_GROUP:
            return []
        if event.update_key is None:
            await repo.lock_person(session, event.channel, event.user_id)  # else record_update took it
        reporter, conversation = await repo.get_person(
            session,
            event.channel,
            event.user_id,
            event.chat_id,
            display_name=event.display_name,
            username=event.username,
        )
        conversation.chat_id = event.chat_id
        turn = Turn(
            session, event, reporter, conversation, self.now(), first_contact=conversation.step == "new"
        )
        if self._flooding(turn):
            await repo.save_person(session, reporter, conversation)
            return turn.out
        previous_update = conversation.updated_at
        if self._double_press(turn):
            await repo.save_person(session, reporter, conversation)
            return turn.out
        await self._dispatch(turn, previous_update)
        self._remember_press(turn)
        conversation.updated_at = turn.now
        await repo.save_person(session, reporter, conversation)
        return turn.out

    def _flooding(self, turn: Turn) -> bool:
        """Per-person flood limit; tells the person once per window, then stays quiet.

        Files sent while a report is being written do not count: an album of screenshots
        arrives as one message per picture, and the report takes at most max_attachments."""
        if turn.event.kind == Kind.ATTACHMENT and self.intake.owns(turn.step):
            return False
        now = time.time()
        window = self.config.flood_window_seconds
        recent = [t for t in turn.conversation.recent if now - t < window]
        recent.append(now)
        turn.conversation.recent = recent[-(self.config.flood_messages + 2) :]
        if len(recent) == self.config.flood_messages + 1:
            turn.say(turn.t.FLOOD)
        return len(recent) > self.config.flood_messages

    @staticmethod
    def _double_press(turn: Turn) -> bool:
        """The same button of the same message pressed again (a double tap, or a tap while the
        answer was on its way): the first press already moved the conversation on, so this
        one is dropped instead of answering "that button belongs to an earlier step"."""
        event = turn.event
        return (
            event.kind == Kind.CHOICE
            and event.message_id is not None
            and turn.data.get("last_press") == [event.choice, event.message_id]
        )

    @staticmethod
    def _remember_press(turn: Turn) -> None:
        event = turn.event
        if event.kind == Kind.CHOICE and event.message_id is not None:
            turn.set(last_press=[event.choice, event.message_id])
        elif "last_press" in turn.data:
            turn.set(last_press=None)

    async def _dispatch(self, turn: Turn, previous_update: datetime) -> None:
        event = turn.event
        # Captions and command arguments too: "/bosung MÃ …" must not carry what a message cannot.
        typed = event.args if event.kind == Kind.COMMAND else event.text
        if len(typed) > self.config.max_text_length:
            turn.say(turn.t.TEXT_TOO_LONG.format(length=len(typed), max=self.config.max_text_length))
            return
        if event.kind == Kind.TEXT and fold(event.text) in _CANCEL_WORDS and self.intake.owns(turn.step):
            # "hủy" typed alone in the middle of a report: what /huy does (no slash on Zalo's keyboard).
            turn.event = event = dataclasses.replace(event, kind=Kind.COMMAND, command="huy", args="")
        wanted = requested_language(event)
        if wanted is not None:
            await self._switch_language(turn, wanted)
            return
        if event.kind == Kind.COMMAND:
            await self._command(turn)
            return
        if event.kind == Kind.UNSUPPORTED:
            turn.say(turn.t.UNSUPPORTED_IMAGES_ONLY if images_only(event.channel) else turn.t.UNSUPPORTED)
            self._reask(turn)
            return
        if event.kind == Kind.CHOICE and (event.choice or "").startswith("rate:"):
            await self._rate(turn, event.choice or "")
            return
        if event.kind == Kind.TEXT and not clean_text(event.text) and turn.step not in MENU_STEPS:
            turn.say(turn.t.EMPTY_MESSAGE)
            return
        away = turn.now - (previous_update if previous_update.tzinfo else previous_update.replace(tzinfo=UTC))
        if (
            self.intake.owns(turn.step)
            and away > timedelta(hours=self.config.resume_after_hours)
            and turn.step not in _RESUMABLE_IDLE
        ):
            turn.set(resume_step=turn.step)
            turn.go("resume")
            self._ask_resume(turn)
            return
        if self.intake.owns(turn.step):
            await self.intake.handle(turn)
            return
        await self._menu_level(turn)

    async def _command_in_words(self, turn: Turn, command: str) -> None:
        """ "hủy", "làm lại từ đầu", "english" typed during a report, read by handlers.understand."""
        if command == "language_en":
            await self._switch_language(turn, "en")
            return
        turn.event = dataclasses.replace(
            turn.event, kind=Kind.COMMAND, command="huy" if command == "cancel" else "phananh", args=""
        )
        await self._command(turn)

    async def _status_during_report(self, turn: Turn) -> None:
        await show_open_cases(self, turn)

    def menu_prompt(self, turn: Turn) -> Prompt:
        return self._menu_prompt(turn)

    async def switch_language(self, turn: Turn, language: str) -> None:
        await self._switch_language(turn, language)

    def show_menu(self, turn: Turn, greeting: bool = False) -> None:
        self._menu(turn, greeting=greeting)

    def _resume_choices(self, turn: Turn) -> list[Choice]:
        return [
            Choice("resume:continue", turn.t.RESUME_CONTINUE),
            Choice("resume:restart", turn.t.RESUME_RESTART),
        ]

    def _ask_resume(self, turn: Turn, prefix: str | None = None) -> None:
        step = turn.data.get("resume_step", "role")
        text = turn.t.RESUME.format(step=turn.t.STEP_NAMES.get(step, step))
        turn.say(f"{prefix}\n\n{text}" if prefix else text, self._resume_choices(turn), columns=2)

    def _reask(self, turn: Turn) -> None:
        if self.intake.owns(turn.step):
            self.intake.ask(turn)

    # -- language ------------------------------------------------------------------------

    async def _switch_language(self, turn: Turn, language: str) -> None:
        """ "english", "/en", 🌐 (or "tiếng việt", "/vi"): remember the choice and ask the
        question on screen again, in that language."""
        turn.reporter.language = language
        prefix = turn.t.LANGUAGE_SET
        step = turn.step
        if self.intake.owns(step):
            self.intake.ask(turn, prefix=prefix)
        elif step == "resume":
            self._ask_resume(turn, prefix)
        elif step == "lookup":
            prompt = await self.lookup.prompt(turn)
            turn.say(f"{prefix}\n\n{prompt.text}", prompt.choices)
        elif self.browser.owns(step):
            self.browser.reask(turn, prefix)
        elif step == "rating":
            case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
            if case is None or case.id is None:
                turn.reset("idle")
                self._menu(turn, greeting=True)
                return
            turn.say(
                f"{prefix}\n\n{turn.t.RATING_ASK.format(code=case.code)}", self._rating_choices(turn, case.id)
            )
        elif step == "rating_comment":
            turn.say(f"{prefix}\n\n{turn.t.ASK_RATING_COMMENT}", [Choice("comment:skip", turn.t.SKIP)])
        elif step == "followup_pick":
            turn.say(f"{prefix}\n\n{turn.t.FOLLOWUP_WHICH}", self._followup_choices(turn))
        else:
            # The menu: greet again, so that someone who could not read the first greeting can now.
            self._menu(turn, greeting=True)

    # -- commands ------------------------------------------------------------------------

    async def _command(self, turn: Turn) -> None:
        command = (turn.event.command or "").lower()
        args = clean_text(turn.event.args)
        if command in ("start", "batdau", "menu"):
            turn.reset("idle")
            self._menu(turn, greeting=True)
        elif command in ("huy", "cancel"):
            busy = turn.step not in MENU_STEPS
            turn.reset("idle")
            turn.say(turn.t.CANCELLED if busy else turn.t.NOTHING_TO_CANCEL)
            self._menu(turn)
        elif command in ("tracuu", "status"):
            if args:
                await self.lookup.show(turn, args)
            else:
                await self._open_lookup(turn)
        elif command in ("trogiup", "help", "huongdan"):
            turn.say(turn.t.HELP)
            self._reask(turn)
        elif command in ("bosung", "add"):
            await self._bosung(turn, args)
        elif command in ("phananh", "guiphananh"):
            await self.intake.start(turn)
        elif command in _STAFF_ONLY:
            turn.say(turn.t.STAFF_COMMAND_IN_PRIVATE.format(command=command))
            self._reask(turn)
        else:
            turn.say(turn.t.UNKNOWN_COMMAND.format(command=shorten(command, 30)))
            self._reask(turn)

    # -- menu, lookup, follow-ups --------------------------------------------------------

    def _menu_prompt(self, turn: Turn, greeting: bool = False, name: str | None = None) -> Prompt:
        t = turn.t
        text = t.GREETING.format(name=f" {name}" if name else "") if greeting else t.MENU_AGAIN
        if (
            greeting
            and turn.first_contact
            and turn.reporter.language is None
            and wants_hint(turn.event.language_code)
        ):
            text += "\n\n" + t.LANGUAGE_HINT  # in Vietnamese still: the person decides
        return Prompt(
            text,
            [
                Choice("menu:report", t.MENU_REPORT),
                Choice("menu:lookup", t.MENU_LOOKUP),
                Choice("menu:faq", t.MENU_FAQ),
                Choice("menu:help", t.MENU_HELP),
                Choice(f"lang:{t.OTHER_LANGUAGE}", t.MENU_LANGUAGE),
            ],
            free_text=True,
            columns=2,
        )

    def _menu(self, turn: Turn, greeting: bool = False) -> None:
        name = turn.reporter.display_name if turn.reporter.consent is not False else None
        prompt = self._menu_prompt(turn, greeting, name)
        turn.say(prompt.text, prompt.choices, columns=prompt.columns)

    async def _open_lookup(self, turn: Turn) -> None:
        turn.reset("lookup")
        prompt = await self.lookup.prompt(turn)
        turn.say(prompt.text, prompt.choices)

    async def _menu_level(self, turn: Turn) -> None:
        """Steps outside the intake: menu, lookup, FAQ browsing, rating, follow-ups, resume."""
        step = turn.step
        text = clean_text(turn.event.text)
        screen = None
        if turn.event.kind in (Kind.TEXT, Kind.ATTACHMENT) and step != "resume":
            screen = await self._read_against_screen(turn, text)
            if screen == "handled":
                return
            text = clean_text(turn.event.text)
        event = turn.event
        if step == "resume":
            resolution = resolve_choice(event, Prompt("", self._resume_choices(turn)), turn.language)
            if resolution.choice == "resume:continue":
                self.intake.ask(turn, turn.data.get("resume_step", "role"))
            elif resolution.choice == "resume:restart":
                await self.intake.start(turn)
            else:
                turn.say(
                    turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)),
                    self._resume_choices(turn),
                    columns=2,
                )
            return
        if step == "lookup":
            if await self._lookup_step(turn, text):
                return
            step = turn.step  # they left the look-up for the menu: handle this message there
        if step in ("rating_comment",):
            await self._rating_comment(turn, text)
            return
        if step == "rating":
            prompt = Prompt("", self._rating_choices(turn, turn.data.get("rating_case_id", 0)))
            resolution = resolve_choice(event, prompt, turn.language)
            if resolution.choice:
                await self._rate(turn, resolution.choice)
                return
            if await self._answer_to_result(turn, text):
                return
            turn.reset("idle")  # they moved on: treat the message normally
        if step == "followup_pick":
            await self._followup_pick(turn, text)
            return
        if self.browser.owns(step):
            prompt = self.browser.prompt(turn)
            resolution = resolve_choice(event, prompt, turn.language)
            if resolution.stale and event.choice and event.choice.startswith("menu:"):
                resolution = resolve_choice(event, self._menu_prompt(turn), turn.language)
            if resolution.choice is None and event.kind == Kind.TEXT:
                # "menu", "thoát" leave the FAQ; "gửi phản ánh" files what they asked about.
                if fold(text) in _LEAVE_WORDS:
                    turn.reset("idle")
                    self._menu(turn)
                    return
                if self._menu_intent(turn, text) == "menu:report":
                    await self.intake.start(turn, draft=turn.data.get("faq_question"))
                    return
            outcome = await self.browser.handle(
                turn, resolution.choice, text if event.kind == Kind.TEXT else ""
            )
            if outcome == "report":
                await self.intake.start(turn, draft=turn.data.get("faq_question"))
            elif outcome == "done":
                turn.reset("idle")
                turn.say(turn.t.FAQ_THANKS)
            return
        # Idle: the menu, or a follow-up to an open case.
        if event.kind == Kind.CHOICE and event.choice == "followup:new":
            await self._new_report_from_followup(turn)
            return
        menu = self._menu_prompt(turn)
        # A bare number under a message without choices (a staff reply, an acknowledgement) is
        # not a pick from the main menu, which is not on screen.
        resolution = (
            Resolution(None) if screen == "number_off_screen" else resolve_choice(event, menu, turn.language)
        )
        if resolution.choice is None and event.kind == Kind.TEXT:
            resolution = Resolution(self._menu_intent(turn, text))
        if resolution.choice and resolution.choice.startswith("lang:"):
            await self._switch_language(turn, resolution.choice.split(":", 1)[1])
        elif resolution.choice == "menu:report":
            await self.intake.start(turn, draft=turn.data.get("idle_draft"))
        elif resolution.choice == "menu:lookup":
            await self._open_lookup(turn)
        elif resolution.choice == "menu:faq":
            self.browser.open(turn)
        elif resolution.choice == "menu:help":
            turn.say(turn.t.HELP)
        elif event.kind == Kind.TEXT and fold(text) in _MENU_WORDS:
            self._menu(turn)
        elif event.kind in (Kind.TEXT, Kind.ATTACHMENT) and (text or event.attachments):
            found = find_code(text)
            if found and await self.lookup.show(turn, found):
                return
            if await read_at_menu(self, turn, text):
                return
            if await self._followup(turn, text):
                return
            # Many people open with their problem: answer from the FAQ when it is sure.
            if (
                event.kind == Kind.TEXT
                and len(fold(text)) >= 12
                and await self.browser.answer_if_known(turn, text)
            ):
                return
            if len(fold(text).split()) >= _PROBLEM_WORDS:
                # Kept: "📝 Gửi phản ánh" next offers it as the description.
                turn.set(idle_draft=text[: self.config.max_text_length])
            if step == "new":
                self._menu(turn, greeting=True)
            else:
                prompt = self._menu_prompt(turn)
                turn.say(turn.t.MENU_NOT_UNDERSTOOD, prompt.choices, columns=prompt.columns)
        else:
            self._menu(turn, greeting=step == "new")

    async def _read_against_screen(self, turn: Turn, text: str) -> str | None:
        """What a message at the menu level answers is the last message the person got, and that
        is not always the bot's own last question: staff may have asked something, or sent the
        result to rate, since.

        Returns "handled" when the message was dealt with here (relayed to the case staff wrote
        about, or taken as a rating); "number_off_screen" for a bare number under a message that
        showed no choices; otherwise None, having turned a number that names one of the shown
        choices into the press of that choice ("2" under a numbered menu)."""
        event = turn.event
        last = await repo.last_message_to(turn.session, event.channel, event.chat_id)
        if last is None:
            return None
        shown = [Choice(key, label) for key, label in (last.payload or {}).get("choices", [])]
        number = typed_number(fold(text))
        case = await turn.session.get(Case, last.case_id) if last.case_id is not None else None
        if case is not None and case.reporter_id == turn.reporter.id:
            if last.purpose == "rating_request" and case.rating is None and case.id is not None:
                resolution = resolve_choice(event, Prompt("", shown), turn.language)
                if resolution.choice:
                    await self._rate(turn, resolution.choice)
                    return "handled"
                turn.reset("rating", rating_case_id=case.id)
                return "handled" if await self._answer_to_result(turn, text) else None
            if (
                last.purpose in ("relay", "notice")
                and case.status in CaseStatus.OPEN
                and self._answers_staff(turn, text, number)
            ):
                turn.reset("idle")
                await self._append(turn, case, text)
                return "handled"
        if number is None:
            return None
        if not shown:
            return "number_off_screen"
        picked = resolve_choice(event, Prompt("", shown), turn.language).choice
        if picked is not None:
            turn.event = dataclasses.replace(event, kind=Kind.CHOICE, choice=picked, text="")
        return None

    @staticmethod
    def _menu_intent(turn: Turn, text: str) -> str | None:
        """A menu item asked for in a short sentence ("tôi muốn phản ánh", "muốn tra cứu"):
        only these unambiguous phrases, so a short problem is not taken for a menu item."""
        folded = fold(text)
        if len(folded.split()) > _INTENT_WORDS:
            return None
        padded = f" {folded} "
        for key, phrases in turn.t.MENU_INTENTS.items():
            if any(f" {fold(phrase)} " in padded for phrase in phrases):
                return str(key)
        return None

    def _answers_staff(self, turn: Turn, text: str, number: int | None) -> bool:
        """After staff wrote, a message is an answer to them unless it clearly asks for something
        else: a case code to look up, or a menu item by its words ("gửi phản ánh")."""
        if find_code(text):
            return False
        if number is None and resolve_choice(turn.event, self._menu_prompt(turn), turn.language).choice:
            return False
        return bool(text or turn.event.attachments)

    async def _lookup_step(self, turn: Turn, text: str) -> bool:
        """A code typed or a case pressed at the look-up question. False when the person chose
        something from the menu instead (the caller handles it at the menu)."""
        event = turn.event
        prompt = await self.lookup.prompt(turn)
        resolution = resolve_choice(event, prompt, turn.language)
        menu_choice = resolve_choice(event, self._menu_prompt(turn), turn.language).choice
        if resolution.choice is None and (menu_choice or fold(text) in _LEAVE_WORDS):
            turn.reset("idle")
            if menu_choice:
                return False
            self._menu(turn)
            return True
        code = resolution.choice.split(":", 1)[1] if resolution.choice else text
        if not code:
            turn.say(prompt.text, prompt.choices)
            return True
        found = await self.lookup.show(turn, code)
        # Found or not, the look-up is over: a second wrong code should not keep them here.
        turn.reset("idle")
        if not found:
            menu = self._menu_prompt(turn)
            turn.say(turn.t.LOOKUP_GIVE_UP, menu.choices, columns=menu.columns)
        return True

    async def _followup(self, turn: Turn, text: str) -> bool:
        """Relay a message to the person's open case; False when they have none."""
        assert turn.reporter.id is not None
        cases = await repo.open_cases_of_reporter(turn.session, turn.reporter.id)
        if not cases:
            return False
        turn.set(
            pending_followup=text,
            pending_attachments=[a.to_dict() for a in turn.event.attachments],
            followup_cases=[c.code for c in cases[:6]],
            # Codes alone do not say which case is which: a few words of each description.
            followup_labels={c.code: shorten(c.description, 40) for c in cases[:6]},
        )
        if len(cases) == 1:
            # Relayed at once (staff see it while the person waits), with a way out for an
            # officer whose message was really a new problem: "new" starts a report from it.
            await self._append(turn, cases[0], text, new_report_choice=True)
            return True
        turn.go("followup_pick")
        turn.say(turn.t.FOLLOWUP_WHICH, self._followup_choices(turn))
        return True

    def _followup_choices(self, turn: Turn) -> list[Choice]:
        labels = turn.data.get("followup_labels", {})
        choices = [
            Choice(f"followup:{code}", f"🔖 {code} · {labels[code]}" if labels.get(code) else f"🔖 {code}")
            for code in turn.data.get("followup_cases", [])
        ]
        choices.append(Choice("followup:new", turn.t.FOLLOWUP_NEW))
        return choices

    async def _new_report_from_followup(self, turn: Turn) -> None:
        """ "📝 Đây là phản ánh mới" under a relayed follow-up: what they wrote starts a report."""
        pending = turn.data.get("pending_followup") or None
        files = turn.data.get("pending_attachments") or None
        await self.intake.start(turn, draft=pending, attachments=files)

    async def _followup_pick(self, turn: Turn, text: str) -> None:
        resolution = resolve_choice(turn.event, Prompt("", self._followup_choices(turn)), turn.language)
        if resolution.choice is None:
            turn.say(
                turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)), self._followup_choices(turn)
            )
            return
        pending = turn.data.get("pending_followup", "")
        pending_files = turn.data.get("pending_attachments", [])
        attachments = [AttachmentRef.from_dict(a) for a in pending_files]
        turn.reset("idle")
        if resolution.choice == "followup:new":
            # What they just wrote (and sent) is the start of the new report: keep it.
            await self.intake.start(turn, draft=pending or None, attachments=pending_files)
            return
        case = await repo.case_by_code(turn.session, resolution.choice.split(":", 1)[1])
        if case is None or case.reporter_id != turn.reporter.id:
            return
        await self._append(turn, case, pending, attachments)

    async def _append(
        self,
        turn: Turn,
        case: Case,
        text: str,
        attachments: list | None = None,
        *,
        new_report_choice: bool = False,
    ) -> None:
        assert case.id is not None
        files = attachments if attachments is not None else list(turn.event.attachments)
        problem = next(filter(None, (self.intake.attachment_problem(file, turn.t) for file in files)), None)
        if problem:
            turn.say(problem)  # the same checks as during the intake: nothing is relayed
            return
        turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
        for file in files:
            turn.session.add(Attachment.of(case.id, turn.event.channel, file.to_dict()))
        if case.status == CaseStatus.WAITING_REPORTER:
            await repo.set_status(
                turn.session, case, CaseStatus.IN_PROGRESS, actor="reporter", note="Người phản ánh đã bổ sung"
            )
        case.updated_at = turn.now
        if new_report_choice:
            turn.say(
                turn.t.FOLLOWUP_FORWARDED.format(code=case.code) + "\n" + turn.t.FOLLOWUP_IF_NEW,
                [Choice("followup:new", turn.t.FOLLOWUP_NEW)],
            )
        else:
            turn.say(turn.t.FOLLOWUP_FORWARDED.format(code=case.code))
        turn.send(await self.queue.reporter_message(turn.session, case, turn.reporter, text, files))

    async def _bosung(self, turn: Turn, args: str) -> None:
        code = find_code(args)
        if not code:
            turn.say(turn.t.BOSUNG_USAGE)
            return
        case = await repo.case_by_code(turn.session, code)
        if case is None or case.reporter_id != turn.reporter.id:
            turn.say(turn.t.LOOKUP_NOT_FOUND.format(code=code))
            return
        # Keep the person's own casing: cut the code out of what they typed.
        rest = CODE_PATTERN.sub("", args, count=1).strip()
        if not rest and not turn.event.attachments:
            turn.say(turn.t.BOSUNG_USAGE)
            return
        await self._append(turn, case, rest)

    # -- rating --------------------------------------------------------------------------

    @staticmethod
    def _rating_choices(turn: Turn, case_id: int) -> list[Choice]:
        return Engine.rating_choices(case_id, turn.language)

    @staticmethod
    def rating_choices(case_id: int, language: str | None = None) -> list[Choice]:
        return [Choice(f"rate:{case_id}:{key}", label) for key, label in texts_for(language).RATINGS.items()]

    async def _rate(self, turn: Turn, choice: str) -> None:
        _, case_id, value = ([*choice.split(":"), "", ""])[:3]
        row_id = parse_id(case_id)
        case = await turn.session.get(Case, row_id) if row_id is not None else None
        if case is None or case.reporter_id != turn.reporter.id or value not in turn.t.RATINGS:
            self._menu(turn)
            return
        if case.rating is not None:
            if case.rating != value or turn.step != "rating_comment":
                turn.say(turn.t.RATING_THANKS)
            return  # the same rating pressed again while its comment is being asked: nothing new
        case.rating = value
        await repo.add_event(turn.session, case, "rated", actor="reporter", note=value)
        if value == "khong_hai_long":
            await repo.set_status(
                turn.session, case, CaseStatus.IN_PROGRESS, actor="reporter", note="Không hài lòng"
            )
            turn.reset("rating_comment", rating_case_id=case.id)
            turn.say(turn.t.RATING_REOPENED.format(code=case.code))
            turn.say(turn.t.ASK_RATING_COMMENT, [Choice("comment:skip", turn.t.SKIP)])
        else:
            if case.status == CaseStatus.RESOLVED:
                await repo.set_status(
                    turn.session, case, CaseStatus.CLOSED, actor="reporter", note="Đã đánh giá"
                )
            turn.reset("rating_comment", rating_case_id=case.id)
            turn.say(turn.t.ASK_RATING_COMMENT, [Choice("comment:skip", turn.t.SKIP)])
        turn.send(await self.queue.rating_received(turn.session, case, turn.reporter))

    async def _answer_to_result(self, turn: Turn, text: str) -> bool:
        """Words instead of a rating ("vẫn chưa được ạ"): staff must read them, so they go to
        the case thread, and the rating is asked again. False when there is nothing to relay."""
        case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
        event = turn.event
        if case is None or case.reporter_id != turn.reporter.id or case.rating is not None:
            return False
        if event.kind not in (Kind.TEXT, Kind.ATTACHMENT) or not (text or event.attachments):
            return False
        assert case.id is not None
        turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
        case.updated_at = turn.now
        turn.send(
            await self.queue.reporter_message(
                turn.session, case, turn.reporter, text, list(event.attachments)
            )
        )
        turn.say(turn.t.RATING_REASK.format(code=case.code), self._rating_choices(turn, case.id))
        return True

    async def _rating_comment(self, turn: Turn, text: str) -> None:
        resolution = resolve_choice(
            turn.event, Prompt("", [Choice("comment:skip", turn.t.SKIP)], free_text=True), turn.language
        )
        case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
        turn.reset("idle")
        if resolution.choice is None and text and case is not None:
            case.rating_comment = text[: self.config.max_text_length]
            assert case.id is not None
            comment = f"{RATING_COMMENT_PREFIX}{text}"
            turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=comment))
            turn.send(await self.queue.rating_received(turn.session, case, turn.reporter))
        unhappy = case is not None and case.rating == "khong_hai_long"
        commented = resolution.choice is None and bool(text)
        if unhappy:
            turn.say(turn.t.RATING_COMMENT_THANKS_UNHAPPY if commented else turn.t.RATING_UNHAPPY_NOTED)
        else:
            turn.say(turn.t.RATING_THANKS)

    def rating_request(self, case: Case) -> list[Choice]:
        """The rating buttons staff send with a resolution (relabelled for the reporter's
        language by handlers.language.rating_choices_in)."""
        assert case.id is not None
        return self.rating_choices(case.id)
