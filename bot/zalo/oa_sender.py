"""Zalo OA sender: outbox rows → customer-service messages (``POST /v3.0/oa/message/cs``).

* Text ≤ 2,000 characters, images with a URL by URL, and staff files (Telegram file ids) uploaded
  first: images re-encoded to ≤ 1 MB JPEG → ``/v2.0/oa/upload/image`` (``attachment_id``), PDF and
  Word files ≤ 5 MB → ``/v2.0/oa/upload/file`` (``token``). A file that cannot go (too big, another
  type) is named in a text line instead, as before.
* Rate: Zalo's OA rate-limit page counts requests a minute per app and answers -32 beyond it. Every
  call (uploads too) goes through the outbox's shared limiter: ``zalo.oa_requests_per_minute`` for
  the app (below Zalo's limit: token refreshes and other tools share it), ``per_second`` overall and
  2 a second per person. A -32 blocks the app's window for a minute.
* Errors arrive with HTTP 200 and ``error != 0``; how each code is handled: docs/zalo.md 2.5.
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import Any

import httpx

from bot.delivery.channel import (
    DeliveryDeferred,
    Pacer,
    PermanentFailure,
    RetryLater,
    SendError,
    SendResult,
    sent_parts,
)
from bot.delivery.ratelimit import Limit
from bot.zalo.bot_api import Part, as_dict, is_image, plan_parts, with_progress
from bot.zalo.files import (
    OA_FILE_MAX,
    OA_IMAGE_MAX,
    TELEGRAM_MAX,
    FileSource,
    FileUnavailable,
    oa_document,
    shrink_image,
)
from bot.zalo.oa import (
    CHANNEL,
    INACTIVE_USER,
    MAX_TEXT,
    OPERATOR_ERRORS,
    OPERATOR_WAIT,
    PAID_ERRORS,
    PERMANENT_ERRORS,
    RATE_LIMITED,
    REASON_INACTIVE,
    REASON_RECIPIENT_QUOTA,
    REASON_REFUSED,
    RECIPIENT_QUOTA,
    TOKEN_ERRORS,
    WINDOW_ERRORS,
    ZaloOAApiError,
)
from bot.zalo.oa_tokens import OATokens
from bot.zalo.oa_window import ReplyWindow
from bot.zalo.texts import REASON_PAID
from handlers.events import AttachmentRef, Reply

log = logging.getLogger(__name__)

APP_KEY = "zalo_oa:app"
# Below Zalo's documented 4,000 a minute per app: token refreshes and other tools use the same app.
REQUESTS_PER_MINUTE = 3000


class ZaloOASender:
    """Delivers outbox rows as OA customer-service messages (see the module's docstring)."""

    channel = CHANNEL

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: OATokens,
        window: ReplyWindow,
        *,
        api_base: str = "https://openapi.zalo.me",
        per_second: float = 8,
        per_chat_per_second: float = 2,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        files: FileSource | None = None,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.window = window
        self.api_base = api_base.rstrip("/")
        self.files = files
        self._app = Limit(max(1, int(requests_per_minute)), 60.0)
        self._global = Limit(max(1, int(per_second)), 1.0)
        self._chat = Limit(max(1, int(per_chat_per_second)), 1.0)
        self._pacer: Pacer | None = None
        self._operator_told: dict[int, float] = {}

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        # The person's window goes last: the outbox blocks that one on a retry_after.
        return [(APP_KEY, self._app), ("zalo_oa:global", self._global), (f"zalo_oa:{chat_id}", self._chat)]

    def use_limiter(self, limiter: Pacer) -> None:
        """Called by the outbox worker: the first call of a row is paced by the worker, the rest here."""
        self._pacer = limiter

    def carries(self, attachment: AttachmentRef) -> bool:
        return self.files is not None and (is_image(attachment) or oa_document(attachment))

    def parts(self, payload: dict[str, Any]) -> list[Part]:
        return plan_parts(Reply.from_dict(payload), MAX_TEXT, carries=self.carries)

    def messages(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The cs ``message`` objects for one outbox row, in order (a file part as ``{"upload": …}``)."""
        return [
            _message(part) if part.file is None else {"upload": part.file.to_dict()}
            for part in self.parts(payload)
        ]

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        parts = self.parts(payload)
        done = sent_parts(payload)
        if done >= len(parts):
            return SendResult()
        state = await self.window.load(chat_id)
        reason = self.window.blocked(state, len(parts) - done)
        if reason is not None:
            raise with_progress(DeliveryDeferred(reason), done)
        first_id: str | None = None
        index = done
        try:
            for index in range(done, len(parts)):
                if index > done:
                    await self._pace(chat_id)
                message = await self._prepare(chat_id, parts[index])
                message_id = await self._authorised(
                    chat_id, lambda token, m=message: self._send_cs(token, chat_id, m)
                )
                first_id = first_id or message_id
            index = len(parts)
        except SendError as exc:
            raise with_progress(exc, index) from None
        finally:
            # Count what went out even when a later part failed: Zalo counted it too.
            if index > done:
                await self.window.spent(chat_id, index - done)
        return SendResult(message_id=first_id)

    async def _pace(self, chat_id: str) -> None:
        if self._pacer is not None:
            await self._pacer.acquire(self.limits(chat_id))

    async def _prepare(self, chat_id: str, part: Part) -> dict[str, Any]:
        """The cs message of a part; a staff file is uploaded first (one more paced call)."""
        if part.file is None or self.files is None:
            return _message(part)
        try:
            if is_image(part.file):
                fetched = await self.files.fetch(part.file.file_ref, TELEGRAM_MAX)
                content = await shrink_image(fetched.content, OA_IMAGE_MAX)
                upload = ("upload/image", "attachment_id", "image.jpg", content, "image/jpeg")
            else:
                fetched = await self.files.fetch(part.file.file_ref, OA_FILE_MAX)
                name = part.file.file_name or "tep-dinh-kem.pdf"
                upload = (
                    "upload/file",
                    "token",
                    name,
                    fetched.content,
                    part.file.mime_type or "application/pdf",
                )
            await self._pace(chat_id)
            ref = await self._authorised(chat_id, lambda token: self._upload(token, *upload))
        except FileUnavailable as exc:
            log.info("Zalo OA: staff file not carried (%s); named in a line instead", exc)
            return {"text": part.text or ""}
        if upload[1] == "attachment_id":
            element = {"media_type": "image", "attachment_id": ref}
            return {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "media", "elements": [element]},
                }
            }
        return {"attachment": {"type": "file", "payload": {"token": ref}}}

    async def _authorised(self, chat_id: str, call: Any) -> Any:
        """``call(access_token)``; on an expired token, one refresh (shared by concurrent sends) and one
        more try. Zalo's refusals become the outbox's RetryLater / DeliveryDeferred / PermanentFailure."""
        pair = await self.tokens.current()
        try:
            return await call(pair.access_token)
        except ZaloOAApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise await self._classify(chat_id, exc) from None
        pair = await self.tokens.refresh(pair.access_token)
        try:
            return await call(pair.access_token)
        except ZaloOAApiError as exc:
            if exc.code in TOKEN_ERRORS:
                raise RetryLater(f"Zalo OA {exc.code}: access token refused after refresh") from None
            raise await self._classify(chat_id, exc) from None

    async def _send_cs(self, access_token: str, chat_id: str, message: dict[str, Any]) -> str | None:
        body = {"recipient": {"user_id": chat_id}, "message": message}
        data = await self._request("/v3.0/oa/message/cs", access_token, json=body)
        message_id = data.get("message_id")
        return str(message_id) if message_id else None

    async def _upload(
        self, access_token: str, method: str, key: str, name: str, content: bytes, mime: str
    ) -> str:
        try:
            data = await self._request(
                f"/v2.0/oa/{method}", access_token, files={"file": (name, content, mime)}
            )
        except ZaloOAApiError as exc:
            if exc.code in (-201, -210, -211) or exc.code in PERMANENT_ERRORS:
                # The endpoint refuses this file (size, type): name it in a line instead.
                raise FileUnavailable(f"upload refused: {exc.code} {exc.message}") from None
            raise
        ref = data.get(key)
        if not ref:
            raise FileUnavailable(f"upload answered no {key}")
        return str(ref)

    async def _request(self, path: str, access_token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.post(
                f"{self.api_base}{path}", headers={"access_token": access_token}, **kwargs
            )
        except httpx.TransportError as exc:
            raise RetryLater(f"Zalo OA: {type(exc).__name__}") from None
        if response.status_code == 429:
            raise RetryLater("Zalo OA: too many requests", _retry_after(response) or 60.0)
        if response.status_code >= 500:
            raise RetryLater(f"Zalo OA: HTTP {response.status_code}", _retry_after(response))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise RetryLater(f"Zalo OA: HTTP {response.status_code}, answer is not JSON")
        try:
            code = int(body.get("error", 0))
        except (TypeError, ValueError):
            code = -1
        if code != 0:
            raise ZaloOAApiError(code, str(body.get("message") or ""))
        if response.status_code != 200:
            raise RetryLater(f"Zalo OA: HTTP {response.status_code}")
        return as_dict(body.get("data"))

    async def _classify(self, chat_id: str, exc: ZaloOAApiError) -> Exception:
        what = f"Zalo OA {exc.code}: {exc.message}"[:300]
        reason = _waits_for_person(exc.code)
        if reason is not None:
            if exc.code in PAID_ERRORS:
                self._tell_operator(exc)
            # Remember it: later replies wait without asking Zalo until the person writes again.
            await self.window.refused(chat_id, reason)
            return DeliveryDeferred(reason)
        if exc.code == RATE_LIMITED:
            await self._block_app(60.0)
            return RetryLater(what, 60.0)
        if exc.code in PERMANENT_ERRORS:
            return PermanentFailure(what)
        if exc.code in OPERATOR_ERRORS:
            self._tell_operator(exc)
            return RetryLater(what, OPERATOR_WAIT)
        # Unknown codes are retried (and fail after the outbox's attempts): never drop a reply on a guess.
        return RetryLater(what)

    async def _block_app(self, seconds: float) -> None:
        """-32 is the app's budget, not one person's: nothing goes from any instance for a while."""
        block = getattr(self._pacer, "block", None)  # the outbox's shared limiter has it
        if block is None:
            return
        blocked = block(APP_KEY, self._app, seconds)
        if inspect.isawaitable(blocked):
            await blocked

    def _tell_operator(self, exc: ZaloOAApiError) -> None:
        """An ERROR line per code at most every OPERATOR_WAIT seconds (every queued reply meets it)."""
        now = time.monotonic()
        if now - self._operator_told.get(exc.code, -OPERATOR_WAIT) < OPERATOR_WAIT:
            return
        self._operator_told[exc.code] = now
        log.error(
            "Zalo OA refuses to send (%s %s: %s); fix it in the Zalo developer console, the OA's "
            "settings or the Zalo Cloud Account (docs/zalo.md 2.5)",
            exc.code,
            exc.message,
            OPERATOR_ERRORS.get(exc.code) or PAID_ERRORS.get(exc.code, ""),
        )


def _message(part: Part) -> dict[str, Any]:
    if part.photo is not None:
        element = {"media_type": "image", "url": part.photo}
        return {
            "attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
        }
    return {"text": part.text or ""}


def _waits_for_person(code: int) -> str | None:
    """Staff's reason when Zalo refuses until the person writes to the OA again; None otherwise."""
    if code in WINDOW_ERRORS:
        return REASON_REFUSED.format(code=code)
    if code in PAID_ERRORS:
        return REASON_PAID.format(code=code)
    if code == INACTIVE_USER:
        return REASON_INACTIVE
    if code == RECIPIENT_QUOTA:
        return REASON_RECIPIENT_QUOTA
    return None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value > 0 else None
