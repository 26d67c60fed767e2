"""Acting on what a person typed during a report (handlers.understand reads it, this module acts).

Every outcome has one place here: an answer goes to the question's own handler in
handlers.citizen.intake; values for other fields are stored and shown back; commands, questions and
social talk are answered and the question is asked again; an unclear reply is never taken for
a final branch (solved, anonymous, cancel, submit): the person gets a short confirming question.
Nothing typed is dropped: what fits no field is kept as a note for staff, and the person is told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.citizen.kept_words import KeptWords
from handlers.citizen.reading_texts import reading_texts
from handlers.textutil import clean_text, shorten
from handlers.turn import Turn
from handlers.understand import Outcome, Reading, Screen, interpret
from handlers.understand.extract import UnitSearch

if TYPE_CHECKING:
    from handlers.citizen.intake import IntakeFlow

# Where "quay lại" goes from each step.
_PREVIOUS = {
    "unit": "role",
    "unit_pick": "unit",
    "unit_remembered": "role",
    "system": "unit",
    "description": "system",
    "attachments": "description",
    "faq_offer": "description",
    "faq_pick": "description",
    "dossier": "description",
    "procedure": "dossier",
    "phone": "procedure",
    "confirm": "phone",
    "edit": "confirm",
}


class ReadingReplies(KeptWords):
    """The intake's answer to every typed reading (see the module docstring)."""

    def __init__(self, flow: IntakeFlow, units: UnitSearch) -> None:
        super().__init__(flow, units)
        # Set by the engine: cancel, restart, language and case status belong to it.
        self.command: Callable[[Turn, str], Awaitable[None]] | None = None
        self.status: Callable[[Turn], Awaitable[None]] | None = None

    def screen(self, turn: Turn, prompt: Prompt) -> Screen:
        subject = ""
        if turn.step == "unit_remembered":
            unit = self.flow.units.get(turn.reporter.unit_code or "")
            subject = unit.full_name if unit else ""
        elif turn.step == "unit_pick" and turn.data.get("unit_candidates"):
            subject = turn.data["unit_candidates"][0][1]
        return Screen(turn.step, tuple((c.key, c.label) for c in prompt.choices), turn.language, subject)

    async def reply(self, turn: Turn, prompt: Prompt) -> None:
        text = clean_text(turn.event.text)
        reading = interpret(text, self.screen(turn, prompt), self.units)
        handler = {
            Outcome.ANSWER: self._answer,
            Outcome.FIELD: self._fields,
            Outcome.COMMAND: self._command,
            Outcome.QUESTION: self._question,
            Outcome.SOCIAL: self._social,
            Outcome.UNCLEAR: self._unclear,
        }[reading.outcome]
        await handler(turn, prompt, reading, text)

    # -- outcomes --------------------------------------------------------------------------

    async def _answer(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        step = turn.step
        value = reading.value or ""
        keys = {choice.key for choice in prompt.choices}
        said = self.keep_fields(turn, reading.fields, text, skip=step)
        if said:
            turn.say(said)
        flow = self.flow
        if value in keys:
            await flow.on_step(turn, value, text)
        elif step in ("unit", "unit_pick"):
            await flow.on_unit(turn, None, value)
        elif step == "description":
            await flow.answer(turn, "description", None, text)
        elif step == "attachments":
            if flow.add_to_description(turn, text):
                flow.ask(turn, prefix=turn.t.DESCRIPTION_EXTENDED)
        elif step == "dossier":
            turn.set(dossier_code=value[:80])
            flow.ask(turn, flow.next_after(turn, "procedure"))
        elif step == "procedure":
            await flow.answer(turn, "procedure", None, value)
        elif step == "phone":
            await flow.answer(turn, "phone", None, value)
        else:
            flow.ask(turn, prefix=turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)))

    async def _fields(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        unit = reading.fields.get("unit")
        before = turn.data.get("unit_code")
        if unit and turn.step in ("confirm", "edit"):
            turn.set(unit_hint=None)
        said = self.keep_fields(
            turn, reading.fields, text, skip="" if turn.step in ("confirm", "edit") else turn.step
        )
        if unit and turn.step in ("confirm", "edit") and turn.data.get("unit_code") != before:
            self.flow.ask(turn, "confirm", prefix=said or None)  # a clear correction: the summary shows it
            return
        if unit and turn.step in ("unit_pick", "unit_remembered", "unit", "confirm", "edit"):
            turn.set(editing=True) if turn.step in ("confirm", "edit") else None
            turn.set(unit_hint=None)
            await self.flow.on_unit(turn, None, unit)  # several candidates: the person picks
            return
        if turn.step == "edit":
            self.flow.ask(turn, "confirm", prefix=said or None)
            return
        self.flow.ask(turn, prefix=said or None)

    async def _command(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        t = reading_texts(turn.language)
        value = reading.value or ""
        if value == "no_draft":
            turn.set(draft_description=None)  # they will write it again: ask without the old text
            self.flow.ask(turn)
            return
        if value == "human":
            self.flow.ask(turn, prefix=t["human"])
        elif value == "back":
            previous = _PREVIOUS.get(turn.step)
            if previous is None:
                self.flow.ask(turn, prefix=t["back_none"])
            else:
                self.flow.ask(turn, previous)
        elif value == "finish" and turn.step in ("dossier", "procedure", "phone", "attachments"):
            turn.set(finish=True)
            if turn.step == "attachments":
                await self.flow.on_step(turn, "attach:done", "")
            else:
                self.flow.ask(turn, "confirm")
        elif value in ("cancel", "restart", "language_en") and self.command is not None:
            await self.command(turn, value)
        else:
            self.flow.ask(turn)

    async def _question(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        t = reading_texts(turn.language)
        kind = reading.value or "clarify"
        if kind == "status" and self.status is not None:
            await self.status(turn)
            self.flow.ask(turn)
            return
        if kind == "new_unit":
            if turn.step in ("unit", "unit_pick"):
                await self.flow.on_unit(turn, None, reading.fields.get("unit") or text)
                return
            self.flow.ask(turn, prefix=self.new_unit_answer(turn, text))
            return
        if kind in ("scope", "where_to_file"):
            self.flow.ask(turn, prefix=t[kind])
            return
        self.flow.ask(turn, prefix=t.get(f"clarify_{turn.step}", t["clarify"]))

    async def _social(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        t = reading_texts(turn.language)
        kind = reading.value or ""
        if turn.step == "faq_offer" and kind == "thanks":
            await self._unclear(turn, prompt, reading, text)  # thanks, but did it work?
            return
        if kind == "hold":
            turn.say(t["hold"])  # the question is still on screen: not sent again
            return
        if kind == "emoji" and turn.step == "description":
            turn.say(turn.t.DESCRIPTION_TOO_SHORT.format(min=self.flow.config.min_description_length))
            return
        prefix = {
            "greeting": t["greeting"],
            "thanks": t["thanks"],
            "waiting": t["waiting"],
            "abuse": t["abuse"],
        }.get(kind)
        if kind == "abuse":
            self.keep_note(turn, text)
        self.flow.ask(turn, prefix=prefix)

    async def _unclear(self, turn: Turn, prompt: Prompt, reading: Reading, text: str) -> None:
        """Never a final branch: a short confirming question with the same choices."""
        t = reading_texts(turn.language)
        confirming = {
            "faq_offer": "confirm_solved",
            "consent": "confirm_consent",
            "confirm": "confirm_summary",
        }
        if turn.step in confirming:
            turn.say(t[confirming[turn.step]], prompt.choices, columns=prompt.columns)
            return
        if reading.value == "bad_phone":
            self.flow.ask(turn, prefix=turn.t.PHONE_INVALID.format(text=shorten(text, 30)))
            return
        if turn.step in ("unit", "unit_pick") and text:
            await self.flow.on_unit(turn, None, text)  # searched: "not found" says what to type
            return
        if turn.step == "description":
            turn.say(turn.t.DESCRIPTION_TOO_SHORT.format(min=self.flow.config.min_description_length))
            return
        kept = self.keep_note(turn, text) if len(text.split()) >= 3 else False
        if prompt.choices and not prompt.free_text:
            prefix = turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60))
        else:
            prefix = t["unclear"]
        self.flow.ask(turn, prefix=prefix + ("\n" + t["note_kept"] if kept else ""))
