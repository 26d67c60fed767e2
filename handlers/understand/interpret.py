"""`interpret(text, screen)`: one reading of every typed reply, at every question.

The order is the order of what must never go wrong: a number or a label says which choice;
a command said in words ("hủy", "làm lại") is obeyed only when the message is about that; a
greeting or thanks in front of a message is set aside; then the question on screen reads the
rest (handlers.understand.questions); what it cannot place is a question, social talk, values
for other fields, or unclear — never a final branch.
"""

from __future__ import annotations

import re

from handlers.textutil import fold
from handlers.understand import lexicon as L
from handlers.understand.extract import (
    UnitSearch,
    find_dossier,
    find_phone,
    find_procedure,
    find_role,
    find_system,
    find_unit,
)
from handlers.understand.normalize import joined, words
from handlers.understand.on_screen import FINAL_ANSWERS, SHORT, by_number_or_label
from handlers.understand.reading import UNCLEAR, Outcome, Reading, Screen, only, polarity, without

# "1 à không 2", "Lê Chân à nhầm Ngô Quyền", "2, à mà thôi, 1": the person changed their mind.
_CHANGED_MIND = re.compile(
    r"[,.]?\s*\b(?:à|a|ờ)\s*,?\s*(?:không|khong|ko|nhầm|nham|mà thôi|ma thoi|thôi|thoi)\b\s*,?\s*",
    re.IGNORECASE,
)


def changed_mind(text: str) -> str:
    """What the person settled on, when they corrected themselves in a short message."""
    parts = _CHANGED_MIND.split(text)
    if len(parts) < 2 or not parts[-1].strip() or len(parts[0].split()) > 6:
        return text
    return parts[-1].strip()


_SLASH = {"huy": "cancel", "cancel": "cancel", "batdau": "restart", "start": "restart", "menu": "restart"}
# A command that is also a choice on screen is that choice ("hủy" at the summary is its ❌ Hủy).
_ON_SCREEN = {"cancel": ("confirm:cancel",), "restart": ("resume:restart",), "back": ("edit:back",)}


def _not_a_report_cancel(padded: str, screen: Screen) -> bool:
    """At the menu there is no report to cancel (a filed case is not withdrawn by a word: staff
    read it); under the pictures, "không gửi nữa" is about pictures unless it names the report."""
    if screen.question == "menu":
        return True
    named = any(f" {word} " in padded for word in ("huy", "cancel", "phan anh"))
    return screen.question == "attachments" and not named


def _command(text: str, padded: str, count: int, screen: Screen) -> Reading | None:
    """ "hủy", "làm lại từ đầu", "quay lại", "cho em gặp cán bộ": only when that is what the
    message is about (a short message made of the command and polite words), or the message
    starts with a plain cancel ("hủy phản ánh đi, em làm được rồi")."""
    found: str | None = None
    if text.startswith("/"):
        found = _SLASH.get(text[1:].split()[0].split("@")[0].lower()) if text[1:].split() else None
    polite = frozenset({"di", "nhe", "lai", "thoi", "nua", "giup", "voi", "luon"})
    for value, phrases in (
        ("restart", L.RESTART),
        ("cancel", L.CANCEL),
        ("back", L.BACK),
        ("human", L.HUMAN),
    ):
        if found:
            break
        if value == "cancel" and _not_a_report_cancel(padded, screen):
            continue
        if (
            (
                count <= SHORT + 2
                and any(f" {p} " in padded for p in phrases)
                and only(padded, phrases | polite)
            )
            or (
                value == "cancel"
                and count <= 12
                and any(padded.startswith(f" {p} ") for p in phrases - {"stop"})
                and not any(f" {p} " in padded for p in L.RESTART)
            )
            or (value == "human" and count <= 12 and any(f" {p} " in padded for p in phrases))
        ):
            found = value
    if found is None:
        return None
    keys = {key for key, _ in screen.choices}
    for key in _ON_SCREEN.get(found, ()):
        if key in keys:
            return Reading(Outcome.ANSWER, key)
    return Reading(Outcome.COMMAND, found)


def _strip_social(padded: str) -> tuple[str, str | None]:
    """The message without a greeting or thanks around it, and which of them it was."""
    kind = None
    for value, phrases in (("greeting", L.GREETING), ("thanks", L.THANKS)):
        stripped = without(padded, phrases)
        if stripped != padded:
            kind = kind or value
            padded = stripped
    if kind is None:
        return padded, None
    rest = without(padded.replace("~", " "), L.FILLER).replace("~", " ")
    return (" " + " ".join(rest.split()) + " " if rest.strip() else " "), kind


def is_problem(padded: str) -> bool:
    """A description of a problem with the systems, rather than an answer or small talk: a word
    of the systems ("otp", "hồ sơ", "đăng nhập") with some context. Length alone is not one:
    "bác ở phường Hưng Đạo, ngày trước thuộc quận Dương Kinh ấy" says where, not what failed."""
    count = len(padded.split())
    strong = sum(1 for p in L.PROBLEM - L.WEAK_PROBLEM if f" {p} " in padded)
    weak = sum(1 for p in L.WEAK_PROBLEM if f" {p} " in padded)
    return (
        (count >= 3 and strong >= 1 and strong + weak >= 2)
        or (count >= 6 and strong >= 1)
        or (count >= 14 and weak >= 2)
    )


def describes_problem(
    text: str, padded: str, units: UnitSearch | None = None, named: str | None = None
) -> bool:
    """Whether a message tells a problem beyond naming who writes, where and which system: at
    the system question "phần mềm một cửa của thành phố" is an answer, not the description (it
    had been kept as the description, and the description question was never asked). What is
    left once the names (L.NAMES, the unit named) are set aside must still hold a strong problem
    word, or be a sentence of its own (eight words or more)."""
    if not is_problem(padded):
        return False
    rest = without(padded, L.NAMES)
    named = named or find_unit(text, units)  # `named`: the unit already found by the caller
    if named:
        rest = without(rest, frozenset(joined(named).split()))
    rest = " " + " ".join(rest.replace("~", " ").split()) + " "
    strong = L.PROBLEM - L.WEAK_PROBLEM - L.NAMES
    # "không biết hệ thống nào": not knowing (L.SKIP) and asking words tell no failure.
    content = [w for w in without(rest, L.SKIP | L.QUESTION_WORDS).split() if w not in L.FILLER and w != "~"]
    # A clause of its own is left ("bị trừ tiền 2 lần", "không ký được tờ khai"): a few words
    # with a weak problem word or a negation tell what failed even without a strong word.
    told = len(content) >= 3 and (
        any(f" {p} " in rest for p in L.WEAK_PROBLEM) or any(w in L.NEGATORS for w in content)
    )
    return any(f" {p} " in rest for p in strong) or told or len(content) >= 8


def is_question(text: str, padded: str) -> bool:
    """Asked rather than answered: a question mark, a question word, or "có … không" / "… được không"."""
    tokens = padded.split()
    if "?" in text:
        return True
    words_asked = [w for w in L.QUESTION_WORDS if f" {w} " in padded]
    if words_asked:
        # "không làm thủ tục gì", "chưa có ở đâu": a negator before gì/nào/đâu says "none", not "which".
        # "không muốn để lại thông tin đâu": "đâu" closing a negative sentence only stresses it.
        negative = re.search(r" (?:khong|chua|chang) (?:\w+ ){0,6}(?:gi|nao|dau) ", padded) or re.search(
            r" (?:khong|chua|chang) (?:\w+ )*dau (?:(?:a|nhe|nha) )*$", padded
        )
        return not (negative and all(w in ("gi", "nao", "dau") for w in words_asked))
    if (
        len(tokens) >= 3
        and tokens[-1] in ("khong", "chua")
        and ("co" in tokens[:-1] or tokens[-2] in ("duoc", "phai", "roi"))
    ):
        return True
    return len(tokens) >= 3 and tokens[-2:] in (["khong", "a"], ["chua", "a"])


def looks_english(text: str) -> bool:
    """Written in English (a foreign resident): ASCII words, several English function words."""
    tokens = [t for t in fold(text).split() if t.isalpha()]
    # A few Vietnamese words a foreign resident has picked up ("it say sai mật khẩu", "phường Lê
    # Chân") do not make the message Vietnamese: up to a quarter of the words may carry marks.
    marked = sum(1 for word in text.split() if not word.isascii() and any(ch.isalpha() for ch in word))
    if len(tokens) < 3 or marked * 4 > len(tokens):
        return False
    common = {
        "i",
        "my",
        "the",
        "to",
        "is",
        "can",
        "not",
        "cannot",
        "how",
        "what",
        "please",
        "it",
        "do",
        "you",
        "a",
        "an",
        "in",
        "of",
        "for",
        "with",
        "have",
        "has",
        "why",
        "where",
        "when",
        "get",
        "help",
        "me",
        "account",
        "login",
    }
    return sum(t in common for t in tokens) >= max(2, len(tokens) // 4)


def consent_given(padded: str) -> str | None:
    """ "à thôi em đồng ý cho lưu số điện thoại": agreeing to Decree 13 after refusing it, typed
    at another question. Only an agreement that names what is agreed to (keeping the number, the
    data, a change of mind) counts: a bare "đồng ý" at the summary is a yes to the summary."""
    if " dong y " not in padded and " agree " not in padded:
        return None
    about = (" luu ", " so dien thoai ", " de lai so ", " doi y ", " thong tin ", " du lieu ", " de lai ")
    if not any(word in padded for word in about) or polarity(padded) != "yes":
        return None
    return "yes"


def volunteered(
    text: str, padded: str, units: UnitSearch | None, *, skip: tuple[str, ...] = ()
) -> dict[str, str]:
    """Every field a message gives a value for, besides the one asked (`skip`)."""
    fields: dict[str, str] = {}
    finders = {
        "phone": lambda: find_phone(text),
        "dossier": lambda: find_dossier(text),
        "unit": lambda: find_unit(text, units),
        "procedure": lambda: find_procedure(text, done_is_context=True),
        "system": lambda: find_system(text),
        "role": lambda: find_role(text),
        "consent": lambda: consent_given(padded),
    }
    for name, finder in finders.items():
        if name not in skip:
            value = finder()
            if value:
                fields[name] = value
    if "description" not in skip and describes_problem(text, padded, units, fields.get("unit")):
        fields["description"] = "*"
    return fields


def question_or_social(
    padded: str, count: int, *, clarify: bool = True, text: str | None = None
) -> Reading | None:
    """A question (about a case, the new units, where to file, beyond the task force) or talk."""
    # "ko nhận được mã OTP, chờ mãi không thấy tin nhắn" is a problem that mentions waiting.
    specific = is_problem(
        without(padded, L.STATUS | L.WAITING | L.STATUS_SUBJECT | frozenset({"ho so", "ket qua", "traloi"}))
    )
    subject = any(f" {s} " in padded for s in L.STATUS_SUBJECT - {"cai", "loi", "ma"})
    status = any(f" {p} " in padded for p in L.STATUS) or (
        subject and any(f" {p} " in padded for p in L.STATUS_WEAK)
    )
    if not specific and status and (count <= 8 or subject):
        return Reading(Outcome.QUESTION, "status")
    tokens = padded.split()
    if (
        count <= 10
        and tokens
        and (
            tokens[0] in ("doi", "cho", "de", "wait", "hold")
            and (
                tokens[-1] == "da"
                or any(w in tokens for w in ("chut", "ti", "xiu", "lat", "on", "uploading"))
            )
        )
    ):
        return Reading(Outcome.SOCIAL, "hold")  # "đợi chút", "để bác thử đã": the question can wait
    if not specific and any(f" {p} " in padded for p in L.WAITING):
        return Reading(Outcome.SOCIAL, "waiting")
    if any(f" {p} " in padded for p in L.NEW_UNIT) and any(
        f" {p} " in padded for p in ("xa", "phuong", "thi tran", "huyen", "quan", "don vi", "dia chi")
    ):
        return Reading(Outcome.QUESTION, "new_unit")
    if (
        any(f" {p} " in padded for p in L.WHERE_TO_FILE)
        and any(f" {v} " in padded for v in L.WHERE_VERBS)
        and count <= 14
    ):
        return Reading(Outcome.QUESTION, "where_to_file")
    # "nội dung" (content) folds into "đúng nơi" (the right place) + "dung": never a scope question.
    if any(f" {p} " in without(padded, frozenset({"noi dung"})) for p in L.SCOPE) and (
        not is_problem(without(padded, L.SCOPE)) or (text is not None and is_question(text, padded))
    ):
        return Reading(Outcome.QUESTION, "scope")
    if clarify and count <= 8 and any(f" {p} " in padded for p in L.CLARIFY):
        return Reading(Outcome.QUESTION, "clarify")
    if clarify and count <= 9 and text is not None and is_question(text, padded) and not is_problem(padded):
        return Reading(Outcome.QUESTION, "clarify")
    if count <= 10 and any(f" {p} " in padded for p in L.ABUSE):
        return Reading(Outcome.SOCIAL, "abuse")
    return None


def _about_my_case(reading: Reading) -> bool:
    return reading.is_(Outcome.QUESTION, "status") or reading.is_(Outcome.SOCIAL, "waiting")


def _plain_answer(reading: Reading | None) -> bool:
    """An answer to the question on screen that is neither final nor "the whole message as text"."""
    return (
        reading is not None
        and reading.outcome == Outcome.ANSWER
        and reading.value not in FINAL_ANSWERS
        and "description" not in reading.fields
        and reading.value != "*"
    )


def interpret(text: str, screen: Screen, units: UnitSearch | None = None) -> Reading:
    """What `text`, typed at `screen`, means (see the module docstring)."""
    from handlers.understand.questions import READERS, free_text_question

    text = changed_mind(text.strip())
    padded = joined(text)
    count = len(words(text))
    if not count:
        return Reading(Outcome.UNCLEAR) if not text else Reading(Outcome.SOCIAL, "emoji")
    key = by_number_or_label(text, screen, free_text_question(screen.question))
    if key is not None:
        return Reading(Outcome.ANSWER, key)
    command = _command(text, padded, count, screen)
    if command is not None:
        return command
    if " english " in padded and (
        count <= 8
        or any(f" {w} " in padded for w in ("please", "continue", "speak", "can we", "switch", "in english"))
    ):
        return Reading(Outcome.COMMAND, "language_en")  # "… can we continue in English please?"
    core, social = _strip_social(padded)
    if social and not core.strip():
        return Reading(Outcome.SOCIAL, social)
    reader = READERS.get(screen.question)
    reading = reader(text, core, screen, units) if reader else None
    asked = question_or_social(core, len(core.split()), text=text)
    if asked is None and social:
        # The fillers went with the greeting, and "tới" is the filler "tôi" folded: "ad ơi pa của e
        # xử lý tới đâu r" lost its "tới đâu rồi". A question about one's case is read with them.
        kept = " " + " ".join(without(padded, L.GREETING).replace("~", " ").split()) + " "
        again = question_or_social(kept, len(kept.split()), text=text)
        asked = again if again is not None and again.value == "status" else None
    if (
        asked is not None
        and _about_my_case(asked)
        and not _plain_answer(reading)
        and screen.question != "description"
    ):
        # "hồ sơ của em sao rồi" at "did this help?" is not a yes ("rồi"), and at the pick list
        # not a new description: a question about one's case is answered wherever it is asked,
        # unless the question on screen got a plain answer too (a dossier code, a number). At the
        # description itself "chờ mãi không ai trả lời" may be the problem: it is kept as written.
        return asked
    if reading is not None:
        return reading
    if asked is not None:
        return asked
    fields = volunteered(text, core, units)
    if fields:
        return Reading(Outcome.FIELD, fields=fields)
    if social:
        return Reading(Outcome.SOCIAL, social)
    return UNCLEAR
