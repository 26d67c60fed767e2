"""Pictures people send, read before their message is handled (bot.app.Application.receive).

For each picture of an incoming message (a Telegram photo or image document, a Zalo image by
URL) within the size limit already in force: download it into memory, read it in a worker
thread with a time cap (bot.ocr.recognise), and return the message with the error lines on the
attachment (AttachmentRef.text). The bytes only ever live in memory and in the pipe to
Tesseract: nothing is written to disk, so only the reference stays, as before.

Optional: without Tesseract (or when a picture cannot be fetched or read in time) the message
goes on exactly as it came. One picture is read at a time per process (`concurrency`), so
recognition takes one core however many pictures arrive together.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Mapping

import httpx

from bot.delivery.channel import RetryLater
from bot.ocr import tesseract
from bot.ocr.prepare import NotAPicture
from bot.ocr.recognise import recognise
from bot.zalo.files import FetchedFile, FileSource, FileUnavailable
from handlers.events import AttachmentRef, ChatKind, Incoming

log = logging.getLogger(__name__)

# Types Pillow decodes; HEIC (iPhone originals) is not among them and is kept unread.
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/bmp", "image/gif"})


def is_picture(attachment: AttachmentRef) -> bool:
    mime = (attachment.mime_type or "").lower()
    return attachment.kind == "photo" or mime in PICTURE_TYPES


class UrlFiles:
    """Zalo pictures: a public CDN URL, fetched with a size cap (streamed, cut at the cap)."""

    def __init__(self, client: httpx.AsyncClient | None = None, timeout: float = 10.0) -> None:
        self.client = client
        self.timeout = timeout

    async def fetch(self, file_ref: str, max_bytes: int) -> FetchedFile:
        if not file_ref.startswith(("https://", "http://")):
            raise FileUnavailable("not a URL")
        client = self.client or httpx.AsyncClient(timeout=self.timeout, follow_redirects=True)
        try:
            async with client.stream("GET", file_ref) as response:
                if response.status_code != 200:
                    raise FileUnavailable(f"HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileUnavailable(f"more than {max_bytes} bytes")
                    chunks.append(chunk)
                return FetchedFile(b"".join(chunks), response.headers.get("content-type"))
        except httpx.HTTPError as exc:
            raise FileUnavailable(f"download failed ({type(exc).__name__})") from None
        finally:
            if self.client is None:
                await client.aclose()


class PictureReader:
    def __init__(
        self,
        sources: Mapping[str, FileSource] | None = None,
        *,
        max_bytes: int = 20 * 1024 * 1024,
        seconds: float = 8.0,
        concurrency: int = 1,
    ) -> None:
        self.sources: dict[str, FileSource] = dict(sources or {})
        self.max_bytes = max_bytes
        self.seconds = seconds
        self._turns = asyncio.Semaphore(concurrency)

    @staticmethod
    def enabled() -> bool:
        return tesseract.available()

    async def read(self, event: Incoming) -> Incoming:
        """`event` with the text of its pictures on their attachments (unchanged when none is read)."""
        source = self.sources.get(event.channel)
        if source is None or not event.attachments or event.chat_kind != ChatKind.PRIVATE:
            return event  # staff's files in the group go to the reporter as they are
        if not self.enabled():
            return event
        attachments = []
        changed = False
        for attachment in event.attachments:
            if attachment.text is None and is_picture(attachment):
                text = await self._read(source, attachment)
                if text:
                    attachment = dataclasses.replace(attachment, text=text)
                    changed = True
            attachments.append(attachment)
        return dataclasses.replace(event, attachments=attachments) if changed else event

    async def _read(self, source: FileSource, attachment: AttachmentRef) -> str | None:
        if attachment.size and attachment.size > self.max_bytes:
            return None  # the intake refuses it and says why
        started = time.monotonic()
        try:
            fetched = await asyncio.wait_for(source.fetch(attachment.file_ref, self.max_bytes), self.seconds)
            async with self._turns:
                left = max(1.0, self.seconds - (time.monotonic() - started))
                seen = await asyncio.wait_for(
                    asyncio.to_thread(recognise, fetched.content, timeout=left), left + 1
                )
        except (FileUnavailable, RetryLater, NotAPicture, tesseract.OcrFailed, TimeoutError) as exc:
            # What failed, never what the picture holds.
            log.info("picture not read: %s", exc if not isinstance(exc, TimeoutError) else "time cap")
            return None
        except tesseract.OcrUnavailable:
            return None
        log.debug("picture read in %.2f s: %d error line(s)", seen.seconds, len(seen.error_lines))
        return "\n".join(seen.error_lines) or None
