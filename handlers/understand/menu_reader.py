"""Reading a message typed at the menu: a menu item asked for in words, a request to report
(with the fields it names, and whether it already describes the problem), a question, or a
problem that starts a report (handlers.citizen.menu_reading acts on it)."""

from __future__ import annotations

from handlers.understand import lexicon as L
from handlers.understand.choice_steps import BUSINESS_WORDS, CITIZEN_WORDS, COMMUNE_WORDS, OFFICER_WORDS
from handlers.understand.extract import UnitSearch, find_case_code, find_unit
from handlers.understand.interpret import (
    describes_problem,
    is_problem,
    is_question,
    looks_english,
    question_or_social,
    volunteered,
)
from handlers.understand.normalize import joined
from handlers.understand.reading import Outcome, Reading, Screen, polarity, without
from handlers.understand.yes_no import answer, has

_MENU_INTENTS = {
    "menu:help": (
        "huong dan",
        "tro giup",
        "help",
        "huong dan su dung",
        "bot nay de lam gi",
        "what is this bot",
        "bot for",
    ),
    "menu:faq": ("cau hoi thuong gap", "hoi dap", "faq", "muon hoi", "hoi ve", "cho hoi"),
    "menu:lookup": ("tra cuu", "xem tien do", "kiem tra tien do", "tra cuu ma"),
    "menu:report": (
        "muon phan anh",
        "gui phan anh",
        "can phan anh",
        "bao loi",
        "khieu nai",
        "phan anh moi",
        "report",
        "phan anh khac",
        "them phan anh",
        "gui them phan anh",
        "them 1 phan anh",
    ),
}


_REPORT_WORDS = frozenset(
    {
        "toi phan anh",
        "em phan anh",
        "xin phan anh",
        "phan anh viec",
        "phan anh ve",
        "phan anh loi",
        "can bao loi",
        "muon bao loi",
        "can phan anh",
        "bao loi",
        "gui phan anh",
        "can",
        "muon",
        "xin",
        "ho tro",
        "giup",
    }
)


def _problem_beyond_request(text: str, padded: str, units: UnitSearch | None) -> bool:
    """Whether "báo lỗi ký số" says more than that they want to report: the request, who they
    are, the unit and the system set aside, is a problem still described?"""
    from handlers.understand.extract import _SYSTEMS  # the system words, shared with find_system

    rest = without(
        padded,
        _REPORT_WORDS
        | L.FILLER
        | L.GREETING
        | OFFICER_WORDS
        | COMMUNE_WORDS
        | CITIZEN_WORDS
        | BUSINESS_WORDS,
    )
    rest = without(rest, frozenset(p for _, phrases in _SYSTEMS for p in phrases))
    named = find_unit(text, units)
    if named:
        rest = without(rest, frozenset(named.split()))
    strong = L.PROBLEM - L.WEAK_PROBLEM - {"loi", "he thong"}
    return any(f" {p} " in rest for p in strong)


def wants_report(text: str) -> bool:
    """The message asks to report ("báo lỗi …", "em muốn phản ánh …"): the person wants the task
    force, so the menu does not answer from the FAQ first (the intake's FAQ stage still offers it)."""
    return has(
        joined(text),
        frozenset(_MENU_INTENTS["menu:report"]) | _REPORT_WORDS - {"can", "muon", "xin", "giup", "ho tro"},
    )


def menu(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    code = find_case_code(text)
    if code:
        return answer("menu:lookup", {"case": code})
    count = len(padded.split())
    if screen.language != "en" and looks_english(text):
        return Reading(Outcome.COMMAND, "language_en")  # offered first: they may not read Vietnamese
    asked = question_or_social(padded, count, text=text, clarify=False)
    if asked is not None and asked.value in ("status", "waiting", "new_unit", "where_to_file", "scope"):
        return asked
    if wants_report(text) and count <= 20:
        fields = volunteered(text, padded, units)
        # "báo lỗi thanh toán": a request, not yet the problem. "cb x an lao bao loi: ky so ko dc,
        # cam token vao may ko nhan" tells it (the token not recognised) with system words only, so
        # the names-aware reading (describes_problem) of what follows the request counts too.
        request_only = " " + " ".join(without(padded, _REPORT_WORDS).replace("~", " ").split()) + " "
        if not (
            _problem_beyond_request(text, padded, units)
            or ("description" in fields and describes_problem(text, request_only, units))
        ):
            fields.pop("description", None)
        return answer("menu:report", fields)
    if count <= 9:
        for key, phrases in _MENU_INTENTS.items():
            if has(padded, frozenset(phrases)) and not (
                key == "menu:faq" and is_problem(padded) and count > 5
            ):
                return answer(key)
    asked = question_or_social(padded, count, text=text, clarify=False)
    if asked is not None:
        return asked
    if find_unit(text, units) and is_question(text, padded) and not is_problem(padded):
        return Reading(Outcome.QUESTION, "new_unit")
    fields = volunteered(text, padded, units)
    if "description" in fields:
        return answer("menu:report", fields)
    if is_question(text, padded) and count <= 8 and polarity(padded) is None:
        return Reading(Outcome.QUESTION, "clarify")
    return Reading(Outcome.FIELD, fields=fields) if fields else None
