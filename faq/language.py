"""Is a message written in English? Foreign residents write to the bot in English.

Vietnamese typed without diacritics is also plain ASCII, and many English words are also
Vietnamese syllables without marks ("can", "to", "i", "my"), so the test counts English
function words and words that cannot be Vietnamese syllables, after dropping known chat
abbreviations and acronyms ("ko", "dc", "otp", "vneid"), which both languages use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Set
from functools import lru_cache
from pathlib import Path

from faq.normalize import DATA_DIR, default_abbreviations, fold, has_diacritics, is_syllable, normalize

GLOSSARY_FILE = DATA_DIR / "glossary_en.tsv"

# Frequent English words; a message needs one of them to count as English.
_FUNCTION = """a an the i me my mine you your he she it its we our they their this that these those
    is are was were be been am do does did done have has had can cannot cant could would will
    should must may not no don doesn didn isn wasn won t s m to of in on at for from with by
    about into after before how what where when why which who whom please help and or but if
    so there here any some all get got try tried want need still again just already"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())
# Words that carry no topic in an English message: left out of its features the way
# politeness is in Vietnamese, so "What is the weather in Hai Phong" does not match a topic
# through "what is the ... in". Negations and question words stay ("cannot", "where").
_STOP = """a an the i me my mine you your he she it its we our they their this that these those
    is are was were be been am do does did have has had will would could should may might
    to of in on at for from with by about into please hello hi dear thanks thank sir madam
    so just very really also and or but"""
STOP_WORDS = frozenset(_STOP.split())
_WORD = re.compile(r"[a-z]+")
# Prefix of an English word in the index and in an English query (faq.index.canonical).
EN_MARK = "'"


@lru_cache(maxsize=1)
def shared_words() -> frozenset[str]:
    """Words both languages write alike: the expansions of acronyms ("vneid", "otp", "dich vu cong"),
    less English function words ("can" of "căn cước", "the" of "thẻ")."""
    table = default_abbreviations()
    words = {w for key in table.acronyms for w in table.plain[key].split()}
    return frozenset(words - FUNCTION_WORDS - STOP_WORDS)


def is_english(text: str) -> bool:
    """True for a message written in English ("I cannot log in to VNeID")."""
    marked = vietnamese_words(text)
    if marked:
        # A foreign resident names Vietnamese things in Vietnamese ("my phường", "on dịch vụ
        # công", "my wife căn cước"): still English when those are a small share of the words
        # and the rest is plainly English (two function words at least, so a Vietnamese
        # message quoting "Token not found" stays Vietnamese).
        # Names are not Vietnamese text: a resident writes his address in Vietnamese ("My
        # address is phường Máy Tơ, quận Ngô Quyền. This ward still exist…"), and those
        # capitalised names alone made a third of the words marked. A Vietnamese message
        # capitalises only its sentences' first words, so its marked share stays high.
        named = sum(1 for w in _LETTERS.findall(text) if w[0].isupper() and has_diacritics(w.lower()))
        every = _LETTERS.findall(text.lower())
        if len(marked) - named > _MARKED_SHARE * len(every):
            return False
        text = " ".join(w for w in every if not has_diacritics(w))
    table = default_abbreviations()
    words = [w for w in _WORD.findall(text.lower()) if w not in table.plain and w not in table.acronyms]
    if len(words) < 2:
        return False
    function = sum(w in FUNCTION_WORDS for w in words)
    foreign = sum(w in FUNCTION_WORDS or not is_syllable(w) for w in words)
    return function >= (2 if marked else 1) and foreign / len(words) >= 0.6


_LETTERS = re.compile(r"[^\W\d_]+")
_MARKED_SHARE = 0.25  # at most this share of an English message's words carry Vietnamese marks


@lru_cache(maxsize=1024)
def vietnamese_words(text: str) -> tuple[str, ...]:
    """The words of a text that carry Vietnamese marks, folded ("phường" → "phuong").

    Cached and folded once for the whole text: a message is asked this several times
    (language, canonical form, translation), and folding word by word cost a fifth of the
    matcher's time. Folding keeps letters letters, so the two word lists line up."""
    lowered = unicodedata.normalize("NFC", text.lower())
    if lowered.isascii():
        return ()
    words, folded = _LETTERS.findall(lowered), _LETTERS.findall(fold(lowered))
    if len(words) != len(folded):  # a letter folded to nothing: fall back to word by word
        return tuple(fold(w) for w in words if has_diacritics(w))
    return tuple(f for w, f in zip(words, folded, strict=True) if w != f)


# The frame of an English letter or polite chat line: it says nothing about the problem, and
# its words meet the wrong phrasings ("Could you please describe the steps" matched the
# bug-report topic through "describe", "I am writing to ask whether" the sync topic).
_LETTER = """to whom it may concern | good morning | good afternoon | good evening
    | i am writing to ask | i am writing to enquire | i am writing to inquire
    | i am writing to request | i am writing regarding | i am writing about | i am writing to
    | writing to ask | writing to enquire | writing to inquire | i would like to ask
    | i would like to know | i would like to enquire | i would like to inquire
    | could you please advise | could you please tell me | could you please let me know
    | could you please explain | could you please describe | could you please help
    | could you advise | please advise | please let me know | let me know
    | i hope you can help | hope you can help | i look forward to your reply
    | look forward to hearing from you | thank you in advance | thanks in advance
    | many thanks | best regards | kind regards | yours faithfully | yours sincerely
    | sincerely | regards"""


@lru_cache(maxsize=1)
def _letter_phrases() -> tuple[tuple[str, ...], ...]:
    phrases = {tuple(stem(w) for w in normalize(p, english=True).split()) for p in _LETTER.split("|")}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def letter_positions(tokens: list[str]) -> set[int]:
    """Positions of a letter's or a polite line's frame (``_LETTER``) in English tokens."""
    words = [t.removeprefix(EN_MARK) for t in tokens]
    found: set[int] = set()
    for phrase in _letter_phrases():
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase:
                found.update(range(i, i + n))
    return found


def stop_positions(tokens: list[str]) -> set[int]:
    """Positions of English words that say nothing about the problem (see STOP_WORDS), and
    of a letter's frame (``letter_positions``)."""
    stops = {i for i, token in enumerate(tokens) if token.removeprefix(EN_MARK) in STOP_WORDS}
    return stops | letter_positions(tokens)


# Number words, so that "level two" meets "level 2" (mức 2).
_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "first": "1", "second": "2"}
_VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """A light English stemmer: "mailed", "mails", "mailing" → "mail"; "receive(d)" → "receiv".

    Only inflections: the English phrasings of the knowledge base are few, so "the code never
    comes" has to meet "the code did not come". Words of four letters or less are left alone.
    """
    if word in _NUMBERS:
        return _NUMBERS[word]
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWELS & set(base):
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = base
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]  # "gett" (getting) → "get", but "fill", "pass" stay
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_FILE) -> dict[tuple[str, ...], tuple[str, ...]]:
    """English phrase (normalised, stemmed) → the knowledge base's Vietnamese words (normalised)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if lineno == 0 or not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) < 2:
            continue
        key = tuple(stem(t) for t in normalize(parts[0], english=True).split())
        if key:
            table.setdefault(key, tuple(normalize(parts[1]).split()))
    return table


def unmarked_vietnamese(
    tokens: list[str], pairs: Callable[[str], bool], exclude: Set[int] = frozenset()
) -> set[int]:
    """Positions of Vietnamese typed without marks inside an English message.

    A resident writes the portal's own words as he sees them, without diacritics: "my vneid
    say muc 1 only, cannot nop ho so", "portal show yeu cau thanh toan". Being ASCII, they are
    read as English words and lost to both readings. Two neighbours that are Vietnamese
    syllables and form a pair the knowledge base's phrasings use (``pairs``: "nop ho", "ho so",
    "thanh toan") are Vietnamese, unless both are English words ("to do", "the can").
    """
    found: set[int] = set()
    for i in range(len(tokens) - 1):
        # At least one word read as English (marked), and none typed with marks or left out
        # (``exclude``: place names, words with diacritics): those are read already.
        if {i, i + 1} & exclude or not (tokens[i] + tokens[i + 1]).count(EN_MARK):
            continue
        a, b = tokens[i].removeprefix(EN_MARK), tokens[i + 1].removeprefix(EN_MARK)
        if a in _ENGLISH_WORDS and b in _ENGLISH_WORDS:
            continue
        # A number may end the pair ("muc 2": mức 2), never start it.
        if is_syllable(a) and (is_syllable(b) or b.isdigit()) and pairs(f"{a} {b}"):
            found |= {i, i + 1}
    return found


_ENGLISH_WORDS = FUNCTION_WORDS | STOP_WORDS


def translate(
    tokens: list[str],
    loanwords: frozenset[str] = frozenset(),
    vietnamese: Set[int] = frozenset(),
) -> list[str]:
    """The Vietnamese words of a stemmed English message, phrase by phrase (longest first).

    English phrasings are few (a dozen per topic); the Vietnamese ones are many. Translated
    word by word through a small glossary, "I forgot my password" also meets "quên mật khẩu"
    in every Vietnamese phrasing. Words the glossary lacks are dropped: they are scored on
    the English side, except ``loanwords``, English words the Vietnamese phrasings use
    themselves ("token", "plugin", "gateway"), which are kept as they are.
    """
    glossary = load_glossary()
    # Marked words are stemmed already; shared ones ("online", names) are kept as written in
    # the index but the glossary's keys are stemmed.
    frame = letter_positions(tokens)
    tokens = [t[len(EN_MARK) :] if t.startswith(EN_MARK) else stem(t) for t in tokens]
    longest = max((len(k) for k in glossary), default=1)
    out: list[str] = []
    able = False  # "cannot X" is "không X được": "được" waits for the verb
    i = 0
    while i < len(tokens):
        if i in frame:  # "Could you please describe": the letter, not the problem
            i += 1
            continue
        if i in vietnamese:  # "nop ho so": Vietnamese as it is, never looked up as English
            out.append(tokens[i])
            i += 1
            continue
        for n in range(min(longest, len(tokens) - i), 0, -1):
            words = glossary.get(tuple(tokens[i : i + n]))
            if words is not None:
                if words == _CANNOT:
                    out.append("khong")
                    able = True
                else:
                    out.extend(words)
                    if able:
                        out.append("duoc")
                        able = False
                i += n
                break
        else:
            if tokens[i] in loanwords:
                out.append(tokens[i])
            i += 1
    return [*out, "duoc"] if able else out


_CANNOT = ("khong", "duoc")


# "I'm David, a retired Australian living in Đồ Sơn", "My name is Kelvin, I'm a Singaporean
# manager at a logistics company": who writes, not what went wrong. Such a sentence matched
# topics by its own words ("company" → the organisation account at 82).
_INTRODUCTION = re.compile(
    r"^(?:(?:hi|hello|hey|dear\s+\S+|good\s+(?:morning|afternoon|evening))[\s,!.]*)?"
    r"(?:my\s+name\s+is|i\s*'?\s*m|i\s+am|this\s+is|we\s+are|we\s*'?\s*re)\s+(\S+)",
    re.IGNORECASE,
)
# After "I'm": a name or nationality (capitalised), or one of these.
_INTRODUCING = frozenset({"a", "an", "from", "living", "working", "retired", "married", "studying", "the"})
# A sentence that says what is wrong is not an introduction, however it opens.
_PROBLEM = re.compile(
    r"\b(?:not|no|never|cannot|can\s*'?\s*t|couldn\s*'?\s*t|won\s*'?\s*t|doesn\s*'?\s*t|don\s*'?\s*t|"
    r"didn\s*'?\s*t|unable|error|fail\w*|problem|issue|stuck|lost|forgot\w*|wrong|help|how|"
    r"what|where|when|why|which|who|whether|can\s+i|could|should|need)\b|\?",
    re.IGNORECASE,
)


def introduction(sentence: str) -> bool:
    """Whether an English sentence only says who the writer is ("I'm Linh, a Vietnamese student
    doing my master's in Melbourne"); its words are not evidence for any topic."""
    head = sentence.strip()
    found = _INTRODUCTION.match(head)
    if found is None:
        return False
    word = found.group(1)
    # "I'm David", "I am Korean", "I'm a teacher", but not "I am worried about my file".
    if not (word[0].isupper() or word.lower().strip(",") in _INTRODUCING):
        return False
    return _PROBLEM.search(head) is None
