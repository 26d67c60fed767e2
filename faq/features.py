"""Token-level helpers of the matcher: syllable features, place names and politeness to ignore."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from faq.language import EN_MARK
from faq.normalize import fold
from faq.units import load_units

# Normalised words that introduce a place name (xã, phường, thị trấn, huyện, quận, thôn, tỉnh).
PLACE_WORDS = frozenset({"xa", "phuong", "tran", "huyen", "quan", "thon", "tinh"})
# Words that end a place name ("xã cũ của tôi", "phường mới", "xã nào").
NOT_NAMES = frozenset(
    {"cu", "moi", "khac", "nao", "gi", "minh", "toi", "em", "cua", "nay", "do", "kia", "o", "thi", "la"}
    | {"va", "voi", "ma", "nhung", "cac", "da", "dang", "con", "gio", "bay", "sau", "truoc", "ben", "roi"}
    | {"khong", "co", "duoc", "can", "bi", "nhap", "cung", "rat", "qua", "hay", "van", "doi", "bat"}
)
# Politeness that says nothing about the problem (normalised). Longest phrases first.
FILLER_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "minh muon hoi chut",
        "em muon hoi chut",
        "toi muon hoi chut",
        "cho em hoi chut",
        "cho em hoi them",
        "cho minh hoi",
        "cho toi hoi",
        "cho em hoi",
        "em muon hoi",
        "toi muon hoi",
        "minh muon hoi",
        "xin chao",
        "cam on",
        "cho hoi",
        "hoi chut",
        "hoi ti",
        "a lo",
        "ve viec",
        "buoi sang",
        "buoi trua",
        "buoi chieu",
        "buoi toi",
        "ngay moi",
        # the boilerplate of pasted error messages ("..., vui lòng thử lại sau"): every system
        # says it, so it tells no error from another
        "xin vui long thu lai sau",
        "vui long thu lai sau",
        "vui long thu lai",
        "xin vui long",
        "vui long",
    )
)
_FILLER_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in FILLER_PHRASES if p[0] == first) for first in {p[0] for p in FILLER_PHRASES}
}
FILLER_WORDS = frozenset(
    {"chao", "alo", "hello", "hi", "thanks", "thank", "ad", "admin", "oi", "nhe", "nha", "a"}
)
FILLER_WORDS |= {"ok", "oke", "oki", "okie", "hihi", "haha", "dear", "kinh", "gui"}
FILLER_OPENERS = frozenset({"da", "vang", "u", "uh", "uhm", "e", "ma"})  # only as the first word
# Procedure names (normalised), longest first; see procedure_positions.
PROCEDURE_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in sorted(
        (
            "dang ky khai sinh",
            "dang ky ket hon",
            "dang ky khai tu",
            "giay khai sinh",
            "giay chung sinh",
            "trich luc khai sinh",
            "trich luc ho tich",
            "ban sao trich luc",
            "trich luc",
            "ho tich",
            "khai sinh",
            "khai tu",
            "ket hon",
            "so do",
            "so hong",
            "giay chung nhan quyen su dung dat",
            "giay phep xay dung",
            "cap phep xay dung",
            "bien dong dat",
            "chuyen muc dich su dung dat",
            "ho kinh doanh",
            "dang ky kinh doanh",
            "xac nhan tinh trang hon nhan",
            "tinh trang hon nhan",
            "chung thuc ban sao",
        ),
        key=lambda p: -len(p.split()),
    )
)
_PROCEDURES_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in PROCEDURE_PHRASES if p[0] == first) for first in {p[0] for p in PROCEDURE_PHRASES}
}
# Names of the systems people write about (not offices: "trung tâm hành chính công ở đâu" asks
# for the office itself). They say where the problem is, not what it is:
# nearly every topic's phrasings name one, so a message whose match rests on the name alone
# ("hồ sơ của xã chuyển lên sở mà không thấy trên hệ thống TTHC thành phố" → network outage,
# through one outage phrasing that names that system) is not a confident answer. Longest first.
SYSTEM_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in sorted(
        (
            "he thong giai quyet thu tuc hanh chinh",
            "he thong thu tuc hanh chinh thanh pho",
            "he thong thu tuc hanh chinh",
            "he thong mot cua",
            "phan mem mot cua",
            "cong dich vu cong quoc gia",
            "cong dich vu cong",
            "dich vu cong quoc gia",
            "dich vu cong truc tuyen",
            "dich vu cong",
            "cong quoc gia",
            "cong thong tin",
            "he thong",
            "phan mem",
        ),
        key=lambda p: -len(p.split()),
    )
)
_SYSTEMS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in SYSTEM_PHRASES if p[0] == first) for first in {p[0] for p in SYSTEM_PHRASES}
}
# Place names that are themselves the subject of a topic.
KEPT_NAMES = frozenset({"cat hai", "cat ba", "bach long vi", "hai phong", "hai duong", "dac khu"})


def months(tokens: Sequence[str]) -> list[str]:
    """Generalise month numbers ("thang 4" → "thang #"): that a month is named matters, not which."""
    return ["#" if t.isdigit() and i and tokens[i - 1] == "thang" else t for i, t in enumerate(tokens)]


def features(tokens: Sequence[str], skip: set[int] | None = None) -> tuple[set[str], set[str]]:
    """Syllables and syllable pairs; positions in ``skip`` (place names) are left out."""
    if not skip:
        return set(tokens), {f"{a} {b}" for a, b in pairwise(tokens)}
    unigrams = {t for i, t in enumerate(tokens) if i not in skip}
    bigrams = {f"{tokens[i]} {tokens[i + 1]}" for i in range(len(tokens) - 1) if not {i, i + 1} & skip}
    return unigrams, bigrams


def _phrase_positions(tokens: Sequence[str], by_first: dict[str, tuple[tuple[str, ...], ...]]) -> set[int]:
    positions: set[int] = set()
    for i, token in enumerate(tokens):
        for phrase in by_first.get(token, ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                positions.update(range(i, i + len(phrase)))
                break
    return positions


def procedure_positions(tokens: Sequence[str]) -> set[int]:
    """Names of procedures ("đăng ký khai sinh", "sổ đỏ"): which dossier it is, not what went wrong.

    Ignored on the message side so that "nộp hồ sơ khai sinh thì lỗi tải tệp" is about the upload,
    and "làm khai sinh cần giấy tờ gì" is recognised by its "cần giấy tờ gì", not by the procedure.
    """
    return _phrase_positions(tokens, _PROCEDURES_BY_FIRST)


def system_positions(tokens: Sequence[str]) -> set[int]:
    """Names of systems ("phần mềm một cửa", "hệ thống TTHC thành phố"); see SYSTEM_PHRASES."""
    return _phrase_positions(tokens, _SYSTEMS_BY_FIRST)


def filler_positions(tokens: Sequence[str]) -> set[int]:
    """Greetings, thanks and "cho em hỏi" around a question carry no topic.

    Left in, they let "chào ad, em không nhận được OTP" look like a greeting; a message made
    only of them ends up with no features at all and abstains.
    """
    positions: set[int] = set()
    i = 0
    while i < len(tokens):
        for phrase in _FILLER_BY_FIRST.get(tokens[i], ()):
            n = len(phrase)
            if tuple(tokens[i : i + n]) == phrase:
                positions.update(range(i, i + n))
                i += n
                break
        else:
            if tokens[i] in FILLER_WORDS or (i == 0 and tokens[i] in FILLER_OPENERS):
                positions.add(i)
            i += 1
    return positions


@lru_cache(maxsize=1)
def _place_syllables() -> frozenset[str]:
    """Syllables of Hải Phòng unit and former district names ("tan", "lien", "vinh", "bao"...)."""
    syllables: set[str] = set()
    for unit in load_units():
        syllables.update(fold(unit.name).split())
        syllables.update(fold(unit.former_district).split())
    return frozenset(syllables - NOT_NAMES)


def capitalised(text: str) -> frozenset[str]:
    """Folded words written with a capital initial ("Tân Liên"); SHOUTED text says nothing."""
    words = re.findall(r"[^\W_]+", text)
    return frozenset(fold(w) for w in words if w[0].isupper() and not w.isupper())


def place_positions(tokens: Sequence[str], capitalised: frozenset[str] = frozenset()) -> set[int]:
    """Positions of the name after "xã", "phường", "huyện"...: which unit is not what the problem is.

    "xã Tân Liên", "bên em là phường Thành Đông": the name would otherwise count as unexplained
    words (or match unrelated topics by accident). Names that matter to a topic (Cát Hải, Bạch
    Long Vĩ...) and ordinary words after the place word ("xã cũ", "phường khác") are kept.
    """
    positions: set[int] = set()
    for i, token in enumerate(tokens):
        if token not in PLACE_WORDS or (token == "tran" and (i == 0 or tokens[i - 1] != "thi")):
            continue
        span = []
        names = _place_syllables()
        for j in range(i + 1, min(i + 4, len(tokens))):
            word = tokens[j]
            if word in NOT_NAMES or word in PLACE_WORDS or not (word in names or word in capitalised):
                break
            span.append(j)
        if len(span) >= 2 and " ".join(tokens[j] for j in span[:3]) not in KEPT_NAMES:
            positions.update(span)
    return positions


# English words after a unit's name ("Ngo Quyen district"), as English tokens carry them.
_ENGLISH_PLACE_WORDS = frozenset({"'ward", "'district", "'commun", "'town", "'provinc", "'villag"})


def english_name_positions(
    tokens: Sequence[str], capitalised: frozenset[str], accented: frozenset[str] = frozenset()
) -> set[int]:
    """In an English message, the Hải Phòng place names written without "xã"/"phường".

    English puts no place word before a name ("I live in Lê Chân but work in Thủy Nguyên"),
    so place_positions never sees them, and their syllables ("le", "chan", "nguyen") were
    matched as Vietnamese words: the sentence read as the pre-July dossiers topic. A run of
    two or more capitalised syllables of unit names, not English words (those carry the
    English mark), is a name. Names that are a topic's subject (KEPT_NAMES) stay, and so does
    a name followed by "ward", "district"...: "Dang Giang ward, Ngo Quyen district, what is
    the new ward name" asks about that unit, which is the unit-lookup topic's subject.

    People's names are set aside the same way: a letter signed "Nguyễn Văn Khánh" or a story
    opening "I'm Hương" read as the pre-July dossiers topic through "van", "huong". A
    capitalised syllable written with Vietnamese marks (``accented``, folded) is a name too.
    """
    names = _place_syllables()
    positions: set[int] = set()

    def part(token: str) -> bool:
        # "An Lão", "Do Son": a name's first syllable may be an English word, marked as one.
        word = token.removeprefix(EN_MARK)
        return word in capitalised and (word in names or word in accented)

    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and part(tokens[j]):
            j += 1
        if all(tokens[k].startswith(EN_MARK) for k in range(i, j)):
            j = i  # English words only ("Can", "Do"): not a name
            while j < len(tokens) and not tokens[j].startswith(EN_MARK) and part(tokens[j]):
                j += 1
        unit = j < len(tokens) and tokens[j] in _ENGLISH_PLACE_WORDS
        # One accented capitalised word is a name too ("I'm Hương"), one place syllable is not.
        single = j - i == 1 and tokens[i] in accented and tokens[i] not in names
        name = " ".join(t.removeprefix(EN_MARK) for t in tokens[i : min(j, i + 3)])
        if (j - i >= 2 or single) and not unit and name not in KEPT_NAMES:
            positions.update(range(i, j))
        i = max(j, i + 1)
    return positions
