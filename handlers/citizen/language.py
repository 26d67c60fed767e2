"""The reporter's language: Vietnamese by default, English for foreign residents who ask for it.

A person's choice is `Reporter.language` ("vi", "en" or None for never chosen = Vietnamese).
Handlers read the texts of the person in front of them from `Turn.t`; code that writes to a
reporter outside their own turn (staff replies, notices, jobs) uses `case_texts`.
"""

from __future__ import annotations

from types import ModuleType

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts, texts_en
from handlers.events import Choice, Incoming, Kind
from handlers.services import FaqTopicView
from handlers.textutil import fold
from storage.models import Case, Reporter

ENGLISH = "en"
VIETNAMESE = "vi"

# Typed at any step to switch (compared folded: no diacritics, lower case, no punctuation).
_TO_ENGLISH = frozenset(
    {
        "english",
        "english please",
        "in english",
        "english pls",
        "speak english",
        "do you speak english",
        "can we speak english",
        "tieng anh",
    }
)
_TO_VIETNAMESE = frozenset({"tieng viet", "vietnamese", "in vietnamese", "tieng viet nhe", "noi tieng viet"})
_COMMANDS = {
    "en": ENGLISH,
    "english": ENGLISH,
    "vi": VIETNAMESE,
    "tiengviet": VIETNAMESE,
    "vietnamese": VIETNAMESE,
}


def texts_for(language: str | None) -> ModuleType:
    """The texts module of a language (anything but English is Vietnamese)."""
    return texts_en if language == ENGLISH else texts


async def case_texts(session: AsyncSession, case: Case) -> ModuleType:
    """The texts in the language of the person who filed `case`."""
    reporter = await session.get(Reporter, case.reporter_id)
    return texts_for(reporter.language if reporter is not None else None)


def requested_language(event: Incoming) -> str | None:
    """The language a message asks for ("english", "/en", the menu's 🌐 button), else None."""
    if event.kind == Kind.COMMAND:
        return _COMMANDS.get((event.command or "").lower())
    if event.kind == Kind.CHOICE and (event.choice or "").startswith("lang:"):
        wanted = (event.choice or "").split(":", 1)[1]
        return wanted if wanted in (ENGLISH, VIETNAMESE) else None
    if event.kind == Kind.TEXT and len(event.text) <= 40:
        folded = fold(event.text)
        if folded in _TO_ENGLISH:
            return ENGLISH
        if folded in _TO_VIETNAMESE:
            return VIETNAMESE
    return None


def wants_hint(language_code: str | None) -> bool:
    """The messenger says the person's app is not in Vietnamese (Telegram's language_code)."""
    if not language_code:
        return False
    return language_code.split("-")[0].strip().lower() not in ("", VIETNAMESE)


def rating_choices_in(t: ModuleType, choices: list[Choice]) -> list[Choice]:
    """Rating buttons ("rate:<case id>:<value>") labelled in the language of `t`."""
    return [Choice(c.key, t.RATINGS.get(c.key.rsplit(":", 1)[-1], c.label)) for c in choices]


def faq_guidance(t: ModuleType, topic: FaqTopicView, *, offer: bool) -> str:
    """A topic's guidance in the reader's language where it exists (English answers for the
    topics foreign residents meet), else the Vietnamese one with a line that says so."""
    own = t.LANGUAGE == ENGLISH and bool(topic.answer_en)
    answer = (topic.answer_en or "").strip() if own else topic.answer
    template = (
        (t.FAQ_OFFER_OWN if offer else t.FAQ_ANSWER_OWN) if own else (t.FAQ_OFFER if offer else t.FAQ_ANSWER)
    )
    return str(template.format(title=topic.title, answer=answer))
