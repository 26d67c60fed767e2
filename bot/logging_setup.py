"""Logging that never writes a phone number, an ID-card number or a token in clear."""

from __future__ import annotations

import logging
import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Telegram bot tokens: 123456789:AA...
    (re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b"), "<token>"),
    # Long opaque secrets (Zalo tokens, OA keys) following a key name.
    (re.compile(r"(?i)\b(access_token|refresh_token|secret_key|secret|token)=([^\s&]+)"), r"\1=<hidden>"),
    # 12-digit citizen ID (CCCD) numbers.
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "<cccd>"),
    # Vietnamese phone numbers (+84 / 84 / 0 forms, with spaces or dots).
    (re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.]?\d){8,10}(?!\d)"), "<phone>"),
]


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update at INFO with user data; keep it at WARNING.
    logging.getLogger("aiogram").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
