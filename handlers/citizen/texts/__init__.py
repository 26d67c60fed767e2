"""Everything the bot says to reporters, in Vietnamese (xưng "mình", gọi "bạn"): the source language.

Kept apart from the flow so wording can be reviewed and changed without touching it, split by
area: menu.py (greeting, menu, help, general replies, look-up, FAQ browsing), intake.py (filing a
report), followups.py (after it is filed), limits.py (floods, the cap on open cases, /xoadulieu),
reading.py (answers to typed replies that were not a plain answer: READING, read by key through
handlers.citizen.reading_texts). Code reads `T.NAME` from here (Vietnamese) or `Turn.t.NAME` (the
person's language, handlers.citizen.language.texts_for: the same names).

Other languages are gettext catalogs, not Python: every string here is a msgid, its constant's
name the msgctxt ("NAME.key" for a value of a dict, "NAME" for each item of a tuple), so two
equal Vietnamese strings can be translated differently. `python -m handlers.citizen.catalog
extract` writes them to handlers/citizen/locales/messages.pot; docs/i18n.md tells the rest.
The names in NOT_TRANSLATED are data (codes, icons, the language switch, the words typed
answers are matched with), copied as they are.
"""

from __future__ import annotations

from handlers.citizen.texts import followups, intake, limits, menu, reading
from handlers.citizen.texts.followups import *  # noqa: F403
from handlers.citizen.texts.intake import *  # noqa: F403
from handlers.citizen.texts.limits import *  # noqa: F403
from handlers.citizen.texts.menu import *  # noqa: F403
from handlers.citizen.texts.reading import *  # noqa: F403
from handlers.citizen.vocabulary import ANSWER_WORDS as ANSWER_WORDS
from handlers.citizen.vocabulary import MENU_INTENTS as MENU_INTENTS
from handlers.citizen.vocabulary import answer_words as answer_words
from handlers.schedule import worktime

LANGUAGE = "vi"

# Weekday names as handlers write times ("16:00 thứ Hai, 24/11/2025", Monday first): translated
# like the rest, so `localize_time` of another language puts its own names in their place.
WEEKDAY_NAMES: tuple[str, ...] = worktime.WEEKDAY_NAMES_VI

# The modules whose constants are the texts (and this one, for WEEKDAY_NAMES), in catalog order.
PARTS = (menu, intake, followups, limits, reading)

NOT_TRANSLATED = frozenset(
    {
        "LANGUAGE",  # the language code
        "OTHER_LANGUAGE",  # the language the menu's 🌐 button switches to (handlers.citizen.language)
        "MENU_LANGUAGE",  # that button's label, in the language it switches to
        "LANGUAGE_HINT",  # already in English; shown only with the Vietnamese texts
        "ROLE_ICONS",
        "STATUS_ICONS",
        "OFFICER_ROLES",
        "MENU_INTENTS",  # vocabulary: handlers.citizen.vocabulary (_en)
        "ANSWER_WORDS",
        "NOT_TRANSLATED",
        "PARTS",
    }
)


def localize_time(text: str) -> str:
    """A time as handlers format it (Vietnamese, "16:00 thứ Hai, 24/11/2025"): unchanged here."""
    return text
