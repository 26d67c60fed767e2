"""Which system the problem is in (the national portal, the city system, VNeID, payment, signature, other)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.events import Choice
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


def ask_system(flow: IntakeFlow, turn: Turn) -> Prompt:
    return Prompt(
        turn.t.ASK_SYSTEM, [Choice(f"system:{key}", label) for key, label in turn.t.SYSTEMS.items()]
    )


async def on_system(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    assert choice is not None
    turn.set(system=choice.split(":", 1)[1])
    flow.ask(turn, flow.next_after(turn, "description"))
