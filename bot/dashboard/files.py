"""Case attachments for the case page, fetched through the bot: a Telegram file id is only
usable with the bot's token, and a Zalo file URL may need the server's network."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp

from bot.dashboard.core import FileFetcher
from storage.models import Attachment

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024


def telegram_and_url_fetcher(runtime: Runtime) -> FileFetcher:
    async def fetch(attachment: Attachment) -> tuple[bytes, str] | None:
        mime = attachment.mime_type or (
            "image/jpeg" if attachment.kind == "photo" else "application/octet-stream"
        )
        try:
            if attachment.channel == "telegram" and runtime.telegram_bot is not None:
                info = await runtime.telegram_bot.get_file(attachment.file_ref)
                if info.file_size and info.file_size > MAX_BYTES:
                    return None
                data = await runtime.telegram_bot.download_file(info.file_path)
                return (data.read(), mime) if data is not None else None
            if attachment.file_ref.startswith("https://"):
                timeout = aiohttp.ClientTimeout(total=15)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as client,
                    client.get(attachment.file_ref) as response,
                ):
                    if response.status != 200:
                        return None
                    body = await response.content.read(MAX_BYTES + 1)
                    return (
                        (body, response.headers.get("Content-Type", mime)) if len(body) <= MAX_BYTES else None
                    )
        except Exception as exc:  # a file the messenger no longer has: the page shows a placeholder
            log.info("attachment %s not fetched: %s", attachment.id, type(exc).__name__)
        return None

    return fetch
