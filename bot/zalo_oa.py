"""Zalo Official Account adapter (OA OpenAPI v3): signed webhook in, customer-service messages out.

What Zalo documents and this module relies on (sources in docs/zalo.md):

* Webhook events carry ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp +
  OA secret key)>``, ``timestamp`` being the body's field. A plain digest, not an HMAC; it is
  computed over the raw bytes, never over re-serialised JSON. Zalo wants a 200 within 2 seconds
  and delivers the event again otherwise.
* Replies: ``POST {api}/v3.0/oa/message/cs`` with a bare ``access_token`` header; errors arrive
  with HTTP 200 and ``error != 0``. -216/-220 mean the access token is invalid or expired.
* The access token lives about 25 hours; ``POST {oauth}/v4/oa/access_token`` (header
  ``secret_key`` = app secret; form ``app_id, refresh_token, grant_type=refresh_token``) gives a
  new pair. Refresh tokens are single-use, so the new pair is persisted at once (KeyValue table).
* The reply window: since 1/1/2026 consultation replies are free and unlimited within 48 hours of
  the person's last message; from 48 hours to 7 days they are charged; beyond 7 days without
  interaction Zalo refuses (-230/-232). A verified OA (a government one is) has no reply cap. So by
  default a reply more than 7 days after the person's last message, or one Zalo refuses, is
  deferred (``DeliveryDeferred``) and released when the person writes again; the window and an
  optional cap are settings (``delivery.zalo_oa_window_hours`` / ``zalo_oa_free_replies``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web

from bot.delivery import (
    DeliveryDeferred,
    Pacer,
    PermanentFailure,
    RetryLater,
    SendError,
    SendResult,
    sent_parts,
)
from bot.outbox import release_deferred
from bot.ratelimit import Limit
from bot.zalo_bot import as_dict, is_command, plan_parts, split_command, with_progress
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind, Reply
from storage import repo
from storage.db import Database

log = logging.getLogger(__name__)

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
# (the outbox still gives up after delivery.max_attempts tries and tells staff).
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


# -- the reply window ---------------------------------------------------------------------


@dataclass
class WindowState:
    last_in: float | None = None  # epoch seconds of the person's last message
    sent: int = 0  # replies sent since then
    refused: bool = False  # Zalo refused a send since then (-213/-218/-227/-230/-232)
    refused_reason: str = ""


class ReplyWindow:
    """Per-person reply window, kept in the KeyValue table so every instance sees it.

    ``hours``: how long after the person's last message replies may go (Zalo refuses after 7
    days; 48 avoids charged messages). ``free_messages``: replies allowed per window, 0 = no cap
    (a verified OA has none).
    """

    def __init__(
        self,
        db: Database,
        *,
        hours: float = 168,
        free_messages: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.hours = hours
        self.free_messages = free_messages
        self.clock = clock

    @staticmethod
    def key(user_id: str) -> str:
        return WINDOW_KEY.format(user_id=user_id)

    async def load(self, user_id: str) -> WindowState:
        async with self.db.session() as session:
            raw = await repo.kv_get(session, self.key(user_id))
        return _window_from(raw)

    async def _save(self, user_id: str, state: WindowState) -> None:
        async with self.db.session() as session:
            await repo.kv_set(session, self.key(user_id), json.dumps(state.__dict__))

    async def opened(self, session: Any, user_id: str, at: float | None = None) -> None:
        """The person wrote (in the caller's transaction): a fresh window and quota.

        ``at`` is the event's own time, so a redelivered event does not reset the quota again.
        """
        now = self.clock()
        at = min(at, now) if at is not None else now
        state = _window_from(await repo.kv_get(session, self.key(user_id)))
        if state.last_in is not None and at <= state.last_in:
            return
        await repo.kv_set(session, self.key(user_id), json.dumps(WindowState(last_in=at).__dict__))

    def blocked(self, state: WindowState, parts: int) -> str | None:
        """Why ``parts`` more messages may not go now; None when they fit (or nothing is known)."""
        if state.refused:
            return state.refused_reason or self._expired_reason()
        if state.last_in is None:
            return None  # never seen writing here (e.g. before this tracking): let Zalo decide
        if self.clock() - state.last_in > self.hours * 3600:
            return self._expired_reason()
        if self.free_messages and state.sent + parts > self.free_messages:
            return REASON_QUOTA.format(count=self.free_messages, window=_span(self.hours))
        return None

    def _expired_reason(self) -> str:
        return REASON_WINDOW.format(window=_span(self.hours))

    async def spent(self, user_id: str, count: int) -> None:
        state = await self.load(user_id)
        state.sent += count
        await self._save(user_id, state)

    async def refused(self, user_id: str, reason: str) -> None:
        state = await self.load(user_id)
        state.refused, state.refused_reason = True, reason
        await self._save(user_id, state)


def _window_from(raw: str | None) -> WindowState:
    if not raw:
        return WindowState()
    try:
        data = json.loads(raw)
        return WindowState(
            last_in=float(data["last_in"]) if data.get("last_in") is not None else None,
            sent=int(data.get("sent", 0)),
            refused=bool(data.get("refused", False)),
            refused_reason=str(data.get("refused_reason", "")),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return WindowState()


def _span(hours: float) -> str:
    """A window length as staff read it: "48 giờ", "7 ngày"."""
    if hours >= 72 and float(hours / 24).is_integer():
        return f"{int(hours // 24)} ngày"
    return f"{int(hours) if float(hours).is_integer() else hours} giờ"


# -- tokens ------------------------------------------------------------------------------


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: float | None = None  # epoch seconds; unknown for the initial pair from the environment
    refreshed_at: float | None = None  # when Zalo issued it; None for the environment's pair


def _fingerprint(secret: str | None) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()[:16]


class OATokens:
    """The OA access/refresh token pair: the environment gives the first one, the KeyValue table
    keeps every refreshed one (refresh tokens are single-use, so a lost new pair is a dead OA).

    A stored pair wins over the environment unless the operator put a *different* refresh token in
    the environment since (recorded as a fingerprint): that is how a dead pair is replaced.
    One refresh at a time (asyncio.Lock); a pair refreshed by another instance is picked up from
    the table instead of refreshing again.
    """

    def __init__(
        self,
        db: Database,
        http: httpx.AsyncClient,
        *,
        app_id: str,
        app_secret: str,
        oauth_base: str,
        initial_access_token: str | None,
        initial_refresh_token: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.http = http
        self.app_id = app_id
        self.app_secret = app_secret
        self.oauth_base = oauth_base.rstrip("/")
        self._env_pair = (
            TokenPair(initial_access_token, initial_refresh_token)
            if initial_access_token and initial_refresh_token
            else None
        )
        self._seed = _fingerprint(initial_refresh_token)
        self.clock = clock
        self._pair: TokenPair | None = None
        self._lock = asyncio.Lock()

    async def stored(self) -> TokenPair | None:
        async with self.db.session() as session:
            raw = await repo.kv_get(session, TOKENS_KEY)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            pair = TokenPair(
                str(data["access_token"]),
                str(data["refresh_token"]),
                data.get("expires_at"),
                data.get("refreshed_at"),
            )
        except (ValueError, TypeError, KeyError):
            return None
        if self._env_pair is not None and data.get("seed") != self._seed:
            return None  # the operator supplied a new pair in the environment since
        return pair

    async def _persist(self, pair: TokenPair) -> None:
        value = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_at": pair.expires_at,
            "seed": self._seed,
            "refreshed_at": pair.refreshed_at,
        }
        async with self.db.session() as session:
            await repo.kv_set(session, TOKENS_KEY, json.dumps(value))

    async def current(self) -> TokenPair:
        if self._pair is None:
            async with self._lock:
                if self._pair is None:
                    pair = await self.stored() or self._env_pair
                    if pair is None:
                        raise PermanentFailure(
                            "Zalo OA: no access token (set ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN)"
                        )
                    self._pair = pair
        pair = self._pair
        if pair.expires_at is not None and self.clock() > pair.expires_at - 300:
            pair = await self.refresh(pair.access_token)  # about to expire: refresh before sending
        return pair

    async def refresh(self, used_access_token: str) -> TokenPair:
        """A new pair after ``used_access_token`` was refused; refreshes at most once per token."""
        async with self._lock:
            if self._pair is not None and self._pair.access_token != used_access_token:
                return self._pair  # another send refreshed it while this one waited
            stored = await self.stored()
            if stored is not None and stored.access_token != used_access_token:
                self._pair = stored  # another instance refreshed it
                return stored
            current = self._pair or stored or self._env_pair
            if current is None:
                raise PermanentFailure("Zalo OA: no refresh token (set ZALO_OA_REFRESH_TOKEN)")
            pair = await self._request_refresh(current.refresh_token)
            # Persist before anything else: the old refresh token is already dead.
            await self._persist(pair)
            self._pair = pair
            log.info("Zalo OA access token refreshed")
            return pair

    async def refresh_if_stale(self, max_age: float) -> bool:
        """Refresh a pair older than ``max_age`` seconds (or of unknown age). A refresh token lives
        about three months and only a refresh renews it, so a quiet OA must still refresh now and then."""
        pair = await self.current()
        if pair.refreshed_at is not None and self.clock() - pair.refreshed_at < max_age:
            return False
        await self.refresh(pair.access_token)
        return True

    async def keep_fresh(
        self, stop: asyncio.Event, *, every: float = 6 * 3600, max_age: float = 7 * 86400
    ) -> None:
        """Background task: check every ``every`` seconds (first check after one interval)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            try:
                await self.refresh_if_stale(max_age)
            except Exception as exc:  # the next send retries; an operator sees the error
                log.warning("Zalo OA token keep-alive refresh failed: %s", type(exc).__name__)

    async def _request_refresh(self, refresh_token: str) -> TokenPair:
        try:
            response = await self.http.post(
                f"{self.oauth_base}/v4/oa/access_token",
                headers={"secret_key": self.app_secret},
                data={"app_id": self.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
            )
            body = response.json()
        except httpx.TransportError as exc:
            raise RetryLater(f"Zalo OA token refresh: {type(exc).__name__}") from None
        except ValueError:
            raise RetryLater("Zalo OA token refresh: answer is not JSON") from None
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            error = body.get("error") if isinstance(body, dict) else None
            name = body.get("error_name") if isinstance(body, dict) else None
            log.error(
                "Zalo OA token refresh refused: %s %s; set a new pair in ZALO_OA_ACCESS_TOKEN/"
                "ZALO_OA_REFRESH_TOKEN",
                error,
                name,
            )
            # Waits (not failed): messages go out once an operator provides a working pair.
            raise RetryLater(f"Zalo OA token refresh refused ({error} {name})", OPERATOR_WAIT)
        try:
            expires_in = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        expires_at = self.clock() + expires_in if expires_in > 0 else None
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]), expires_at, self.clock())


# -- sender ------------------------------------------------------------------------------


class ZaloOASender:
    """Delivers outbox rows as OA customer-service messages (text ≤ 2,000 characters, images by URL).

    Rate: Zalo documents 4,000 OA API requests a minute per app (about 66 a second), answers -32
    ("reached limit call api") beyond it and reports the budget in ``X-RateLimit-Limit`` /
    ``X-RateLimit-Remain``. ``per_second`` overall (settings.delivery.zalo_per_second, 8 by
    default) and 2 a second per person stay far below, leaving room for the token refreshes and
    anything else the app calls; a -32 still waits a minute.
    """

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
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.window = window
        self.api_base = api_base.rstrip("/")
        self._global = Limit(max(1, int(per_second)), 1.0)
        self._chat = Limit(max(1, int(per_chat_per_second)), 1.0)
        self._pacer: Pacer | None = None
        self._operator_told: dict[int, float] = {}

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return [("zalo_oa:global", self._global), (f"zalo_oa:{chat_id}", self._chat)]

    def use_limiter(self, limiter: Pacer) -> None:
        """Called by the outbox worker: the first call of a row is paced by the worker, the rest here."""
        self._pacer = limiter

    def messages(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The cs ``message`` objects for one outbox row, in order."""
        out: list[dict[str, Any]] = []
        for part in plan_parts(Reply.from_dict(payload), MAX_TEXT):
            if part.photo is not None:
                element = {"media_type": "image", "url": part.photo}
                media = {"template_type": "media", "elements": [element]}
                out.append({"attachment": {"type": "template", "payload": media}})
            else:
                out.append({"text": part.text or ""})
        return out

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        messages = self.messages(payload)
        done = sent_parts(payload)
        if done >= len(messages):
            return SendResult()
        state = await self.window.load(chat_id)
        reason = self.window.blocked(state, len(messages) - done)
        if reason is not None:
            raise with_progress(DeliveryDeferred(reason), done)
        first_id: str | None = None
        index = done
        try:
            for index in range(done, len(messages)):
                if index > done and self._pacer is not None:
                    await self._pacer.acquire(self.limits(chat_id))
                message_id = await self._send_one(chat_id, messages[index])
                first_id = first_id or message_id
            index = len(messages)
        except SendError as exc:
            raise with_progress(exc, index) from None
        finally:
            # Count what went out even when a later part failed: Zalo counted it too.
            if index > done:
                await self.window.spent(chat_id, index - done)
        return SendResult(message_id=first_id)

    async def _send_one(self, chat_id: str, message: dict[str, Any]) -> str | None:
        pair = await self.tokens.current()
        try:
            return await self._post(pair.access_token, chat_id, message)
        except ZaloOAApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise await self._classify(chat_id, exc) from None
        # The token expired: refresh (once for all concurrent sends) and try this message once more.
        pair = await self.tokens.refresh(pair.access_token)
        try:
            return await self._post(pair.access_token, chat_id, message)
        except ZaloOAApiError as exc:
            if exc.code in TOKEN_ERRORS:
                raise RetryLater(f"Zalo OA {exc.code}: access token refused after refresh") from None
            raise await self._classify(chat_id, exc) from None

    async def _post(self, access_token: str, chat_id: str, message: dict[str, Any]) -> str | None:
        try:
            response = await self.http.post(
                f"{self.api_base}/v3.0/oa/message/cs",
                headers={"access_token": access_token},
                json={"recipient": {"user_id": chat_id}, "message": message},
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
        error = body.get("error", 0)
        try:
            code = int(error)
        except (TypeError, ValueError):
            code = -1
        if code != 0:
            raise ZaloOAApiError(code, str(body.get("message") or ""))
        if response.status_code != 200:
            raise RetryLater(f"Zalo OA: HTTP {response.status_code}")
        data = as_dict(body.get("data"))
        message_id = data.get("message_id")
        return str(message_id) if message_id else None

    async def _classify(self, chat_id: str, exc: ZaloOAApiError) -> Exception:
        what = f"Zalo OA {exc.code}: {exc.message}"[:300]
        reason = _waits_for_person(exc.code)
        if reason is not None:
            # Remember it: later replies wait without asking Zalo until the person writes again.
            await self.window.refused(chat_id, reason)
            return DeliveryDeferred(reason)
        if exc.code == RATE_LIMITED:
            return RetryLater(what, 60.0)
        if exc.code in PERMANENT_ERRORS:
            return PermanentFailure(what)
        if exc.code in OPERATOR_ERRORS:
            self._tell_operator(exc)
            return RetryLater(what, OPERATOR_WAIT)
        # Unknown codes are retried (and fail after the outbox's attempts): never drop a reply on a guess.
        return RetryLater(what)

    def _tell_operator(self, exc: ZaloOAApiError) -> None:
        """An ERROR line per code at most every OPERATOR_WAIT seconds (every queued reply meets it)."""
        now = time.monotonic()
        if now - self._operator_told.get(exc.code, -OPERATOR_WAIT) < OPERATOR_WAIT:
            return
        self._operator_told[exc.code] = now
        log.error(
            "Zalo OA refuses to send (%s %s: %s); replies wait until this is fixed in the Zalo "
            "developer console or the OA's settings",
            exc.code,
            exc.message,
            OPERATOR_ERRORS[exc.code],
        )


def _waits_for_person(code: int) -> str | None:
    """Staff's reason when Zalo refuses until the person writes to the OA again; None otherwise."""
    if code in WINDOW_ERRORS:
        return REASON_REFUSED.format(code=code)
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


# -- webhook -----------------------------------------------------------------------------


class ZaloOAWebhook:
    """The OA webhook endpoint.

    Order: signature checked (nothing is stored for a forged or unsigned request) → the person's
    reply window reopened and their deferred replies released (one transaction) → the event stored
    and processed (``app.receive``) → 200. Processing takes milliseconds, so it is done before the
    answer; should it take longer than ``budget`` seconds (Zalo wants a 200 within 2 s) the answer
    goes anyway and processing finishes in the background. A crash in that window would lose the
    event unless Zalo retries it; Zalo retries events that were not answered 200 in time, and the
    processed-update table (keyed by msg_id) turns any repeat into a no-op.
    """

    def __init__(
        self,
        app: Any,
        *,
        app_id: str,
        oa_secret_key: str,
        window: ReplyWindow,
        budget: float = 1.5,
    ) -> None:
        self.app = app
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.window = window
        self.budget = budget
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self.oa_secret_key:
            return web.json_response({"error": "unauthorized"}, status=401)
        raw = await request.read()
        try:
            data = json.loads(raw)
        except ValueError:
            return web.json_response({"error": "bad request"}, status=400)
        if not isinstance(data, dict):
            return web.json_response({"error": "bad request"}, status=400)
        timestamp = str(data.get("timestamp", ""))
        if not signature_valid(signature, self.app_id, raw, timestamp, self.oa_secret_key):
            return web.json_response({"error": "forbidden"}, status=403)
        event = event_to_incoming(data)
        if event is None:
            return web.json_response({"error": 0})
        task = asyncio.create_task(self._process(event, _timestamp_ms(data)))
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.budget)
        except TimeoutError:
            log.warning(
                "Zalo OA event still processing after %.1fs; answered 200, finishing in the background",
                self.budget,
            )
            self._background.add(task)
            task.add_done_callback(self._finished)
        except Exception:
            log.exception("Zalo OA event not processed")
            return web.json_response({"error": "internal"}, status=500)  # Zalo delivers it again
        return web.json_response({"error": 0})

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Zalo OA event failed in the background: %s", type(task.exception()).__name__)

    async def _process(self, event: Incoming, timestamp_ms: int | None) -> None:
        at = timestamp_ms / 1000 if timestamp_ms else None
        async with self.app.db.session() as session:
            # The person wrote: a fresh reply window, and what waited for it is sent first.
            await self.window.opened(session, event.user_id, at)
            released = await release_deferred(session, CHANNEL, event.user_id)
        if released:
            log.info("Zalo OA: %d deferred replies released", released)
        await self.app.receive(event)

    async def close(self, timeout: float = 10.0) -> None:
        """Let events still processing in the background finish (shutdown)."""
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)


def zalo_oa_webhook_handler(webhook: ZaloOAWebhook) -> Callable[[web.Request], Awaitable[web.Response]]:
    return webhook.handle
