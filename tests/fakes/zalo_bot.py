"""A fake Zalo Bot API server (the Telegram-like ``bot-api.zaloplatforms.com``).

Shapes follow the Zalo Bot Platform docs (bot.zaloplatforms.com/docs, as mirrored in
github.com/XuanNguyenNB/QuanLyThuChi_Bot_Telegram_Zalom ``docs/ZALO_BOT_API.md``, updated
10/12/2025):

* URL ``{base}/bot{TOKEN}/{method}``; token format ``{bot_id}:{secret}``; POST with JSON bodies.
* Responses ``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": N, "description": "..."}``.
* ``getUpdates`` takes only ``timeout`` (seconds, documented as a String, default 30), has NO
  offset, and its ``result`` is ONE update object, not a list. It does not work while a webhook
  is set. When nothing arrives in time the real server answers HTTP 408
  ``{"ok": false, "error_code": 408, "description": "Request timeout"}`` (observed by client
  code such as github.com/lamdt1/ckvn-bot ``src/test_zalo_chat_id.py``).
* ``setWebhook {url, secret_token}``: secret 8–256 chars, sent back as the
  ``X-Bot-Api-Secret-Token`` header; result ``{"url", "updated_at"}`` (ms). The docs ask for an
  HTTPS URL; the fake accepts http too (tests serve their webhooks on 127.0.0.1). Zalo sends a
  test request to the URL at setWebhook time and adds ``result.verification {outcome, hint}``
  (per the current docs, as quoted by an audit; not in the mirror above). With
  ``verify_webhook=True`` the fake does the same.
* ``sendMessage {chat_id, text}``: text 1–2000 chars; result ``{"message_id", "date"}`` (ms).
* ``sendPhoto {chat_id, photo (URL), caption}``, ``sendSticker {chat_id, sticker}``,
  ``sendChatAction {chat_id, action}`` with action ``typing`` | ``upload_photo``.
* ``getMe`` → ``{"id", "account_name", "account_type", "can_join_groups"}``.

Not documented, chosen here (adapt if the real service differs): the HTTP status of an error
equals its ``error_code``; getUpdates while a webhook is set answers 409 (``webhook_conflict_status``
changes it). The verification's test request is ``{"event_name": "webhook.verification"}`` with the
secret header; its outcome is ``"ok"`` only when the URL answered 2xx, else ``"failed"`` with a
``hint`` (a 400 is a failure: a receiver must answer Zalo's test request with 200).

Quirk: ``duplicate_server_header=True`` answers with two ``Server`` headers, as the real
server does, to check the client copes.

Behaviours of the live service behind switches (issue #18; what each rests on: docs/zalo.md):

* ``webhook_methods_404``: deleteWebhook / getWebhookInfo answer HTTP 404 on a bot without a
  webhook (reported by live tests). ``delete_webhook_result`` replaces deleteWebhook's ``result``
  by another shape (``True``, a string, a list…).
* ``reserve_updates``: a consumed update is served again at once (no waiting) until a newer one
  arrives, as one live client measured (~12 calls a second); ``reserved`` counts those re-serves.
  Off, an update handed out is gone (consumed), as documented.
* ``message_quota``: sends beyond this many (the plan's monthly messages) are refused with
  ``quota_status`` (429 by default) and a "quota" description; ``quota_refusals`` counts them.
* ``fetch_photos``: sendPhoto fetches the photo URL as Zalo does (it takes photos by URL only) and
  refuses the call when the URL does not answer 200 with an image; ``fetched`` records each fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.base import FakeApiServer, WebhookResult, json_response, read_body_params
from tests.fakes.zalo_bot_events import (  # noqa: F401 - re-exported: tests import the builders here
    IMAGE_URL_FIELDS,
    PhotoFetch,
    post_webhook,
    zalo_image_update,
    zalo_image_update_photo,
    zalo_image_update_photo_url,
    zalo_image_update_url,
    zalo_sticker_update,
    zalo_text_update,
    zalo_unsupported_update,
)

DEFAULT_ZALO_BOT_TOKEN = "1459232241454765289:fake-zalo-bot-secret-not-real"
MAX_TEXT = 2000


_UNSET: Any = object()


class ZaloBotApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZaloBotServer(FakeApiServer):
    """Fake Zalo Bot API.

    Constructor:
        ``token``: if given, only this token is accepted (others answer 401).
        ``duplicate_server_header``: send two ``Server`` headers on every answer.
        ``webhook_wrapped``: when this fake itself delivers to a webhook (``push_update`` while
            a webhook is set), wrap the event as ``{"ok": true, "result": event}``.
        ``max_poll_timeout``: upper bound for a getUpdates wait.
        ``verify_webhook``: setWebhook POSTs a test request to the URL and reports
            ``result.verification`` (off by default: tests that count webhook requests see only updates).

    State tests may use: ``updates`` (pending, oldest first), ``delivered`` (handed out by
    getUpdates), ``webhook_url``/``webhook_secret``, ``missing_chats``,
    ``webhook_deliveries``, ``verifications`` (what setWebhook reported), ``webhook_conflict_status``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        duplicate_server_header: bool = False,
        webhook_wrapped: bool = False,
        max_poll_timeout: float = 60.0,
        verify_webhook: bool = False,
        webhook_methods_404: bool = False,
        reserve_updates: bool = False,
        message_quota: int | None = None,
        quota_status: int = 429,
        fetch_photos: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host=host)
        self.webhook_methods_404 = webhook_methods_404
        self.delete_webhook_result: Any = _UNSET
        self.reserve_updates = reserve_updates
        self.reserved = 0
        self._last_served: dict[str, Any] | None = None
        self.message_quota = message_quota
        self.quota_status = quota_status
        self.quota_refusals = self.messages_sent = 0
        self.fetch_photos = fetch_photos
        self.fetched: list[PhotoFetch] = []
        self.token = token
        self.duplicate_server_header = duplicate_server_header
        self.webhook_wrapped = webhook_wrapped
        self.max_poll_timeout = max_poll_timeout
        self.verify_webhook = verify_webhook
        self.verifications: list[dict[str, str]] = []
        self.webhook_conflict_status = 409
        self.me: dict[str, Any] = {
            "id": (token or DEFAULT_ZALO_BOT_TOKEN).split(":", 1)[0],
            "account_name": "bot.FakeTest",
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        self.updates: deque[dict[str, Any]] = deque()
        self.delivered: list[dict[str, Any]] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_updated_at = 0
        self.missing_chats: set[str] = set()
        self.webhook_deliveries: list[WebhookResult | str] = []
        self._signal = asyncio.Event()
        self._message_seq = itertools.count(1)
        self._delivery_tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ updates

    def push_update(self, event: dict[str, Any]) -> dict[str, Any]:
        """Queue an event (from the builders below) for getUpdates, or post it to the webhook."""
        self.updates.append(event)
        self._wake()
        if self.webhook_url:
            task = asyncio.get_running_loop().create_task(self._deliver(event))
            self._delivery_tasks.add(task)
            task.add_done_callback(self._delivery_tasks.discard)
        return event

    async def drain_webhooks(self) -> None:
        while self._delivery_tasks:
            await asyncio.gather(*list(self._delivery_tasks), return_exceptions=True)

    async def _deliver(self, event: dict[str, Any]) -> None:
        try:
            result = await post_webhook(
                self.webhook_url, event, self.webhook_secret, wrapped=self.webhook_wrapped
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append(f"{type(exc).__name__}: {exc}")
            return
        self.webhook_deliveries.append(result)
        if 200 <= result.status < 300 and event in self.updates:
            self.updates.remove(event)

    def _wake_pollers(self) -> None:
        self._wake()

    def _wake(self) -> None:
        self._signal.set()
        self._signal = asyncio.Event()

    # ------------------------------------------------------------------ HTTP plumbing

    def _setup_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)

    def _headers(self) -> list[tuple[str, str]]:
        if self.duplicate_server_header:
            return [("Server", "nginx"), ("Server", "ZaloBotAPI")]
        return [("Server", "ZaloBotAPI")]

    def _token_ok(self, token: str) -> bool:
        if self.token is not None:
            return token == self.token
        head, _, tail = token.partition(":")
        return head.isdigit() and bool(tail)

    async def _dispatch(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        method = request.match_info["method"]
        handlers = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }
        params: dict[str, Any] = {}
        payload: dict[str, Any]
        try:
            try:
                params, _files = await read_body_params(request)
            except ValueError as exc:
                raise ZaloBotApiError(400, f"Bad Request: {exc}") from exc
            if not self._token_ok(request.match_info["token"]):
                raise ZaloBotApiError(401, "Unauthorized")
            handler = handlers.get(method)
            if handler is None:
                raise ZaloBotApiError(404, "Not Found")
            failure = self._take_failure(method)
            if failure is not None:
                raise ZaloBotApiError(failure.status, failure.description, failure.retry_after)
            result = await handler(params)
            payload = {"ok": True} if result is None else {"ok": True, "result": result}
            status = 200
        except ZaloBotApiError as exc:
            payload = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after:  # Telegram's shape; whether Zalo sends it is not documented
                payload["parameters"] = {"retry_after": exc.retry_after}
            status = exc.code if 400 <= exc.code < 600 else 400
        await self._record(method, params, started, status, payload, dict(request.headers))
        return json_response(payload, status, self._headers())

    # ------------------------------------------------------------------ methods

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.me)

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook_url:
            raise ZaloBotApiError(
                self.webhook_conflict_status,
                "Conflict: webhook is active, use deleteWebhook before getUpdates",
            )
        try:
            timeout = float(params.get("timeout") or 30)
        except (TypeError, ValueError) as exc:
            raise ZaloBotApiError(400, "Bad Request: timeout must be a number") from exc
        deadline = time.monotonic() + min(max(timeout, 0.0), self.max_poll_timeout)
        if not self.updates and self.reserve_updates and self._last_served is not None:
            # Re-served at once, without waiting: the client must pace itself and de-duplicate.
            self.reserved += 1
            return self._last_served
        while not self.updates:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing.is_set():
                raise ZaloBotApiError(408, "Request timeout")
            signal = self._signal
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), remaining)
        # No offset in this API: an update handed out is gone, whether or not the client
        # processes it (so a client crash between receive and store loses it).
        event = self.updates.popleft()
        self.delivered.append(event)
        self._last_served = event
        return event

    async def _set_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if not url.startswith(("http://", "https://")):
            raise ZaloBotApiError(400, "Bad Request: url is invalid")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ZaloBotApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret, self.webhook_updated_at = url, secret, _now_ms()
        self._wake()
        result: dict[str, Any] = {"url": url, "updated_at": self.webhook_updated_at}
        if self.verify_webhook:
            result["verification"] = await self._verify(url, secret)
            self.verifications.append(result["verification"])
        return result

    async def _verify(self, url: str, secret: str) -> dict[str, str]:
        """The test request Zalo sends to a new webhook URL, and how it went."""
        try:
            answer = await post_webhook(url, {"event_name": "webhook.verification"}, secret, timeout=5)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return {"outcome": "failed", "hint": f"could not reach the URL ({type(exc).__name__})"}
        if answer.status in (401, 403):
            return {"outcome": "failed", "hint": f"HTTP {answer.status}: the secret token was refused"}
        if not 200 <= answer.status < 300:  # a 400 to the test request is a failure too
            return {"outcome": "failed", "hint": f"HTTP {answer.status} from the URL"}
        return {"outcome": "ok", "hint": ""}

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        if self.webhook_methods_404 and not self.webhook_url:
            raise ZaloBotApiError(404, "Not Found")
        self.webhook_url, self.webhook_secret, self.webhook_updated_at = "", None, _now_ms()
        if self.delete_webhook_result is not _UNSET:
            return self.delete_webhook_result
        return {"url": "", "updated_at": self.webhook_updated_at}

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook_methods_404 and not self.webhook_url:
            raise ZaloBotApiError(404, "Not Found")
        return {"url": self.webhook_url, "updated_at": self.webhook_updated_at}

    def _chat(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ZaloBotApiError(400, "Bad Request: chat_id is required")
        if str(chat_id) in self.missing_chats:
            raise ZaloBotApiError(400, "Bad Request: chat not found")
        return str(chat_id)

    def _sent(self) -> dict[str, Any]:
        self.messages_sent += 1
        return {"message_id": f"{next(self._message_seq):020x}", "date": _now_ms()}

    def _check_quota(self) -> None:
        if self.message_quota is not None and self.messages_sent >= self.message_quota:
            self.quota_refusals += 1
            raise ZaloBotApiError(
                self.quota_status, "Quota exceeded: the bot has used its monthly message quota"
            )

    async def _fetch(self, url: str) -> PhotoFetch:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp,
            ):
                fetched = PhotoFetch(url, resp.status, resp.content_type, await resp.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            fetched = PhotoFetch(url, 0, type(exc).__name__, b"")
        self.fetched.append(fetched)
        return fetched

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params)
        self._check_quota()
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise ZaloBotApiError(400, "Bad Request: text must be 1-2000 characters")
        return self._sent()

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ZaloBotApiError(400, "Bad Request: photo must be an image URL")
        caption = params.get("caption")
        if caption is not None and not (isinstance(caption, str) and 1 <= len(caption) <= MAX_TEXT):
            raise ZaloBotApiError(400, "Bad Request: caption must be 1-2000 characters")
        self._check_quota()
        if self.fetch_photos:
            fetched = await self._fetch(photo)
            if fetched.status != 200 or not fetched.content_type.startswith("image/"):
                raise ZaloBotApiError(400, "Bad Request: photo could not be downloaded")
        return self._sent()

    async def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params)
        if not params.get("sticker"):
            raise ZaloBotApiError(400, "Bad Request: sticker is required")
        return self._sent()

    async def _send_chat_action(self, params: dict[str, Any]) -> None:
        self._chat(params)
        if params.get("action") not in ("typing", "upload_photo"):
            raise ZaloBotApiError(400, "Bad Request: action is invalid")
        return None  # the documented answer is a bare {"ok": true}

    # ------------------------------------------------------------------ assertion helpers

    def sent_texts(self, chat_id: str | None = None) -> list[str]:
        return [
            str(c.params.get("text"))
            for c in self.calls
            if c.method == "sendMessage"
            and c.ok
            and (chat_id is None or str(c.params.get("chat_id")) == chat_id)
        ]
