"""What the bot says back to typed replies exists in Vietnamese and English alike, with the same
blanks (a missing or misspelt blank would fail only when someone types that reply). The English
comes from the catalog (handlers/citizen/locales/en; its own checks: tests/test_translations.py)."""

from __future__ import annotations

from string import Formatter

from handlers.citizen.reading_texts import VI, reading_texts

EN = reading_texts("en")


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_reply_exists_in_both_languages_with_the_same_blanks() -> None:
    assert set(VI) == set(EN), set(VI) ^ set(EN)
    mismatched = {key for key in VI if _blanks(VI[key]) != _blanks(EN[key])}
    assert not mismatched, mismatched
    assert EN["confirm_solved"] == "Just to be sure: did the steps above solve your problem?"
    assert reading_texts("vi") is VI and reading_texts("de") is VI
