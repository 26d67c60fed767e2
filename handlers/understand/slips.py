"""Typing slips repaired before reading: Vietnamese typed with the Telex keys left in ("dduwowcj"
for "được", "khoong" for "không", "phuowngf" for "phường") and words run together with no space
("khôngđượcvneid", "tiếptục").

A repair is kept only when it lands on a syllable the bot knows (the interpreter's phrases and
the texts it says), so an unknown word, a name or a code passes through unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

# The Telex tone keys (sắc, huyền, hỏi, ngã, nặng): typed after the syllable.
_TONE_KEYS = "sfrxj"
_VOWEL_MARKS = (
    (r"dd", "d"),
    (r"aa", "a"),
    (r"ee", "e"),
    (r"oo", "o"),
    (r"uw", "u"),
    (r"ow", "o"),
    (r"aw", "a"),
    (r"w", "u"),
)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every syllable of the interpreter's phrases and of what the bot says, folded."""
    from handlers.citizen import texts
    from handlers.textutil import fold
    from handlers.understand import lexicon

    syllables: set[str] = set()
    for value in vars(lexicon).values():
        if isinstance(value, frozenset):
            for phrase in value:
                syllables.update(phrase.split())
    for value in vars(texts).values():
        strings = (
            [value] if isinstance(value, str) else list(value.values()) if isinstance(value, dict) else []
        )
        for item in strings:
            if isinstance(item, str):
                syllables.update(fold(item).split())
            elif isinstance(item, tuple):
                syllables.update(word for phrase in item for word in fold(str(phrase)).split())
    from handlers.understand.normalize import ABBREVIATIONS

    syllables.update({"vneid", "otp", "sms", "dvc", "english", "y"}, ABBREVIATIONS)
    return frozenset(s for s in syllables if s.isalpha())


# The shape of a Vietnamese syllable without its marks: onset, vowel group, final.
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(uye|uya|oai|oay|oeo|uoi|uou|ieu|yeu|ua|uo|ie|ia|ai|ao|au|ay|eo|eu|iu|oa|oe|oi|ue|ui|uy|ye|a|e|i|o|u|y)"
    r"(ch|ng|nh|c|m|n|p|t|i|o|u|y)?$"
)


@lru_cache(maxsize=1)
def phrases() -> frozenset[str]:
    """The interpreter's phrases of two or three words."""
    from handlers.understand import lexicon

    found: set[str] = set()
    for value in vars(lexicon).values():
        if isinstance(value, frozenset):
            found.update(p for p in value if 2 <= len(p.split()) <= 3)
    return frozenset(found)


def _untelex(token: str, known: frozenset[str]) -> str | None:
    base = token
    for pattern, plain in _VOWEL_MARKS:
        base = re.sub(pattern, plain, base)
    marked = base != token  # a doubled vowel, "dd" or "w": only Telex writes those
    first_vowel = next((i for i, ch in enumerate(base) if ch in "aeiouy"), len(base))
    # A tone key may be typed anywhere after the vowel ("gwri" for "gửi"): try without each.
    toneless = [base[:i] + base[i + 1 :] for i in range(first_vowel + 1, len(base)) if base[i] in _TONE_KEYS]
    for attempt in [*toneless, base, *[re.sub(r"(.)\1$", r"\1", t) for t in [base, *toneless]]]:
        if attempt == token or not attempt:
            continue
        if attempt in known or (marked and _SYLLABLE.match(attempt)):
            return attempt
    return None


def _split(token: str, known: frozenset[str]) -> list[str] | None:
    """The fewest known syllables that make up `token` ("khongduocvneid"), or None."""
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 7), end):
            piece = token[start:end]
            previous = best[start]
            if previous is None or not (len(piece) >= 2 or piece in "aeiouy") or piece not in known:
                continue
            if best[end] is None or len(previous) + 1 < len(best[end] or []):
                best[end] = [*previous, piece]
    found = best[len(token)]
    return found if found and len(found) >= 2 else None


def repair(token: str, *, split: bool = True) -> list[str]:
    """The syllables a folded token stands for (itself when it is known or cannot be repaired)."""
    known = vocabulary()
    if token in known or not token.isalpha() or len(token) < 2 or _SYLLABLE.match(token):
        return [token]  # known, or a well-formed syllable ("trích"): nothing to repair
    untelexed = _untelex(token, known)
    if untelexed:
        return [untelexed]
    if len(token) >= 5:
        pieces = _split(token, known)
        # Without marks ("toimuonphananh", "dongy") a cut counts when it yields a phrase the
        # interpreter knows ("phan anh", "dong y"), so an English word is not cut into syllables.
        if pieces and (
            split or any(" ".join(pieces[i : i + n]) in phrases() for n in (2, 3) for i in range(len(pieces)))
        ):
            return pieces
    return [token]
