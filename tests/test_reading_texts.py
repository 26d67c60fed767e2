"""What the bot says back to typed replies exists in Vietnamese and English alike, with the same
blanks (a missing or misspelt blank would fail only when someone types that reply)."""

from __future__ import annotations

from string import Formatter

from handlers.citizen.reading_texts import EN, VI


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_reply_exists_in_both_languages_with_the_same_blanks() -> None:
    assert set(VI) == set(EN), set(VI) ^ set(EN)
    mismatched = {key for key in VI if _blanks(VI[key]) != _blanks(EN[key])}
    assert not mismatched, mismatched
