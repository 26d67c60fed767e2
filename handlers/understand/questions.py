"""Which reader reads a reply at which question (the readers live in yes_no, choice_steps and
free_steps). A reader returns None to hand the message to the general readings."""

from __future__ import annotations

from collections.abc import Callable

from handlers.understand import choice_steps, free_steps, menu_reader, yes_no
from handlers.understand.extract import UnitSearch
from handlers.understand.reading import Reading, Screen

Reader = Callable[[str, str, Screen, UnitSearch | None], Reading | None]

READERS: dict[str, Reader] = {
    "menu": menu_reader.menu,
    "consent": yes_no.consent,
    "role": choice_steps.role,
    "unit": free_steps.unit,
    "unit_pick": yes_no.unit_pick,
    "unit_remembered": yes_no.unit_remembered,
    "system": choice_steps.system,
    "description": free_steps.description,
    "attachments": free_steps.attachments,
    "faq_offer": yes_no.faq_offer,
    "faq_pick": choice_steps.faq_pick,
    "dossier": free_steps.dossier,
    "procedure": free_steps.procedure,
    "phone": free_steps.phone,
    "confirm": yes_no.confirm,
    "edit": choice_steps.edit,
    "rating": choice_steps.rating,
    "resume": yes_no.resume,
}

_FREE_TEXT = frozenset(
    {"menu", "unit", "unit_pick", "description", "attachments", "dossier", "procedure", "phone"}
)


def free_text_question(question: str) -> bool:
    """Questions that also take free text: a label must be typed whole to count as a choice."""
    return question in _FREE_TEXT
