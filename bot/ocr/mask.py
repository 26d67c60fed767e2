"""CCCD and phone numbers in recognised text, replaced before the text is kept, shown or logged.

A screenshot of VNeID or the portal usually shows the person's identity number and phone number
next to the error. They are masked at the source (right after recognition), so neither the staff
card, nor the search, nor the logs ever hold them.

What counts: a run of 9 to 12 digits, or 84/+84 and 9 digits, with at most one space or dot
between any two digits (CCCD 12 digits plain, 4-4-4 or 3-3-6; old CMND 9 digits; phone numbers
as 0912 345 678 or 0912.345.678). Letters OCR commonly reads for digits (O, o, I, l, |) inside such
a run count when at least 8 real digits are there. Dossier codes (H31.68-250430-0001) are kept:
a run touching a letter or a dash is not a number a person owns.
"""

from __future__ import annotations

import re

CCCD_MASK = "[số CCCD đã ẩn]"
PHONE_MASK = "[số điện thoại đã ẩn]"
NUMBER_MASK = "[dãy số đã ẩn]"

_DIGITISH = "0-9OoIl|"
_RUN = re.compile(rf"(?<![0-9\-/.])(?:\+\s?)?[0-9Oo](?:[ .]?[{_DIGITISH}]){{7,13}}(?![0-9\-/])")
# An amount of money ("125.000.000.000 đồng") is not a person's number.
_MONEY_AFTER = re.compile(r"\s?(?:đ|đồng|vnđ|vnd)\b", re.IGNORECASE)
_CONFUSED = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def _kind(run: str) -> str | None:
    digits = re.sub(r"[^0-9]", "", run.translate(_CONFUSED))
    real = sum(c.isdigit() for c in run)
    if real < 8:
        return None
    if len(digits) == 12 and not digits.startswith("84"):
        return CCCD_MASK
    if digits.startswith("84") and len(digits) in (11, 12):
        return PHONE_MASK
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_MASK
    if 9 <= len(digits) <= 12:
        return NUMBER_MASK
    return None


def mask_numbers(text: str) -> str:
    """`text` with CCCD, phone and other personal number runs replaced by a bracketed note."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        trailing = ""
        if run.endswith((".", " ")):  # the sentence's full stop, not part of the number
            trailing, run = run[-1], run[:-1]
        if _MONEY_AFTER.match(text, match.end()):
            return match.group(0)
        kind = _kind(run)
        return kind + trailing if kind else match.group(0)

    return _RUN.sub(replace, text)
