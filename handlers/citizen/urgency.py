"""Is an officer's report an outage (desk or system down)? Read on the text WITH diacritics.

Folding first (the old rule in handlers/citizen/intake.py) made "sáp nhập" (merger) and "sắp" (soon)
read as "sập" (down): after the 2025 merger of communes nearly every officer report says
"sáp nhập", so ordinary reports went urgent. Here the words are matched as typed (NFC, lower
case); only a text typed with no diacritics at all is folded, with its own narrower rules.

Score: the strongest outage term (2 = down by itself, 1 = needs a scope), +1 when a scope says
it is the system or the whole desk, -1 when it is about one person or dossier; urgent at >= 2.
A generic "cannot do X" (không … được, die, hỏng …) counts only with a crowd scope (cả bộ phận,
không ai, toàn bộ …): alone it is one person's problem. Terms before a "working again" phrase
(giờ ổn rồi, đã khắc phục …) are over. Chat spellings (ko, k, kh, hok, dc, đc) are expanded first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handlers.textutil import fold

OFFICER_ROLES = frozenset({"can_bo_xa", "can_bo_so"})  # the same set as handlers.citizen.texts
URGENT_TOPICS = frozenset({"cb_ha_tang_he_thong", "vneid_loi_he_thong"})


@dataclass(frozen=True)
class _Lexicon:
    strong: re.Pattern[str]  # down by itself
    weak: re.Pattern[str]  # down only when a scope says what is down
    scope: re.Pattern[str]  # the system, the desk, everyone
    crowd: re.Pattern[str]  # everyone / the whole desk: the scope a generic "cannot" needs
    cannot: re.Pattern[str]  # "cannot do X", broken, logged out: an outage only with a crowd
    recovered: re.Pattern[str]  # working again / still working: what came before is over
    single: re.Pattern[str]  # one citizen, one dossier: a case, not an outage
    dossier: str  # "treo" after this word is a dossier left pending, not a frozen machine


# Everyone / the whole desk. "cả" alone is too loose ("cả ngày" = all day): only "cả" + a unit;
# "mọi người ơi" is a greeting to the group chat, not a scope.
_CROWD = (
    r"\b(?:toàn bộ|tất cả|toàn hệ thống|toàn (?:xã|phường|sở|tỉnh)|không ai|hàng loạt"
    r"|mọi (?:người(?! ơi)|cán bộ|công chức|máy|tài khoản)|cả (?:xã|phường|đặc khu|bộ phận|cơ quan"
    r"|đơn vị|phòng|trụ sở|văn phòng|sở|ubnd|ủy ban|uỷ ban|hệ thống|mạng|máy))\b"
)
_CROWD_FOLDED = (
    r"\b(?:toan bo|tat ca|toan he thong|toan (?:xa|phuong|so|tinh)|khong ai|hang loat"
    r"|moi (?:nguoi(?! oi)|can bo|cong chuc|may|tai khoan)|ca (?:xa|phuong|dac khu|bo phan|co quan"
    r"|don vi|phong|tru so|van phong|so|ubnd|uy ban|he thong|mang|may))\b"
)
# Chat spellings of "không" and "được"; "đc" is rewritten to "dc" before the diacritics test
# so that "ko vao đc" still counts as typed without diacritics.
_NOT = re.compile(r"\b(?:ko|k|kh|hok)\b")
_CAN = re.compile(r"\bdc\b")
_DC = re.compile(r"\bđc\b", re.IGNORECASE)

_MARKED = _Lexicon(
    # "sập nhập" is a misspelt merger, never an outage; "down file" is a download.
    strong=re.compile(
        r"\bsập\b(?! nhập)|\btê liệt\b|\bkhông thể tiếp nhận\b|(?<!không )\bdown\b(?! (?:file|về|mẫu))"
        r"|\blỗi (?:toàn bộ|hết|tất cả|cả|toàn hệ thống|hàng loạt)\b"
    ),
    # "treo hồ sơ" (a dossier held), "đứng tên" (a registered name), "tạm ngừng hoạt động"
    # (a business suspended) are procedures, not faults.
    weak=re.compile(
        r"\btreo\b(?! (?:hồ sơ|biển|băng|cờ|thưởng|ảnh))"
        r"|\b(?:bị|máy|thống|mềm|chủ|đang|cứ) đứng\b(?! (?:tên|ra|đầu))|\bđứng (?:hình|im|yên|luôn|hẳn)\b"
        r"|\bkhông (?:ai |thể )?(?:truy cập|đăng nhập|kết nối|vào được)|\bkhông thể vào\b"
        r"|\bmất (?:mạng|kết nối|điện|sóng)\b|(?<!tạm )\b(?:ngừng|dừng|ngưng) (?:hẳn )?hoạt động"
        r"|\bkhông (?:còn )?hoạt động|\bkhông (?:thể (?:làm việc|dùng|sử dụng|mở)|(?:làm việc|dùng|sử dụng|mở) được)"
    ),
    scope=re.compile(
        r"\b(?:hệ thống|phần mềm|máy chủ|server|đường truyền|cổng dịch vụ công|cổng dvc|một cửa)\b"
        r"|\bhết\b(?! (?:hạn|giờ|ngày|tiền|thời))|" + _CROWD
    ),
    crowd=re.compile(_CROWD),
    # "không được" with nothing between is "not allowed / not approved": a word at least.
    cannot=re.compile(
        r"\b(?:không|chẳng|chả)(?: ai)?(?: [^\s,.;:!?]+){1,4} được\b|\bkhông (?:thể|phản hồi)\b"
        r"|\b(?:bị|tự) (?:đăng xuất|văng)\b|\b(?:die|đơ|hỏng|biến mất)\b|\bbị hư\b"
        r"|\b(?:bị|đã|lại|máy|mạng|thống|mềm|chủ|web|app) chết\b|\bchết (?:máy|mạng|hẳn|luôn)\b"
    ),
    # "không ổn rồi" / "chưa hết lỗi" say the opposite; "khi nào hoạt động lại?" is a question.
    recovered=re.compile(
        r"(?<!không )(?<!chưa )\b(?:ổn|ok) rồi\b|\b(?:đã|lại) (?:ổn|bình thường)\b|\bbình thường (?:lại|rồi)\b"
        r"|(?<!chưa )\bhết lỗi\b|\bđã (?:được )?khắc phục\b|\bkhắc phục (?:xong|rồi)\b"
        r"|\b(?:vẫn|đã) (?:làm|hoạt động|dùng|vào|chạy|truy cập|đăng nhập|tiếp nhận)(?: việc)? (?:được|bình thường|lại)\b"
    ),
    single=re.compile(
        r"\b(?:một|1) (?:công dân|hồ sơ|người|trường hợp|tài khoản)\b"
        r"|\bcủa (?:ông|bà|anh|chị|cháu|công dân|người dân)\b|\briêng\b|\bduy nhất\b"
    ),
    dossier="hồ sơ",
)

# Folded text: "sap" may be sập (down), sắp (soon) or sáp (in sáp nhập), "dung" may be
# đứng/dừng/dùng/đúng. So "sap" is judged word by word in _folded_sap and "dung" only counts
# in "bi dung" at the end of a clause and "dung hoat dong".
_FOLDED = _Lexicon(
    strong=re.compile(
        r"\bte liet\b|\bkhong the tiep nhan\b|(?<!khong )\bdown\b(?! (?:file|ve|mau))"
        r"|\bloi (?:toan bo|het|tat ca|toan he thong|hang loat)\b"
    ),
    weak=re.compile(
        r"\btreo\b(?! (?:ho so|bien|bang|co|thuong|anh))|\bbi dung(?= ?(?:,|$|roi|luon|hinh|im|yen|het))"
        r"|\bdung hinh\b|\bkhong (?:ai |the )?(?:truy cap|dang nhap|ket noi|vao duoc)"
        r"|\bmat (?:mang|ket noi|dien|song)\b|(?<!tam )\b(?:ngung|dung) (?:han )?hoat dong"
        r"|\bkhong (?:con )?hoat dong|\bkhong (?:the )?(?:lam viec|dung|su dung|mo) duoc"
    ),
    scope=re.compile(
        r"\b(?:he thong|phan mem|may chu|server|duong truyen|cong dich vu cong|cong dvc|mot cua)\b"
        r"|\bhet\b(?! (?:han|gio|ngay|tien|thoi))|" + _CROWD_FOLDED
    ),
    crowd=re.compile(_CROWD_FOLDED),
    # "hong" alone may be hồng/hông, "do" may be anything: hỏng and đơ only in set phrases.
    cannot=re.compile(
        r"\b(?:khong|chang)(?: ai)?(?: [^\s,]+){1,4} duoc\b|\bkhong (?:the|phan hoi)\b|\b(?:bi|tu) (?:dang xuat|vang)\b"
        r"|\b(?:die|bien mat)\b|\bbi (?:hong|hu)\b|\bhong (?:het|roi|luon|han)\b"
        r"|\b(?:bi|da|lai|may|mang|thong|mem|chu|web|app) chet\b|\bchet (?:may|mang|han|luon)\b"
    ),
    recovered=re.compile(
        r"(?<!khong )(?<!chua )\b(?:on|ok) roi\b|\b(?:da|lai) (?:on|binh thuong)\b|\bbinh thuong (?:lai|roi)\b"
        r"|(?<!chua )\bhet loi\b|\bda (?:duoc )?khac phuc\b|\bkhac phuc (?:xong|roi)\b"
        r"|\b(?:van|da) (?:lam|hoat dong|dung|vao|chay|truy cap|dang nhap|tiep nhan)(?: viec)? (?:duoc|binh thuong|lai)\b"
    ),
    single=re.compile(
        r"\b(?:mot|1) (?:cong dan|ho so|nguoi|truong hop|tai khoan)\b"
        r"|\bcua (?:ong|anh|chi|chau|cong dan|nguoi dan)\b|\brieng\b|\bduy nhat\b"
    ),
    dossier="ho so",
)

_CLAUSES = re.compile(r"[,.;:!?\n]+")
_SYSTEM_WORDS = frozenset({"thong", "mem", "chu", "server", "mang", "web", "app"})  # "he thong sap"


def _folded_sap(words: list[str], i: int) -> bool:
    """Whether the folded word "sap" at words[i] can only be sập (down).

    sáp nhập (merger) and sắp xếp (reorganise) fold to "sap nhap" / "sap xep", and "sau sap..."
    is always "after the merger/reorganisation"; "sap het han" / "sap toi" are "soon". sắp never
    follows bị/đã/lại or a system noun, and sập is what goes "roi", "het" at a clause end,
    "mang", "tu" (since), "nguon", "luon", or what opens a clause before a system noun."""
    before = words[i - 1] if i > 0 else ""
    after = [*words[i + 1 : i + 3], "", ""]
    if after[0] in {"nhap", "xep", "toi", "den", "duoc"} or before == "sau" or after[:2] == ["het", "han"]:
        return False
    if before in {"bi", "da", "lai"} | _SYSTEM_WORDS or after[0] in {"roi", "mang", "tu", "nguon", "luon"}:
        return True
    if before in {"", ","} and " ".join(after[:2]) in {"he thong", "phan mem", "may chu"}:
        return True  # "sap he thong ..." opening a clause: sập (sắp is followed by a verb)
    return after[0] == "het" and after[1] in {"", ",", "roi", "ca", "luon"}


def _has_marks(text: str) -> bool:
    """Typed with Vietnamese diacritics (combining marks U+0300–U+036F after NFD, or đ).
    Emoji variation selectors are also marks (Mn) but say nothing about the language."""
    nfd = unicodedata.normalize("NFD", text)
    return "đ" in nfd.lower() or any("\u0300" <= ch <= "\u036f" for ch in nfd)


def is_outage(text: str) -> bool:
    """True when the text says the system or the whole desk is down (any author)."""
    text = _DC.sub("dc", unicodedata.normalize("NFC", text))
    marked = _has_marks(text)
    # Expanded after the diacritics test ("không" has marks); fold() turns them into khong/duoc.
    text = _CAN.sub("được", _NOT.sub("không", text.lower()))
    if marked:
        lex, norm = _MARKED, " ".join(text.split())
    else:
        # Fold clause by clause so clause ends survive as " , " (fold drops punctuation).
        lex, norm = _FOLDED, " , ".join(c for c in (fold(p) for p in _CLAUSES.split(text)) if c)
    # An outage told before "giờ ổn rồi" / "vẫn làm bình thường" is over or is someone else's:
    # only outage terms after the last such phrase count; scope is read on the whole text.
    cut = max((m.end() for m in lex.recovered.finditer(norm)), default=0)
    tail, words, skip = norm[cut:], norm.split(), len(norm[:cut].split())
    sap = not marked and any(w == "sap" and _folded_sap(words, i) for i, w in enumerate(words) if i >= skip)
    strong = sap or lex.strong.search(tail) is not None
    # "hồ sơ (của ông A) bị treo" is a dossier held: "treo" with the dossier word in the five
    # words before it in its clause does not count.
    weak = any(
        not (
            m.group() == "treo"
            and lex.dossier in " ".join(_CLAUSES.split(tail[: m.start()])[-1].split()[-5:])
        )
        for m in lex.weak.finditer(tail)
    ) or bool(lex.cannot.search(tail) and lex.crowd.search(norm))
    score = (2 if strong else 1 if weak else 0) + bool(lex.scope.search(norm)) - bool(lex.single.search(norm))
    return (strong or weak) and score >= 2


def classify_priority(role: str | None, system: str | None, description: str, faq_topic: str | None) -> str:
    """Urgent when an officer reports the desk blocked or the system down, else "normal".
    Citizens are never urgent. `system` is accepted for the same contract as intake's."""
    if role not in OFFICER_ROLES:
        return "normal"
    if faq_topic in URGENT_TOPICS or is_outage(description):
        return "urgent"
    return "normal"
