"""Resolving what a person answered to a question with choices.

Buttons send the choice key; text menus (Zalo, console) and people who type instead of
pressing get matched by number ("2") or by the words of the label ("nguoi dan", "Đồng ý").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from handlers.events import Choice, Incoming, Kind
from handlers.textutil import fold


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


def resolve_choice(event: Incoming, prompt: Prompt) -> Resolution:
    keys = {choice.key for choice in prompt.choices}
    if event.kind == Kind.CHOICE:
        if event.choice in keys:
            return Resolution(event.choice)
        return Resolution(None, stale=True)
    if event.kind != Kind.TEXT or not prompt.choices:
        return Resolution(None)
    answer = event.text.strip()
    if answer.isdigit():
        number = int(answer)
        if 1 <= number <= len(prompt.choices) and not prompt.free_text:
            return Resolution(prompt.choices[number - 1].key)
        if 1 <= number <= len(prompt.choices) and prompt.free_text and len(answer) <= 2:
            return Resolution(prompt.choices[number - 1].key)
        return Resolution(None)
    folded = fold(answer)
    if not folded:
        return Resolution(None)
    labels = [(choice.key, fold(choice.label)) for choice in prompt.choices]
    for key, label in labels:
        if folded == label:
            return Resolution(key)
    if prompt.free_text:
        return Resolution(None)
    # A typed answer close to one label (and clearly closer than the others) picks it.
    scored = sorted(
        ((max(fuzz.ratio(folded, label), fuzz.token_set_ratio(folded, label) if len(folded) >= 4 else 0), key)
         for key, label in labels),
        reverse=True,
    )
    best_score, best_key = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best_score >= 80 and best_score - runner_up >= 10:
        return Resolution(best_key)
    return Resolution(None)
