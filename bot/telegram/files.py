"""Telegram file ids → bytes, for carrying staff files to Zalo reporters (bot.zalo.files).

The download URL holds the bot token, so it never leaves this process: the bytes do.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.delivery.channel import RetryLater
from bot.zalo.files import FetchedFile, FileUnavailable


class TelegramFiles:
    """Telegram file ids → bytes, through the aiogram bot the runtime already has."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def fetch(self, file_ref: str, max_bytes: int) -> FetchedFile:
        from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter

        try:
            info = await self.bot.get_file(file_ref)
            if info.file_size and info.file_size > max_bytes:
                raise FileUnavailable(f"{info.file_size} bytes, more than {max_bytes}")
            if not info.file_path:
                raise FileUnavailable("Telegram gave no file path")
            buffer = await self.bot.download_file(info.file_path)
        except TelegramBadRequest as exc:  # "file is too big", a file id of another bot…
            raise FileUnavailable(f"Telegram: {exc.message}") from None
        except TelegramRetryAfter as exc:
            raise RetryLater("Telegram getFile: too many requests", float(exc.retry_after)) from None
        except TelegramNetworkError as exc:
            raise RetryLater(f"Telegram getFile: {type(exc).__name__}") from None
        content = buffer.read() if buffer is not None else b""
        if len(content) > max_bytes:
            raise FileUnavailable(f"{len(content)} bytes, more than {max_bytes}")
        return FetchedFile(content, mimetypes.guess_type(info.file_path)[0])
