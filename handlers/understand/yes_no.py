"""Readers of the yes/no questions: the FAQ's "did it help?", the Decree 13 consent, the units
offered back, resuming, and the summary. Each of them ends a branch on a yes or a no, so each
takes only a clear one; anything else goes back to the general readings, unclear at worst.
"""

from __future__ import annotations

import re

from handlers.textutil import fold
from handlers.understand import lexicon as L
from handlers.understand.extract import UnitSearch, find_unit
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


def has(padded: str, phrases: frozenset[str]) -> bool:
    return any(f" {p} " in padded for p in phrases)


def answer(key: str, fields: dict[str, str] | None = None) -> Reading:
    return Reading(Outcome.ANSWER, key, fields or {})


def clarify(text: str, padded: str) -> bool:
    """The person asks what the question means rather than answering it (also in a clause of a
    longer message: "Mã hồ sơ là cái gì hả cháu? Cháu chờ bà tí")."""
    parts = clauses(text) if len(padded.split()) > 10 else [text]
    for part in parts:
        core = joined(part)
        count = len(core.split())
        # Asking about the very thing asked for ("mã hồ sơ xem ở đâu ạ?") is a question, though
        # "hồ sơ" is a problem word: the asked-for nouns are set aside before that test.
        if count <= 10 and (
            has(core, L.CLARIFY)
            or (
                is_question(part + ("?" if "?" in text else ""), core)
                and not is_problem(without(core, L.ASKED_FOR))
            )
        ):
            return True
    return False


def plain(padded: str, yes: str, no: str, *, bare: bool = True) -> str | None:
    """A short yes or no ("dạ được ạ", "không đồng ý"): `yes`, `no` or None. With bare=False
    a lone "ok" / "ừ" / "không" is not enough (to "continue or start over?" it answers nothing)."""
    if len(padded.split()) > SHORT + 2:
        return None
    answer_is = polarity(padded)
    if not bare and only(padded, frozenset({"ok", "u", "khong", "co", "vang", "da", "roi"})):
        return None
    if answer_is == "yes" and only(padded, L.YES | L.WORKED | frozenset({"gui", "tiep", "lam tiep"})):
        return yes
    if answer_is == "no" and only(padded, L.NO | frozenset({"muon", "dong y", "phai"})):
        return no
    return None


def head_and_rest(text: str) -> tuple[str, str]:
    """The first clause (normalised) and the rest of the message (raw): an answer is often
    followed by something else ("đồng ý. em ở phường Ngô Quyền")."""
    parts = clauses(text)
    if len(parts) < 2:
        return joined(text), ""
    return joined(parts[0]), " ".join(parts[1:])


def yes_no(
    text: str, padded: str, yes: str, no: str, units: UnitSearch | None, *, bare: bool = True
) -> Reading | None:
    head, rest = head_and_rest(text)
    found = plain(padded, yes, no, bare=bare)
    if found is None and rest:
        found = plain(head, yes, no, bare=bare) or plain(without(head, L.CONTRAST), yes, no, bare=bare)
        if found is None:
            # "ừ nhưng mà nhanh lên nhé": the answer, then a wish.
            first = padded.split(" nhung ")[0] + " " if " nhung " in padded else ""
            found = plain(first, yes, no, bare=bare) if first else None
    elif found is None and " nhung " in padded:
        found = plain(padded.split(" nhung ")[0] + " ", yes, no, bare=bare)
    if found is None:
        return None
    fields = volunteered(rest, joined(rest), units) if rest else {}
    fields.pop("description", None) if not rest else None
    return answer(found, fields)


def faq_offer(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    """ "Did the guidance solve it?" A wrong "solved" drops a complaint, a wrong "not solved"
    costs one more question: any sign of failure is a no; only a clear success is a yes."""
    parts = clauses(text)
    last = joined(parts[-1]) if parts else padded
    strong = frozenset(
        p
        for p in L.WORKED
        if " " in p or p in ("xong", "solved", "fixed", "worked", "resolved", "done", "works", "working")
    )
    extra = volunteered(text, padded, units, skip=("description",))
    if len(parts) > 1 and has(last, strong) and only(last, L.WORKED | L.YES) and not has(last, L.NOT_WORKED):
        return answer("faq:solved")  # "không phải không được, được rồi ạ": the last word stands
    if clarify(text, padded) and not has(padded, L.NOT_WORKED):
        return Reading(Outcome.QUESTION, "clarify")
    tail = after_contrast(padded)
    failed = has(without(tail, L.POSITIVE_IDIOMS), L.NOT_WORKED) or polarity(padded) in ("no", "mixed")
    if failed or (has(without(padded, L.POSITIVE_IDIOMS), L.NOT_WORKED) and tail == padded):
        if is_problem(padded) and len(padded.split()) > SHORT:
            extra["description"] = "*"
        return answer("faq:not_solved", extra)
    if has(padded, strong) and tail == padded:
        return answer("faq:solved")
    if only(padded, frozenset({"duoc", "duoc a", "da duoc", "duoc roi"})):
        return answer("faq:solved")
    if is_problem(padded):
        return answer("faq:not_solved", {**extra, "description": "*"})
    return None


def consent(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    refusals = frozenset(
        {
            "an danh",
            "gui an danh",
            "anonymous",
            "khong de lai so",
            "khong cho so",
            "khong muon cung cap",
            "khong cung cap",
            "khong muon de lai",
            "khong de lai thong tin",
            "khong cho thong tin",
            "khong muon luu",
            "khong luu",
            "khong can ten",
            "giau ten",
            "khong ghi ten",
            "khong de ten",
            "khong muon bi goi",
            "dung goi dien",
            "khong muon ai goi",
        }
    )
    turns = re.split(r"\b(?:nhưng|nhung|but)\b", text, flags=re.IGNORECASE)
    # "bác cũng không hiểu hết nhưng thôi bác đồng ý, …": what follows "nhưng" is the answer.
    settled = (
        plain(joined(clauses(turns[-1])[0]), "consent:yes", "consent:no")
        if len(turns) > 1 and clauses(turns[-1])
        else None
    )
    if settled == "consent:yes":
        return answer("consent:yes")
    head = padded.split(" nhung ")[0] + " "
    if " nhung " in padded and plain(head, "consent:yes", "consent:no") == "consent:yes":
        return answer("consent:yes")  # "đồng ý nhưng đừng gọi điện": agreed; the phone can be skipped
    if has(padded, refusals) and not is_question(text, padded):
        return answer("consent:no")
    if (
        clarify(text, padded)
        or is_question(text, padded)
        or has(padded, frozenset({"de lam gi", "an toan", "bi lo", "luu bao lau"}))
    ):
        return Reading(Outcome.QUESTION, "clarify")
    found = yes_no(text, padded, "consent:yes", "consent:no", units)
    # The question's own verb said plainly, with words around it that neither negate nor ask
    # ("Tôi đã đọc và đồng ý.", "vâng tôi xin đồng ý ạ"): agreed. Long messages are left to the
    # general readings (a story that happens to contain "đồng ý" is kept, not an answer).
    if (
        found is None
        and has(padded, frozenset({"dong y", "agree"}))
        and polarity(padded) == "yes"
        and len(padded.split()) <= 12
    ):
        extra = volunteered(text, padded, units, skip=("consent",))
        extra.pop("description", None)
        return answer("consent:yes", extra)
    return found


def unit_remembered(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    subject = joined(screen.subject).replace(" phuong ", " ").replace(" xa ", " ") if screen.subject else ""
    if clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    same = frozenset(
        {
            "van the",
            "van vay",
            "cung the",
            "van do",
            "van day",
            "van phuong do",
            "van phuong day",
            "van xa do",
            "same",
            "yes same",
            "van don vi do",
        }
    )
    if has(padded, same) or (subject.strip() and subject.strip() in padded and not has(padded, L.NO)):
        return answer("unit:same")
    named = _other_unit(text, units, exclude=screen.subject)
    if named:
        return Reading(Outcome.FIELD, fields={"unit": named})
    if has(padded, frozenset({"khac", "don vi khac", "chuyen", "doi", "cho khac", "different", "other"})):
        return answer("unit:other")
    return yes_no(text, padded, "unit:same", "unit:other", units)


def _other_unit(text: str, units: UnitSearch | None, exclude: str = "") -> str | None:
    """A unit named in the message other than `exclude`: with a unit word, or a short clause
    that is a unit's name ("ko phải, Lê Chân cơ")."""
    named = find_unit(text, units)
    if named and units is not None and exclude:
        found = units(named)
        if found and fold(found[0][0]) == fold(exclude):
            # "đúng rồi, phường mới là An Biên" under "Ý bạn là Phường An Biên?": the unit offered,
            # named again, is not another one (it had been searched anew as a correction).
            return None
    if named:
        return named
    if units is None:
        return None
    for part in reversed(clauses(text)):
        core = without(
            joined(part), L.FILLER | L.NO | frozenset({"co", "ma", "la", "nham", "lan nay", "its", "it is"})
        )
        query = " ".join(core.replace("~", " ").split())
        if not query or len(query.split()) > 4:
            continue
        found = units(query)
        if (
            found
            and found[0][1] >= 90
            and fold(found[0][0]) != fold(exclude)
            and (len(found) == 1 or found[0][1] - found[1][1] >= 5)
        ):
            return query
    return None


def unit_pick(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    places = [key for key, _ in screen.choices if key not in ("unit:retype", "unit:skip")]
    if len(places) == 1:
        label = next(label for key, label in screen.choices if key == places[0])
        bare = without(padded, frozenset(joined(label).split()) - {"phuong", "xa"})
        found = plain(bare, places[0], "unit:retype")
        if found is not None:
            return answer(found)
    if len(places) > 1 and len(padded.split()) <= 4:
        # "đúng", "vâng": the first of the list, the closest to what they typed.
        found = plain(padded, places[0], "unit:retype")
        if found is not None:
            return answer(found)
    asked = question_or_social(padded, len(padded.split()), text=text)
    if asked is not None and asked.value in ("new_unit", "clarify"):
        return asked
    other = _other_unit(text, units, exclude=screen.subject if len(places) == 1 else "")
    if other:
        return Reading(Outcome.FIELD, fields={"unit": other})
    if (
        has(padded, frozenset({"nhap lai", "go lai", "sai", "khong phai", "khong dung"}))
        and len(padded.split()) <= SHORT
    ):
        return answer("unit:retype")
    if len(places) == 1:
        return yes_no(text, padded, places[0], "unit:retype", units)
    return None


def resume(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    if has(padded, frozenset({"moi", "cai moi", "phan anh moi", "loi khac", "bo di", "cai cu bo"})) or has(
        padded, L.RESTART
    ):
        fields = volunteered(text, padded, units) if is_problem(padded) else {}
        return answer("resume:restart", fields)
    if has(
        padded, frozenset({"tiep", "tiep tuc", "lam tiep", "continue", "cai cu", "luc nay", "van cai cu"})
    ):
        return answer("resume:continue")
    return yes_no(text, padded, "resume:continue", "resume:restart", units, bare=False)


_EDIT_WORDS = frozenset(
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
        "thieu",
        "them",
        "bo sung",
        "edit",
        "change",
        "wrong",
    }
)


def confirm(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    """The summary: a correction in words is applied; "submit" needs a plain yes."""
    fields = volunteered(text, padded, units, skip=("description",))
    if "role" in fields and not has(padded, _EDIT_WORDS | frozenset({"chu", "khong phai"})):
        del fields["role"]  # "tôi là người dân, gửi đi": who they are, said again, corrects nothing
    if fields and (
        has(padded, _EDIT_WORDS | frozenset({"chu", "moi dung", "la", "thanh"})) or len(padded.split()) <= 5
    ):
        return Reading(Outcome.FIELD, fields=fields)
    if has(padded, _EDIT_WORDS) and has(padded, frozenset({"don vi", "xa", "phuong", "dia chi"})):
        other = _other_unit(" ".join(clauses(text)[1:]) or text, units)
        if other:
            return Reading(Outcome.FIELD, fields={"unit": other})  # "đơn vị sai rồi, phải là Kiến An"
    if (
        has(padded, frozenset({"mo ta", "noi dung"}))
        and has(padded, frozenset({"them", "thieu", "bo sung"}))
        and len(clauses(text)) > 1
    ):
        return Reading(Outcome.FIELD, fields={"description": "*"})  # "mô tả thiếu, thêm là …"
    if is_question(text, padded) or clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    if has(padded, _EDIT_WORDS) and len(padded.split()) <= 12:
        return answer("confirm:edit")
    if has(padded, frozenset({"de mai", "de sau", "khoan", "doi chut", "cho chut", "tu tu"})):
        return None  # not now: ask, never send
    sends = has(padded, L.FINISH | frozenset({"gui", "xac nhan", "gui giup", "gui di"}))
    if (
        sends
        and len(padded.split()) <= 16
        and polarity(padded) != "no"
        and not has(padded, _EDIT_WORDS | L.NOT_WORKED)
    ):
        return answer("confirm:submit")  # "dạ đúng hết rồi, cháu gửi giúp bác ạ"
    found = plain(padded, "confirm:submit", "")
    return answer(found) if found == "confirm:submit" else None
