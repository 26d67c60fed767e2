"""Split a long message into the sentences and clauses that are matched on their own.

A citizen tells a story: who they are, what they were doing, what went wrong, what they ask.
Matched as a whole, the context dilutes the problem ("em ở phường An Biên. Hôm qua em làm
khai sinh cho con. Đến bước xác thực thì không nhận được mã OTP."); matched sentence by
sentence, the sentence with the error stands out. Dictated text has no punctuation, so a long
run without it is also cut before the words that usually open a new clause.
"""

from __future__ import annotations

import re

# Sentence ends, line breaks, semicolons; a comma only separates clauses of a long sentence.
# A dot followed by a letter is inside a name ("dichvucong.gov.vn"), not a sentence's end.
_SENTENCE = re.compile(r"(?<!\d)(?:[.!?;…\n]*[!?;…\n][.!?;…\n]*|\.+(?![^\W\d_]))(?!\d)|\s[-–—]\s")
_COMMA = re.compile(r",\s*")
# Folded-independent: these start a new clause in dictated Vietnamese ("... rồi mà ...").
_OPENERS = re.compile(
    r"\s(?=(?:nhưng|nhung|mà|ma|thì|thi|xong|giờ|gio|bây giờ|bay gio|sau đó|sau do|"
    r"nhưng mà|tuy nhiên|tuy nhien)\s)",
    re.IGNORECASE,
)
_LONG = 14  # words: a clause longer than this is cut further (commas, then clause openers)


def _words(text: str) -> int:
    return len(text.split())


def _cut(part: str, pattern: re.Pattern[str]) -> list[str]:
    if _words(part) <= _LONG:
        return [part]
    return [p for p in pattern.split(part) if p.strip()]


def split_sentences(text: str) -> list[str]:
    """The sentences of a message, in order (not cut into clauses)."""
    return [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]


def split_segments(text: str) -> list[str]:
    """Sentences and clauses of a message, in order; the message itself when it has one."""
    parts = split_sentences(text)
    parts = [c for p in parts for c in _cut(p, _COMMA)]
    parts = [c.strip() for p in parts for c in _cut(p, _OPENERS)]
    return [p for p in parts if p]
