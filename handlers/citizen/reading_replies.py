"""Acting on what a person typed during a report (handlers.understand reads it, this module acts).

Every outcome has one place here: an answer goes to the question's own handler in
handlers.citizen.intake; values for other fields are stored and shown back; commands, questions and
social talk are answered and the question is asked again; an unclear reply is never taken for
a final branch (solved, anonymous, cancel, submit): the person gets a short confirming question.
Nothing typed is dropped: what fits no field is kept as a note for staff, and the person is told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from handlers.choices import Prompt
from handlers.citizen.reading_texts import reading_texts
from handlers.textutil import clean_text, format_phone, shorten
from handlers.turn import Turn
from handlers.understand import Outcome, Reading, Screen, interpret
from handlers.understand.extract import UnitSearch

if TYPE_CHECKING:
    from handlers.citizen.intake import IntakeFlow

_DATA_KEY = {"dossier": "dossier_code", "procedure": "procedure_name", "phone": "phone", "system": "system"}
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


class ReadingReplies:
    """The intake's answer to every typed reading (see the module docstring)."""

    def __init__(self, flow: IntakeFlow, units: UnitSearch) -> None:
        self.flow = flow
        self.units = units
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

    # -- keeping what was typed ------------------------------------------------------------

    def keep_fields(self, turn: Turn, fields: Any, text: str, *, skip: str = "") -> str:
        """Store the volunteered values; return the line that tells the person what was kept."""
        t = reading_texts(turn.language)
        items: list[str] = []
        given = set(turn.data.get("given", []))
        for name in ("unit", "system", "dossier", "procedure", "phone"):
            value = fields.get(name)
            if (
                not value
                or name == skip
                or (name == "unit" and skip in ("unit", "unit_pick", "unit_remembered"))
            ):
                continue
            if name == "unit":
                shown = self._keep_unit(turn, value)
                if shown:
                    items.append(t["field_unit"].format(value=shown))
                continue
            if name == "phone" and turn.reporter.consent is False:
                items.append(t["phone_anonymous"])
                continue
            if name == "system" and turn.data.get("system") and turn.step not in ("confirm", "edit"):
                continue  # a system named in passing does not undo the one chosen; a correction does
            turn.set(**{_DATA_KEY[name]: value})
            given.add(name)
            label = (
                turn.t.SYSTEMS.get(value, value)
                if name == "system"
                else format_phone(value)
                if name == "phone"
                else value
            )
            items.append(t[f"field_{name}"].format(value=label))
        if fields.get("description") and skip not in ("description", "attachments"):
            items.append(self._keep_description(turn, text))
        turn.set(given=sorted(given | set(turn.data.get("given", []))))
        lines = [line for line in items if line.startswith(("📝", "Bạn", "You"))]
        named = [line for line in items if not line.startswith(("📝", "Bạn", "You"))]
        if named:
            lines.insert(0, t["fields_kept"].format(items=", ".join(named)))
        return "\n".join(lines)

    def _keep_unit(self, turn: Turn, query: str) -> str | None:
        """A unit named clearly is set; several candidates are offered at the unit question."""
        found = self.units(query[:100])
        if found and found[0][1] >= 90 and (len(found) == 1 or found[0][1] - found[1][1] >= 5):
            views = self.flow.units.find(query[:100], limit=1)
            if views:
                given = [*turn.data.get("given", []), "unit"]
                turn.set(unit_code=views[0].code, unit_name=views[0].full_name, given=given)
                return views[0].full_name
        if found:
            turn.set(unit_hint=query[:100])
        return None

    def _keep_description(self, turn: Turn, text: str) -> str:
        t = reading_texts(turn.language)
        limit = self.flow.config.max_text_length
        if turn.data.get("description"):
            return t["description_added"] if self.flow.add_to_description(turn, text) else ""
        if not turn.data.get("draft_description"):
            turn.set(
                draft_description=text[:limit], given=sorted({*turn.data.get("given", []), "description"})
            )
            return t["description_kept"]
        turn.set(draft_description=f"{turn.data['draft_description']}\n{text}"[:limit])
        return t["description_added"]

    def keep_note(self, turn: Turn, text: str) -> bool:
        """A message that fits no field: kept for staff with the report (added at submit)."""
        notes = list(turn.data.get("notes", []))
        if len(notes) >= 10 or not text:
            return False
        notes.append(text[:500])
        turn.set(notes=notes)
        return True

    def new_unit_answer(self, turn: Turn, text: str) -> str:
        t = reading_texts(turn.language)
        found = self.flow.units.find(text[:100], limit=3)
        if not found:
            return t["new_unit_unknown"]
        return t["new_unit"].format(old=shorten(text, 60), units=", ".join(unit.full_name for unit in found))
