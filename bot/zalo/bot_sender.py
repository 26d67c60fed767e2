"""Zalo Bot API sender: outbox rows → sendMessage / sendPhoto.

Rate: the Bot API publishes no limit. ``per_second`` overall (settings.delivery.zalo_per_second,
8 by default) and 2 a second per chat are conservative; both are windows of the outbox's shared
limiter (Redis-backed with several instances). A 429 blocks the chat's window (the outbox does that
with ``retry_after``) and, when Zalo says how long, the whole bot's window too (``_block_global``).

Staff pictures (Telegram file ids) go by a short-lived signed URL on the bot's own web server
(bot/zalo/files.py): the Bot API takes photos by URL only. Other files are named in a text line.
A quota refusal (the Zalo Bot plan's messages or users are spent) waits an hour per try, and the
operator, the staff group and the person are told (bot/zalo/quota.py).
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

import httpx

from bot.delivery.channel import Pacer, PermanentFailure, RetryLater, SendResult, sent_parts
from bot.delivery.ratelimit import Limit
from bot.zalo.bot_api import (
    CHANNEL,
    Part,
    ZaloBotApiError,
    ZaloBotClient,
    is_image,
    plan_parts,
    with_progress,
)
from bot.zalo.files import FileLinks
from bot.zalo.quota import QUOTA_WAIT, QuotaAlarm, is_quota_error
from bot.zalo.texts import quota_to_person
from handlers.events import AttachmentRef, Reply

log = logging.getLogger(__name__)

# A refused token needs an operator; the message waits this long between tries meanwhile.
TOKEN_REFUSED_WAIT = 300.0
GLOBAL_KEY = "zalo_bot:global"


class ZaloBotSender:
    """Delivers outbox rows through the Zalo Bot API (see the module's docstring)."""

    channel = CHANNEL

    def __init__(
        self,
        client: ZaloBotClient,
        *,
        per_second: float = 8,
        per_chat_per_second: float = 2,
        links: FileLinks | None = None,
        quota: QuotaAlarm | None = None,
    ) -> None:
        self.client = client
        self.links = links
        self.quota = quota or QuotaAlarm()
        self._global = Limit(max(1, int(per_second)), 1.0)
        self._chat = Limit(max(1, int(per_chat_per_second)), 1.0)
        self._pacer: Pacer | None = None

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        # The chat's own window goes last: a 429's retry_after blocks that one.
        return [(GLOBAL_KEY, self._global), (f"zalo_bot:{chat_id}", self._chat)]

    def use_limiter(self, limiter: Pacer) -> None:
        """Called by the outbox worker: the first call of a row is paced by the worker, the rest here."""
        self._pacer = limiter

    def carries(self, attachment: AttachmentRef) -> bool:
        """A staff picture goes as a photo when links can be made (``webhook.public_url`` is set)."""
        return self.links is not None and is_image(attachment)

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        reply = Reply.from_dict(payload)
        parts = plan_parts(reply, carries=self.carries)
        done = sent_parts(payload)
        first_id: str | None = None
        for index in range(done, len(parts)):
            if index > done and self._pacer is not None:
                await self._pacer.acquire(self.limits(chat_id))
            try:
                result = await self._send_part(chat_id, parts[index])
            except httpx.TransportError as exc:
                raise with_progress(RetryLater(f"Zalo Bot API: {type(exc).__name__}"), index) from None
            except ZaloBotApiError as exc:
                error = await self._classify(chat_id, exc, reply.language)
                raise with_progress(error, index) from None
            first_id = first_id or _message_id(result)
        return SendResult(message_id=first_id)

    async def _send_part(self, chat_id: str, part: Part) -> dict[str, Any]:
        if part.file is not None and self.links is not None:
            # Zalo fetches the picture from our web server while it handles this call.
            return await self.client.send_photo(
                chat_id, self.links.url_for(part.file.file_ref), part.file.file_name
            )
        if part.photo is not None:
            return await self.client.send_photo(chat_id, part.photo, part.caption)
        return await self.client.send_message(chat_id, part.text or "")

    async def _classify(
        self, chat_id: str, exc: ZaloBotApiError, language: str
    ) -> RetryLater | PermanentFailure:
        if is_quota_error(exc.effective_code, exc.description, exc.retry_after):
            await self.quota.raised(f"{exc.effective_code} {exc.description}"[:200])
            if self.quota.person_due(chat_id):
                await self._tell_person(chat_id, language)
            return RetryLater(f"Zalo Bot API quota {exc.effective_code}: {exc.description}"[:300], QUOTA_WAIT)
        if exc.effective_code == 429 and exc.retry_after:
            await self._block_global(exc.retry_after)
        return classify_error(exc)

    async def _tell_person(self, chat_id: str, language: str) -> None:
        """Best effort: a spent quota usually refuses this too, and then nothing more is tried today."""
        try:
            await self.client.send_message(chat_id, quota_to_person(language))
        except (ZaloBotApiError, httpx.TransportError) as exc:
            log.info("Zalo quota notice to the person not delivered (%s)", type(exc).__name__)

    async def _block_global(self, seconds: float) -> None:
        block = getattr(self._pacer, "block", None)  # the outbox's shared limiter has it
        if block is None:
            return
        blocked = block(GLOBAL_KEY, self._global, seconds)
        if inspect.isawaitable(blocked):
            await blocked


def _message_id(result: dict[str, Any]) -> str | None:
    value = result.get("message_id")
    return str(value) if value not in (None, "") else None


def classify_error(exc: ZaloBotApiError) -> RetryLater | PermanentFailure:
    """Per the Bot API's error table: 401 is an expired or invalid token and 403 an internal
    server error (sic), so both wait; 400 (chat not found, text invalid) and 404 are permanent."""
    code = exc.effective_code
    reason = f"Zalo Bot API {code}: {exc.description}"[:300]
    if code == 401:
        # Not the message's fault: it goes out once an operator sets a working token.
        log.error("Zalo Bot API refuses the bot token (401): set a valid ZALO_BOT_TOKEN; messages wait")
        return RetryLater(reason, TOKEN_REFUSED_WAIT)
    if code in (403, 408, 429) or exc.status >= 500 or code >= 500:
        return RetryLater(reason, exc.retry_after)
    return PermanentFailure(reason)
