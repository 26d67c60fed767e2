"""Zalo Bot API adapter (the Telegram-like ``bot-api.zaloplatforms.com``): client, events, sender, runners.

API shape (Zalo Bot Platform docs, bot.zaloplatforms.com/docs, mirrored in
github.com/XuanNguyenNB/QuanLyThuChi_Bot_Telegram_Zalom ``docs/ZALO_BOT_API.md``):

* ``POST {base}/bot{TOKEN}/{method}`` with a JSON body; answers ``{"ok": true, "result": ...}`` or
  ``{"ok": false, "error_code": N, "description": "..."}``.
* ``getUpdates {timeout}`` is a long poll that returns ONE update (not a list) and has no offset:
  an update handed out is gone, so it is processed before the next poll, and a redelivery (webhook
  retry) is recognised by its ``message_id``. An empty poll answers HTTP 408. Polling does not
  work while a webhook is set, so the poller calls ``deleteWebhook`` first.
* The webhook posts ``{event_name, message}`` (sometimes wrapped in ``{ok, result}``) with the
  secret given to ``setWebhook`` in the ``X-Bot-Api-Secret-Token`` header.
* Text is 1–2,000 characters; there are no buttons, so choices become numbered text menus.

httpx, not aiohttp, is the client: the API answers with two ``Server`` headers, which aiohttp's
client has been reported to reject. The token is part of every URL, so it is never logged: the
client's repr hides it and a filter masks it in httpx's own request log lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.delivery import Pacer, PermanentFailure, RetryLater, SendResult, sent_parts
from bot.ratelimit import Limit
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind, Reply, render_numbered
from handlers.textutil import split_message

log = logging.getLogger(__name__)

CHANNEL = "zalo_bot"
MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
IMAGE_URL_FIELDS = ("photo", "photo_url", "url")
POLL_TIMEOUT = 30  # seconds; the documented default of getUpdates

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"


class ZaloBotApiError(Exception):
    """The Bot API refused a call. ``status`` is the HTTP status, ``code`` the body's ``error_code``."""

    def __init__(
        self, status: int, code: int | None, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{code or status}: {description}")
        self.status = status
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @property
    def effective_code(self) -> int:
        return self.code if self.code else self.status


class _MaskSecret(logging.Filter):
    """Masks a secret in every record of the logger it is attached to (httpx logs full URLs)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret and self.secret in message:
            record.msg = message.replace(self.secret, "<zalo-bot-token>")
            record.args = None
        return True


# -- client ------------------------------------------------------------------------------


class ZaloBotClient:
    """A thin async client for the Zalo Bot API. Every method raises ``ZaloBotApiError`` on refusal
    and lets ``httpx.TransportError`` through for network failures."""

    def __init__(
        self,
        token: str,
        base_url: str = "https://bot-api.zaloplatforms.com",
        *,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._mask = _MaskSecret(token)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).addFilter(self._mask)

    def __repr__(self) -> str:
        return f"ZaloBotClient(base_url={self.base_url!r}, token=<hidden>)"

    async def aclose(self) -> None:
        await self._http.aclose()
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeFilter(self._mask)

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        url = f"{self.base_url}/bot{self._token}/{method}"
        response = await self._http.post(url, json=params or {}, timeout=timeout or self.timeout)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ZaloBotApiError(response.status_code, None, f"{method}: answer is not a JSON object")
        if response.status_code == 200 and body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        parameters = as_dict(body.get("parameters"))
        retry_after = _number(parameters.get("retry_after")) or _number(response.headers.get("Retry-After"))
        raise ZaloBotApiError(
            response.status_code,
            int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else None,
            str(body.get("description") or f"HTTP {response.status_code}"),
            retry_after,
        )

    async def get_me(self) -> dict[str, Any]:
        return dict(await self.call("getMe"))

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> list[dict[str, Any]]:
        """Long poll. The API returns one update; an empty poll (HTTP 408) gives ``[]``."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10)
        except ZaloBotApiError as exc:
            if exc.effective_code == 408:
                return []
            raise
        if isinstance(result, list):  # tolerate a Telegram-style list should the API ever send one
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) else []

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return dict(await self.call("setWebhook", {"url": url, "secret_token": secret_token}) or {})

    async def delete_webhook(self) -> dict[str, Any]:
        return dict(await self.call("deleteWebhook") or {})

    async def get_webhook_info(self) -> dict[str, Any]:
        return dict(await self.call("getWebhookInfo") or {})

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text}) or {})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption[:MAX_TEXT]
        return dict(await self.call("sendPhoto", params) or {})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# -- incoming ----------------------------------------------------------------------------


def split_command(text: str) -> tuple[str, str]:
    """Split "/tracuu PA-1" into ("tracuu", "PA-1"); shared with the OA adapter."""
    head, _, rest = text.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = f"{more}\n{rest}".strip()
    return head[1:].split("@", 1)[0].lower(), rest.strip()


def is_command(text: str) -> bool:
    return text.startswith("/") and len(text) > 1 and not text[1].isspace()


def unwrap_update(data: Any) -> dict[str, Any] | None:
    """The update inside a webhook body or a getUpdates result: bare ``{event_name, message}`` or
    wrapped as ``{ok, result: {...}}``. None when it is not an update."""
    if not isinstance(data, dict):
        return None
    if "message" not in data and isinstance(data.get("result"), dict):
        data = data["result"]
    return data if isinstance(data.get("message"), dict) else None


def _image_url(message: dict[str, Any]) -> str | None:
    for name in IMAGE_URL_FIELDS:
        value = message.get(name)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def _event_name(update: dict[str, Any], message: dict[str, Any]) -> str:
    name = update.get("event_name")
    if isinstance(name, str) and name:
        return name
    # The docs' own getUpdates sample carries no event_name: infer it from the content.
    if isinstance(message.get("text"), str):
        return EVENT_TEXT
    if message.get("sticker"):
        return EVENT_STICKER
    if _image_url(message):
        return EVENT_IMAGE
    return EVENT_UNSUPPORTED


def update_key(update: dict[str, Any]) -> str:
    """``message_id`` identifies an update (there is no update id); a digest of the update otherwise."""
    message = update.get("message") or {}
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if message_id not in (None, ""):
        return str(message_id)
    canonical = json.dumps(update, sort_keys=True, ensure_ascii=False)
    return "sha:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def update_to_incoming(update: dict[str, Any]) -> Incoming | None:
    """A Zalo Bot API update as a neutral event; None for what the bot does not act on."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = as_dict(message.get("from"))
    chat = as_dict(message.get("chat"))
    user_id = str(sender.get("id") or chat.get("id") or "")
    if not user_id or sender.get("is_bot"):
        return None
    chat_id = str(chat.get("id") or user_id)
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    name = sender.get("display_name") or sender.get("first_name") or sender.get("name")
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "chat_id": chat_id,
        "display_name": str(name) if name else None,
        "update_key": update_key(update),
        # The staff group lives on Telegram; a Zalo group is never the staff's.
        "chat_kind": ChatKind.PRIVATE if chat_type == "PRIVATE" else ChatKind.OTHER_GROUP,
    }
    event = _event_name(update, message)
    if event == EVENT_TEXT:
        text = str(message.get("text") or "")
        if is_command(text):
            command, args = split_command(text)
            return Incoming(kind=Kind.COMMAND, text=text, command=command, args=args, **base)
        return Incoming(kind=Kind.TEXT, text=text, **base)
    if event == EVENT_IMAGE:
        url = _image_url(message)
        if url is None:
            return Incoming(kind=Kind.UNSUPPORTED, **base)
        caption = str(message.get("caption") or message.get("text") or "")
        # Zalo serves chat images as JPEG; the URL is the reference staff open.
        attachment = AttachmentRef("photo", url, None, "image/jpeg", None)
        return Incoming(kind=Kind.ATTACHMENT, text=caption, attachments=[attachment], **base)
    # Stickers, and message.unsupported.received: voice, files, locations and what protected
    # accounts send instead of their content.
    return Incoming(kind=Kind.UNSUPPORTED, **base)


# -- outgoing ----------------------------------------------------------------------------


def is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def attachment_line(attachment: AttachmentRef, language: str = "vi") -> str:
    """A file Zalo cannot carry (a Telegram file id, a non-image URL) named in a text line.

    A Telegram file id cannot be fetched by Zalo (and its download URL carries the bot token), so
    the person is told what was sent, and staff are told in the thread (handlers.staff)."""
    english = language == "en"
    default = ("Picture" if english else "Ảnh") if attachment.kind == "photo" else ("File" if english else "Tệp đính kèm")
    name = attachment.file_name or default
    if is_url(attachment.file_ref):
        return f"📎 {name}: {attachment.file_ref}"
    if english:
        return f"📎 The task force also sent “{name}”, which Zalo cannot show yet; they will describe it for you."
    return f"📎 Tổ công tác có gửi kèm “{name}” nhưng Zalo chưa hiển thị được; cán bộ sẽ mô tả nội dung cho bạn."


@dataclass(frozen=True)
class Part:
    """One API call of an outbox row: an image by URL (with caption) or a text of ≤ 2,000 characters."""

    text: str | None = None
    photo: str | None = None
    caption: str | None = None


def plan_parts(reply: Reply, max_text: int = MAX_TEXT) -> list[Part]:
    """The calls one reply needs, in order (shared by the Bot API and OA senders).

    Images with a URL go as images; anything else Zalo cannot fetch (Telegram file ids, documents)
    is named in a text line. No buttons on Zalo: choices become a numbered menu.
    """
    parts: list[Part] = []
    lines: list[str] = []
    for attachment in reply.attachments:
        if attachment.kind == "photo" and is_url(attachment.file_ref):
            parts.append(Part(photo=attachment.file_ref, caption=attachment.file_name))
        else:
            lines.append(attachment_line(attachment, reply.language))
    text = render_numbered(reply)
    if lines:  # after the message they belong to ("💬 Tổ công tác trả lời …"), not before it
        text = "\n\n".join([text, "\n".join(lines)]) if text else "\n".join(lines)
    if text.strip():
        parts += [Part(text=chunk) for chunk in split_message(text, max_text)]
    return parts


_E = TypeVar("_E", bound=Exception)


def with_progress(error: _E, delivered: int) -> _E:
    """Tells the outbox how many parts of the row already went out, so a retry resumes after them
    instead of sending them twice (read duck-typed by bot.outbox)."""
    if delivered:
        error.progress = {"sent_parts": delivered}  # type: ignore[attr-defined]
    return error


class ZaloBotSender:
    """Delivers outbox rows through the Zalo Bot API.

    Rate: the Bot API publishes no limit; ``per_second`` overall (settings.delivery.zalo_per_second,
    8 by default) and 2 a second per chat are conservative, and a 429 blocks the chat's window.
    A row of several parts paces its extra calls with the outbox's limiter (``use_limiter``).
    """

    channel = CHANNEL

    def __init__(
        self, client: ZaloBotClient, *, per_second: float = 8, per_chat_per_second: float = 2
    ) -> None:
        self.client = client
        self._global = Limit(max(1, int(per_second)), 1.0)
        self._chat = Limit(max(1, int(per_chat_per_second)), 1.0)
        self._pacer: Pacer | None = None

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        # The chat's own window goes last: a 429's retry_after blocks that one.
        return [("zalo_bot:global", self._global), (f"zalo_bot:{chat_id}", self._chat)]

    def use_limiter(self, limiter: Pacer) -> None:
        """Called by the outbox worker: the first call of a row is paced by the worker, the rest here."""
        self._pacer = limiter

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        parts = plan_parts(Reply.from_dict(payload))
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
                raise with_progress(classify_error(exc), index) from None
            first_id = first_id or _message_id(result)
        return SendResult(message_id=first_id)

    async def _send_part(self, chat_id: str, part: Part) -> dict[str, Any]:
        if part.photo is not None:
            return await self.client.send_photo(chat_id, part.photo, part.caption)
        return await self.client.send_message(chat_id, part.text or "")


def _message_id(result: dict[str, Any]) -> str | None:
    value = result.get("message_id")
    return str(value) if value not in (None, "") else None


# A refused token needs an operator; the message waits this long between tries meanwhile.
TOKEN_REFUSED_WAIT = 300.0


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


# -- runners -----------------------------------------------------------------------------

Receive = Callable[[Incoming], Awaitable[None]]


async def process_update(receive: Receive, update: dict[str, Any], stop: asyncio.Event | None = None) -> None:
    """Store and process one update. A database outage is waited out (the update cannot be fetched
    again: getUpdates has no offset); any other error is logged after a few tries."""
    event = update_to_incoming(update)
    if event is None:
        return
    delay = 0.5
    attempt = 0
    while True:
        attempt += 1
        try:
            await receive(event)
            return
        except (OperationalError, DBAPIError) as exc:
            log.warning("Zalo bot update not stored yet (%s); retrying in %.1fs", type(exc).__name__, delay)
        except Exception:
            if attempt >= 3:
                log.exception("Zalo bot update %s dropped after %d attempts", event.update_key, attempt)
                return
            log.warning("Zalo bot update failed; retrying", exc_info=True)
        if stop is not None and stop.is_set():
            log.error("Zalo bot update %s not stored at shutdown", event.update_key)
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)


async def run_zalo_polling(
    app: Any,
    client: ZaloBotClient,
    stop: asyncio.Event,
    *,
    timeout: int = POLL_TIMEOUT,
    wait_for_outbox: bool = False,
) -> None:
    """Long-poll getUpdates until ``stop``; ``app`` is a ``bot.app.Application``.

    ``wait_for_outbox``: start polling only once the application's outbox worker exists (the runtime
    sets the poller up before it serves; an update taken from Zalo is gone, so take none before then).
    """
    if wait_for_outbox:
        while app.outbox is None and not stop.is_set():
            await asyncio.sleep(0.1)
    backoff = 1.0
    webhook_cleared = False
    while not stop.is_set():
        try:
            if not webhook_cleared:
                # Polling does not work while a webhook is set.
                await client.delete_webhook()
                webhook_cleared = True
            updates = await client.get_updates(timeout)
            backoff = 1.0
        except ZaloBotApiError as exc:
            # What getUpdates answers while a webhook is set is undocumented (409 is a guess), so
            # any refusal clears the webhook again: deleteWebhook is cheap and idempotent.
            webhook_cleared = False
            wait = exc.retry_after or backoff
            log.warning("Zalo getUpdates refused (%s); retrying in %.0fs", exc.effective_code, wait)
            await _sleep_unless(stop, wait)
            backoff = min(backoff * 2, 30.0)
            continue
        except httpx.TransportError as exc:
            log.warning("Zalo getUpdates failed (%s); retrying in %.0fs", type(exc).__name__, backoff)
            await _sleep_unless(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        for update in updates:
            await process_update(app.receive, update, stop)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


# What Zalo's setWebhook reports when its test request to the URL went through. The docs name the
# field (result.verification.outcome) but not its values, so anything else is reported as doubtful.
VERIFIED_OUTCOMES = frozenset({"ok", "success", "succeeded", "passed", "verified"})


async def register_webhook(client: ZaloBotClient, url: str, secret: str) -> None:
    """``setWebhook``; call it once the web server listens: Zalo sends a test request to ``url``
    and reports how it went (``result.verification {outcome, hint}``), which is logged."""
    try:
        result = await client.set_webhook(url, secret)
    except (ZaloBotApiError, httpx.TransportError) as exc:
        # The route still serves; an operator can call setWebhook by hand (docs/zalo.md).
        what = type(exc).__name__
        if isinstance(exc, ZaloBotApiError):
            what = f"{exc.effective_code} {exc.description}"
        log.error("Zalo bot setWebhook failed (%s): updates will not arrive until it is set", what)
        return
    verification = as_dict(result.get("verification"))
    outcome = str(verification.get("outcome") or "")
    if not verification:
        log.info("Zalo bot webhook set to %s (Zalo reported no verification)", url)
    elif outcome.lower() in VERIFIED_OUTCOMES:
        log.info("Zalo bot webhook set to %s; Zalo's test request reached it (%s)", url, outcome)
    else:
        log.warning(
            "Zalo bot webhook set to %s, but Zalo's test request to it did not succeed (%s: %s); "
            "check that the address is public HTTPS and reaches this server",
            url,
            outcome or "no outcome",
            verification.get("hint") or "no hint",
        )


def zalo_bot_webhook_handler(app: Any, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """aiohttp handler: checks ``X-Bot-Api-Secret-Token``, stores and processes the update, then 200."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        update = unwrap_update(data)
        if update is None:
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        event = update_to_incoming(update)
        if event is not None:
            # Stored and processed before the 200: if this fails, the 500 lets Zalo deliver it again,
            # and the processed-update table makes the repeat a no-op.
            try:
                await app.receive(event)
            except Exception:
                log.exception("Zalo bot webhook update not processed")
                return web.json_response({"ok": False, "error": "internal"}, status=500)
        return web.json_response({"ok": True})

    return handle
