"""Readers of the questions that take free text: the unit, the description and more of it, the
dossier code, the procedure and the phone number. Optional questions take "no / don't know /
skip" as their answer "none"; a value for another field is kept, never taken for this one.
"""

from __future__ import annotations

import re

from handlers.understand import lexicon as L
from handlers.understand.extract import UnitSearch, find_dossier, find_phone, find_procedure, find_unit
from handlers.understand.interpret import SHORT, is_problem, is_question, question_or_social, volunteered
from handlers.understand.normalize import joined
from handlers.understand.reading import (
    Outcome,
    Reading,
    Screen,
    after_contrast,
    clauses,
    only,
    polarity,
    without,
)
from handlers.understand.yes_no import answer, clarify, has

_NOTHING = re.compile(r" (?:khong|chua) (?:\w+ ){0,4}(?:gi|nao|ca) (?:(?:ca|het|a|nhe|dau) )*$")


def _skip(text: str, padded: str, key: str, units: UnitSearch | None) -> Reading | None:
    """None / don't know / skip at an optional question ("em ko nhớ mã", "k", "bỏ qua"), with
    what else the message gives ("khai sinh cho con, chưa có mã")."""
    count = len(padded.split())
    if count <= SHORT + 2 and has(padded, L.FINISH):
        return Reading(Outcome.COMMAND, "finish")
    said_no = (
        count <= 4
        and polarity(padded) == "no"
        and only(
            padded, L.NO | frozenset({"can", "co", "yet", "thanks", "phone", "code", "number", "have", "ma"})
        )
    )
    # "không làm thủ tục gì", "chưa có cái nào": nothing at all, said with a negative indefinite.
    said_no = said_no or any(
        _NOTHING.search(joined(part)) for part in clauses(text) if len(part.split()) <= 10
    )
    # In a long message, a short clause that skips counts ("…, thôi cháu bỏ qua giúp bác nhé").
    skip_clause = any(
        len(part.split()) <= SHORT + 4 and has(joined(part), L.SKIP) and not is_question(part, joined(part))
        for part in clauses(text)
    )
    if (
        said_no
        or (count <= SHORT + 4 and has(padded, L.SKIP) and not is_question(text, padded))
        or skip_clause
    ):
        rest = [part for part in clauses(text) if not has(joined(part), L.SKIP | L.NO)]
        fields = volunteered(" ".join(rest), joined(" ".join(rest)), units) if rest else {}
        fields.pop("description", None)
        return answer(key, fields)
    return None


_ENGLISH_UNIT = re.compile(
    r"^\s*(?:the\s+)?(.+?)\s+(ward|commune|district|special zone)\b\.?\s*$", re.IGNORECASE
)
_UNIT_WORD = {"ward": "phường", "commune": "xã", "district": "quận", "special zone": "đặc khu"}


def unit(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    english = _ENGLISH_UNIT.match(text)
    if english:  # "Ngo Quyen ward" is "phường Ngô Quyền"
        text = f"{_UNIT_WORD[english.group(2).lower()]} {english.group(1)}"
        padded = joined(text)
    first = joined(clauses(text)[0]) if clauses(text) else padded
    if has(
        first, frozenset({"thoi khoi", "khong nho", "khong biet", "khong ro", "bo qua", "khoi"})
    ) and not find_unit(text, units):
        return answer("unit:skip")  # "thôi khỏi, chị không nhớ xã mới tên gì"
    skipped = _skip(text, padded, "unit:skip", units)
    if skipped is not None:
        return skipped if skipped.outcome == Outcome.ANSWER else answer("unit:skip")
    named = find_unit(text, units)
    corrected = find_unit(" ".join(clauses(text)[-1:]), units) or _short_name(after_contrast(padded), units)
    if named or corrected:
        query = corrected or named or ""
        asked = question_or_social(padded, len(padded.split()), text=text)
        if asked is not None and asked.value == "new_unit":
            return Reading(Outcome.QUESTION, "new_unit", {"unit": query})
        extra = volunteered(text, padded, units, skip=("unit",)) if len(padded.split()) > SHORT else {}
        return answer(query, extra)
    for part in clauses(text):  # "em ở Lê Chân, ko nộp được hồ sơ trên dvc"
        short = _short_name(joined(part), units)
        if short:
            return answer(short, volunteered(text, padded, units, skip=("unit",)))
    if is_problem(padded) and len(padded.split()) > SHORT:
        return Reading(Outcome.FIELD, fields=volunteered(text, padded, units, skip=("unit",)))
    if clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    if (
        units is not None
        and 1
        <= len(without(padded, frozenset({"xa", "phuong", "dac khu", "thi tran"})).replace("~", " ").split())
        <= 6
    ):
        return answer(text.strip()) if units(text[:100]) else None
    return None


def _short_name(padded: str, units: UnitSearch | None) -> str | None:
    """A short phrase that is a unit's name with nothing else ("o le chan", "gia vien moi dung")."""
    if units is None:
        return None
    core = without(
        padded, L.FILLER | frozenset({"o", "moi dung", "moi la", "thoi", "nha", "nha em", "nha toi"})
    )
    query = " ".join(core.replace("~", " ").split())
    if not query or len(query.split()) > 4:
        return None
    found = units(query)
    if found and found[0][1] >= 90 and (len(found) == 1 or found[0][1] - found[1][1] >= 5):
        return query
    return None


def description(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    count = len(padded.split())
    if (
        any(key == "description:draft" for key, _ in screen.choices)
        and count <= SHORT
        and polarity(padded) == "yes"
    ):
        return answer("description:draft")  # "ok", "đúng rồi": the text they already wrote
    if (
        any(key == "description:draft" for key, _ in screen.choices)
        and count <= 12
        and has(padded, frozenset({"noi dung", "cai do", "cai vua nhan", "nhu tren", "da nhan", "luc nay"}))
        and polarity(joined(clauses(text)[0])) != "no"
    ):
        # "Vâng, cháu dùng nội dung tôi đã nhắn": the button's own words in a sentence (it had
        # been read as a question of scope, "đúng nơi", and asked back forever).
        return answer("description:draft")
    if (
        any(key == "description:draft" for key, _ in screen.choices)
        and polarity(joined(clauses(text)[0])) == "no"
    ):
        return Reading(Outcome.COMMAND, "no_draft")  # "không, để bác kể lại cho rõ"
    asked = question_or_social(padded, count, text=text)
    if asked is not None and not is_problem(padded):
        return asked
    # Enough words make a description (in any language), unless it opens by saying no
    # ("không, để bác kể lại cho rõ"): they are about to tell it.
    opens_with_no = polarity(joined(clauses(text)[0])) == "no" if clauses(text) else False
    if is_problem(padded) or (count >= 6 and not opens_with_no):
        return answer("*", volunteered(text, padded, units, skip=("description",)))
    return None


_DONE = frozenset(
    {
        "xong",
        "tiep",
        "tiep tuc",
        "het",
        "khong co anh",
        "het roi",
        "du roi",
        "du anh",
        "gui du",
        "khong gui",
        "chua co anh",
        "continue",
        "done",
        "finished",
        "next",
        "no more",
        "thats all",
        "no screenshot",
        "khong co",
        "bo qua",
        "khong gui duoc anh",
        "khong chup duoc",
        "dien thoai khong co",
    }
)


_PICTURES = frozenset({"anh", "gui anh", "chup", "chup anh", "man hinh", "tep", "file", "gui", "hinh"})


def attachments(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    count = len(padded.split())
    if count <= 10 and (has(padded, _DONE | L.FINISH) or (count <= 3 and only(padded, L.YES | L.NO))):
        return answer("attach:done")
    # "thôi khỏi gửi ảnh", "để sau": the words that skip an optional question skip the pictures
    # too (they were added to the description, and the question came back each time).
    if count <= 8 and has(padded, L.SKIP) and not is_problem(without(padded, L.SKIP | _PICTURES)):
        return answer("attach:done")
    going_on = frozenset(
        {"di tiep", "ke het roi", "het roi", "khong co anh", "khong biet chup", "cho di tiep"}
    )
    about_pictures = without(
        padded, going_on | frozenset({"anh", "chup", "man hinh", "chup man hinh", "khong biet"})
    )
    if count <= 40 and has(padded, going_on | L.FINISH) and not is_problem(about_pictures):
        return answer("attach:done")  # a long "no pictures, go on" from someone who writes paragraphs
    if has(padded, frozenset({"doi", "de em chup", "gui them anh", "chup cai", "gui anh sau"})):
        return None  # pictures on their way: the question stands
    asked = question_or_social(padded, count, text=text)
    if asked is not None and not is_problem(padded):
        return asked
    fields = volunteered(text, padded, units, skip=("description",))
    if fields and not is_problem(padded):
        return Reading(Outcome.FIELD, fields=fields)
    if re.fullmatch(r"\s*\d{1,3}\s*", text):
        return None  # a number with no choice behind it
    if count <= 3 and not is_problem(padded):
        # "thế thôi", "vậy thôi": too short to add to a problem; "that's all" when it says so.
        ending = has(padded, frozenset({"thoi", "vay", "het", "the", "xong", "chi vay", "all"}))
        return answer("attach:done") if ending else None
    return answer("attach:more", fields)


def dossier(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    phone = find_phone(text)
    code = find_dossier(text, asked=True)
    if code:
        return answer(code, {"phone": phone} if phone else {})
    if phone:
        return Reading(Outcome.FIELD, fields={"phone": phone})
    absent = frozenset(
        {"lam gi co", "chua nop", "chua co ma", "khong co ma", "chua co", "khong co", "mat giay hen"}
    )
    if has(padded, absent) and len(padded.split()) <= 14:
        return answer("dossier:skip")  # "chưa nộp được thì làm gì có mã": there is none
    if clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    skipped = _skip(text, padded, "dossier:skip", units)
    if skipped is not None:
        return skipped
    if has(padded, frozenset({"khong thay ma", "chua thay ma", "khong co ma", "mat giay hen"})):
        return answer("dossier:skip")
    if is_problem(padded):
        return Reading(Outcome.FIELD, fields=volunteered(text, padded, units, skip=("dossier",)))
    return None


def procedure(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    count = len(padded.split())
    parts = clauses(text)
    named = [part for part in parts if not has(joined(part), L.SKIP | L.NO) and find_procedure(part)]
    asked = question_or_social(padded, count, text=text)
    if (
        asked is not None
        and asked.value in ("scope", "where_to_file", "status")
        # "work permit" names what they applied for; "lệ phí bao nhiêu?" asks about it.
        and ((asked.value == "status" and not named) or is_question(text, padded))
    ):
        return asked
    if not named:
        skipped = _skip(text, padded, "procedure:skip", units)
        if skipped is not None:
            return skipped
    if not named and clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    fields = volunteered(text, padded, units, skip=("procedure", "description"))
    if fields.keys() & {"phone", "dossier", "unit"} and not named:
        return Reading(Outcome.FIELD, fields=fields)
    # "tạm trú, temporary residence": clauses naming the same procedure are all kept (the
    # Vietnamese one was dropped for the last clause); different ones, the last (a correction).
    same = len(named) > 1 and len({find_procedure(part) for part in named}) == 1
    name = (
        ", ".join(named)
        if same
        else named[-1]
        if named
        else (parts[-1] if len(parts) > 1 and not has(joined(parts[-1]), L.SKIP) else text)
    )
    name = re.sub(
        r"^(hình như là|hinh nhu la|thủ tục|thu tuc|em làm|em lam|tôi làm|toi lam|làm|lam)\s+",
        "",
        name.strip(),
        flags=re.IGNORECASE,
    )
    if (
        only(joined(name), L.YES | L.NO | L.FILLER)
        or len(name.split()) > 15
        or (is_problem(padded) and count > SHORT and not named)
    ):
        return Reading(Outcome.FIELD, fields={"description": "*"}) if is_problem(padded) else None
    return answer(" ".join(name.split())[:300])


_SPOKEN_DIGITS = {
    "khong": "0",
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "lam": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
}


def _phone_as_typed(text: str) -> str | None:
    """A phone number typed with slips: the letter O for zero, "(0)" after +84, or spoken digits."""
    cleaned = re.sub(r"(?<=[\d\s])[oO](?=[\d\s])|^[oO](?=\d)", "0", text).replace("(0)", "")
    cleaned = re.sub(r"\s+", " ", cleaned)  # "+84 (0) 912" left two spaces where "(0)" was
    phone = find_phone(cleaned)
    if phone:
        return phone
    spoken = [_SPOKEN_DIGITS.get(word) for word in joined(text).split()]
    digits = "".join(d for d in spoken if d is not None)
    return find_phone(digits) if len(digits) >= 9 and spoken.count(None) <= 3 else None


def phone(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    found = _phone_as_typed(text)
    if found:
        extra = volunteered(text.replace(found, " "), padded, units, skip=("phone", "description"))
        return answer(found, extra)
    code = find_dossier(text)
    if code:
        return Reading(Outcome.FIELD, fields={"dossier": code})
    if clarify(text, padded) or (is_question(text, padded) and not is_problem(padded)):
        return Reading(Outcome.QUESTION, "clarify")
    skipped = _skip(text, padded, "phone:skip", units)
    if skipped is not None:
        return skipped
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 5 and len(digits) * 2 >= len(text.replace(" ", "")):
        return Reading(Outcome.UNCLEAR, "bad_phone")
    return None
