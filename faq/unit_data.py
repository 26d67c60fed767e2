"""The data behind unit lookup: the 114 units, the former units merged on 1/7/2025, and their index.

Split from faq.units (which keeps the free-text lookup and re-exports these names) so that each
module stays small: reading the CSV files and building the index is one job, scoring a typed
name against it another.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from faq.normalize import fold

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DATA_DIR / "hai-phong-units.csv"
ALIASES_FILE = DATA_DIR / "unit-aliases.csv"
FORMER_FILE = DATA_DIR / "former-units.csv"  # former xã/phường/thị trấn → new units (NQ 1669)
# Tone marks; Vietnamese writes them on different vowels ("Thuỵ"/"Thụy", "Hoà"/"Hòa").
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_DISTRICT_KINDS = ("thanh pho", "thi xa", "quan", "huyen")  # kind words of a former district's name


@dataclass(frozen=True)
class FormerUnit:
    """A xã, phường or thị trấn abolished on 1/7/2025 and the new units that took it over."""

    code: str
    kind: str  # "xã" | "phường" | "thị trấn"
    name: str
    district: str  # with its kind: "Huyện Vĩnh Bảo", "Thành phố Hải Dương"
    province: str  # "Hải Phòng" | "Hải Dương"
    new_codes: tuple[str, ...]  # the part that took most of it first


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str  # "phường" | "xã" | "đặc khu"
    name: str
    former_province: str
    former_district: str  # filled for units of the former Hải Phòng only

    @property
    def full_name(self) -> str:
        return f"{self.kind.capitalize()} {self.name}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@lru_cache(maxsize=1)
def _read_units() -> tuple[Unit, ...]:
    with UNITS_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Unit(
                code=row["code"].strip(),
                kind=_nfc(row["type"]),
                name=_nfc(row["name"]),
                former_province=_nfc(row["former_province"]),
                former_district=_nfc(row["former_district"] or ""),
            )
            for row in csv.DictReader(handle)
        )


def load_units() -> list[Unit]:
    """The 114 units (read once; each call gets its own list, so callers may sort or filter it)."""
    return list(_read_units())


def _marks_key(text: str) -> str:
    """Lower-case text with each syllable's tone moved to its end, so old and new tone placement agree."""
    out = []
    for word in unicodedata.normalize("NFC", text).lower().split():
        nfd = unicodedata.normalize("NFD", word)
        tones = "".join(c for c in nfd if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES)) + tones)
    return " ".join(out)


@dataclass(frozen=True)
class _UnitIndex:
    units: tuple[Unit, ...]
    by_code: dict[str, Unit]
    by_key: dict[str, tuple[int, ...]]  # folded name -> units
    by_district: dict[str, tuple[int, ...]]  # folded former district -> units
    by_part: dict[str, tuple[int, ...]]  # folded word sequence inside a longer name -> units
    aliases: dict[str, str]  # folded old place name -> folded former district
    keys: tuple[str, ...]
    marked_names: tuple[str, ...]  # lower-case names with diacritics
    former: dict[str, tuple[_Former, ...]]  # folded former commune name -> its namesakes
    former_keys: tuple[str, ...]  # the names of ``former``, for typo matching


@dataclass(frozen=True)
class _Former:
    marked: str  # the name with its diacritics (_marks_key), to tell "An Phụ" from "An Phú"
    district: str  # folded former district without its kind ("vinh bao", "hai duong")
    units: tuple[int, ...]  # indexes into _UnitIndex.units, the largest part first


def _district_key(district: str) -> str:
    """ "Huyện Vĩnh Bảo" → "vinh bao": the way people name an old district with or without its kind."""
    key = fold(district).strip()
    for word in _DISTRICT_KINDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


@lru_cache(maxsize=1)
def _read_former() -> tuple[FormerUnit, ...]:
    if not FORMER_FILE.exists():
        return ()
    with FORMER_FILE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]  # the header cites the source
    merged: dict[tuple[str, str, str], FormerUnit] = {}
    for row in csv.DictReader(lines):
        key = (row["former_code"].strip(), _nfc(row["former_name"]), _nfc(row["former_district"]))
        known = merged.get(key)
        new_codes = (*known.new_codes, row["new_code"].strip()) if known else (row["new_code"].strip(),)
        merged[key] = FormerUnit(
            code=key[0],
            kind=_nfc(row["former_kind"]),
            name=key[1],
            district=key[2],
            province=_nfc(row["former_province"]),
            new_codes=new_codes,
        )
    return tuple(merged.values())


def load_former_units() -> list[FormerUnit]:
    """Communes, wards and towns merged on 1/7/2025 (Hải Phòng and Hải Dương), with their new units."""
    return list(_read_former())


def _former_index(by_code: dict[str, int]) -> dict[str, tuple[_Former, ...]]:
    former: dict[str, list[_Former]] = defaultdict(list)
    for unit in _read_former():
        units = tuple(by_code[code] for code in unit.new_codes if code in by_code)
        former[fold(unit.name)].append(_Former(_marks_key(unit.name), _district_key(unit.district), units))
    return {name: tuple(entries) for name, entries in former.items()}


def _load_aliases() -> dict[str, str]:
    if not ALIASES_FILE.exists():
        return {}
    with ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            fold(row["alias"]).strip(): fold(row["former_district"]).strip() for row in csv.DictReader(handle)
        }


@lru_cache(maxsize=1)
def _index() -> _UnitIndex:
    units = tuple(load_units())
    by_key: dict[str, list[int]] = defaultdict(list)
    by_district: dict[str, list[int]] = defaultdict(list)
    by_part: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        key = fold(unit.name)
        by_key[key].append(i)
        if unit.former_district:
            by_district[fold(unit.former_district)].append(i)
        words = key.split()
        for n in range(2, len(words)):
            for start in range(len(words) - n + 1):
                by_part[" ".join(words[start : start + n])].append(i)
    former = _former_index({u.code: i for i, u in enumerate(units)})
    _add_former_districts(by_district, former)
    return _UnitIndex(
        units=units,
        by_code={u.code: u for u in units},
        by_key={k: tuple(v) for k, v in by_key.items()},
        by_district={k: tuple(v) for k, v in by_district.items()},
        by_part={k: tuple(v) for k, v in by_part.items()},
        aliases=_load_aliases(),
        keys=tuple(fold(u.name) for u in units),
        marked_names=tuple(_marks_key(u.name) for u in units),
        former=former,
        former_keys=tuple(former),
    )


def _add_former_districts(by_district: dict[str, list[int]], former: dict[str, tuple[_Former, ...]]) -> None:
    """Old districts the units file does not name (Hải Dương's): the new units of their communes.

    "huyện Gia Lộc" then offers the units that took over Gia Lộc's communes, like "huyện Vĩnh Bảo"
    does for the former Hải Phòng; districts the units file already names are left as they are.
    """
    known = set(by_district)
    for entries in former.values():
        for entry in entries:
            if entry.district in known:
                continue
            for i in entry.units:
                if i not in by_district[entry.district]:
                    by_district[entry.district].append(i)
