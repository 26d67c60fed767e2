"""The 114 commune-level units of Hải Phòng (from 1/7/2025) and free-text lookup.

People type unit names with or without diacritics, with prefixes ("p.", "xã", "dk"), and
often by old names ("quận Lê Chân", "huyện Vĩnh Bảo", "thị trấn Cát Bà", "xã Tân Liên" merged
on 1/7/2025). Lookup never rejects a plausible Hải Phòng place name: it offers the candidate
new units and the bot asks the person to confirm. Scores are 0..100; 100 means the name
matched exactly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

from faq.normalize import fold
from faq.unit_data import (
    ALIASES_FILE,
    DATA_DIR,
    FORMER_FILE,
    UNITS_FILE,
    FormerUnit,
    Unit,
    _index,
    _marks_key,
    _UnitIndex,
    load_former_units,
    load_units,
)

__all__ = [
    "ALIASES_FILE",
    "DATA_DIR",
    "FORMER_FILE",
    "UNITS_FILE",
    "FormerUnit",
    "Unit",
    "find_units",
    "get_unit",
    "load_former_units",
    "load_units",
    "unit_search_key",
]


MIN_SCORE = 70.0  # weaker matches are noise ("hà nội" is not "Hà Nam")

# Scores by kind of evidence; an exact name always outranks everything else.
EXACT = 100.0
EXACT_OTHER_MARKS = 85.0  # same letters, but the user typed different diacritics
CONTAINS_SAME_MARKS = 88.0  # "Thanh Miện" inside "Bắc Thanh Miện", marks agree
FORMER_DISTRICT_SAME_NAME = 95.0  # "huyện Vĩnh Bảo" → xã Vĩnh Bảo
FORMER_DISTRICT = 90.0  # "quận Lê Chân" → phường An Biên
NAME_IN_TEXT = 90.0  # "tôi ở phường Lê Chân ạ"
ALIAS = 85.0  # "thị trấn Cát Bà" → đặc khu Cát Hải
FORMER_UNIT = 90.0  # "xã Tân Liên" (merged 1/7/2025) → xã Vĩnh Bảo
FORMER_UNIT_IN_DISTRICT = 92.0  # "xã Tân Liên huyện Vĩnh Bảo": the old district confirms which one
FORMER_PART_STEP = 1.0  # each further part of a divided former unit ranks a little lower
CONTAINS = 80.0  # "an phu" inside "bac an phu"
FUZZY_FACTOR = 0.9  # a typo match is worth at most 90
FUZZY_CUTOFF = (
    84.0  # rapidfuzz ratio: "le chna" (86) is a typo, "tan lien" vs "tran lieu" (82) is another place
)
CITY_NAMES = frozenset({"hai phong", "hp", "thanh pho hai phong"})

_NEW_PREFIXES = {
    "phuong": "phường",
    "p": "phường",
    "xa": "xã",
    "x": "xã",
    "dac khu": "đặc khu",
    "dk": "đặc khu",
}
_OLD_PREFIXES = ("thi tran", "thi xa", "thanh pho", "quan", "huyen", "tt", "tx", "tp", "q", "h")
_TOWN_PREFIXES = frozenset({"thi tran", "tt"})  # a former thị trấn was commune-level, not a district
# Words that introduce a commune-level name inside a longer message ("em ở xã Tân Liên cũ").
_COMMUNE_WORDS = frozenset({"xa", "phuong", "x", "p", "tt"})
_FILLER_START = ("uy ban nhan dan", "ubnd", "o", "tai", "thuoc", "ben em la", "em o", "toi o")
_FILLER_END = ("thanh pho hai phong", "tp hai phong", "hai phong", "hp", "cu", "moi", "a", "nhe")


def get_unit(code: str) -> Unit | None:
    return _index().by_code.get(str(code).strip())


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())


def _strip_words(folded: list[str], marked: list[str]) -> tuple[list[str], list[str], str | None, str | None]:
    """Drop filler and the prefix; return the name words, the kind hint and the old prefix."""
    kind: str | None = None
    old_prefix: str | None = None
    changed = True
    while changed and folded:
        changed = False
        joined = " ".join(folded)
        for filler in _FILLER_START:
            if joined == filler or joined.startswith(filler + " "):
                n = len(filler.split())
                folded, marked, changed = folded[n:], marked[n:], True
                break
        joined = " ".join(folded)
        for prefix, prefix_kind in _NEW_PREFIXES.items():
            if joined.startswith(prefix + " "):
                n = len(prefix.split())
                folded, marked, kind, changed = folded[n:], marked[n:], prefix_kind, True
                break
        joined = " ".join(folded)
        for prefix in _OLD_PREFIXES:
            if joined.startswith(prefix + " "):
                n = len(prefix.split())
                folded, marked, old_prefix, changed = folded[n:], marked[n:], prefix, True
                break
    changed = True
    while changed and folded:
        changed = False
        joined = " ".join(folded)
        for filler in _FILLER_END:
            if joined.endswith(" " + filler):
                n = len(filler.split())
                folded, marked, changed = folded[:-n], marked[:-n], True
                break
    return folded, marked, kind, old_prefix


def unit_search_key(text: str) -> str:
    """Folded name without prefix: "P. Lê Chân" → "le chan"; used to compare unit names."""
    marked = _words(text)
    folded = [fold(w) for w in marked]
    name, _, _, _ = _strip_words(folded, marked)
    return " ".join(name)


def _add(found: dict[int, float], unit: int, score: float) -> None:
    if score > found.get(unit, 0.0):
        found[unit] = score


def _score_name(found: dict[int, float], idx: _UnitIndex, key: str, marked: str, typed_marks: bool) -> None:
    for i in idx.by_key.get(key, ()):
        same = not typed_marks or idx.marked_names[i] == marked
        _add(found, i, EXACT if same else EXACT_OTHER_MARKS)
    for i in idx.by_part.get(key, ()):
        same_marks = typed_marks and marked in idx.marked_names[i]
        _add(found, i, CONTAINS_SAME_MARKS if same_marks else CONTAINS)


def _score_district(found: dict[int, float], idx: _UnitIndex, key: str, base: float) -> None:
    for i in idx.by_district.get(key, ()):
        same_name = idx.keys[i] == key
        _add(found, i, max(base, FORMER_DISTRICT_SAME_NAME) if same_name else base)
    district = idx.aliases.get(key)
    if district:
        for i in idx.by_district.get(district, ()):
            # The unit named after the old district usually holds its former seat.
            _add(found, i, ALIAS + 3 if idx.keys[i] == district else ALIAS)


def _contains(words: list[str], phrase: str) -> bool:
    target = phrase.split()
    n = len(target)
    return any(words[i : i + n] == target for i in range(len(words) - n + 1))


def _score_former(
    found: dict[int, float], idx: _UnitIndex, name: list[str], base: float, marked: list[str] | None = None
) -> bool:
    """A former commune's name at the start of ``name`` → the new units that took it over.

    The rest of the text may name its old district ("tân liên vĩnh bảo", "trần nguyên hãn q lê
    chân"); when it does, namesakes in other districts are dropped, otherwise all are offered
    (never guess between two former "xã Hòa Bình"). Diacritics typed on purpose count as for
    current names: "An Phụ" is first the former ward An Phụ, "An Phú" only after. ``marked``
    holds the typed words with their marks, None when typed without any.
    Returns whether a former name was found.
    """
    for n in range(min(len(name), 4), 0, -1):
        entries = idx.former.get(" ".join(name[:n]))
        if not entries:
            continue
        rest = name[n:]
        named = [e for e in entries if rest and _contains(rest, e.district)]
        score = FORMER_UNIT_IN_DISTRICT if named and base >= FORMER_UNIT else base
        typed = _marks_key(" ".join(marked[:n])) if marked else None
        for entry in named or entries:
            other_marks = EXACT - EXACT_OTHER_MARKS if typed and typed != entry.marked else 0.0
            for position, i in enumerate(entry.units):
                _add(found, i, score - other_marks - FORMER_PART_STEP * position)
        return True
    return False


def _scan_text(found: dict[int, float], idx: _UnitIndex, folded: list[str]) -> None:
    """Find unit or district names inside a longer message ("xã Vĩnh Phong huyện Vĩnh Bảo")."""
    covered: set[int] = set()
    for n in (4, 3, 2):
        for start in range(len(folded) - n + 1):
            span = set(range(start, start + n))
            if span & covered:
                continue
            gram = " ".join(folded[start : start + n])
            hit = False
            for i in idx.by_key.get(gram, ()):
                _add(found, i, NAME_IN_TEXT)
                hit = True
            if gram in idx.by_district or gram in idx.aliases:
                _score_district(found, idx, gram, FORMER_DISTRICT - 5)
                hit = True
            # A former commune only after "xã"/"phường": its name alone may be a street ("Lê Lợi").
            if start and folded[start - 1] in _COMMUNE_WORDS and gram in idx.former:
                hit = _score_former(found, idx, folded[start:], FORMER_UNIT - 5)
            if hit:
                covered |= span


def _score_typed(
    found: dict[int, float],
    idx: _UnitIndex,
    name: list[str],
    marked_name: list[str],
    typed_marks: bool,
    old_prefix: str | None,
) -> None:
    """Score the name typed after its prefix, the way that prefix says to read it."""
    key, marked = " ".join(name), _marks_key(" ".join(marked_name))
    marks = marked_name if typed_marks else None
    if old_prefix in _TOWN_PREFIXES and _score_former(found, idx, name, FORMER_UNIT, marks):
        return  # "thị trấn Vĩnh Bảo" is the former town, not the whole district named like it
    if old_prefix:
        _score_district(found, idx, key, FORMER_DISTRICT)
        # An old thị trấn or a renamed ward may share its name with a new unit.
        for i in idx.by_key.get(key, ()):
            _add(found, i, FORMER_DISTRICT_SAME_NAME)
        return
    _score_name(found, idx, key, marked, typed_marks)
    _score_district(found, idx, key, FORMER_DISTRICT)
    _score_former(found, idx, name, FORMER_UNIT, marks)


def _score_typos(found: dict[int, float], idx: _UnitIndex, key: str) -> None:
    """Names one or two letters off ("le chna", "tan lein"); never overrides a real match."""
    for _, similarity, i in process.extract(
        key, idx.keys, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_CUTOFF
    ):
        if i not in found:
            _add(found, i, round(similarity * FUZZY_FACTOR, 1))
    for former, similarity, _ in process.extract(
        key, idx.former_keys, scorer=fuzz.ratio, limit=2, score_cutoff=FUZZY_CUTOFF
    ):
        for entry in idx.former[former]:
            for i in entry.units:
                if i not in found:
                    _add(found, i, round(similarity * FUZZY_FACTOR, 1))


@lru_cache(maxsize=4096)
def _find(text: str) -> tuple[tuple[int, float], ...]:
    idx = _index()
    marked_words = _words(text)
    folded_words = [fold(w) for w in marked_words]
    typed_marks = any(m != f for m, f in zip(marked_words, folded_words, strict=True))
    name, marked_name, kind, old_prefix = _strip_words(folded_words, marked_words)
    if not name:
        return ()
    key = " ".join(name)
    if key in CITY_NAMES:
        return ()  # the city itself is not one of its units: let the bot ask again
    found: dict[int, float] = {}
    _score_typed(found, idx, name, marked_name, typed_marks, old_prefix)
    if not found and len(name) > 2:
        _scan_text(found, idx, folded_words)
    if not found or max(found.values()) < NAME_IN_TEXT:
        _score_typos(found, idx, key)
    units = idx.units

    def order(item: tuple[int, float]) -> tuple[float, int, str]:
        unit = units[item[0]]
        return (-item[1], 0 if kind is None or unit.kind == kind else 1, fold(unit.name))

    return tuple(sorted(((i, s) for i, s in found.items() if s >= MIN_SCORE), key=order))


def find_units(text: str, limit: int = 3) -> list[tuple[Unit, float]]:
    """Best candidate units for free typing, best first; [] when nothing plausible."""
    units = _index().units
    return [(units[i], score) for i, score in _find(text.strip())[: max(limit, 0)]]
