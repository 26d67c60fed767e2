"""The conversation engine: one entry point for every incoming event, on any messenger.

`Engine.handle(session, event)` runs inside the caller's transaction and returns the replies
to send; the caller stores them in the outbox in the same transaction, so a message is
either fully processed (state, case, replies) or not at all. Flow diagram: handlers/FLOWS.md.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.choices import Prompt
from handlers.citizen import erase, flood, followups, language_switch, menu_level, rating
from handlers.citizen.faq_browse import FaqBrowser
from handlers.citizen.intake import IntakeFlow
from handlers.citizen.language import requested_language
from handlers.citizen.lookup import Lookup
from handlers.citizen.menu_reading import show_open_cases, withdraw_if_asked
from handlers.events import ChatKind, Choice, Incoming, Kind, Outgoing
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
from handlers.staff.desk import PRIVATE_STAFF_COMMANDS, STAFF_COMMANDS
from handlers.textutil import clean_text, fold, shorten
from handlers.turn import Turn
from storage import repo
from storage.models import Case

MENU_STEPS = ("new", "idle")
# The task force's commands (handlers.staff.desk), refused here with a pointer instead of "unknown".
_STAFF_ONLY = STAFF_COMMANDS - {"trogiup", "help", "start"}
# Typed alone in the middle of a report, these cancel it as /huy does.
_CANCEL_WORDS = frozenset({"huy", "huy bo", "huy phan anh", "cancel", "thoi khong gui nua"})
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


def _private_staff_command(event: Incoming) -> bool:
    command = (event.command or "").lower()
    return (
        event.chat_kind == ChatKind.PRIVATE
        and event.kind == Kind.COMMAND
        and command in PRIVATE_STAFF_COMMANDS
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
        if event.chat_kind == ChatKind.OTHER_GROUP:
            return []  # another group: nothing of it is recorded, not even who wrote (#17)
        if event.update_key is not None and not await repo.record_update(
            session, event.channel, event.update_key, event.user_id
        ):
            return []  # delivered again: it already had its effect
        if event.chat_kind == ChatKind.STAFF or _private_staff_command(event):
            # /dangnhap in a private chat goes to the staff desk, which checks who is asking;
            # it does not touch the person's own conversation.
            return await self.staff.handle(session, event) if self.staff else []
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
        if flood.over_limit(self, turn):
            await flood.keep(self, turn)  # not answered, but kept (handlers/citizen/flood.py)
            await repo.save_person(session, reporter, conversation)
            return turn.out
        flood.account(self, turn)  # after a flood: what was kept, said once
        previous_update = conversation.updated_at
        if self._double_press(turn):
            await repo.save_person(session, reporter, conversation)
            return turn.out
        kept = turn.data.get(flood.KEY)
        if event.kind == Kind.CHOICE and event.choice == flood.BACKLOG_CHOICE:
            await flood.report_from_backlog(self, turn)
        else:
            await self._dispatch(turn, previous_update)
            flood.carried(kept, turn)
        self._remember_press(turn)
        conversation.updated_at = turn.now
        await repo.save_person(session, reporter, conversation)
        return turn.out

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
        if turn.step == erase.STEP:
            await erase.answer(self, turn)  # /xoadulieu's confirmation: acts only on a clear reply
            return
        if event.kind == Kind.TEXT and turn.step in MENU_STEPS and erase.asked_in_words(event.text):
            await erase.ask(turn)
            return
        if event.kind == Kind.UNSUPPORTED:
            turn.say(turn.t.UNSUPPORTED_IMAGES_ONLY if images_only(event.channel) else turn.t.UNSUPPORTED)
            self._reask(turn)
            return
        if event.kind == Kind.CHOICE and (event.choice or "").startswith("rate:"):
            await rating.rate(self, turn, event.choice or "")
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
        await menu_level.menu_level(self, turn)

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
        return menu_level.menu_prompt(self, turn)

    async def switch_language(self, turn: Turn, language: str) -> None:
        await self._switch_language(turn, language)

    def show_menu(self, turn: Turn, greeting: bool = False) -> None:
        menu_level.show_menu(self, turn, greeting=greeting)

    def resume_choices(self, turn: Turn) -> list[Choice]:
        return [
            Choice("resume:continue", turn.t.RESUME_CONTINUE),
            Choice("resume:restart", turn.t.RESUME_RESTART),
        ]

    def _ask_resume(self, turn: Turn, prefix: str | None = None) -> None:
        step = turn.data.get("resume_step", "role")
        text = turn.t.RESUME.format(step=turn.t.STEP_NAMES.get(step, step))
        turn.say(f"{prefix}\n\n{text}" if prefix else text, self.resume_choices(turn), columns=2)

    def _reask(self, turn: Turn) -> None:
        if self.intake.owns(turn.step):
            self.intake.ask(turn)

    # -- language ------------------------------------------------------------------------

    async def _switch_language(self, turn: Turn, language: str) -> None:
        await language_switch.switch_language(self, turn, language)

    # -- commands ------------------------------------------------------------------------

    async def _command(self, turn: Turn) -> None:
        command = (turn.event.command or "").lower()
        args = clean_text(turn.event.args)
        if command in ("start", "batdau", "menu"):
            turn.reset("idle")
            menu_level.show_menu(self, turn, greeting=True)
        elif (
            command in ("huy", "cancel")
            and args
            and turn.step in MENU_STEPS
            and await withdraw_if_asked(self, turn, args, asked=True)
        ):
            return  # "/huy PA-…": a filed case, for staff to close
        elif command in ("huy", "cancel"):
            busy = turn.step not in MENU_STEPS
            turn.reset("idle")
            turn.say(turn.t.CANCELLED if busy else turn.t.NOTHING_TO_CANCEL)
            menu_level.show_menu(self, turn)
        elif command in ("tracuu", "status"):
            if args:
                await self.lookup.show(turn, args)
            else:
                await menu_level.open_lookup(self, turn)
        elif command in ("trogiup", "help", "huongdan"):
            turn.say(turn.t.HELP)
            self._reask(turn)
        elif command in erase.COMMANDS:
            await erase.ask(turn)
        elif command in ("bosung", "add"):
            await followups.bosung(self, turn, args)
        elif command in ("phananh", "guiphananh"):
            await self.intake.start(turn)
        elif command in _STAFF_ONLY:
            turn.say(turn.t.STAFF_COMMAND_IN_PRIVATE.format(command=command))
            self._reask(turn)
        else:
            turn.say(turn.t.UNKNOWN_COMMAND.format(command=shorten(command, 30)))
            self._reask(turn)

    # -- menu, lookup, follow-ups --------------------------------------------------------

    # -- rating --------------------------------------------------------------------------

    def rating_request(self, case: Case) -> list[Choice]:
        """The rating buttons staff send with a resolution (relabelled for the reporter's
        language by handlers.citizen.language.rating_choices_in)."""
        assert case.id is not None
        return rating.rating_choices(case.id)
