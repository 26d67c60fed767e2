"""Logging that never writes a phone number, an ID-card number or a token in clear."""

from __future__ import annotations

import logging
import re

from handlers.textutil import CCCD_NUMBER, PHONE_NUMBER

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Any token inside a Bot API path (Telegram and Zalo bots: Zalo ids have 19 digits).
    (re.compile(r"/bot\d+:[^/\s]+"), "/bot<token>"),
    # Telegram bot tokens (123456789:AA…), also inside API URLs ("…/bot123456789:AA…/sendMessage",
    # where no word boundary precedes the digits).
    # Zalo bot tokens have the same shape with a 19-digit id.
    (re.compile(r"(?<!\d)\d{6,20}:[A-Za-z0-9_-]{20,}"), "<token>"),
    # Opaque secrets after a key name: query strings, headers, JSON.
    (
        re.compile(
            r"(?i)\b(access_token|refresh_token|secret_key|secret_token|secret|token|password)=([^\s&]+)"
        ),
        r"\1=<hidden>",
    ),
    (
        re.compile(
            r'(?i)"(access_token|refresh_token|secret_key|secret_token|secret|token|password)"\s*:\s*"[^"]*"'
        ),
        r'"\1": "<hidden>"',
    ),
    # The same in a dict's repr ({'access_token': '…'}) or as "key: value".
    (
        re.compile(
            r"(?i)(?<![\w-])('?)(access_token|refresh_token|secret_key|secret_token|app_secret|password)\1"
            r"(\s*:\s*)('?)[^\s',}]+\4"
        ),
        r"\1\2\1\3'<hidden>'",
    ),
    (
        re.compile(
            r"(?i)\b(x-telegram-bot-api-secret-token|x-bot-api-secret-token|x-zevent-signature|authorization)"
            r"('?\s*[:=]\s*'?)[^\s',}]+"
        ),
        r"\1\2<hidden>",
    ),
    # Passwords in connection URLs (postgresql://user:password@host/db, redis://:password@host).
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]*:)[^@\s]+@"), r"\1<hidden>@"),
    # Citizen ID (CCCD) and phone numbers (handlers.textutil has the one definition).
    (CCCD_NUMBER, "<cccd>"),
    (PHONE_NUMBER, "<phone>"),
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


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks included: an exception's text (an aiohttp
    error with the API URL, a validation error quoting user input) is logged there, not in
    the message the filter sees."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries speak only when something is wrong: alembic and apscheduler print ~25 INFO lines
    # before the console's greeting, aiogram logs every update at INFO with user data. Their
    # details come back with LOG_LEVEL=DEBUG.
    library_level = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level)


LIBRARY_LOGGERS = (
    "aiogram",
    "aiohttp",
    "alembic",
    "apscheduler",
    "asyncio",
    "httpx",
    "httpcore",
    "sqlalchemy",
    "matplotlib",
    "PIL",
)
