"""Fake messenger APIs on 127.0.0.1 for end-to-end tests of the real clients.

* ``FakeTelegramServer`` (``tests.fakes.telegram``) — Telegram Bot API, for aiogram.
* ``FakeZaloBotServer`` (``tests.fakes.zalo_bot``) — Zalo Bot API (Telegram-like).
* ``FakeZaloOAServer`` (``tests.fakes.zalo_oa``) — Zalo Official Account API v3 + OAuth v4.
* ``tests.fakes.updates`` — Telegram update builders and ``post_webhook``.

All share ``FakeApiServer`` (``tests.fakes.base``): ``calls``, ``calls_of``, ``wait_for``,
``clear``, ``fail``, ``fail_window``.
"""

from tests.fakes.base import ApiCall, FakeApiServer, UploadedFile, WebhookResult
from tests.fakes.telegram import FakeTelegramServer, TelegramLimits
from tests.fakes.zalo_bot import FakeZaloBotServer
from tests.fakes.zalo_oa import FakeZaloOAServer

__all__ = [
    "ApiCall",
    "FakeApiServer",
    "FakeTelegramServer",
    "FakeZaloBotServer",
    "FakeZaloOAServer",
    "TelegramLimits",
    "UploadedFile",
    "WebhookResult",
]
