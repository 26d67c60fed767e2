"""Zalo Official Account adapter (OA OpenAPI v3): signed webhook in, customer-service messages out.

What Zalo documents and this module relies on (sources in docs/zalo.md):

* Webhook events carry ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp +
  OA secret key)>``, ``timestamp`` being the body's field. A plain digest, not an HMAC; it is
  computed over the raw bytes, never over re-serialised JSON. Zalo wants a 200 within 2 seconds
  and delivers the event again otherwise.
* Replies: ``POST {api}/v3.0/oa/message/cs`` with a bare ``access_token`` header; errors arrive
  with HTTP 200 and ``error != 0``. -216/-220 mean the access token is invalid or expired.
* Tokens: bot/zalo/oa_tokens.py. The reply window: bot/zalo/oa_window.py (since 1/1/2026 replies
  are free and unlimited within 48 hours of the person's last message; from 48 hours to 7 days they
  are charged, and refused with -320/-321 without a linked Zalo Cloud Account with balance; beyond
  7 days Zalo refuses, -230/-232). By default the bot replies within the free 48 hours; the paid
  window is an explicit setting (``delivery.zalo_oa_paid_replies``). The sender (with file uploads)
  is bot/zalo/oa_sender.py, the webhook bot/zalo/oa_webhook.py.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
from typing import Any

from bot.zalo.bot_api import as_dict, is_command, split_command
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind

CHANNEL = "zalo_oa"
MAX_TEXT = 2000
SIGNATURE_HEADER = "X-ZEvent-Signature"
TOKENS_KEY = "zalo_oa:tokens"
WINDOW_KEY = "zalo_oa:window:{user_id}"

# -216 "Access token is invalid", -220 "access_token is expired or removed" (documented);
# -124 is what some older OA endpoints answer for an invalid token.
TOKEN_ERRORS = frozenset({-216, -220, -124})
# Codes from Zalo's OA error table (official-account/phu-luc/ma-loi; see docs/zalo.md).
# -213 not a follower / no interaction in 48 h, -230 no interaction in 7 days,
# -232 no interaction or the last one expired: all fixed by the person writing again.
WINDOW_ERRORS = frozenset({-213, -230, -232})
INACTIVE_USER = -227  # "banned or inactive for more than 45 days": also waits for them to write
# "Out of quota receive": this person has had all the messages Zalo lets the OA send them;
# a message from them opens a new window, so it waits for that like the window codes.
RECIPIENT_QUOTA = -218
# Charged consultation replies (48 h to 7 days after the person's last message) refused because the
# app has no linked Zalo Cloud Account (-320) or it has no balance (-321): the person writing again
# opens a free window, so these wait for that like the window codes (and an operator is told).
PAID_ERRORS = {
    -320: "no Zalo Cloud Account is linked to the app for charged messages",
    -321: "the linked Zalo Cloud Account has no balance for charged messages",
}
RATE_LIMITED = -32  # "Your OA reached limit call api" (4,000 requests a minute per app)
# -201 "Parameter is invalid", -233 "message type is invalid or not supported", -244 the person
# restricted this message type: sending the same message again will not help.
PERMANENT_ERRORS = frozenset({-201, -233, -244})
# Fixed only by an operator (Zalo developer console, OA settings or package), not by the person;
# replies wait (not failed) so they go out once it is fixed.
OPERATOR_ERRORS = {
    -211: "out of quota",
    -219: "app is removed or disabled",
    -221: "the OA must be verified to use this feature",
    -223: "the OA has not authorised this API for the app",
    -224: "the OA tier package does not include this feature",
}
# How long a message waits after an operator error or a refused token before it is tried again
# (the outbox gives up after delivery.give_up_after_hours and tells staff; see bot.delivery.patience).
OPERATOR_WAIT = 300.0

# Read by staff in the case thread (DeliveryDeferred → hooks.failed). Stable texts: the outbox tells
# staff once per reason.
REASON_WINDOW = (
    "Đã quá {window} kể từ tin nhắn cuối của người phản ánh (khung trả lời của Zalo OA), nên tin này "
    "chưa gửi được. Tin sẽ tự động được gửi khi người phản ánh nhắn lại OA."
)
REASON_QUOTA = (
    "Đã gửi đủ {count} tin trong {window} kể từ tin nhắn cuối của người phản ánh (giới hạn đặt cho "
    "Zalo OA), nên tin này chưa gửi được. Tin sẽ tự động được gửi khi người phản ánh nhắn lại OA."
)
REASON_RECIPIENT_QUOTA = (
    "Zalo báo người phản ánh đã nhận đủ số tin OA được phép gửi (mã lỗi -218), nên tin này chưa gửi "
    "được. Tin sẽ tự động được gửi khi người phản ánh nhắn lại OA."
)
REASON_REFUSED = (
    "Zalo từ chối gửi tin vì người phản ánh chưa tương tác với OA gần đây (mã lỗi {code}). "
    "Tin sẽ tự động được gửi khi người phản ánh nhắn lại OA."
)
REASON_INACTIVE = (
    "Zalo báo tài khoản người phản ánh đã bị khóa hoặc không hoạt động trên 45 ngày (mã lỗi -227). "
    "Tin sẽ tự động được gửi nếu người phản ánh nhắn lại OA."
)


class ZaloOAApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# -- webhook signature -------------------------------------------------------------------


def event_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex sha256 of ``app_id + raw body + timestamp + OA secret key`` (Zalo's "mac")."""
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(raw_body)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


def signature_valid(header: str, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:]
    expected = event_mac(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.lower().encode(), expected.encode())


# -- incoming ----------------------------------------------------------------------------

# Content the bot cannot read; the person is told so (and it reopens the reply window).
UNSUPPORTED_EVENTS = frozenset(
    {
        "user_send_sticker",
        "user_send_gif",
        "user_send_audio",
        "user_send_video",
        "user_send_location",
        "user_send_business_card",
    }
)


def _user_id(event: dict[str, Any]) -> str | None:
    for field in ("sender", "follower"):
        person = event.get(field)
        if isinstance(person, dict) and person.get("id"):
            return str(person["id"])
    return None


def _timestamp_ms(event: dict[str, Any]) -> int | None:
    try:
        return int(str(event.get("timestamp")))
    except (TypeError, ValueError):
        return None


def _attachments(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    items = message.get("attachments")
    if not isinstance(items, list):
        return []
    return [
        a["payload"]
        for a in items
        if isinstance(a, dict) and a.get("type") == kind and isinstance(a.get("payload"), dict)
    ]


def _file_attachment(payload: dict[str, Any]) -> AttachmentRef | None:
    url = payload.get("url")
    if not isinstance(url, str) or not url:
        return None
    name = str(payload.get("name") or "") or None
    extension = str(payload.get("type") or "").lower().lstrip(".")  # Zalo sends the extension ("pdf")
    mime = mimetypes.guess_type(name or "")[0] if name else None
    if mime is None and extension:
        mime = mimetypes.guess_type(f"file.{extension}")[0]
    try:
        size = int(str(payload.get("size")))
    except (TypeError, ValueError):
        size = None
    return AttachmentRef("document", url, name, mime, size)


def event_to_incoming(event: dict[str, Any]) -> Incoming | None:
    """An OA webhook event as a neutral event; None for events the bot does not act on."""
    name = str(event.get("event_name") or "")
    user_id = _user_id(event)
    if user_id is None:
        return None
    message = as_dict(event.get("message"))
    msg_id = message.get("msg_id")
    key = str(msg_id) if msg_id else f"{name}:{user_id}:{event.get('timestamp')}"
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "chat_id": user_id,  # a cs message is addressed to the user id
        "update_key": key,
        "chat_kind": ChatKind.PRIVATE,
    }
    if name == "follow":
        # A new follower is greeted like a /start.
        return Incoming(kind=Kind.COMMAND, text="/start", command="start", **base)
    if name == "user_send_text":
        text = str(message.get("text") or "")
        if is_command(text):
            command, args = split_command(text)
            return Incoming(kind=Kind.COMMAND, text=text, command=command, args=args, **base)
        return Incoming(kind=Kind.TEXT, text=text, **base)
    if name == "user_send_image":
        refs = [
            AttachmentRef("photo", str(p["url"]), None, "image/jpeg", None)
            for p in _attachments(message, "image")
            if isinstance(p.get("url"), str) and p["url"]
        ]
        if not refs:
            return Incoming(kind=Kind.UNSUPPORTED, **base)
        return Incoming(kind=Kind.ATTACHMENT, text=str(message.get("text") or ""), attachments=refs, **base)
    if name == "user_send_file":
        files = [ref for p in _attachments(message, "file") if (ref := _file_attachment(p)) is not None]
        if not files:
            return Incoming(kind=Kind.UNSUPPORTED, **base)
        return Incoming(kind=Kind.ATTACHMENT, text=str(message.get("text") or ""), attachments=files, **base)
    if name == "user_send_link" and isinstance(message.get("text"), str) and message["text"]:
        return Incoming(kind=Kind.TEXT, text=str(message["text"]), **base)
    if name in UNSUPPORTED_EVENTS or name == "user_send_link":
        return Incoming(kind=Kind.UNSUPPORTED, **base)
    # oa_send_* echoes, user_received_message, user_seen_message, unfollow, anonymous_*: not ours.
    return None
