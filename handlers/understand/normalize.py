"""Typed Vietnamese as people write it in chat, reduced to one comparable form.

`words("e lam theo r ma van ko dc")` → ["em", "lam", "theo", "roi", "ma", "van", "khong", "duoc"]:
lower case, no diacritics (handlers.textutil.fold), chat abbreviations and speech-to-text
spellings written out. Everything in handlers.understand compares these words, so a rule written
once holds with and without diacritics.
"""

from __future__ import annotations

import re
from functools import lru_cache

from handlers.textutil import fold
from handlers.understand.slips import repair

# One token → its written-out form. Only abbreviations that mean one thing in this
# conversation: "a" (anh, ạ), "c" (chị, có) and "v" (vậy, và) stay as they are.
ABBREVIATIONS: dict[str, str] = {
    # negation
    # ("hong" is left alone: it is also "hỏng", broken, and "Hồng" in place names.)
    "k": "khong",
    "ko": "khong",
    "kh": "khong",
    "khg": "khong",
    "kg": "khong",
    "hok": "khong",
    "hem": "khong",
    "khum": "khong",
    "kp": "khong phai",
    "ch": "chua",
    "chx": "chua",
    "cha": "chang",
    # yes, done
    "dc": "duoc",
    "dk": "duoc",
    "r": "roi",
    "rui": "roi",
    "roai": "roi",
    "oke": "ok",
    "okie": "ok",
    "oki": "ok",
    "okay": "ok",
    "okela": "ok",
    "okla": "ok",
    "okok": "ok",
    "uk": "u",
    "uh": "u",
    "um": "u",
    "uhm": "u",
    "vg": "vang",
    "xg": "xong",  # "xg", "xog": done
    "xog": "xong",
    "dy": "dong y",  # "dy" / "đy" at the Decree 13 question: đồng ý
    "vag": "vang",
    "yep": "yes",
    "yeah": "yes",
    "ya": "yes",
    # people
    "e": "em",
    "mk": "mat khau",
    "mik": "minh",
    "mn": "moi nguoi",
    "ad": "admin",
    "adm": "admin",
    # things
    "cb": "can bo",
    "ht": "he thong",
    "httt": "he thong thong tin",
    "cc": "cong chuc",
    "cbcc": "can bo cong chuc",
    "mc": "mot cua",
    "pm": "phan mem",
    "p": "phuong",
    "hdsd": "huong dan su dung",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "tk": "tai khoan",
    "hs": "ho so",
    "pa": "phan anh",
    "tt": "thu tuc",
    "tthc": "thu tuc hanh chinh",
    "cccd": "can cuoc",
    "dvc": "dich vu cong",
    "dvcqg": "dich vu cong quoc gia",
    "cks": "chu ky so",
    "tp": "thanh pho",
    # question words and particles
    "j": "gi",
    "z": "vay",
    "ntn": "nhu the nao",
    "bh": "bao gio",
    "bgio": "bao gio",
    "bn": "bao nhieu",
    "ak": "a",
    "ah": "a",
    "nha": "nhe",
    # everyday
    "cx": "cung",
    "vs": "voi",
    "ns": "noi",
    "trl": "traloi",
    "tl": "traloi",
    "lm": "lam",
    "bt": "biet",
    "bik": "biet",
    "bit": "biet",
    "wa": "qua",
    "lun": "luon",
    "ms": "moi",
    "nx": "nua",
    "tks": "thanks",
    "thank": "thanks",
    "thx": "thanks",
    "camon": "cam on",
    "hnay": "hom nay",
    "hqua": "hom qua",
    "dag": "dang",
    "dg": "dang",
}

# Emoji people answer with, as the words they stand for (fold() drops symbols).
_EMOJI = {
    "👍": " ok ",
    "👌": " ok ",
    "✅": " ok ",
    "🆗": " ok ",
    "👎": " khong ",
    "❌": " khong ",
    "🙁": " te ",
    "☹": " te ",
    "😞": " te ",
    "😡": " te ",
    "😠": " te ",
    "😊": " tot ",
    "😍": " tot ",
    "❤": " tot ",
}
_EMOJI_PATTERN = re.compile("|".join(map(re.escape, _EMOJI)))

_REPEATS = re.compile(r"(.)\1{2,}")  # "khôngggg", "okkkk": people stretch words


@lru_cache(maxsize=4096)
def _normalized(text: str) -> tuple[str, ...]:
    out: list[str] = []
    text = _EMOJI_PATTERN.sub(lambda m: _EMOJI[m.group(0)], text).replace("n't", "nt").replace("n’t", "nt")
    for raw in _REPEATS.sub(r"\1", text).split():
        # Words run together are split only where the person typed Vietnamese marks
        # ("khôngđược"): an English word is never cut into Vietnamese syllables.
        marked = has_diacritics(raw)
        for token in fold(raw).split():
            if token not in ABBREVIATIONS:
                pieces = repair(token, split=marked)
                if pieces != [token]:
                    for piece in pieces:
                        out.extend(ABBREVIATIONS.get(piece, piece).split())
                    continue
            out.extend(ABBREVIATIONS.get(token, token).split())
    return tuple(_without_double_negation(out))


def _without_double_negation(tokens: list[str]) -> list[str]:
    """ "không phải không đồng ý" is "đồng ý": the two negations cancel out. Also "trả lời"
    (answer) becomes one word, "traloi": folded, its "lời" would read as "lỗi" (error)."""
    out: list[str] = []
    for token in tokens:
        out.append(token)
        if out[-3:] in (["khong", "phai", "khong"], ["chang", "phai", "khong"]):
            del out[-3:]
        elif out[-2:] == ["tra", "loi"]:
            out[-2:] = ["traloi"]
    return out


def words(text: str) -> list[str]:
    """The person's words, folded and written out (see the module docstring)."""
    return list(_normalized(text[:2000]))


def joined(text: str) -> str:
    """`words` as one string with a space on each side, for phrase search: " van khong duoc "."""
    return " " + " ".join(_normalized(text[:2000])) + " "


def has_diacritics(text: str) -> bool:
    """True when the person typed Vietnamese marks (then words that fold alike can be told apart)."""
    return any(ord(ch) > 127 and ch.isalpha() for ch in text)
