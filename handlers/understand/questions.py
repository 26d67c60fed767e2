"""How each question of the conversation reads a typed reply (handlers.understand.interpret
calls the reader of the question on screen; None hands the message to the general readings).

The rule for yes/no questions that end a branch (solved, anonymous, submit): a clear yes or a
clear no, or None — then the general readings, and unclear at worst, which asks again.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.understand import lexicon as L
from handlers.understand.extract import (
    UnitSearch,
    find_dossier,
    find_phone,
    find_procedure,
    find_system,
    find_unit,
)
from handlers.understand.interpret import SHORT, is_problem, question_or_social, volunteered
from handlers.understand.reading import (
    UNCLEAR,
    Outcome,
    Reading,
    Screen,
    after_contrast,
    only,
    polarity,
    without,
)

Reader = Callable[[str, str, Screen, UnitSearch | None], Reading | None]


def _has(padded: str, phrases: frozenset[str]) -> bool:
    return any(f" {p} " in padded for p in phrases)


def _answer(key: str, fields: dict[str, str] | None = None) -> Reading:
    return Reading(Outcome.ANSWER, key, fields or {})


def _clarify(padded: str) -> bool:
    return len(padded.split()) <= 10 and _has(padded, L.CLARIFY)


# -- yes / no --------------------------------------------------------------------------------


def _faq_offer(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    """ "Did the guidance solve it?" A wrong "solved" drops a complaint, a wrong "not solved"
    costs one more question: any sign of failure is a no; only a clear success is a yes."""
    if _clarify(padded) and not _has(padded, L.NOT_WORKED):
        return Reading(Outcome.QUESTION, "clarify")
    tail = after_contrast(padded)
    core = without(padded, L.POSITIVE_IDIOMS)
    failed = _has(without(tail, L.POSITIVE_IDIOMS), L.NOT_WORKED) or polarity(padded) in ("no", "mixed")
    if failed or (_has(core, L.NOT_WORKED) and tail == padded):
        extra = {"description": "*"} if is_problem(padded) and len(padded.split()) > SHORT else {}
        return _answer("faq:not_solved", extra)
    strong = {
        p for p in L.WORKED if " " in p or p in ("xong", "solved", "fixed", "worked", "resolved", "done")
    }
    if _has(padded, strong) and tail == padded and not _has(padded, frozenset({"lam theo", "thu"}) - strong):
        return _answer("faq:solved")
    if only(padded, L.WORKED | L.YES | L.THANKS) and not only(padded, L.THANKS):
        return _answer("faq:solved")
    if is_problem(padded):
        return _answer("faq:not_solved", {"description": "*"})
    return None


def _yes_no(yes_key: str, no_key: str, *, clarify_first: bool = True) -> Reader:
    def read(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
        if clarify_first and _clarify(padded):
            return Reading(Outcome.QUESTION, "clarify")
        if len(padded.split()) > SHORT + 2:
            return None  # a sentence: a question, a problem or a correction, not a plain yes/no
        answer = polarity(padded)
        if answer == "yes" and only(
            after_contrast(padded), L.YES | L.WORKED | frozenset({"gui", "luon", "tiep", "lam tiep"})
        ):
            return _answer(yes_key)
        if answer == "no" and only(after_contrast(padded), L.NO | frozenset({"muon", "dong y", "phai"})):
            return _answer(no_key)
        return None

    return read


def _consent(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if _has(
        padded, frozenset({"an danh", "gui an danh", "anonymous", "khong de lai so", "khong cho so"})
    ) and not _has(padded, L.QUESTION_WORDS):
        return _answer("consent:no")
    if _has(
        padded,
        L.CLARIFY
        | frozenset({"de lam gi", "an toan khong", "luu bao lau", "co sao khong", "bat buoc khong"}),
    ):
        return Reading(Outcome.QUESTION, "clarify")
    return _yes_no("consent:yes", "consent:no")(text, padded, screen, units)


def _unit_remembered(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    unit = find_unit(text, units)
    if unit:
        return Reading(Outcome.FIELD, fields={"unit": unit})
    if _has(padded, frozenset({"khac", "don vi khac", "chuyen", "doi", "cho khac"})):
        return _answer("unit:other")
    return _yes_no("unit:same", "unit:other")(text, padded, screen, units)


def _unit_pick(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    places = [key for key, _ in screen.choices if key not in ("unit:retype", "unit:skip")]
    if len(places) == 1:
        reading = _yes_no(places[0], "unit:retype")(text, padded, screen, units)
        if reading is not None:
            return reading
    if _has(padded, frozenset({"nhap lai", "go lai", "sai", "khong phai"})) and len(padded.split()) <= SHORT:
        return _answer("unit:retype")
    return _unit(text, padded, screen, units)


def _resume(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if _has(padded, L.RESTART | frozenset({"moi", "tu dau", "cai moi", "phan anh moi"})):
        return _answer("resume:restart")
    if _has(padded, frozenset({"tiep", "tiep tuc", "lam tiep", "continue"})):
        return _answer("resume:continue")
    return _yes_no("resume:continue", "resume:restart")(text, padded, screen, units)


def _confirm(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    """The summary: a correction in words is applied; "submit" needs a plain yes."""
    fields = volunteered(text, padded, units, skip=("description",))
    edit_words = frozenset(
        {
            "sua",
            "sua lai",
            "chinh sua",
            "chua dung",
            "sai",
            "khong dung",
            "nham",
            "nhap nham",
            "doi",
            "thay",
            "edit",
            "change",
            "wrong",
        }
    )
    if fields and (
        _has(padded, edit_words | frozenset({"chu", "moi dung", "la", "thanh"})) or len(padded.split()) <= 5
    ):
        return Reading(Outcome.FIELD, fields=fields)
    if _has(padded, edit_words) and len(padded.split()) <= 10:
        return _answer("confirm:edit")
    if (
        len(padded.split()) <= SHORT + 2
        and _has(padded, L.FINISH | frozenset({"gui", "xac nhan"}))
        and polarity(padded) != "no"
    ):
        return _answer("confirm:submit")
    reading = _yes_no("confirm:submit", "", clarify_first=True)(text, padded, screen, units)
    if reading is not None and reading.value == "confirm:submit":
        return reading
    return None  # a bare "không" or "thôi": ask, never cancel or submit on it


# -- choices -----------------------------------------------------------------------------------

_ROLES = {
    "role:can_bo_xa": (
        "can bo xa",
        "can bo phuong",
        "cb xa",
        "cb phuong",
        "can bo mot cua",
        "mot cua xa",
        "cong chuc xa",
        "cong chuc phuong",
        "can bo dac khu",
        "lam o xa",
        "lam o phuong",
        "ubnd xa",
        "ubnd phuong",
        "van thu xa",
    ),
    "role:can_bo_so": ("can bo so", "cb so", "so nganh", "can bo nganh", "cong chuc so", "lam o so"),
    "role:doanh_nghiep": (
        "doanh nghiep",
        "cong ty",
        "cty",
        "dn",
        "ho kinh doanh",
        "ke toan",
        "company",
        "business",
    ),
    "role:nguoi_dan": (
        "nguoi dan",
        "dan",
        "cong dan",
        "ca nhan",
        "nd",
        "citizen",
        "resident",
        "personal",
        "dan thuong",
    ),
}


def _role(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    for key, phrases in _ROLES.items():
        if any(f" {p} " in padded for p in phrases):
            fields = volunteered(text, padded, units) if len(padded.split()) > SHORT else {}
            return _answer(key, fields)
    return None


def _system(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if len(padded.split()) <= 3 and _has(padded, frozenset({"khac", "cai khac", "he thong khac", "other"})):
        return _answer("system:khac")
    if _has(padded, frozenset({"khong biet", "khong ro", "chiu"})) and len(padded.split()) <= SHORT:
        return _answer("system:khac")
    system = find_system(text)
    if system is None:
        return None
    fields = volunteered(text, padded, units, skip=("system",)) if len(padded.split()) > 3 else {}
    return _answer(f"system:{system}", fields)


_EDIT_FIELDS = {
    "edit:unit": ("don vi", "xa", "phuong", "dia chi", "dac khu", "unit"),
    "edit:phone": ("so dien thoai", "dien thoai", "so", "phone"),
    "edit:description": ("mo ta", "noi dung", "van de", "description"),
    "edit:system": ("he thong", "system"),
    "edit:dossier": ("ma ho so", "ho so", "dossier"),
    "edit:procedure": ("thu tuc", "procedure"),
    "edit:role": ("vai tro", "ban la", "doi tuong", "role"),
    "edit:back": ("quay lai", "thoi", "khong sua", "khong sua nua", "back", "giu nguyen"),
}


def _edit(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    shown = {key for key, _ in screen.choices}
    fields = volunteered(text, padded, units, skip=("description",))
    if fields:
        return Reading(Outcome.FIELD, fields=fields)
    for key, phrases in _EDIT_FIELDS.items():
        if (key in shown or not shown) and any(f" {p} " in padded for p in phrases):
            return _answer(key)
    return None


_RATINGS = (
    (
        "khong_hai_long",
        (
            "khong hai long",
            "chua hai long",
            "te",
            "kem",
            "qua te",
            "bad",
            "not satisfied",
            "unhappy",
            "khong tot",
        ),
    ),
    (
        "binh_thuong",
        (
            "binh thuong",
            "tam duoc",
            "tam",
            "tam on",
            "cung duoc",
            "so so",
            "ok thoi",
            "okay",
            "normal",
            "average",
        ),
    ),
    (
        "hai_long",
        (
            "hai long",
            "rat hai long",
            "tot",
            "rat tot",
            "tuyet",
            "tuyet voi",
            "ok",
            "good",
            "great",
            "satisfied",
            "cam on",
        ),
    ),
)


def _rating(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if len(padded.split()) > SHORT + 2 or _has(padded, L.NOT_WORKED - frozenset({"khong"})):
        return None  # words instead of a rating ("vẫn chưa được"): for staff to read
    keys = {key.rsplit(":", 1)[-1]: key for key, _ in screen.choices}
    for value, phrases in _RATINGS:
        if value in keys and any(f" {p} " in padded for p in phrases):
            return _answer(keys[value])
    return None


def _faq_pick(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if _has(
        padded,
        frozenset(
            {"khong phai", "khong giong", "khong co", "khong cai nao", "deu khong", "gui to cong tac", "none"}
        ),
    ):
        return _answer("faqpick:none")
    topics = [key for key, _ in screen.choices if key != "faqpick:none"]
    for word, index in (
        ("dau", 0),
        ("dau tien", 0),
        ("thu nhat", 0),
        ("thu hai", 1),
        ("thu 2", 1),
        ("thu ba", 2),
        ("thu 3", 2),
        ("cuoi", -1),
    ):
        if (
            f" cai {word} " in padded
            or f" y {word} " in padded
            or (f" {word} " in padded and len(padded.split()) <= 4)
        ):
            if topics and (index < len(topics)):
                return _answer(topics[index])
    if is_problem(padded):
        return Reading(Outcome.FIELD, fields={"description": "*"})
    return None


# -- free text -----------------------------------------------------------------------------------


def _skip(padded: str, key: str) -> Reading | None:
    if len(padded.split()) <= SHORT + 2 and _has(padded, L.FINISH):
        return Reading(Outcome.COMMAND, "finish")
    if (
        len(padded.split()) <= SHORT + 2
        and _has(padded, L.SKIP)
        and not _has(padded, frozenset({"duoc khong", "khong a ?"}))
    ):
        return _answer(key)
    return None


def _unit(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    skipped = _skip(padded, "unit:skip")
    if skipped is not None:
        return skipped if skipped.outcome == Outcome.ANSWER else _answer("unit:skip")
    named = find_unit(text, units)
    if named:
        extra = volunteered(text, padded, units, skip=("unit",)) if len(padded.split()) > SHORT else {}
        return _answer(named, extra)
    if is_problem(padded) and len(padded.split()) > SHORT:
        return Reading(Outcome.FIELD, fields=volunteered(text, padded, units, skip=("unit",)))
    asked = question_or_social(padded, len(padded.split()), clarify=True)
    if asked is not None and asked.value != "new_unit":
        return asked
    if units is not None and len(padded.split()) <= 10 and units(text[:100]):
        return _answer(text.strip())
    return None


def _dossier(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    phone = find_phone(text)
    code = find_dossier(text, asked=True)
    if code:
        extra = {"phone": phone} if phone else {}
        return _answer(code, extra)
    if phone:
        return Reading(Outcome.FIELD, fields={"phone": phone})
    skipped = _skip(padded, "dossier:skip")
    if skipped is not None:
        return skipped
    if is_problem(padded):
        return Reading(Outcome.FIELD, fields=volunteered(text, padded, units, skip=("dossier",)))
    return None


def _procedure(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    named = find_procedure(text)
    skipped = _skip(padded, "procedure:skip")
    if skipped is not None and not named:
        return skipped
    if named:
        extra = volunteered(text, padded, units, skip=("procedure",)) if len(padded.split()) > SHORT else {}
        return _answer(named, extra)
    fields = volunteered(text, padded, units, skip=("procedure", "description"))
    if fields.keys() & {"phone", "dossier", "unit"}:
        return Reading(Outcome.FIELD, fields=fields)
    if is_problem(padded) and len(padded.split()) > SHORT:
        return Reading(Outcome.FIELD, fields={"description": "*"})
    if question_or_social(padded, len(padded.split())) is not None:
        return None
    if only(padded, L.YES | L.NO | L.FILLER) or len(padded.split()) > 15:
        return None
    return _answer(" ".join(text.split())[:300])


def _phone(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    phone = find_phone(text)
    if phone:
        return _answer(phone)
    skipped = _skip(padded, "phone:skip")
    if skipped is not None:
        return skipped
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 5 and len(digits) * 2 >= len(text.replace(" ", "")):
        return Reading(Outcome.UNCLEAR, "bad_phone")
    return None


def _description(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    asked = question_or_social(padded, len(padded.split()), clarify=True)
    if asked is not None and not is_problem(padded):
        return asked
    if len(padded.split()) >= 2 or is_problem(padded):
        return _answer("*", volunteered(text, padded, units, skip=("description",)))
    return None


def _attachments(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    done = frozenset(
        {
            "xong",
            "tiep",
            "tiep tuc",
            "ok",
            "khong",
            "het",
            "khong co anh",
            "khong co",
            "het roi",
            "du roi",
            "khong gui",
            "chua co anh",
        }
    )
    if len(padded.split()) <= SHORT and (
        _has(padded, done | L.FINISH | L.SKIP) or only(padded, L.YES | L.NO)
    ):
        return _answer("attach:done")
    asked = question_or_social(padded, len(padded.split()))
    if asked is not None and not is_problem(padded):
        return asked
    return _answer("attach:more", volunteered(text, padded, units, skip=("description",)))


def _menu(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    intents = {
        "menu:report": (
            "muon phan anh",
            "gui phan anh",
            "can phan anh",
            "bao loi",
            "khieu nai",
            "phan anh moi",
            "report",
        ),
        "menu:lookup": ("tra cuu", "xem tien do", "kiem tra tien do", "tra cuu ma"),
        "menu:faq": ("cau hoi thuong gap", "hoi dap", "faq"),
        "menu:help": ("huong dan", "tro giup", "help"),
    }
    asked = question_or_social(padded, len(padded.split()))
    if asked is not None and not (asked.value == "scope" and is_problem(without(padded, L.SCOPE))):
        return asked
    if len(padded.split()) <= 7:
        for key, phrases in intents.items():
            if any(f" {p} " in padded for p in phrases):
                return _answer(key)
    fields = volunteered(text, padded, units)
    return Reading(Outcome.FIELD, fields=fields) if fields else None


READERS: dict[str, Reader] = {
    "menu": _menu,
    "consent": _consent,
    "role": _role,
    "unit": _unit,
    "unit_pick": _unit_pick,
    "unit_remembered": _unit_remembered,
    "system": _system,
    "description": _description,
    "attachments": _attachments,
    "faq_offer": _faq_offer,
    "faq_pick": _faq_pick,
    "dossier": _dossier,
    "procedure": _procedure,
    "phone": _phone,
    "confirm": _confirm,
    "edit": _edit,
    "rating": _rating,
    "resume": _resume,
}

_FREE_TEXT = frozenset(
    {"menu", "unit", "unit_pick", "description", "attachments", "dossier", "procedure", "phone"}
)


def free_text_question(question: str) -> bool:
    """Questions that also take free text: a label must be typed whole to count as a choice."""
    return question in _FREE_TEXT


__all__ = ["READERS", "UNCLEAR", "free_text_question"]
