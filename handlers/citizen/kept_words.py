"""Keeping what a person typed: values for fields they volunteered, the description, notes for staff.

The other half of handlers.citizen.reading_replies (which decides what a reading means for the
question on screen): here the words are stored and the line telling the person where they went
is written. Nothing typed is dropped (DESIGN §4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.citizen.reading_texts import reading_texts
from handlers.textutil import format_phone, shorten
from handlers.turn import Turn
from handlers.understand.extract import UnitSearch

if TYPE_CHECKING:
    from handlers.citizen.intake import IntakeFlow

_DATA_KEY = {"dossier": "dossier_code", "procedure": "procedure_name", "phone": "phone", "system": "system"}


class KeptWords:
    def __init__(self, flow: IntakeFlow, units: UnitSearch) -> None:
        self.flow = flow
        self.units = units

    def keep_fields(self, turn: Turn, fields: Any, text: str, *, skip: str = "") -> str:
        """Store the volunteered values; return the line that tells the person what was kept."""
        t = reading_texts(turn.language)
        items: list[str] = []
        given = set(turn.data.get("given", []))
        if fields.get("consent") == "yes" and skip != "consent" and turn.reporter.consent is False:
            # Refused Decree 13, then agreed after all at another question ("à thôi em đồng ý cho
            # lưu số"): the same as choosing "Tôi đồng ý"; the phone is asked (or kept) from now on.
            self._agree(turn)
            items.append(t["consent_now"])
        role = fields.get("role")
        correcting = turn.step in ("confirm", "edit")  # "không phải, tôi là doanh nghiệp" at the summary
        if role and skip != "role" and (correcting or not turn.data.get("role")):
            # "em đồng ý, em là người dân": who they are, said with another answer, is not asked again.
            turn.set(role=role)
            turn.reporter.role = role
            given.add("role")
            items.append(t["field_role"].format(value=turn.t.ROLES.get(role, role)))
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
        lines = [line for line in items if line.startswith(("📝", "✅", "Bạn", "You"))]
        named = [line for line in items if not line.startswith(("📝", "✅", "Bạn", "You"))]
        if named:
            lines.insert(0, t["fields_kept"].format(items=", ".join(named)))
        return "\n".join(lines)

    @staticmethod
    def _agree(turn: Turn) -> None:
        turn.reporter.consent = True
        turn.reporter.consent_at = turn.now
        turn.reporter.display_name = turn.event.display_name or turn.reporter.display_name
        turn.reporter.username = turn.event.username or turn.reporter.username

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
