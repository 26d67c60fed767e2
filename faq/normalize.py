"""Text normalisation for Vietnamese chat messages.

People type with or without diacritics, with chat abbreviations ("ko", "dc", "tk"), with
emoji and stretched letters ("khongggg"), and sometimes in raw Telex when their keyboard
has no input method ("dduwowcj" for "được"). The matcher compares normalised text only, so
the knowledge base and the incoming message go through exactly the same function.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ABBREVIATIONS_FILE = DATA_DIR / "abbreviations.tsv"

# đ is a separate letter, not a base letter plus a combining mark, so NFD does not split it.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d"})
_COMBINING = re.compile(r"[\u0300-\u036f]")

# Dotted prefixes ("p. Lê Chân", "q.Ngô Quyền") must be expanded before punctuation goes,
# otherwise "p." becomes "p" and collides with other uses of the letter.
_DOTTED_PREFIX = re.compile(r"(?<![0-9a-z])(tp|tx|p|x|q|h)\.\s*")
_DOTTED_EXPANSION = {"tp": "thanh pho", "tx": "thi xa", "p": "phuong", "x": "xa", "q": "quan", "h": "huyen"}

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Vietnamese syllables never double a letter except "ưu" (cứu, hưu, lưu, bưu), so any other run
# is a stretched word or Telex. Collapsing "cuu" made "tra cứu" read "tra cũ" (old).
_RUN = re.compile(r"(?!uu(?!u))([a-z])\1+")
_STRETCH = re.compile(r"([a-z])\1\1")
# A Vietnamese syllable never contains w or a doubled vowel/d; in raw Telex these mark
# ư/ơ/ă, â/ê/ô and đ. A trailing s/f/r/x/j after a vowel or a final consonant is a Telex tone.
_TELEX_SIGN = re.compile(r"(?:[aeiouy]w|aa|ee|oo|dd)")
_TELEX_W = re.compile(r"(?<=[aou])w")
_TELEX_TONE = re.compile(r"^([bcdghklmnpqrstvx]*[aeiouy]+(?:ch|nh|ng|c|m|n|p|t)?)[sfrxj]$")


# Folded Vietnamese syllables: an optional initial consonant and a rhyme (medial o/u included).
# The matcher repairs an unknown syllable only when it is not one of these: "phieu" (phiếu) is a
# word the knowledge base lacks, not a typo of "hieu" (hiểu).
_ONSETS = ("", "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", *"bcdghklmnprstvx")
_RHYMES = frozenset(
    rhyme
    for line in (
        "a ac ach ai am an ang anh ao ap at au ay",
        "e ec ech em en eng enh eo ep et eu",
        "i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu",
        "o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong ooc oong op ot",
        "u ua uan uang uanh uat uay uc ue uech uen uenh ui um un ung uo uoc uoi uom uon uong uop uot uou",
        "up ut uu uy uya uych uyen uyet uynh uyt uyu",
        "y ych yen yet yeu ynh yt",
    )
    for rhyme in line.split()
)


def is_syllable(token: str) -> bool:
    """True when a folded token is a well-formed Vietnamese syllable ("phieu", "khung", "suot")."""
    return any(token.startswith(onset) and token[len(onset) :] in _RHYMES for onset in _ONSETS)


def fold(text: str) -> str:
    """NFC, lower case, diacritics removed and đ→d: the form people type without an IME."""
    text = unicodedata.normalize("NFC", text).lower().translate(_D_TABLE)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _COMBINING.sub("", decomposed))


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (so the writer chose them on purpose)."""
    lowered = unicodedata.normalize("NFC", text).lower()
    return fold(lowered) != lowered


@dataclass(frozen=True)
class Abbreviations:
    """Expansion tables built from abbreviations.tsv.

    ``plain`` maps a folded token typed without diacritics; ``marked`` maps a token typed
    with diacritics exactly as written in the table ("đc"). A token typed with other marks
    is a real word and is left alone: "hỏng" (broken) folds to "hong" but is not "hông".
    Ambiguous abbreviations ("mk" = mật khẩu | mình) are not expanded: the knowledge base
    contains them as typed, so the matcher learns them from context instead of guessing.
    """

    plain: dict[str, str]
    marked: dict[str, str]
    pairs: dict[tuple[str, str], str]
    ambiguous: frozenset[str]
    # Keys that are letters read one by one ("dvc", "otp", "cccd"): see spell_out.
    acronyms: frozenset[str] = frozenset()


def _clean_meaning(meaning: str) -> str:
    # "quận (cũ)" → "quan": the note in brackets is for humans.
    meaning = re.sub(r"\(.*?\)", " ", meaning)
    return " ".join(_NON_WORD.sub(" ", fold(meaning)).split())


def load_abbreviations(path: Path = ABBREVIATIONS_FILE) -> Abbreviations:
    plain: dict[str, str] = {}
    marked: dict[str, str] = {}
    pairs: dict[tuple[str, str], str] = {}
    ambiguous: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if lineno == 0 or not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        abbr = unicodedata.normalize("NFC", parts[0].strip().lower())
        meaning = parts[1].strip() if len(parts) > 1 else ""
        note = parts[2].strip().lower() if len(parts) > 2 else ""
        if not abbr or not meaning or abbr.endswith("."):
            continue  # dotted prefixes are handled by _DOTTED_PREFIX
        key = fold(abbr)
        if "|" in meaning or "ambiguous" in note:
            ambiguous.add(key)
            continue
        expansion = _clean_meaning(meaning)
        words = key.split()
        if len(words) == 2:
            pairs[(words[0], words[1])] = expansion
        elif key == abbr:
            plain.setdefault(key, expansion)
        else:
            marked[abbr] = expansion
            plain.setdefault(key, expansion)
    # A folded key that is also an ambiguous key must stay ambiguous ("dk" vs "đk").
    for key in ambiguous:
        plain.pop(key, None)
    return Abbreviations(plain, marked, pairs, frozenset(ambiguous), _acronyms(plain))


def _acronyms(plain: dict[str, str]) -> frozenset[str]:
    """Keys that are initials read out letter by letter: one word per letter ("dvc" → "dich vu
    cong") or an acronym standing for itself ("otp", "vnid" → "vneid"). Shortened words ("hok",
    "ktra", "tks") are not spelled aloud, and three letters at least: "đi xe" (to ride) must not
    become "dc" (được)."""

    def initials(key: str, meaning: str) -> bool:
        words = meaning.split()
        return len(words) == len(key) or (len(words) == 1 and not is_syllable(meaning))

    return frozenset(
        k for k, m in plain.items() if len(k) >= 3 and k.isalpha() and not is_syllable(k) and initials(k, m)
    )


# How letters are read aloud (folded), the Vietnamese way and the English way, as speech-to-text
# writes them: "vê en ai đi" is VNeID (VN-ID), "đi vê xê" DVC, "ô tê pê" OTP, "u ét bê" USB.
# b/p and d/t are voiced/unvoiced pairs that dictation confuses ("ô tê bê"), hence two letters.
_LETTER_NAMES: dict[str, str] = {
    "a": "a", "be": "bp", "bi": "b", "xe": "c", "se": "c", "xi": "c", "si": "c", "de": "d", "di": "d",
    "e": "e", "ep": "f", "gi": "g", "hat": "h", "i": "i", "ai": "i", "ca": "k", "cay": "k", "lo": "l",
    "em": "m", "mo": "m", "en": "n", "no": "n", "o": "o", "pe": "pb", "pi": "p", "qui": "q", "cu": "q",
    "ro": "r", "et": "s", "es": "s", "ti": "t", "te": "td", "u": "u", "ve": "v", "vi": "v", "ich": "x",
    "y": "y", "zet": "z", "dop": "w",
}  # fmt: skip
_SPELLED_MAX = 6  # letters in the longest acronym read out


def _spelled(names: list[str], acronyms: frozenset[str]) -> str | None:
    """The acronym that a run of letter names spells, trying both letters of a confused pair."""
    words = [""]
    for name in names:
        words = [w + letter for w in words for letter in _LETTER_NAMES[name]]
    return next((w for w in words if w in acronyms), None)


def spell_out(tokens: list[str], acronyms: frozenset[str]) -> list[str]:
    """Join letter names read aloud into the acronym they spell, when it is a known one."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in _LETTER_NAMES:
            # Longest run first: "vê en ai đi" before "en ai đi".
            for j in range(min(len(tokens), i + _SPELLED_MAX), i + 2, -1):
                run = tokens[i:j]
                if all(t in _LETTER_NAMES for t in run):
                    word = _spelled(run, acronyms)
                    if word:
                        out.append(word)
                        i = j
                        break
            else:
                out.append(tokens[i])
                i += 1
        else:
            out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=1)
def default_abbreviations() -> Abbreviations:
    return load_abbreviations()


def _repair_token(token: str, known: dict[str, str]) -> str:
    """Collapse stretched letters and undo raw Telex, keeping known abbreviations intact."""
    if token in known or token.isdigit():
        return token
    telex = _TELEX_SIGN.search(token) is not None
    collapsed = _RUN.sub(r"\1", token)
    # A doubled letter that leaves no syllable when collapsed is an English word pasted into a
    # Vietnamese message ("Connection failed", "Access denied", "Error"): kept as spelled.
    # Stretching repeats a letter more than twice, or leaves a syllable ("điii", "khongg").
    if not telex and not is_syllable(collapsed) and not _STRETCH.search(token):
        return token
    token = collapsed
    if telex:
        token = _TELEX_W.sub("", token)
        match = _TELEX_TONE.match(token)
        if match:
            token = match.group(1)
    return token


def _raw_tokens(text: str) -> list[str]:
    lowered = unicodedata.normalize("NFC", text).lower()
    return re.findall(r"[^\W_]+", lowered)


_ADDRESS_PARTS = frozenset({"www", "http", "https", "gov", "vn", "com"})


def _spelled_name(token: str, table: Abbreviations) -> bool:
    """An acronym ("otp", "vnid"), or a name written as one word that no language spells so
    ("dichvucong"): mapped in English text too."""
    if token in table.acronyms:
        return True
    meaning = table.plain.get(token, "")
    return len(token) >= 6 and token.isalpha() and not is_syllable(token) and len(meaning.split()) >= 2


def normalize(text: str, abbreviations: Abbreviations | None = None, english: bool = False) -> str:
    """Fold, expand chat abbreviations, drop punctuation/emoji, collapse repeats and spaces."""
    table = abbreviations or default_abbreviations()
    return " ".join(normalize_tokens(text, table, english))


def normalize_tokens(text: str, table: Abbreviations | None = None, english: bool = False) -> list[str]:
    """Normalised tokens; ``english`` keeps English words as spelled.

    The Vietnamese repairs would damage them: "how" and "show" read as raw Telex ("ho"),
    "password" and "still" as stretched letters, "pass" as the chat word for mật khẩu.
    Acronyms ("otp", "vnid" → "vneid") are still mapped.
    """
    table = table or default_abbreviations()
    lowered = unicodedata.normalize("NFC", text).lower()
    if english:
        # A web address is the portal's name: "dichvucong.gov.vn" is "dịch vụ công" as the
        # Vietnamese phrasings write it (a generic word there), not three rare English words.
        words = [t for t in _NON_WORD.sub(" ", fold(lowered)).split() if t not in _ADDRESS_PARTS]
        return [w for t in words for w in (table.plain[t].split() if _spelled_name(t, table) else [t])]
    # Expand dotted prefixes on the folded text but keep the original marks for the lookup
    # of marked abbreviations, hence two parallel token lists of equal length.
    folded_text = _DOTTED_PREFIX.sub(lambda m: _DOTTED_EXPANSION[m.group(1)] + " ", fold(lowered))
    marked_text = _DOTTED_PREFIX.sub(lambda m: _DOTTED_EXPANSION[m.group(1)] + " ", lowered)
    folded = _NON_WORD.sub(" ", folded_text).split()
    originals = _raw_tokens(marked_text)
    if len(originals) != len(folded):
        originals = folded  # exotic scripts: fall back to folded tokens only
    spelled = spell_out(folded, table.acronyms)
    if len(spelled) != len(folded):
        folded = originals = spelled  # letters read aloud: the acronym is typed without marks
    out: list[str] = []
    i = 0
    while i < len(folded):
        tok, orig = folded[i], originals[i]
        if i + 1 < len(folded) and (tok, folded[i + 1]) in table.pairs:
            out.extend(table.pairs[(tok, folded[i + 1])].split())
            i += 2
            continue
        if orig in table.marked:
            out.extend(table.marked[orig].split())
        elif orig == tok and tok in table.plain:
            out.extend(table.plain[tok].split())
        else:
            repaired = _repair_token(tok, table.plain)
            if repaired != tok and orig == tok and repaired in table.plain:
                out.extend(table.plain[repaired].split())
            else:
                out.append(repaired)
        i += 1
    return out
