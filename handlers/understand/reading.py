"""What a typed reply means: the types, and the reading of yes and no.

A `Reading` is one of six outcomes (DESIGN.md §4): the answer to the question on screen, values
for other fields the person volunteered, a command in words, a question, social talk, or
unclear. Handlers act on it; the interpreter itself has no side effects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from handlers.understand import lexicon as L


class Outcome(StrEnum):
    ANSWER = "answer"
    FIELD = "field"
    COMMAND = "command"
    QUESTION = "question"
    SOCIAL = "social"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Screen:
    """What the person sees: the question (a conversation step) and its choices as shown."""

    question: str
    choices: tuple[tuple[str, str], ...] = ()  # (key, label)
    language: str = "vi"
    # What the question is about, when it names something: the unit offered back ("Lần trước
    # bạn báo từ Phường Lê Chân…", "Ý bạn là Phường An Biên?").
    subject: str = ""


@dataclass(frozen=True)
class Reading:
    outcome: Outcome
    # ANSWER: a choice key ("faq:not_solved") or the value typed (a dossier code, a phone
    # number, a unit to search); COMMAND, QUESTION, SOCIAL: what kind ("cancel", "status").
    value: str | None = None
    # Values for fields, volunteered or corrected: unit (a query for the unit search), system,
    # dossier, phone, procedure, description ("*": the whole message is the description).
    fields: Mapping[str, str] = field(default_factory=dict)

    def is_(self, outcome: Outcome, value: str | None = None) -> bool:
        return self.outcome == outcome and (value is None or self.value == value)


UNCLEAR = Reading(Outcome.UNCLEAR)


@lru_cache(maxsize=128)
def _longest_first(phrases: frozenset[str]) -> tuple[str, ...]:
    # Sorted once per set: the sets are module constants (L.NAMES has some 300 phrases).
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


def without(padded: str, phrases: frozenset[str]) -> str:
    """`padded` with every occurrence of the phrases blanked out (longest first)."""
    for phrase in _longest_first(phrases):  # longest first, always in one order
        if f" {phrase} " in padded:
            padded = re.sub(rf"(?<= ){re.escape(phrase)}(?= )", "~", padded)
    return padded


def after_contrast(padded: str) -> str:
    """What follows the last "mà" / "nhưng": "thử rồi mà vẫn lỗi" means "vẫn lỗi"."""
    cut = -1
    for word in L.CONTRAST:
        cut = max(cut, padded.rfind(f" {word} "))
    if cut < 0:
        return padded
    tail = padded[cut:].split(" ", 2)
    rest = " " + (tail[2] if len(tail) > 2 else "")
    return rest if rest.strip() else padded


def _negated_yes(padded: str) -> bool:
    """A yes-word right after a negator: "không đồng ý", "chưa được", "chẳng ăn thua"."""
    tokens = padded.split()
    for i, token in enumerate(tokens[:-1]):
        if token in L.NEGATORS and any(
            " ".join(tokens[i + 1 : i + 1 + n]) in L.YES | L.WORKED for n in (1, 2, 3)
        ):
            return True
    return False


def polarity(padded: str) -> str | None:
    """ "yes", "no", "mixed" or None for a short answer to a yes/no question."""
    padded = after_contrast(padded)
    idioms = any(f" {p} " in padded for p in L.POSITIVE_IDIOMS)
    core = without(padded, L.POSITIVE_IDIOMS)
    negative = _negated_yes(core) or any(f" {p} " in core for p in L.NO)
    positive = idioms or any(f" {p} " in without(core, L.NO) for p in L.YES)
    if negative and positive:
        return "mixed"
    return "no" if negative else "yes" if positive else None


def only(padded: str, allowed: frozenset[str]) -> bool:
    """True when every word is an allowed phrase or a filler ("ok ạ", "dạ được rồi em")."""
    if not any(f" {phrase} " in padded for phrase in allowed):
        return False  # fillers alone ("ừ", "ạ") answer nothing
    rest = without(without(padded, allowed), L.FILLER).replace("~", " ")
    return not rest.strip()


_CLAUSE = re.compile(r"[,.;!?\n]+|\s-\s")


def clauses(text: str) -> list[str]:
    """The parts of a message between punctuation: "đồng ý. em ở phường Ngô Quyền" → two."""
    return [part.strip() for part in _CLAUSE.split(text) if part.strip()]
