"""Repairs for dictated and carelessly typed text that need the knowledge base's vocabulary.

Speech-to-text writes real Vietnamese syllables, but sometimes the wrong one of a pair that
sounds alike in a regional accent or at speed: "bổ xung" for "bổ sung", "tài khoảng" for "tài
khoản", "đăng nhật" for "đăng nhập", "nỗi hệ thống" for "lỗi". Each slip is a well-formed
syllable, so the typo repair (which leaves real syllables alone) cannot see it. What gives it
away is the pair: "bo xung" occurs nowhere in the knowledge base while "bo sung" does. So a
syllable is swapped for a sound-alike only when that turns an unknown pair into a known one.
It also rejoins a loanword that dictation split in two ("tô ken" → "token").
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from functools import lru_cache

from faq.normalize import is_syllable

# Initials that accents and dictation confuse: s/x and ch/tr (northern speech), d/gi/r
# (northern), l/n (Red River delta), v/d (southern).
_ONSETS: dict[str, tuple[str, ...]] = {
    "s": ("x",),
    "x": ("s",),
    "ch": ("tr",),
    "tr": ("ch",),
    "d": ("gi", "r", "v"),
    "gi": ("d", "r"),
    "r": ("d", "gi"),
    "v": ("d",),
    "l": ("n",),
    "n": ("l",),
}
# Finals that southern speech merges (n/ng, t/c) and that dictation mishears (t/p).
_CODAS: dict[str, tuple[str, ...]] = {
    "ng": ("n",),
    "n": ("ng",),
    "c": ("t",),
    "t": ("c", "p"),
    "p": ("t",),
}
_ONSET_ORDER = sorted(_ONSETS, key=len, reverse=True)  # "gi"/"ch"/"tr" before "g"/"c"/"t"
_CODA_ORDER = sorted(_CODAS, key=len, reverse=True)  # "ng" before "n"/"g"


@lru_cache(maxsize=8192)
def sound_alikes(syllable: str) -> tuple[str, ...]:
    """Folded syllables that differ from this one by one confusable initial or final."""
    out: list[str] = []
    for onset in _ONSET_ORDER:
        if syllable.startswith(onset) and len(syllable) > len(onset):
            rest = syllable[len(onset) :]
            if onset in ("n", "c", "g") and rest[0] in "hg":
                continue  # "nh", "ng", "ch", "gh" are initials of their own
            out.extend(other + rest for other in _ONSETS[onset])
            break
    for coda in _CODA_ORDER:
        if syllable.endswith(coda) and len(syllable) > len(coda):
            stem = syllable[: -len(coda)]
            if (coda == "n" and stem.endswith(("g", "h"))) or (coda in ("c", "t") and stem.endswith("h")):
                continue  # "...ng", "...nh", "...ch" are finals of their own
            out.extend(stem + other for other in _CODAS[coda])
            break
    return tuple(out)


def repair_sound_alikes(tokens: list[str], known: Mapping[str, float], min_idf: float) -> list[str]:
    """Swap a syllable for a sound-alike when that turns unknown pairs into a known one.

    Only a rare orphan is swapped: a syllable that forms no known pair with either neighbour
    and that few labels use (idf at least ``min_idf``, or unknown). "thủ tục hành chính thì"
    keeps "chính" (its pair "hành chính" is known) even though "trình thì" would be a known
    pair too, and common syllables ("rồi", "giờ", "ra", "đã") are left alone: swapping them
    ("đòi" → "rồi", "ra" → "đã") rewrote ordinary sentences far more often than it repaired one.
    """
    out = list(tokens)
    for i, token in enumerate(out):
        if token.isdigit() or known.get(token, min_idf) < min_idf:
            continue
        before = out[i - 1] if i else None
        after = out[i + 1] if i + 1 < len(out) else None
        if (before and f"{before} {token}" in known) or (after and f"{token} {after}" in known):
            continue
        for other in sound_alikes(token):
            if (before and f"{before} {other}" in known) or (after and f"{other} {after}" in known):
                out[i] = other
                break
    return out


def rejoin_split_words(tokens: list[str], known: Container[str]) -> list[str]:
    """Join two syllables whose concatenation is a known word and whose pair is not ("to ken")."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            joined = tokens[i] + tokens[i + 1]
            if len(joined) >= 5 and joined in known and f"{tokens[i]} {tokens[i + 1]}" not in known:
                out.append(joined)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return out


_WORD_COST = 0.3  # extra cost of a piece that is a known non-syllable word (see _cut)
_MIN_RUN = 5  # shorter unknown tokens are typos (the typo repair's job), not several words


def split_run_together(tokens: list[str], known: Mapping[str, float]) -> list[str]:
    """Split a token that is several known syllables typed without spaces.

    Phones and hurried typing glue words ("khôngthấyxãmới", "cachthanhtoan lephi",
    "dichvucong"); glued, they are one unknown token and the message loses its content
    words. An unknown token that is not itself a syllable is cut into the fewest well-formed
    syllables the knowledge base knows (one letter never counts as a syllable here: it would
    let almost anything be cut). Tokens that cannot be cut wholly are left to the typo repair.
    """
    out: list[str] = []
    for token in tokens:
        if len(token) < _MIN_RUN or token in known or not token.isalpha() or is_syllable(token):
            out.append(token)
            continue
        out.extend(_cut(token, known) or [token])
    return out


def _cut(token: str, known: Mapping[str, float]) -> list[str] | None:
    """The cut with the fewest pieces, ties broken by known pairs: "nophoso" is "nop ho so",
    not "no pho so" (three syllables either way, but only the first makes known pairs)."""
    # states[i]: last piece -> (cost, pieces) of the best cuts of token[:i]; a known pair
    # takes off a little less than a piece costs, so it only breaks ties in the count.
    start_state: dict[str, tuple[float, list[str]]] = {"": (0.0, [])}
    states = [start_state] + [{} for _ in token]
    for end in range(2, len(token) + 1):
        for start in range(max(0, end - 7), end - 1):
            piece = token[start:end]
            if not states[start] or piece not in known:
                continue
            # A known word that is not a syllable ("otp", "vneid", "dvc" in "khongnhanduocotp")
            # may be a piece too, from three letters and at a little more than a syllable's cost.
            extra = 0.0 if is_syllable(piece) else _WORD_COST if len(piece) >= 3 else None
            if extra is None:
                continue
            for last, (cost, pieces) in states[start].items():
                new = cost + 1.0 + extra - (0.9 if last and f"{last} {piece}" in known else 0.0)
                if piece not in states[end] or new < states[end][piece][0]:
                    states[end][piece] = (new, [*pieces, piece])
    if not states[-1]:
        return None
    found = min(states[-1].values(), key=lambda state: state[0])[1]
    return found if len(found) > 1 else None
