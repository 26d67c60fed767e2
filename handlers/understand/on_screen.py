"""A typed reply read against the choices on screen: a number ("số 2", "hai"), a label (with a
slip), or words that belong to one label only. The first step of handlers.understand.interpret.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from handlers.textutil import fold
from handlers.understand import lexicon as L
from handlers.understand.reading import Screen

# A message longer than this is a sentence: a command or a choice must be most of it.
SHORT = 6

# Said around a number: "số 2", "chọn 3", "câu 1 ạ", "mục 2 nhé", "option 2".
_NUMBER_LEAD = frozenset(
    {
        "so",
        "chon",
        "cau",
        "muc",
        "phuong an",
        "lua chon",
        "option",
        "number",
        "toi chon",
        "em chon",
        "cai",
        "cai thu",
        "cai so",
        "an",
        "bam",
        "nhan",
        "an so",
        "bam so",
    }
)


def typed_number(text: str) -> int | None:
    """The number a short answer names ("2", "số 2", "chọn 2 ạ", "2.", "2)"), else None.
    ASCII digits only: "²" and "①" are digits to str.isdigit() but not to int()."""
    tokens = fold(text).split()
    for size in (2, 1):
        if len(tokens) > size and " ".join(tokens[:size]) in _NUMBER_LEAD:
            tokens = tokens[size:]
            break
    while len(tokens) > 1 and tokens[-1] in L.FILLER | {"nhe", "nha", "ak", "ah", "thoi", "please"}:
        tokens = tokens[:-1]
    if len(tokens) == 1 and tokens[0].isascii() and tokens[0].isdigit() and len(tokens[0]) <= 3:
        return int(tokens[0])
    if len(tokens) == 1 and tokens[0] in _NUMBER_WORDS:
        return _NUMBER_WORDS[tokens[0]]  # "một", "số hai": dictated or typed out
    return None


_NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
}
# Answers that end a branch for good (DESIGN §7): a question about one's case overrides them, and
# they are never taken from a few words shared with their label.
FINAL_ANSWERS = frozenset({"faq:solved", "consent:no", "confirm:cancel", "confirm:submit"})
# Connecting words a reply may add to a label's words ("gửi cho tổ công tác đi").
_GLUE = frozenset({"di", "cho", "sang", "len", "ve", "den", "toi", "luon", "nhe"})


def _words_of_one_label(folded: str, screen: Screen) -> str | None:
    """A short reply made only of words of one choice's label ("gửi", "gửi luôn cho tổ công tác
    giúp em" under "📨 Không phải, gửi Tổ công tác"): that choice, when no other label has those
    words, the reply adds no negation of its own, and the choice does not end a branch."""
    tokens = folded.split()
    content = [w for w in tokens if w not in L.FILLER and w not in _GLUE]
    if not content or len(tokens) > 8 or all(w in L.NEGATORS or w in L.NO or w in L.YES for w in content):
        return None  # "không" alone under "🙁 Không hài lòng" is a no, not that label
    owners = [
        (key, fold(label).split())
        for key, label in screen.choices
        if all(word in fold(label).split() for word in content)
    ]
    if len(owners) != 1 or owners[0][0] in FINAL_ANSWERS:
        return None
    key, label_words = owners[0]
    if any(word in L.NEGATORS and word not in label_words for word in tokens):
        return None
    return key


def by_number_or_label(text: str, screen: Screen, free_text: bool) -> str | None:
    number = typed_number(text)
    if number is not None:
        if 1 <= number <= len(screen.choices) and (not free_text or number < 100):
            return screen.choices[number - 1][0]
        return None
    folded = fold(text)
    if not folded:
        return None
    for key, label in screen.choices:
        if folded == fold(label):
            return key
    if free_text:
        return None
    owned = _words_of_one_label(folded, screen)
    if owned is not None:
        return owned
    if len(folded.split()) > SHORT:
        return None
    # A label typed with a slip ("nguoi dan" for "👤 Người dân", "doanh ngiep").
    scored = sorted(((fuzz.ratio(folded, fold(label)), key) for key, label in screen.choices), reverse=True)
    if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 10):
        return scored[0][1]
    return None
