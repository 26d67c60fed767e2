"""Zalo Bot API adapter (the Telegram-like ``bot-api.zaloplatforms.com``): client, events, plan of parts.

The sender is in bot/zalo/bot_sender.py, polling and the webhook in bot/zalo/bot_runner.py.

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

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

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
        return as_dict(await self.call("getMe"))

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
        return as_dict(await self.call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        return as_dict(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        return as_dict(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return as_dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption[:MAX_TEXT]
        return as_dict(await self.call("sendPhoto", params))

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
    the person is told what was sent, and staff are told in the thread (handlers.staff.desk)."""
    english = language == "en"
    default = (
        ("Picture" if english else "Ảnh")
        if attachment.kind == "photo"
        else ("File" if english else "Tệp đính kèm")
    )
    name = attachment.file_name or default
    if is_url(attachment.file_ref):
        return f"📎 {name}: {attachment.file_ref}"
    if english:
        return f"📎 The task force also sent “{name}”, which Zalo cannot show yet; they will describe it for you."
    return (
        f"📎 Tổ công tác có gửi kèm “{name}” nhưng Zalo chưa hiển thị được; cán bộ sẽ mô tả nội dung cho bạn."
    )


@dataclass(frozen=True)
class Part:
    """One API call of an outbox row: an image by URL (with caption), a text of ≤ 2,000 characters,
    or a file the channel carries itself (``file``: a Telegram file the sender uploads or links;
    ``text`` is then the line sent instead should that file turn out impossible to carry)."""

    text: str | None = None
    photo: str | None = None
    caption: str | None = None
    file: AttachmentRef | None = None


def is_image(attachment: AttachmentRef) -> bool:
    return attachment.kind == "photo" or (attachment.mime_type or "").startswith("image/")


def plan_parts(
    reply: Reply, max_text: int = MAX_TEXT, carries: Callable[[AttachmentRef], bool] | None = None
) -> list[Part]:
    """The calls one reply needs, in order (shared by the Bot API and OA senders).

    Images with a URL go as images; a staff file (a Telegram file id) the channel ``carries`` goes
    as a file part after the answer that introduces it; anything else is named in a text line. No
    buttons on Zalo: choices become a numbered menu. The plan depends only on the reply and the
    channel, so a retry that resumes after ``sent_parts`` meets the same parts.
    """
    parts: list[Part] = []
    files: list[Part] = []
    lines: list[str] = []
    for attachment in reply.attachments:
        if attachment.kind == "photo" and is_url(attachment.file_ref):
            parts.append(Part(photo=attachment.file_ref, caption=attachment.file_name))
        elif carries is not None and not is_url(attachment.file_ref) and carries(attachment):
            files.append(Part(text=attachment_line(attachment, reply.language), file=attachment))
        else:
            lines.append(attachment_line(attachment, reply.language))
    text = render_numbered(reply)
    if lines:  # after the message they belong to ("💬 Tổ công tác trả lời …"), not before it
        text = "\n\n".join([text, "\n".join(lines)]) if text else "\n".join(lines)
    if text.strip():
        parts += [Part(text=chunk) for chunk in split_message(text, max_text)]
    return parts + files


_E = TypeVar("_E", bound=Exception)


def with_progress(error: _E, delivered: int) -> _E:
    """Tells the outbox how many parts of the row already went out, so a retry resumes after them
    instead of sending them twice (read duck-typed by bot.delivery.outbox)."""
    if delivered:
        error.progress = {"sent_parts": delivered}  # type: ignore[attr-defined]
    return error
