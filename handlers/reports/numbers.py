"""Numbers as a Vietnamese reader writes them (Babel, locale "vi"): 1.234 and 2,5 and 83%."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALE = "vi"
# Excel number formats of the same figures (Excel shows its own locale's separators).
XL_COUNT = "0"
XL_HOURS = "0.0"
XL_SHARE = "0.0%"
XL_CHANGE_COUNT = '+0;-0;"0"'
XL_CHANGE_POINTS = '+0.0" điểm %";-0.0" điểm %";"0"'
XL_CHANGE_HOURS = '+0.0" giờ";-0.0" giờ";"0"'


def number_vi(x: float, digits: int = 1) -> str:
    """2.5 → "2,5"; 1234 → "1.234" (digits=0)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(x, format=pattern, locale=LOCALE)


def count_vi(n: int) -> str:
    return number_vi(n, 0)


def pct_vi(share: float | None, digits: int = 0) -> str:
    """0.8 → "80%"; None (nothing to divide) → "–"."""
    return "–" if share is None else f"{number_vi(share * 100, digits)}%"


def hours_vi(hours: float | None) -> str:
    return "–" if hours is None else f"{number_vi(hours)} giờ"


def signed_vi(x: float, digits: int = 0) -> str:
    """+2, -1,5; a change that rounds to nothing is "0"."""
    text = number_vi(abs(x), digits)
    if text.strip("0,.") == "":
        return "0"
    return ("+" if x > 0 else "-") + text
