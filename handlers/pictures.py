"""The text read in pictures (bot.ocr puts the error lines on AttachmentRef.text, CCCD and phone
numbers already masked): what the FAQ stage matches besides the description, what lets a
screenshot alone describe the problem, and the signature incidents group reports by.

Shared by the citizen's side (intake, menu), the staff card and incident detection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from handlers.events import AttachmentRef, Incoming
from handlers.textutil import fold

# Words of the error message that make its signature: enough to tell messages apart, few enough
# that a character misread further on does not split one outage into two groups.
SIGNATURE_WORDS = 10
SIGNATURE_MAX = 90


def lines_of(texts: Iterable[str | None]) -> list[str]:
    """The distinct lines of the pictures' texts, in order (an album of one error, once)."""
    seen: dict[str, None] = {}
    for text in texts:
        for line in (text or "").splitlines():
            if line.strip():
                seen.setdefault(" ".join(line.split()), None)
    return list(seen)


def event_lines(event: Incoming) -> list[str]:
    return lines_of(a.text for a in event.attachments)


def kept_lines(data: Mapping[str, Any]) -> list[str]:
    """The lines read in the pictures kept for the report (turn.data["attachments"])."""
    return lines_of(AttachmentRef.from_dict(a).text for a in data.get("attachments", []))


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def faq_text(description: str, lines: list[str]) -> str:
    """What the FAQ stage matches: the person's words, then what their screenshots say."""
    shown = "\n".join(lines)
    if not shown or same_text(description, shown):
        return description
    return f"{description}\n{shown}".strip()


def error_signature(lines: list[str]) -> str | None:
    """The first words of the error message, folded (no accents, lower case, letters and digits):
    the same message read in two people's screenshots gives the same signature."""
    words = re.sub(r"[^a-z0-9 ]+", " ", fold(" ".join(lines))).split()
    if len(words) < 3:
        return None
    return " ".join(words[:SIGNATURE_WORDS])[:SIGNATURE_MAX]
