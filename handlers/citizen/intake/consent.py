"""The Decree 13 question: consent to keep the phone number and what is sent, or report anonymously."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.events import Choice
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


def ask_consent(flow: IntakeFlow, turn: Turn) -> Prompt:
    return Prompt(
        turn.t.CONSENT,
        [Choice("consent:yes", turn.t.CONSENT_YES), Choice("consent:no", turn.t.CONSENT_NO)],
    )


async def on_consent(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    turn.reporter.consent = choice == "consent:yes"
    turn.reporter.consent_at = turn.now
    editing = bool(turn.data.get("editing"))  # asked again from the summary, to leave a phone
    if not turn.reporter.consent:
        # Anonymous: keep no name or phone of this person.
        turn.reporter.display_name = None
        turn.reporter.username = None
        turn.reporter.phone = None
        turn.set(phone=None)
        flow.ask(turn, "confirm" if editing else "role", prefix=turn.t.CONSENT_REFUSED)
        return
    # Agreed: the messenger name may be kept from now on (never before, Decree 13).
    turn.reporter.display_name = turn.event.display_name or turn.reporter.display_name
    turn.reporter.username = turn.event.username or turn.reporter.username
    flow.ask(turn, "phone" if editing else "role")
