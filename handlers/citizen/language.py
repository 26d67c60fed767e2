"""The reporter's language: Vietnamese by default, English for foreign residents who ask for it.

A person's choice is `Reporter.language` ("vi", "en" or None for never chosen = Vietnamese).
Handlers read the texts of the person in front of them from `Turn.t`; code that writes to a
reporter outside their own turn (staff replies, notices, jobs) uses `case_texts`.
The languages are LANGUAGES: Vietnamese is handlers.citizen.texts itself, the others are its
gettext catalogs (handlers.citizen.catalog; adding one: docs/i18n.md).
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import catalog, texts, vocabulary_en
from handlers.events import Choice, Incoming, Kind
from handlers.services import FaqTopicView
from handlers.textutil import fold
from storage.models import Case, Reporter

ENGLISH = "en"
VIETNAMESE = "vi"

# The languages a person can choose, each in its own words (the menu's button back to it). A
# language here needs handlers/citizen/locales/<code>/LC_MESSAGES/messages.po.
LANGUAGES: dict[str, str] = {VIETNAMESE: "Tiếng Việt", ENGLISH: "English"}
# Words people type in a language, to match their answers (handlers.citizen.vocabulary_en); a
# language without its own is understood in Vietnamese words only.
_VOCABULARY: dict[str, ModuleType] = {ENGLISH: vocabulary_en}

# Typed at any step to switch, by language (compared folded: no diacritics, lower case, no
# punctuation), and the commands that switch ("/en"). Only languages of LANGUAGES are taken.
_TYPED: dict[str, tuple[str, ...]] = {
    ENGLISH: (
        "english",
        "english please",
        "in english",
        "english pls",
        "speak english",
        "do you speak english",
        "can we speak english",
        "tieng anh",
    ),
    VIETNAMESE: ("tieng viet", "vietnamese", "in vietnamese", "tieng viet nhe", "noi tieng viet"),
}
_TO_LANGUAGE = {fold(phrase): code for code, phrases in _TYPED.items() for phrase in phrases}
_COMMANDS = {
    "en": ENGLISH,
    "english": ENGLISH,
    "vi": VIETNAMESE,
    "tiengviet": VIETNAMESE,
    "vietnamese": VIETNAMESE,
}


def texts_for(language: str | None) -> ModuleType:
    """The texts of a language of LANGUAGES (anything else is Vietnamese): the same names as
    handlers.citizen.texts, translated from its catalog the first time it is asked for."""
    if language is None or language == VIETNAMESE or language not in LANGUAGES:
        return texts
    return _translated(language)


@cache
def _translated(language: str) -> ModuleType:
    # Not translations: the 🌐 button goes back to Vietnamese, typed answers use their own words.
    extra: dict[str, object] = {
        "OTHER_LANGUAGE": VIETNAMESE,
        "MENU_LANGUAGE": f"🌐 {LANGUAGES[VIETNAMESE]}",
    }
    words = _VOCABULARY.get(language)
    if words is not None:
        extra.update(
            MENU_INTENTS=words.MENU_INTENTS, ANSWER_WORDS=words.ANSWER_WORDS, answer_words=words.answer_words
        )
    return catalog.translated_texts(language, extra)


async def case_texts(session: AsyncSession, case: Case) -> ModuleType:
    """The texts in the language of the person who filed `case`."""
    reporter = await session.get(Reporter, case.reporter_id)
    return texts_for(reporter.language if reporter is not None else None)


def requested_language(event: Incoming) -> str | None:
    """The language a message asks for ("english", "/en", the menu's 🌐 button), else None."""
    wanted: str | None = None
    if event.kind == Kind.COMMAND:
        wanted = _COMMANDS.get((event.command or "").lower())
    elif event.kind == Kind.CHOICE and (event.choice or "").startswith("lang:"):
        wanted = (event.choice or "").split(":", 1)[1]
    elif event.kind == Kind.TEXT and len(event.text) <= 40:
        wanted = _TO_LANGUAGE.get(fold(event.text))
    return wanted if wanted in LANGUAGES else None


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
