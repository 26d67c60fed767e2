"""What the bot says back to a typed reply that was not a plain answer (handlers.citizen.reading_replies,
menu_reading), by key, in a person's language.

The Vietnamese is `READING` in handlers/citizen/texts/reading.py; the other languages are its
entries in the catalogs (msgctxt "READING.<key>", handlers/citizen/locales; docs/i18n.md).
"""

from __future__ import annotations

from handlers.citizen import texts
from handlers.citizen.language import texts_for

VI: dict[str, str] = texts.READING


def reading_texts(language: str) -> dict[str, str]:
    """The replies in `language` ("vi", "en"…; anything without a catalog is Vietnamese)."""
    replies: dict[str, str] = texts_for(language).READING
    return replies
