"""Readers of the questions with several choices: who is writing, which system, what to edit,
the rating, the FAQ's pick list and the menu. A short message is matched to a choice; a long
one is a description first, and a choice named in it is taken along.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from handlers.textutil import fold
from handlers.understand import lexicon as L
from handlers.understand.extract import UnitSearch, find_system, find_unit
from handlers.understand.interpret import (
    SHORT,
    describes_problem,
    is_problem,
    is_question,
    volunteered,
)
from handlers.understand.normalize import joined
from handlers.understand.reading import Outcome, Reading, Screen, after_contrast, only, polarity, without
from handlers.understand.yes_no import answer, clarify, has

# Who is writing: an officer is a cue (cán bộ, công chức, làm ở …) with a level (xã/phường or sở).
OFFICER_WORDS = frozenset(
    {
        "can bo",
        "cong chuc",
        "chuyen vien",
        "lam o",
        "cong tac o",
        "lam viec o",
        "van thu",
        "ubnd",
        "mot cua",
        "phong",
        "bo phan",
        "officer",
    }
)
COMMUNE_WORDS = frozenset({"xa", "phuong", "dac khu", "thi tran", "mot cua", "ubnd", "x"})
_DEPARTMENT = frozenset({"so", "nganh", "so khcn", "department"})
BUSINESS_WORDS = frozenset(
    {
        "doanh nghiep",
        "cong ty",
        "cty",
        "dn",
        "ho kinh doanh",
        "ke toan",
        "company",
        "business",
        "van phong cong chung",
        "chu doanh nghiep",
    }
)
CITIZEN_WORDS = frozenset(
    {
        "person",
        "individual",
        "myself",
        "private person",
        "just me",
        "local",
        "nguoi dan",
        "dan",
        "cong dan",
        "ca nhan",
        "nd",
        "citizen",
        "resident",
        "personal",
        "dan thuong",
        "huu tri",
        "cho me",
        "cho bo",
        "cho con",
        "cho gia dinh",
        "foreigner",
        "nguoi nuoc ngoai",
    }
)
_NEGATED = re.compile(r" khong phai (?:la )?\w+(?: \w+)?")


def role(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    if clarify(text, padded) and not has(padded, BUSINESS_WORDS | OFFICER_WORDS):
        return Reading(Outcome.QUESTION, "clarify")
    tail = _NEGATED.sub(" ", after_contrast(padded))
    scored = {"role:nguoi_dan": has(tail, CITIZEN_WORDS), "role:doanh_nghiep": has(tail, BUSINESS_WORDS)}
    officer = has(tail, OFFICER_WORDS) or " em o so " in tail or " o so " in tail
    scored["role:can_bo_so"] = (officer or has(tail, frozenset({"so khcn", "so nganh"}))) and has(
        tail, _DEPARTMENT
    )
    scored["role:can_bo_xa"] = officer and has(tail, COMMUNE_WORDS) and not scored["role:can_bo_so"]
    if " huu tri " in tail:
        scored["role:can_bo_xa"] = scored["role:can_bo_so"] = False  # retired: a citizen now
    picked = [key for key, hit in scored.items() if hit]
    if scored["role:can_bo_xa"] or scored["role:can_bo_so"]:
        picked = [key for key in picked if key.startswith("role:can_bo")]
    if len(picked) != 1:
        return None
    fields = volunteered(text, padded, units) if len(padded.split()) > 3 else {}
    fields.pop("system", None) if not is_problem(padded) else None
    return answer(picked[0], fields)


_SYSTEM_EXTRA = (
    (
        "he_thong_tthc_thanh_pho",
        (
            "1 cua",
            "igate",
            "dvc hai phong",
            "cong hai phong",
            "dich vu cong hai phong",
            "dich vu cong thanh pho",
        ),
    ),
    ("thanh_toan", ("ngan hang", "vi dien tu", "bank")),
)


def _most_of_one_label(padded: str, screen: Screen) -> str | None:
    """The system whose label the reply mostly repeats, in the person's own words ("hệ thống giải
    quyết thủ tục của thành phố" for "Hệ thống giải quyết TTHC của thành phố"): labels compared
    written out (TTHC → thủ tục hành chính), so a label typed in full or shortened by a word or
    two still names it. Several labels alike: none (the question is asked again)."""
    said = set(padded.split()) - L.FILLER
    shares = sorted(
        (
            (len(words & said) / len(words), key.split(":", 1)[1])
            for key, label in screen.choices
            if (words := set(joined(label).split()) - L.FILLER)
        ),
        reverse=True,
    )
    if shares and shares[0][0] >= 0.6 and (len(shares) == 1 or shares[0][0] - shares[1][0] >= 0.25):
        return shares[0][1]
    return None


_TT = re.compile(r"\btt\b")


def system(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    count = len(padded.split())
    if count <= 3 and has(padded, frozenset({"khac", "cai khac", "he thong khac", "other"})):
        return answer("system:khac")
    if count <= 4 and _TT.search(fold(text)):
        # "tt" is "thủ tục" elsewhere (handlers.understand.normalize), but a short answer here
        # names a system, and among them only payment is "tt": "tt online", "lỗi tt" (it had been
        # asked again until a number came). In a sentence ("tt khai sinh bị lỗi") it stays thủ tục.
        text = _TT.sub("thanh toan", fold(text))
        padded = joined(text)
    found = (
        next((key for key, phrases in _SYSTEM_EXTRA if has(padded, frozenset(phrases))), None)
        or find_system(text)
        or _most_of_one_label(padded, screen)
    )
    if found is None:
        if clarify(text, padded):
            return Reading(Outcome.QUESTION, "clarify")
        return None
    # The system's own name said in words ("hệ thống giải quyết thủ tục của thành phố") is the
    # answer; only a problem told beyond the names becomes the description too.
    told = count > 3 and describes_problem(text, padded, units)
    fields = volunteered(text, padded, units, skip=("system",)) if told else {}
    if told:
        fields["description"] = "*"
    return answer(f"system:{found}", fields)


_EDIT_FIELDS = {
    "edit:dossier": ("ma ho so", "ho so", "dossier", "ma hs"),
    "edit:procedure": ("thu tuc", "procedure"),
    "edit:phone": ("so dien thoai", "dien thoai", "phone", "so lien he"),
    "edit:description": ("mo ta", "noi dung", "van de", "description"),
    "edit:system": ("he thong", "system"),
    "edit:unit": ("don vi", "xa", "phuong", "dia chi", "dac khu", "unit", "ward", "commune", "address"),
    "edit:role": ("vai tro", "ban la", "doi tuong", "role", "toi la", "minh la", "em la"),
    "edit:back": ("quay lai", "thoi", "khong sua", "khong sua nua", "back", "giu nguyen"),
}


def edit(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    shown = {key for key, _ in screen.choices}
    # "tôi là doanh nghiệp chứ không phải người dân": the role field is this screen's own choice.
    fields = volunteered(text, padded, units, skip=("description", "system", "role"))
    named = (
        find_unit(re.sub(r"\b(thành|thanh|sang|là|la)\b", "phường", text, count=1), units)
        if not fields
        else None
    )
    if named and " don vi " in padded:
        fields["unit"] = named
    if fields:
        return Reading(Outcome.FIELD, fields=fields)
    hits = [
        (len(p), key)
        for key, phrases in _EDIT_FIELDS.items()
        for p in phrases
        if (key in shown or not shown) and f" {p} " in padded
    ]
    return answer(max(hits)[1]) if hits else None


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
            "not happy",
            "khong tot",
            "chang giai quyet",
            "chua xong",
            "sao lai dong",
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
            "cuoi cung cung",
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
            # Not a bare "ok": it closes the case, and "ok" may only mean "I read it".
            "good",
            "great",
            "satisfied",
            "nhanh",
            "nhiet tinh",
            "khong co gi de che",
            "duoc roi",
            "thanks",
            "cam on",
        ),
    ),
)
_STARS = re.compile(r"(\d+)\s*(?:sao|diem|stars?|points?)\b")


def rating(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    keys = {key.rsplit(":", 1)[-1]: key for key, _ in screen.choices}
    stars = _STARS.search(fold(text))
    if stars:
        value = int(stars.group(1))
        scale = 10 if "diem" in stars.group(0) or "point" in stars.group(0) else 5
        if value * 5 / scale >= 4:
            return answer(keys.get("hai_long", "")) if "hai_long" in keys else None
        if value * 5 / scale >= 3:
            return answer(keys["binh_thuong"]) if "binh_thuong" in keys else None
        return None  # "1 sao": the first choice, or one star? ask
    count = len(padded.split())
    # Anger at the result ("làm ăn kiểu gì thế") is a rating too: the case reopens, staff read why.
    unhappy = (
        has(padded, L.NOT_WORKED - frozenset({"khong"}))
        or has(padded, frozenset(_RATINGS[0][1]))
        or (count <= 12 and has(padded, L.ABUSE))
    )
    neutral = has(padded, frozenset(_RATINGS[1][1]))
    happy = has(without(padded, frozenset(_RATINGS[0][1])), frozenset(_RATINGS[2][1]))
    if unhappy and (happy or neutral) and " nhung " in padded:
        return answer(keys["binh_thuong"]) if "binh_thuong" in keys else None
    if unhappy:
        fields = {"description": "*"} if count > 2 else {}
        return answer(keys["khong_hai_long"], fields) if "khong_hai_long" in keys else None
    if clarify(text, padded):
        return Reading(Outcome.QUESTION, "clarify")
    if count > 20 or is_question(text, padded):
        return None  # words for staff to read, not a rating
    # "cũng tạm được, lần sau trả lời sớm hơn thì tốt": so-so wins over a kind word in the wish.
    for rated, found in (("binh_thuong", neutral), ("hai_long", happy)):
        if rated in keys and found:
            fields = {"description": "*"} if count > SHORT + 2 else {}
            return answer(keys[rated], fields)
    return None


_ORDINALS = (
    ("dau tien", 0),
    ("thu nhat", 0),
    ("dau", 0),
    ("thu hai", 1),
    ("thu 2", 1),
    ("cai 2", 1),
    ("thu ba", 2),
    ("thu 3", 2),
    ("cuoi", -1),
)


def faq_pick(text: str, padded: str, screen: Screen, units: UnitSearch | None) -> Reading | None:
    none = frozenset(
        {
            "khong phai",
            "khong giong",
            "khong co",
            "khong cai nao",
            "deu khong",
            "gui to cong tac",
            "none",
            "neither",
            "none of them",
            "khac",
        }
    )
    topics = [(key, label) for key, label in screen.choices if key != "faqpick:none"]
    # A bare no ("k", "không ạ") is "none of these": it shares "không" with a title ("Không nhận
    # được mã OTP") and had been read as picking that title.
    bare_no = len(padded.split()) <= 3 and polarity(padded) == "no" and only(padded, L.NO | L.FILLER)
    if bare_no or (has(padded, none) and len(padded.split()) <= 12):
        fields = volunteered(text, padded, units)
        fields.pop("description", None)
        return answer("faqpick:none", fields)
    for word, index in _ORDINALS:
        if f" {word} " in padded and len(padded.split()) <= 5 and topics and index < len(topics):
            return answer(topics[index][0])
    if clarify(text, padded) and not is_problem(padded):
        return Reading(Outcome.QUESTION, "clarify")
    # Words of one of the titles ("quên mk", "otp"): the title they point to, when clearly one.
    folded = " ".join(padded.split())
    scored = sorted(
        ((fuzz.token_set_ratio(folded, joined(label).strip()), key) for key, label in topics), reverse=True
    )
    if (
        scored
        and scored[0][0] >= 70
        and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 15)
        and len(padded.split()) <= 8
    ):
        return answer(scored[0][1])
    if is_problem(padded):
        return answer("faqpick:none", {"description": "*"})
    return None
