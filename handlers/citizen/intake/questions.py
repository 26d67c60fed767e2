"""The questions of the intake, each a small unit (its prompt and its answer) in its own module,
registered here in one place. handlers.citizen.intake.flow asks them; handlers.citizen.reading_replies reads
what people type at them (flow diagram: handlers/FLOWS.md, "Intake")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.citizen.intake import consent, description, details, faq_stage, summary, system, where, who
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


@dataclass(frozen=True)
class Question:
    # Builds the question from the saved state, with no side effects: it can be asked again at any time.
    ask: Callable[[IntakeFlow, Turn], Prompt]
    # Takes the answer: a choice key (a button, or what a typed reply was read as) and the text.
    answer: Callable[[IntakeFlow, Turn, str | None, str], Awaitable[None]]


QUESTIONS: dict[str, Question] = {
    "consent": Question(consent.ask_consent, consent.on_consent),
    "role": Question(who.ask_role, who.on_role),
    "unit": Question(where.ask_unit, where.on_unit),
    "unit_pick": Question(where.ask_unit_pick, where.on_unit_pick),
    "unit_remembered": Question(where.ask_unit_remembered, where.on_unit_remembered),
    "system": Question(system.ask_system, system.on_system),
    "description": Question(description.ask_description, description.on_description),
    "attachments": Question(description.ask_attachments, description.on_attachments),
    "faq_offer": Question(faq_stage.ask_faq_offer, faq_stage.on_faq_offer),
    "faq_pick": Question(faq_stage.ask_faq_pick, faq_stage.on_faq_pick),
    "dossier": Question(details.ask_dossier, details.on_dossier),
    "procedure": Question(details.ask_procedure, details.on_procedure),
    "phone": Question(details.ask_phone, details.on_phone),
    "confirm": Question(summary.ask_confirm, summary.on_confirm),
    "edit": Question(summary.ask_edit, summary.on_edit),
}
