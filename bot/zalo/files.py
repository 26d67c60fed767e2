"""Staff files (sent in the Telegram case thread) carried to Zalo reporters.

* Where the bytes come from: ``FileSource``; bot.telegram.files.TelegramFiles downloads a Telegram
  file id with the Telegram bot (its download URL holds the bot token, so that URL never leaves this process).
* Zalo OA: the sender uploads the bytes (images re-encoded to ≤ 1 MB JPEG, files ≤ 5 MB, the limits
  of the OA upload endpoints) and sends the attachment id / token.
* Zalo Bot API: it takes photos by URL only, so ``FileLinks`` makes a short-lived, signed URL on the
  bot's own web server (``webhook.public_url``) and serves the file there when Zalo fetches it. The
  URL is stateless (file id and expiry, signed with a key derived from the Zalo bot token), so any
  instance behind the public address can serve it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
import logging
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.delivery.channel import RetryLater
from handlers.events import AttachmentRef

log = logging.getLogger(__name__)

# The OA upload endpoints' limits (Zalo for Developers, OA "Upload hình ảnh" / "Upload file").
OA_IMAGE_MAX = 1_000_000
OA_FILE_MAX = 5 * 1024 * 1024
# Types the OA file upload takes.
OA_FILE_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
# Telegram lets a bot download files up to 20 MB.
TELEGRAM_MAX = 20 * 1024 * 1024
FILES_PATH = "/zalo/files"


class FileUnavailable(Exception):
    """This file cannot be carried (too big, of a type the channel refuses, unreadable): the part is
    sent as its text line instead. Not an error of the message."""


@dataclass(frozen=True)
class FetchedFile:
    content: bytes
    mime: str | None = None
    name: str | None = None


class FileSource(Protocol):
    async def fetch(self, file_ref: str, max_bytes: int) -> FetchedFile: ...


def mime_of(attachment: AttachmentRef) -> str | None:
    if attachment.mime_type:
        return attachment.mime_type
    return mimetypes.guess_type(attachment.file_name or "")[0]


def oa_document(attachment: AttachmentRef) -> bool:
    return mime_of(attachment) in OA_FILE_TYPES


def _shrink(content: bytes, limit: int) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(content))
        image: Image.Image = (ImageOps.exif_transpose(opened) or opened).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise FileUnavailable(f"not a readable image ({type(exc).__name__})") from None
    # Quality first (cheap, keeps the resolution screenshots need), then the size.
    for _ in range(8):
        for quality in (85, 75, 65, 55):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= limit:
                return out.getvalue()
        width, height = image.size
        if width < 64 or height < 64:
            break
        image = image.resize((max(1, width * 3 // 4), max(1, height * 3 // 4)))
    raise FileUnavailable("could not bring the image under the size limit")


async def shrink_image(content: bytes, limit: int = OA_IMAGE_MAX) -> bytes:
    """The image as a JPEG of at most ``limit`` bytes (re-encoded in a thread: it is CPU work)."""
    return await asyncio.to_thread(_shrink, content, limit)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def link_key(bot_token: str) -> bytes:
    """The signing key of file links, derived from the Zalo bot token: every instance has it, and
    nobody without the token can make a link."""
    return hmac.new(bot_token.encode(), b"zalo-file-links/v1", hashlib.sha256).digest()


class FileLinks:
    """Short-lived signed URLs for staff pictures, served by the bot's own web server.

    ``url_for`` → ``{base_url}{path}/{payload}.{signature}.jpg``; ``handle`` serves it (GET/HEAD) until
    it expires: a re-encoded JPEG, ``Cache-Control: no-store``. A wrong signature answers 404 (it
    says nothing about what exists), an expired link 410.
    """

    def __init__(
        self,
        source: FileSource,
        key: bytes,
        base_url: str,
        *,
        path: str = FILES_PATH,
        ttl: float = 600,
        image_max: int = OA_IMAGE_MAX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.key = key
        self.base_url = base_url.rstrip("/")
        self.path = path.rstrip("/")
        self.ttl = ttl
        self.image_max = image_max
        self.clock = clock

    @property
    def route(self) -> str:
        return self.path + "/{token}"

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode(), hashlib.sha256).digest()[:24])

    def url_for(self, file_ref: str) -> str:
        payload = _b64(json.dumps({"r": file_ref, "e": int(self.clock() + self.ttl)}).encode())
        return f"{self.base_url}{self.path}/{payload}.{self._sign(payload)}.jpg"

    def _file_ref(self, token: str) -> str | int:
        """The file id of a valid token; 404 or 410 (as an int) otherwise."""
        pieces = token.removesuffix(".jpg").split(".")
        if len(pieces) != 2 or not hmac.compare_digest(pieces[1], self._sign(pieces[0])):
            return 404
        try:
            data = json.loads(_unb64(pieces[0]))
            ref, expires = str(data["r"]), float(data["e"])
        except (ValueError, KeyError, TypeError):
            return 404
        return ref if self.clock() <= expires else 410

    async def handle(self, request: web.Request) -> web.Response:
        ref = self._file_ref(request.match_info.get("token", ""))
        if isinstance(ref, int):
            return web.Response(status=ref, text="expired" if ref == 410 else "not found")
        try:
            fetched = await self.source.fetch(ref, TELEGRAM_MAX)
            body = await shrink_image(fetched.content, self.image_max)
        except FileUnavailable as exc:
            log.warning("Zalo file link: file not served (%s)", exc)
            return web.Response(status=404, text="not found")
        except RetryLater as exc:
            log.warning("Zalo file link: file not fetched now (%s)", exc)
            return web.Response(status=503, text="try again")
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return web.Response(status=200, content_type="image/jpeg", headers=headers)
        return web.Response(body=body, content_type="image/jpeg", headers=headers)
