"""Values people volunteer in free text: a phone number, a dossier code, a case code, the
system, the procedure, the unit. Each finder returns None when it is not sure: a value taken
by mistake is worse than a question asked once more.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers.textutil import CCCD_NUMBER, PHONE_NUMBER, normalize_phone
from handlers.understand.normalize import joined, words

# A unit search: text → [(official name, score 0–100)], best first (handlers.services.UnitDirectory
# wrapped by the caller, so this module stays free of the database and of faq/).
UnitSearch = Callable[[str], list[tuple[str, float]]]

CASE_CODE = re.compile(r"\bPA-\d{6}-[A-Z0-9]{4}\b", re.IGNORECASE)
# Dossier codes of the national portal and the city's one-stop system: "H26.22-251120-0001",
# "000.00.17.H26-250101-0001", "G22.35-240305-0012". Letters and digits in groups joined by
# dots, dashes or slashes, with digits in it.
_DOSSIER = re.compile(r"(?<![\w.\-/])([A-Za-z0-9]{1,12}(?:[.\-/][A-Za-z0-9]{1,12}){1,6})(?![\w\-/]|\.\w)")
_DOSSIER_PLAIN = re.compile(r"(?<![\w.\-/])((?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{8,30})(?![\w.\-/])")
_DIGITS_ONLY = re.compile(r"(?<![\w.\-/])(\d{6,20})(?![\w.\-/])")


def find_phone(text: str) -> str | None:
    """A Vietnamese phone number anywhere in the text, in national form (0xxxxxxxxx)."""
    for match in PHONE_NUMBER.finditer(text):
        phone = normalize_phone(match.group(0))
        if phone:
            return phone
    return None


def find_case_code(text: str) -> str | None:
    match = CASE_CODE.search(text)
    return match.group(0).upper() if match else None


def _is_personal_number(candidate: str) -> bool:
    return bool(normalize_phone(candidate) or CCCD_NUMBER.fullmatch(candidate))


def find_dossier(text: str, *, asked: bool = False) -> str | None:
    """A dossier code in the text. `asked` (the question on screen asks for it) also accepts a
    bare number of six or more digits that is not a phone or CCCD number ("mã 2511200001")."""
    without_cases = CASE_CODE.sub(" ", text)
    for pattern in (_DOSSIER, _DOSSIER_PLAIN):
        for match in pattern.finditer(without_cases):
            candidate = match.group(1).strip(".-/")
            digits = sum(ch.isdigit() for ch in candidate)
            if digits < 2 or len(candidate) < 6 or _is_personal_number(candidate):
                continue
            if re.fullmatch(r"\d{1,2}[./-]\d{1,2}([./-]\d{2,4})?", candidate):
                continue  # a date, "20/11" or "20/11/2025"
            return candidate
    if asked or " ma ho so " in joined(text) or " ma " in joined(text):
        for match in _DIGITS_ONLY.finditer(without_cases):
            if not _is_personal_number(match.group(1)):
                return match.group(1)
    return None


# Which system a message names, most specific first: paying a fee on the portal is a payment
# problem, logging in to the portal is a VNeID problem (the portal logs in through VNeID).
_SYSTEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "thanh_toan",
        ("thanh toan", "le phi", "nop phi", "chuyen khoan", "tru tien", "payment", "pay", "paid", "fee"),
    ),
    ("chu_ky_so", ("chu ky so", "ky so", "token", "usb token", "sim ky so", "digital signature")),
    (
        "vneid",
        (
            "vneid",
            "vn eid",
            "ve en ai di",
            "dinh danh",
            "muc 2",
            "can cuoc dien tu",
            "dang nhap",
            "login",
            "log in",
        ),
    ),
    (
        "he_thong_tthc_thanh_pho",
        (
            "mot cua",
            "phan mem mot cua",
            "he thong tthc",
            "he thong thu tuc hanh chinh",
            "he thong cua thanh pho",
            "he thong thanh pho",
        ),
    ),
    (
        "dvc_quoc_gia",
        ("dich vu cong", "cong dich vu cong", "dichvucong", "cong dvc", "public service portal", "portal"),
    ),
)


_DENIED = re.compile(r" khong phai (?:la |o )?(?:\w+ ){0,3}")


def find_system(text: str) -> str | None:
    """The system a message names; what it says it is NOT ("không phải dịch vụ công") is ignored."""
    padded = _DENIED.sub(" ", joined(text))
    # "cán bộ một cửa" is who is writing, not the system the problem is in.
    for role in (" can bo mot cua ", " cong chuc mot cua ", " bo phan mot cua ", " quay mot cua "):
        padded = padded.replace(role, " ")
    found = [key for key, phrases in _SYSTEMS if any(f" {phrase} " in padded for phrase in phrases)]
    login_only = not any(f" {p} " in padded for p in dict(_SYSTEMS)["vneid"] if p not in _LOGIN)
    if found[:1] == ["vneid"] and login_only and "he_thong_tthc_thanh_pho" in found:
        # "không đăng nhập được phần mềm một cửa": the one-stop software has its own log-in; a
        # log-in verb points to VNeID only when no such system is named.
        return "he_thong_tthc_thanh_pho"
    return found[0] if found else None


_LOGIN = ("dang nhap", "login", "log in")


# Procedures people name, written out as staff read them.
_PROCEDURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Đăng ký khai sinh", ("khai sinh", "giay khai sinh", "birth")),
    ("Đăng ký khai tử", ("khai tu",)),
    ("Đăng ký kết hôn", ("ket hon", "dang ky ket hon", "marriage")),
    ("Cấp phiếu lý lịch tư pháp", ("ly lich tu phap", "llTP", "criminal record")),
    ("Xác nhận tình trạng hôn nhân", ("tinh trang hon nhan", "xac nhan doc than", "doc than")),
    ("Đăng ký tạm trú", ("tam tru", "temporary residence")),
    ("Đăng ký thường trú", ("thuong tru", "nhap khau", "chuyen khau")),
    ("Chứng thực bản sao", ("chung thuc", "sao y")),
    ("Đăng ký hộ kinh doanh", ("ho kinh doanh", "dang ky kinh doanh", "giay phep kinh doanh")),
    ("Cấp giấy phép xây dựng", ("giay phep xay dung", "phep xay dung", "xin phep xay")),
    # The certificate itself ("sổ đỏ") is its own procedure; transfers are another.
    ("Cấp giấy chứng nhận quyền sử dụng đất (sổ đỏ)", ("so do", "so hong", "quyen su dung dat")),
    ("Đất đai (chuyển nhượng, sang tên)", ("chuyen nhuong dat", "sang ten so")),
    ("Cấp đổi căn cước", ("cap doi can cuoc", "lam can cuoc", "cap can cuoc", "doi can cuoc")),
    ("Bảo hiểm y tế", ("bao hiem y te", "bhyt")),
    ("Trợ cấp, chính sách xã hội", ("tro cap", "bao tro xa hoi", "chinh sach xa hoi")),
)


def find_procedure(text: str, *, done_is_context: bool = False) -> str | None:
    """The procedure a message names. ``done_is_context``: a procedure told as finished ("Tôi
    đã làm căn cước và đăng ký tài khoản mức 2 ... nhưng VNeID chưa kích hoạt", "làm khai sinh
    xong rồi") is the story's background, not what the complaint is about: volunteered in a
    story it is left to the procedure question, which asks instead of guessing."""
    # What the person says it is NOT ("kết hôn chứ không phải khai sinh") is ignored, as in find_system.
    padded = _DENIED.sub(" ", joined(text))
    if done_is_context:
        padded = _DONE.sub(" ", padded)
    for name, phrases in _PROCEDURES:
        if any(f" {phrase.lower()} " in padded for phrase in phrases):
            return name
    return None


# "đã làm căn cước", "đã làm xong khai sinh", "làm khai sinh xong rồi": the words of a finished
# procedure (up to four after "đã làm", or before "xong").
_DONE = re.compile(r" da (?:lam |co )(?:xong )?(?:\w+ ){1,4}| lam (?:\w+ ){1,4}xong (?:roi )?")


# Words that introduce a unit: "phường An Biên", "xã An Lão", "huyện Vĩnh Bảo" (an old name).
# "x" as "p": chat shorthand for xã ("cb x An Lão"); the name after it must still match clearly.
_UNIT_WORDS = (
    "xa",
    "phuong",
    "p",
    "x",
    "dac khu",
    "thi tran",
    "quan",
    "huyen",
    "thanh pho",
    "tx",
    "thi xa",
    "o",
)
_OLD_LEADS = frozenset({"quan", "huyen", "thanh pho", "tx", "thi xa"})
_UNIT_ENDS = frozenset(
    {"bi", "loi", "khong", "em", "toi", "minh", "va", "thi", "ma", "nhung", "de", "lam", "nop", "o"}
)


def find_unit(text: str, search: UnitSearch | None) -> str | None:
    """The unit a sentence names after a unit word ("em ở phường Lê Chân bị lỗi …" → "phường
    le chan"), as a query for the unit search; None when none is named clearly."""
    if search is None:
        return None
    tokens = words(text)
    best: tuple[float, int, str] | None = None  # score, -words: the best score, then the shortest name
    for i in range(len(tokens)):
        for lead in _UNIT_WORDS:
            lead_words = lead.split()
            if tokens[i : i + len(lead_words)] != lead_words:
                continue
            rest = tokens[i + len(lead_words) : i + len(lead_words) + 4]
            for size in range(1, len(rest) + 1):
                name = rest[:size]
                if name[-1] in _UNIT_ENDS:
                    break
                query = " ".join(lead_words + name)
                found = search(query)
                if not found:
                    continue
                top = found[0][1]
                runner = found[1][1] if len(found) > 1 else 0.0
                # An old district names several new units: the pick list sorts it out.
                # "ở Kiến An": "ở" (at) introduces a place only when the name is unmistakable.
                clear = top >= 95 and top - runner >= 10 if lead == "o" else top >= 90 and top - runner >= 5
                if clear or (top >= 90 and lead in _OLD_LEADS):
                    candidate = (top, -size, query)
                    if best is None or candidate[:2] > best[:2]:
                        best = candidate
    return best[2] if best else None


# Who is writing, said of oneself ("em là người dân", "cán bộ một cửa xã Vĩnh Hải", "cb x An
# Lão báo lỗi"), so the role question is not asked again. Only self-descriptions count: "người
# dân đang chờ ở quầy" (an officer speaking of citizens) or "cán bộ phường bảo em…" (a citizen
# speaking of an officer) name no role of the writer.
_SELF = r"(?:toi|em|minh|bac|chau|con|tui|chung toi|ben em|ben toi)"
_COMMUNE = r"(?:xa|phuong|dac khu|thi tran|x|ubnd)"
_ROLES_SAID: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("can_bo_so", re.compile(rf" {_SELF} la (?:can bo|cong chuc|chuyen vien) (?:o )?(?:so|nganh) ")),
    ("can_bo_xa", re.compile(rf" {_SELF} la (?:can bo|cong chuc)(?: mot cua)? (?:o )?{_COMMUNE} ")),
    ("doanh_nghiep", re.compile(rf" {_SELF} (?:la|ben) (?:doanh nghiep|cong ty) ")),
    ("nguoi_dan", re.compile(rf" {_SELF} (?:la|chi la) (?:nguoi dan|dan|cong dan|dan thuong) ")),
)
# Opening the message with the title, no "tôi là": "cb x An Lão báo lỗi", "cán bộ một cửa xã Vĩnh
# Hải". Only when the message is short or goes on to report: "cán bộ phường bảo em nộp trên
# mạng…" is a citizen speaking of an officer, "người dân đang chờ ở quầy" an officer of citizens.
_TITLE_FIRST: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("can_bo_so", re.compile(r"^ (?:can bo|cong chuc|chuyen vien) (?:o )?(?:so|nganh) ")),
    ("can_bo_xa", re.compile(rf"^ (?:can bo|cong chuc)(?: mot cua)? (?:o )?{_COMMUNE} ")),
    ("doanh_nghiep", re.compile(r"^ (?:doanh nghiep|cong ty) ")),
    ("nguoi_dan", re.compile(r"^ (?:nguoi dan|cong dan) ")),
)
_REPORTING = (" bao loi ", " phan anh ", " xin ho tro ", " can ho tro ", " bao cao ")


def find_role(text: str) -> str | None:
    """The role a message says the writer has (see _ROLES_SAID, _TITLE_FIRST), else None."""
    padded = joined(text)
    for role, pattern in _ROLES_SAID:
        if pattern.search(padded):
            return role
    short = len(padded.split()) <= 7
    for role, pattern in _TITLE_FIRST:
        if pattern.search(padded) and (
            short or (role != "nguoi_dan" and any(w in padded for w in _REPORTING))
        ):
            return role
    return None
