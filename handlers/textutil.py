"""Small text helpers shared by the conversation: folding for comparisons, phone numbers, masking."""

from __future__ import annotations

import re
import unicodedata

_EMOJI_AND_SYMBOLS = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


# Personal numbers, one definition for everything that hides them (log masking in
# bot/logging_setup.py, FAQ drafts in handlers/staff/desk.py): 12-digit citizen ID (CCCD) numbers,
# also in groups of three; Vietnamese phone numbers in +84 / 84 / (+84) / 0 forms with spaces,
# dots or dashes.
# Twelve digits, whole or in groups of 2+ digits split by one space, dot or dash ("0312 3456 7890",
# "031-234-567890", "031.095.001.234"); the lookarounds refuse a run of more digits around it.
CCCD_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[ .-])(?=(?:\d[ .-]?){11}\d(?!\d|[ .-]\d))\d{2,12}(?:[ .-]\d{2,10}){0,5}(?!\d)"
)
# "+84 (0) 912 345 678": the trunk zero in brackets, as business cards write it, is dropped.
PHONE_NUMBER = re.compile(r"(?<!\d)(?:\(\+?84\)\s?|\+?84\s?\(0\)\s?|\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_TRUNK_ZERO = re.compile(r"(\+?84)\s*\(0\)")

_ID = re.compile(r"[0-9]{1,9}")


def parse_id(text: str) -> int | None:
    """A row id taken from a button or a command: ASCII digits that fit a database integer
    ("²", "①" and 20-digit numbers are not ids, whatever str.isdigit() says)."""
    return int(text) if _ID.fullmatch(text) else None


_USER_ID = re.compile(r"[0-9]{1,15}")


def parse_user_id(text: str) -> int | None:
    """A messenger's numeric user id (Telegram's run to 52 bits: a BIGINT column), else None."""
    return int(text) if _USER_ID.fullmatch(text) else None


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), symbols and emoji dropped: for comparing what people type."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _EMOJI_AND_SYMBOLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """NFC, control characters removed, surrounding blank space trimmed; keeps line breaks."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


# Mobile prefixes in use in Việt Nam since the 2018 renumbering (03x, 05x, 07x, 08x, 09x),
# and fixed lines (02x area codes, 11 digits).
_MOBILE = re.compile(r"^0(3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number in national form (0xxxxxxxxx), or None when it is not one."""
    digits = re.sub(r"[\s.\-()]", "", _TRUNK_ZERO.sub(r"\1", raw.strip()))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        return None
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    return None


def format_phone(phone: str) -> str:
    if len(phone) == 10:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return phone


def mask_phone(phone: str | None) -> str:
    if not phone:
        return "—"
    return phone[:3] + "****" + phone[-3:]


def shorten(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_message(text: str, limit: int) -> list[str]:
    """Split a long message so no part exceeds `limit`: at a paragraph break if there is one
    in the last two thirds of the part, else at a line break, the end of a sentence or a
    space in its second half (a part never ends in the middle of a sentence when it can)."""
    parts: list[str] = []
    remaining = text
    while len(remaining) > limit:
        parts.append(remaining[: _cut(remaining, limit)].rstrip())
        remaining = remaining[len(parts[-1]) :].lstrip()
    if remaining:
        parts.append(remaining)
    return parts or [""]


def _cut(text: str, limit: int) -> int:
    window = text[:limit]
    paragraph = window.rfind("\n\n")
    if paragraph >= limit // 3:
        return paragraph
    line = window.rfind("\n")
    if line >= limit // 2:
        return line
    sentence = max(window.rfind(end) for end in (". ", "? ", "! ", "… ", ".\n"))
    if sentence >= limit // 2:
        return sentence + 1  # the full stop stays with its sentence
    space = window.rfind(" ")
    return space if space >= limit // 2 else limit
