"""The description as it grows: typed text and captions append to it, within the length limit.

Its own module because both the description question and the attachments step add to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow
    from handlers.turn import Turn


def add_to_description(flow: IntakeFlow, turn: Turn, text: str) -> bool:
    """Append to the description; False (and the person told) when it would be too long."""
    description = turn.data.get("description", "")
    if len(description) + 1 + len(text) > flow.config.max_text_length:
        turn.say(turn.t.DESCRIPTION_FULL.format(max=flow.config.max_text_length))
        return False
    turn.set(description=f"{description}\n{text}".strip())
    return True
