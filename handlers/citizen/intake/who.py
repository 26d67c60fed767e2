"""Who is writing: a citizen, a business, a commune officer or a department officer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.citizen import texts as T
from handlers.events import Choice
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


def ask_role(flow: IntakeFlow, turn: Turn) -> Prompt:
    choices = [
        Choice(f"role:{key}", f"{turn.t.ROLE_ICONS[key]} {label}") for key, label in turn.t.ROLES.items()
    ]
    return Prompt(turn.t.ASK_ROLE, choices)


async def on_role(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    assert choice is not None
    role = choice.split(":", 1)[1]
    turn.set(role=role)
    turn.reporter.role = role
    if turn.data.get("editing") and turn.data.get("unit_code"):
        flow.ask(turn, "confirm")
        return
    remembered = turn.reporter.unit_code if role in T.OFFICER_ROLES else None
    if remembered and flow.units.get(remembered):
        flow.ask(turn, "unit_remembered")
    else:
        flow.ask(turn, "unit")
