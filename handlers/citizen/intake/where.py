"""Which xã, phường or đặc khu: typed freely, matched against the 114 units, confirmed from a short list;
officers are offered the unit they reported from last time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt, answer_words_for
from handlers.citizen import texts as T
from handlers.events import Choice, Kind
from handlers.services import UnitView
from handlers.textutil import fold, shorten
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


def ask_unit(flow: IntakeFlow, turn: Turn) -> Prompt:
    officer = turn.data.get("role") in T.OFFICER_ROLES
    choices = [] if turn.data.get("role") == "can_bo_xa" else [Choice("unit:skip", turn.t.UNIT_SKIP)]
    return Prompt(turn.t.ASK_UNIT_OFFICER if officer else turn.t.ASK_UNIT, choices, free_text=True)


async def on_unit(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "unit:skip":
        turn.set(unit_code=None, unit_name=None)
        flow.ask(turn, flow.next_after(turn, "system"))
        return
    if turn.event.kind != Kind.TEXT or not text:
        flow.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
        return
    found = find_units(flow, text[:100])
    if not found:
        # Back to the plain question: the candidates of an earlier search no longer apply.
        turn.set(unit_candidates=None)
        flow.ask(turn, "unit", prefix=turn.t.UNIT_NOT_FOUND.format(text=shorten(text, 60)))
        return
    codes = [code for code, _, _ in turn.data.get("unit_candidates") or []]
    if turn.step == "unit_pick" and found[0].code in codes:
        await set_unit(flow, turn, found[0].code)  # "phường Hòa Bình ấy": one of the list, named
        return
    turn.set(unit_candidates=[[u.code, u.full_name, u.former] for u in found])
    flow.ask(turn, "unit_pick")


def find_units(flow: IntakeFlow, text: str) -> list[UnitView]:
    """Candidates for what was typed: the clear best alone ("ngo quyen" → Phường Ngô Quyền),
    else the close ones (an old district names several new units)."""
    scored = getattr(flow.units, "scored", None)
    if scored is None:
        return flow.units.find(text, limit=3)
    found = scored(text, 3)
    if not found:
        return []
    top = found[0][1]
    return [unit for unit, score in found if score >= top - 5]


def ask_unit_pick(flow: IntakeFlow, turn: Turn) -> Prompt:
    candidates = turn.data.get("unit_candidates", [])
    choices = [
        Choice(
            f"unit:{code}",
            f"📍 {name}" + (f" ({former.replace(T.UNIT_FORMER, turn.t.UNIT_FORMER, 1)})" if former else ""),
        )
        for code, name, former in candidates
    ]
    choices.append(Choice("unit:retype", turn.t.UNIT_RETYPE))
    text = turn.t.UNIT_PICK_ONE.format(unit=candidates[0][1]) if len(candidates) == 1 else turn.t.UNIT_PICK
    # Typing another name here is a new search, not a wrong answer.
    return Prompt(text, choices, free_text=True)


async def on_unit_pick(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    candidates = turn.data.get("unit_candidates", [])
    if choice is None and len(candidates) == 1 and is_yes(flow, turn, text):
        choice = f"unit:{candidates[0][0]}"  # "Ý bạn là Xã An Lão?" — "đúng rồi"
    if choice is None:
        await on_unit(flow, turn, None, text)
        return
    if choice == "unit:retype":
        flow.ask(turn, "unit")
        return
    await set_unit(flow, turn, choice.split(":", 1)[1])


def is_yes(flow: IntakeFlow, turn: Turn, text: str) -> bool:
    """A plain yes ("đúng rồi", "có", "ok"; "yes" in English) to a yes/no question."""
    folded = fold(text)
    return bool(folded) and folded in answer_words_for("unit:same", english=turn.language == "en")


async def set_unit(flow: IntakeFlow, turn: Turn, code: str) -> None:
    unit = flow.units.get(code)
    if unit is None:
        flow.ask(turn, "unit")
        return
    turn.set(unit_code=unit.code, unit_name=unit.full_name, unit_candidates=None)
    if turn.data.get("role") in T.OFFICER_ROLES:
        turn.reporter.unit_code = unit.code  # remembered for the officer's next report
    flow.ask(turn, flow.next_after(turn, "system"))


def ask_unit_remembered(flow: IntakeFlow, turn: Turn) -> Prompt:
    unit = flow.units.get(turn.reporter.unit_code or "")
    name = unit.full_name if unit else "?"
    return Prompt(
        turn.t.UNIT_REMEMBERED.format(unit=name),
        [Choice("unit:same", turn.t.UNIT_SAME), Choice("unit:other", turn.t.UNIT_OTHER)],
        columns=2,
    )


async def on_unit_remembered(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "unit:same" and turn.reporter.unit_code:
        await set_unit(flow, turn, turn.reporter.unit_code)
    else:
        flow.ask(turn, "unit")
