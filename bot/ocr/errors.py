"""The few lines of a recognised screen that make the error message.

A screenshot holds a status bar, menus, form labels (name, identity number) and, somewhere, the
message: "Hệ thống đang bảo trì", "Tài khoản chưa được định danh mức 2". Tesseract returns the
screen block by block (blank lines between blocks); a block that carries words of failure
(lỗi, không, chưa, thất bại, hết hạn, vui lòng…) is kept whole, since a message wraps over
several lines and only its first usually carries the cue. Everything else is left out.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LINES = 6
MAX_CHARS = 400

# Folded (no accents, lower case) words and phrases that say something failed or is required.
_CUES = (
    "loi",
    "khong",
    "chua",
    "that bai",
    "bao tri",
    "het han",
    "het thoi gian",
    "vui long",
    "de nghi",
    "yeu cau",
    "bi tra",
    "tra ve",
    "tra lai",
    "bi khoa",
    "tam khoa",
    "ma loi",
    "sai",
    "vuot qua",
    "khong khop",
    "khong hop le",
    "tru tien",
    "canh bao",
    "gian doan",
    "dang ban",
    "qua tai",
    "error",
    "failed",
    "fail",
    "invalid",
    "expired",
    "denied",
    "timeout",
    "time out",
    "unavailable",
    "exception",
    "not found",
    "maintenance",
    "try again",
)
_CUE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in _CUES) + r")\b")
# Lines that are a form's label and its value ("Số CCCD: …"), or a URL: never part of a message.
_LABEL = re.compile(
    r"^(?:ho va ten|so dinh danh|so cccd|so dien thoai|dien thoai|nguoi nop|ngay sinh|dia chi|email|ma ho so)\s*:"
)
_URL = re.compile(r"(?:https?://|www\.|\.gov\.vn|\.com)")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _clean(line: str) -> str:
    # Tesseract's stray marks at the edges of dialog boxes and icons.
    return re.sub(r"\s+", " ", line).strip(" |_—–-~*•·»«'\"`")


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
    return [b for b in blocks if b]


def _wordy(line: str) -> bool:
    letters = sum(c.isalpha() for c in line)
    return letters >= 3 and letters >= 0.5 * len(line.replace(" ", ""))


def _ends(line: str) -> bool:
    return line.endswith((".", "!", "?", ":"))


def _in_block(lines: list[str], folded: list[str]) -> list[str]:
    """The message's lines among a block's: lines with a cue, the lines a message wraps onto,
    and a long first line that runs on into one with a cue; not the menu items or the dialog's
    title above it ("Thông báo", "Lỗi ký số": short, and the next line starts a new sentence)."""
    kept: list[str] = []
    previous: int | None = None  # index of the last kept line
    for i, (line, f) in enumerate(zip(lines, folded, strict=True)):
        if _LABEL.match(f) or _URL.search(f):
            continue
        words = len(line.split())
        following = lines[i + 1] if i + 1 < len(lines) else ""
        title = words <= 3 and not _ends(line) and following[:1].isupper()
        runs_on = previous == i - 1 and previous is not None and not _ends(kept[-1])
        cue = bool(_CUE.search(f))
        leads_in = words >= 6 and not _ends(line) and bool(_CUE.search(fold(following)))
        if (cue and not title) or runs_on or leads_in:
            kept.append(line)
            previous = i
    return kept


def _joined(blocks: list[list[str]]) -> list[list[str]]:
    """Blocks Tesseract split in mid-sentence ("…của tổ chức" / "chưa được kích hoạt.") as one."""
    out: list[list[str]] = []
    for block in blocks:
        # Not a capital: a word's end, a masked number ("[số điện thoại đã ẩn] để…"), a digit.
        if out and not block[0][:1].isupper() and not _ends(out[-1][-1]):
            out[-1] = out[-1] + block
        else:
            out.append(block)
    return out


def error_lines(text: str) -> list[str]:
    """The lines of `text` (a screen, as recognised) that look like its error message."""
    blocks = [lines for lines in ([line for line in b if _wordy(line)] for b in _blocks(text)) if lines]
    chosen = [_in_block(lines, [fold(line) for line in lines]) for lines in _joined(blocks)]
    sizes = [sum(len(line.split()) for line in lines) for lines in chosen]
    # A dialog's title in a block of its own ("Lỗi ký số") is left out when a message is there;
    # a short message alone ("Mất kết nối") is kept.
    least = 4 if any(size >= 4 for size in sizes) else 2
    kept = [line for lines, size in zip(chosen, sizes, strict=True) if size >= least for line in lines]
    out: list[str] = []
    total = 0
    for line in kept:
        if len(out) >= MAX_LINES or total + len(line) > MAX_CHARS:
            break
        out.append(line)
        total += len(line)
    return out
