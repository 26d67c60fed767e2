"""The intake's plumbing: which question is on screen, asking it (skipping what the person already
gave), starting a report, and routing an answer to its question (handlers.citizen.intake.questions):
buttons here, typed replies through handlers.understand (handlers.citizen.reading_replies)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.choices import Prompt, resolve_choice
from handlers.citizen import open_cap
from handlers.citizen import texts as T
from handlers.citizen.intake import draft, files, submit, where
from handlers.citizen.intake.questions import QUESTIONS
from handlers.citizen.reading_replies import ReadingReplies
from handlers.events import AttachmentRef, Kind, Outgoing
from handlers.services import CaseHooks, CoreConfig, DeadlineFn, FaqStage, FormatTimeFn, UnitDirectory
from handlers.textutil import clean_text, shorten
from handlers.turn import Turn
from handlers.understand.interpret import volunteered
from handlers.understand.normalize import joined
from storage.models import Case, Reporter

CaseListener = Callable[[AsyncSession, Case, Reporter], Awaitable[list[Outgoing]]]
# The notice of an incident staff opened for an FAQ topic or a system (handlers.incidents.desk).
IncidentNotice = Callable[[AsyncSession, str | None, str | None, ModuleType], Awaitable[str | None]]


class IntakeFlow:
    def __init__(
        self,
        config: CoreConfig,
        faq: FaqStage,
        units: UnitDirectory,
        queue: CaseHooks,
        deadline: DeadlineFn,
        format_time: FormatTimeFn,
    ) -> None:
        self.config = config
        self.faq = faq
        self.units = units
        self.queue = queue
        self.deadline = deadline
        self.format_time = format_time
        self.tz = ZoneInfo(config.timezone)
        # Extra reactions to a new case (e.g. linking it to an open incident and telling the reporter).
        self.case_listeners: list[CaseListener] = []
        # Set by bot/jobs.py: while an incident is open, the FAQ stage says it first.
        self.incident_notice: IncidentNotice | None = None
        # What people type is read by handlers.understand and acted on here.
        self.reader = ReadingReplies(self, self.unit_search)

    # -- plumbing ------------------------------------------------------------------------

    def owns(self, step: str) -> bool:
        return step in QUESTIONS

    def prompt(self, turn: Turn, step: str | None = None) -> Prompt:
        return QUESTIONS[step or turn.step].ask(self, turn)

    def ask(self, turn: Turn, step: str | None = None, prefix: str | None = None) -> None:
        """Move to `step` (or stay) and ask its question."""
        if step:
            step = self._skip_given(turn, step)
            draft = turn.data.get("draft_description") or ""
            if (
                (
                    step == "description"
                    and "description" in turn.data.get("given", [])
                    and not turn.data.get("description")
                )
                and len(draft) >= self.config.min_description_length
                and not turn.data.get("editing")
            ):
                # Their problem is already written (at the menu, or at another question).
                turn.set(description=draft[: self.config.max_text_length])
                step = "attachments"
            hint = turn.data.get("unit_hint")
            if step == "unit" and hint and not turn.data.get("unit_code"):
                # A unit named in passing with several candidates: offer them now.
                found = self.units.find(hint, limit=3)
                if found:
                    turn.set(unit_hint=None, unit_candidates=[[u.code, u.full_name, u.former] for u in found])
                    step = "unit_pick"
            turn.go(step)
        prompt = self.prompt(turn)
        text = f"{prefix}\n\n{prompt.text}" if prefix else prompt.text
        turn.say(text, prompt.choices, request_contact=prompt.request_contact, columns=prompt.columns)

    async def start(
        self, turn: Turn, draft: str | None = None, attachments: list[dict] | None = None
    ) -> None:
        """Begin a complaint; `draft` is what the person already wrote (offered as the
        description) and `attachments` what they already sent (kept for the case)."""
        if await open_cap.refused(self.config, turn, draft, attachments):
            return  # already the most open cases one person may have: told which
        keep: dict[str, object] = {}
        if draft:
            keep["draft_description"] = draft
        if attachments:
            keep["attachments"] = attachments[: self.config.max_attachments]
        turn.reset("idle", **keep)
        if draft:
            # What the earlier message names (the unit, the system, who they are, a dossier code,
            # a phone) is kept, so it is not asked again: a letter answered first by the FAQ at
            # the menu ("… ở phường Đồ Sơn … ứng dụng VNeID …") had its unit and system asked
            # anew. Kept quietly: the summary shows each of them back for confirmation.
            fields = volunteered(draft, joined(draft), self.unit_search, skip=("description", "consent"))
            self.reader.keep_fields(turn, fields, draft)
        if turn.reporter.consent is None:
            self.ask(turn, "consent")
        else:
            self.ask(turn, "role")

    async def handle(self, turn: Turn) -> None:
        """Route the person's answer to the current step: buttons here, typed replies through
        handlers.understand (handlers.citizen.reading_replies)."""
        event = turn.event
        prompt = self.prompt(turn)
        if event.kind == Kind.TEXT:
            await self.reader.reply(turn, prompt)
            return
        resolution = resolve_choice(event, prompt, turn.language)
        if resolution.stale:
            self.ask(turn, prefix=turn.t.STALE_CHOICE)
            return
        if event.kind == Kind.ATTACHMENT and turn.step not in ("description", "attachments"):
            files.keep_late_attachments(self, turn)
            return
        if event.kind == Kind.CONTACT and turn.step != "phone":
            self.ask(turn)
            return
        text = clean_text(event.text)
        if resolution.choice is None and not prompt.free_text and event.kind == Kind.CHOICE:
            self.ask(turn, prefix=turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)))
            return
        await QUESTIONS[turn.step].answer(self, turn, resolution.choice, text)

    async def on_step(self, turn: Turn, choice: str | None, text: str) -> None:
        """The current step's handler, for an answer read from typed text."""
        await QUESTIONS[turn.step].answer(self, turn, choice, text)

    async def answer(self, turn: Turn, step: str, choice: str | None, text: str) -> None:
        """The handler of `step` (the unit search from the summary, a description typed early)."""
        await QUESTIONS[step].answer(self, turn, choice, text)

    async def on_unit(self, turn: Turn, choice: str | None, text: str) -> None:
        await where.on_unit(self, turn, choice, text)

    def add_to_description(self, turn: Turn, text: str) -> bool:
        return draft.add_to_description(self, turn, text)

    def attachment_problem(self, attachment: AttachmentRef, t: ModuleType = T) -> str | None:
        return files.attachment_problem(self, attachment, t)

    async def submit(self, turn: Turn) -> Case:
        return await submit.submit(self, turn)

    def unit_search(self, text: str) -> list[tuple[str, float]]:
        scored = getattr(self.units, "scored", None)
        if scored is not None:
            return [(unit.full_name, score) for unit, score in scored(text)]
        # A directory without scores (tests): the first candidate counts as clear.
        return [(unit.full_name, 100.0 - 10 * i) for i, unit in enumerate(self.units.find(text, limit=3))]

    def next_after(self, turn: Turn, default: str) -> str:
        # While editing from the summary, every answer goes back to the summary.
        return "confirm" if turn.data.get("editing") else default

    def _skip_given(self, turn: Turn, step: str) -> str:
        """A question whose answer the person already typed (a whole story in one message) is
        not asked again: the summary shows it back for confirmation."""
        if turn.data.get("editing"):
            return step
        given = set(turn.data.get("given", []))
        if step == "role" and "role" in given and turn.data.get("role"):
            # Said with another answer ("em đồng ý, em là người dân"): on to where, as on_role does.
            remembered = turn.reporter.unit_code if turn.data["role"] in T.OFFICER_ROLES else None
            step = "unit_remembered" if remembered and self.units.get(remembered) else "unit"
        if step == "unit_remembered" and "unit" in given and turn.data.get("unit_code"):
            step = "system"
        if step == "unit" and "unit" in given and turn.data.get("unit_code"):
            step = "system"
        if step == "system" and turn.data.get("system") and "system" in given:
            step = "description"
        if turn.data.get("finish") and step in ("dossier", "procedure", "phone"):
            return "confirm"
        if step == "dossier" and "dossier" in given:
            step = "procedure"
        if step == "procedure" and "procedure" in given:
            step = "phone" if turn.reporter.consent else "confirm"
        if step == "phone" and ("phone" in given or not turn.reporter.consent):
            step = "confirm"
        return step
