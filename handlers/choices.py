"""Resolving what a person answered to a question with choices.

Buttons send the choice key; text menus (Zalo, console) and people who type instead of
pressing get matched by number ("2"), by the words of the label ("nguoi dan", "Đồng ý"), or by
the everyday words people answer with ("có", "ok gửi đi", "dvc": handlers.citizen.vocabulary.ANSWER_WORDS).
People who chose English are understood in English too ("yes", "skip": handlers.citizen.vocabulary_en);
English words are not tried for the others ("no" is also Vietnamese "nó", "it").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from handlers.citizen import texts, vocabulary_en
from handlers.events import Choice, Incoming, Kind
from handlers.textutil import fold
from handlers.understand.on_screen import typed_number

# Answers longer than this are sentences, not answers to a choice: only a whole-answer match counts.
_SHORT_ANSWER_WORDS = 6


@dataclass
class Prompt:
    text: str
    choices: list[Choice] = field(default_factory=list)
    request_contact: bool = False
    # True when the step also takes free text (a unit name, a description); then only
    # a clear match selects a choice, anything else is passed on as text.
    free_text: bool = False
    columns: int = 1


@dataclass(frozen=True)
class Resolution:
    choice: str | None  # the chosen key
    stale: bool = False  # a button from an earlier question


def resolve_choice(event: Incoming, prompt: Prompt, language: str | None = None) -> Resolution:
    """What `event` chose among `prompt`'s choices; `language` is the person's ("en" adds the
    English everyday answers to the Vietnamese ones)."""
    keys = {choice.key for choice in prompt.choices}
    if event.kind == Kind.CHOICE:
        if event.choice in keys:
            return Resolution(event.choice)
        return Resolution(None, stale=True)
    if event.kind != Kind.TEXT or not prompt.choices:
        return Resolution(None)
    answer = event.text.strip()
    folded = fold(answer)
    number = typed_number(folded)
    if number is not None:
        # Where free text is also an answer (a unit, a dossier code), only a short number is a choice.
        if 1 <= number <= len(prompt.choices) and (not prompt.free_text or number < 100):
            return Resolution(prompt.choices[number - 1].key)
        return Resolution(None)
    if not folded:
        return Resolution(None)
    labels = [(choice.key, fold(choice.label)) for choice in prompt.choices]
    for key, label in labels:
        if folded == label:
            return Resolution(key)
    by_words = _by_answer_words(
        folded, prompt.choices, whole_answer_only=prompt.free_text, english=language == "en"
    )
    if by_words is not None:
        return Resolution(by_words)
    if prompt.free_text:
        return Resolution(None)
    # A typed answer close to one label (and clearly closer than the others) picks it.
    scored = sorted(
        (
            (
                max(
                    fuzz.ratio(folded, label), fuzz.token_set_ratio(folded, label) if len(folded) >= 4 else 0
                ),
                key,
            )
            for key, label in labels
        ),
        reverse=True,
    )
    best_score, best_key = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best_score >= 80 and best_score - runner_up >= 10:
        return Resolution(best_key)
    return Resolution(None)


def answer_words_for(key: str, english: bool) -> tuple[str, ...]:
    """The folded everyday answers for a choice key, English ones too for people in English."""
    if english:
        return vocabulary_en.answer_words(key) + texts.answer_words(key)
    return texts.answer_words(key)


def _by_answer_words(
    folded: str, choices: list[Choice], *, whole_answer_only: bool, english: bool = False
) -> str | None:
    """The choice whose everyday words the answer is, or contains as a phrase (short answers).

    The longest phrase wins, so "không đồng ý" is a no although it contains "đồng ý"; two
    choices matched by phrases of the same length are a tie and pick nothing."""
    padded = f" {folded} "
    short = len(folded.split()) <= _SHORT_ANSWER_WORDS and not whole_answer_only
    best: str | None = None
    best_length = 0
    tie = False
    for choice in choices:
        for phrase in answer_words_for(choice.key, english):
            if folded != phrase and not (short and f" {phrase} " in padded):
                continue
            if len(phrase) > best_length:
                best, best_length, tie = choice.key, len(phrase), False
            elif len(phrase) == best_length and best != choice.key:
                tie = True
    return None if tie else best
