"""A fake Zalo Official Account API (OpenAPI v3 messaging + OAuth v4 token refresh) and
signed webhook events.

One base URL serves both hosts, so a client's ``ZALO_OA_API_BASE`` (normally
``https://openapi.zalo.me``) and ``ZALO_OA_OAUTH_BASE`` (normally ``https://oauth.zaloapp.com``)
can both point at ``oa.base_url``.

What the docs say (Zalo for Developers, OA section, as compiled in a public integration spec
with quotes of docs.zaloplatforms.com/docs/OA/...; codes cross-checked against the Python SDK
table citing developers.zalo.me/docs/api/official-account-api/phu-luc/ma-loi-post-735):

* ``POST /v3.0/oa/message/cs`` with header ``access_token: <token>`` (a bare header, not
  ``Authorization: Bearer``) and JSON ``{"recipient": {"user_id"}, "message": {"text"}}`` or
  ``message.attachment`` (``{"type": "template", "payload": {"template_type": "media",
  "elements": [{"media_type": "image", "url"}]}}`` or ``{"type": "file", "payload": {"token"}}``).
  Text ≤ 2000 chars. Success ``{"error": 0, "message": "Success", "data": {"message_id", "user_id"}}``.
* Errors arrive with HTTP 200 and ``error != 0``. Codes reproduced here:
  -216 "Access token is invalid"; -220 "access_token is expired or removed" (both mean refresh);
  -230 "User has not interacted with the OA in the past 7 days" (the consultation window; real
  answers quoted verbatim in several public client tests); -213 "User has not followed OA";
  -232 "User has not interacted with the OA, or the last interaction has expired";
  -227 "User is banned or has been inactive for more than 45 days"; -201 "<field> is invalid!";
  -218 "Out of quota receive"; -211 "Out of quota"; -233 "message type is invalid or not support";
  -219/-221/-223/-224 app or OA configuration; -32 "Your OA reached limit call api".
* Rate limit: 4,000 OA API requests a minute per app. Beyond it the answer is HTTP 200 with
  ``{"error": -32}``; ``X-RateLimit-Limit`` / ``X-RateLimit-Remain`` carry the budget. The fake
  counts OpenAPI calls (not OAuth) in a fixed one-minute window (``requests_per_minute``).
* Token refresh ``POST /v4/oa/access_token``, form body ``refresh_token, app_id,
  grant_type=refresh_token`` and header ``secret_key: <app secret>``; answers
  ``{"access_token", "refresh_token", "expires_in": "90000"}`` (a string; 25 h). Refresh tokens
  are single-use and rotate: the old one is dead once a refresh succeeds. An invalid refresh
  token answers ``{"error": -14014, "error_name": "Invalid refresh token", ...}`` (code seen in a
  public client's tests, not in the docs); a wrong app id ``-14002 "Invalid appId"``.
* ``GET /v2.0/oa/getoa`` → OA info; ``GET /v3.0/oa/user/detail?data={"user_id": "..."}``.

Not documented, chosen here: this fake invalidates the old access token on refresh too; a wrong
``secret_key`` answers ``-14001 "Invalid secret key"``. Real expired tokens are reported by users
as -216; ``expire_token(code=-220)`` gives the other documented code. ``fail(method, 429)``
answers HTTP 429 with ``-32`` (a proxy's answer; Zalo's own is the HTTP 200 above).

Switches (issue #18; what each rests on: docs/zalo.md): ``charge(user_id, code=-320)`` — the person
is in the charged window and the app has no Zalo Cloud Account (-320) or no balance (-321);
``check_uploads=True`` — uploads keep their limits (image ≤ 1 MB JPG/PNG, file ≤ 5 MB PDF/DOC/DOCX,
else -201) and a cs message may only carry an ``attachment_id``/``token`` handed out (``uploads``).

Two secrets, two roles: the App Secret (``FAKE_APP_SECRET``, the refresh's ``secret_key`` header)
and the OA Secret Key (``FAKE_OA_SECRET_KEY``, the webhook signature). Tests of the adapter use
both, with different values, so code that swaps them fails.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeApiServer, UploadedFile, json_response, read_body_params
from tests.fakes.zalo_oa_events import (  # noqa: F401 - re-exported: tests import them from here
    FAKE_APP_ID,
    FAKE_OA_ID,
    FAKE_OA_SECRET_KEY,
    _by_app,
    event_mac,
    oa_file_event,
    oa_follow_event,
    oa_image_event,
    oa_text_event,
    post_event,
    raw_event_body,
    sign_event,
)

FAKE_APP_SECRET = "fake-zalo-app-secret-not-real"  # the app's "Khóa bí mật" (token refresh)
RATE_LIMIT_PER_MINUTE = 4000

OA_ERRORS = {
    -201: "Parameter is invalid",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -220: "access_token is expired or removed",
    -227: "User is banned or has been inactive for more than 45 days",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted with the OA, or the last interaction has expired",
    -32: "Your OA reached limit call api",
    -320: "Your app needs to connect with Zalo Cloud Account to use this feature",
    -321: "The Zalo Cloud Account linked to your app has run out of money",
    -211: "Out of quota",
    -218: "Out of quota receive",
    -219: "App is removed or disabled",
    -221: "The OA needs to be verified to use this feature",
    -223: "Official Account has not authorized this API",
    -224: "The OA needs to upgrade OA Tier Package to use this feature",
    -233: "message type is invalid or not support",
    -244: "User has restricted receiving this message type",
}
# Endpoints of the OpenAPI host (rate limited); the OAuth host's token refresh is not counted.
OPENAPI_METHODS = frozenset({"message/cs", "getoa", "user/detail", "upload/image", "upload/file"})
MAX_TEXT = 2000


class _OAError(Exception):
    def __init__(self, code: int, message: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message or OA_ERRORS.get(code, "Error")


class _RateLimited(Exception):
    def __init__(self, headers: list[tuple[str, str]]) -> None:
        super().__init__("rate limited")
        self.headers = headers


class FakeZaloOAServer(FakeApiServer):
    """Fake OA OpenAPI + OAuth.

    Constructor: ``app_id``, ``app_secret`` (expected in the refresh's ``secret_key`` header; the
    OA Secret Key that signs webhooks is ``post_event``'s business), ``oa_id``, ``access_token``,
    ``refresh_token`` (the initial pair a client would be configured with), ``requests_per_minute``.

    Controls: ``expire_token(code=-216)``, ``close_window(user_id, code=-230)``, ``open_window(user_id)``,
    ``charge(user_id, code=-320)``, ``add_user(user_id, display_name)``,
    ``fail_api(method, error, message=None, times=1)`` (HTTP 200 with ``error`` set) besides
    the base ``fail``/``fail_window`` (HTTP-level failures); ``requests_per_minute`` may be
    lowered at any time (``rate_used`` is this minute's count). Method names recorded in ``calls``:
    ``message/cs``, ``access_token``, ``getoa``, ``user/detail``, ``upload/image``, ``upload/file``.
    """

    def __init__(
        self,
        *,
        app_id: str = FAKE_APP_ID,
        app_secret: str = FAKE_APP_SECRET,
        oa_id: str = FAKE_OA_ID,
        access_token: str = "fake-oa-access-0",
        refresh_token: str = "fake-oa-refresh-0",
        requests_per_minute: int = RATE_LIMIT_PER_MINUTE,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host=host)
        self.app_id = app_id
        self.app_secret = app_secret
        self.requests_per_minute = requests_per_minute
        self.rate_used = 0
        self._rate_window_start = 0.0
        self.oa_id = oa_id
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.token_expired_code: int | None = None
        self.token_refreshes = 0
        self.closed_windows: dict[str, int] = {}
        self.charged: dict[str, int] = {}
        self.check_uploads = False
        self.uploads: dict[str, UploadedFile] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self._api_failures: dict[str, list[tuple[int, str | None]]] = {}
        self._seq = itertools.count(1)

    # ------------------------------------------------------------------ controls

    def expire_token(self, code: int = -216) -> None:
        """The current access token stops working (answers ``code``) until a refresh."""
        self.token_expired_code = code

    def close_window(self, user_id: str, code: int = -230) -> None:
        """Sends to this user answer an out-of-window error (-230, -213, -232 or -227)."""
        self.closed_windows[str(user_id)] = code

    def open_window(self, user_id: str) -> None:
        self.closed_windows.pop(str(user_id), None)
        self.charged.pop(str(user_id), None)

    def charge(self, user_id: str, code: int = -320) -> None:
        """Sends to this user are charged messages Zalo refuses: -320 no Zalo Cloud Account linked,
        -321 no balance (until ``open_window``: the person wrote, a free window)."""
        self.charged[str(user_id)] = code

    def add_user(self, user_id: str, display_name: str, is_follower: bool = True) -> None:
        self.users[str(user_id)] = {"display_name": display_name, "user_is_follower": is_follower}

    def fail_api(self, method: str, error: int, message: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 200 and ``{"error": error}``."""
        self._api_failures.setdefault(method, []).extend([(error, message)] * times)

    # ------------------------------------------------------------------ HTTP plumbing

    def _setup_routes(self, app: web.Application) -> None:
        app.router.add_post("/v3.0/oa/message/cs", self._wrap("message/cs", self._send_cs))
        app.router.add_post("/v4/oa/access_token", self._wrap("access_token", self._oauth_token))
        app.router.add_get("/v2.0/oa/getoa", self._wrap("getoa", self._get_oa))
        app.router.add_get("/v3.0/oa/user/detail", self._wrap("user/detail", self._user_detail))
        app.router.add_post("/v2.0/oa/upload/image", self._wrap("upload/image", self._upload_image))
        app.router.add_post("/v2.0/oa/upload/file", self._wrap("upload/file", self._upload_file))

    def _count_call(self, method: str) -> list[tuple[str, str]]:
        """Counts an OpenAPI call in this minute's window; raises -32 (HTTP 200) beyond the limit.
        Returns the rate-limit headers for the answer."""
        if method not in OPENAPI_METHODS:
            return []
        now = time.monotonic()
        if now - self._rate_window_start >= 60:
            self._rate_window_start, self.rate_used = now, 0
        self.rate_used += 1
        remain = max(0, self.requests_per_minute - self.rate_used)
        headers = [("X-RateLimit-Limit", str(self.requests_per_minute)), ("X-RateLimit-Remain", str(remain))]
        if self.rate_used > self.requests_per_minute:
            raise _RateLimited(headers)
        return headers

    def _wrap(self, method: str, handler: Any) -> Any:
        async def endpoint(request: web.Request) -> web.Response:
            started = time.monotonic()
            params: dict[str, Any] = {}
            status = 200
            headers: list[tuple[str, str]] = []
            try:
                params, files = await read_body_params(request)
                params.update(files)
                headers = self._count_call(method)
                failure = self._take_failure(method)
                if failure is not None:
                    status = failure.status
                    raise _OAError(-32 if failure.status == 429 else -1, failure.description)
                queued = self._api_failures.get(method)
                if queued:
                    raise _OAError(*queued.pop(0))
                payload = await handler(request, params)
            except _RateLimited as exc:
                headers = exc.headers
                payload = {"error": -32, "message": OA_ERRORS[-32]}
            except _OAError as exc:
                payload = {"error": exc.code, "message": exc.message}
            except ValueError:  # includes malformed JSON
                payload = {"error": -201, "message": "Parameter is invalid"}
            await self._record(method, params, started, status, payload, dict(request.headers))
            return json_response(payload, status, headers)

        return endpoint

    def _check_token(self, request: web.Request) -> None:
        token = request.headers.get("access_token")
        if not token or token != self.access_token:
            raise _OAError(-216)
        if self.token_expired_code is not None:
            raise _OAError(self.token_expired_code)

    def _new_id(self) -> str:
        return f"{next(self._seq):020x}"

    # ------------------------------------------------------------------ endpoints

    async def _send_cs(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_token(request)
        recipient = params.get("recipient")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        if not user_id:
            raise _OAError(-201, "user_id is invalid!")
        message = params.get("message")
        if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
            raise _OAError(-201, "message is invalid!")
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
            raise _OAError(-201, "text is invalid!")
        attachment = message.get("attachment")
        if attachment is not None and (
            not isinstance(attachment, dict) or attachment.get("type") not in ("template", "file")
        ):
            raise _OAError(-201, "attachment is invalid!")
        if self.check_uploads and attachment is not None:
            self._check_attachment(attachment)
        code = self.closed_windows.get(str(user_id)) or self.charged.get(str(user_id))
        if code is not None:
            raise _OAError(code)
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": self._new_id(), "user_id": str(user_id)},
        }

    async def _oauth_token(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        if str(params.get("app_id")) != self.app_id:
            return {
                "error": -14002,
                "error_name": "Invalid appId",
                "error_reason": "",
                "error_description": "",
            }
        if request.headers.get("secret_key") != self.app_secret:
            return {
                "error": -14001,
                "error_name": "Invalid secret key",
                "error_reason": "",
                "error_description": "",
            }
        if params.get("grant_type") != "refresh_token":
            return {
                "error": -14001,
                "error_name": "Invalid grant_type",
                "error_reason": "",
                "error_description": "",
            }
        if not params.get("refresh_token") or params["refresh_token"] != self.refresh_token:
            return {
                "error": -14014,
                "error_name": "Invalid refresh token",
                "error_reason": "refresh token is invalid or already used",
                "error_description": "",
            }
        self.token_refreshes += 1
        self.access_token = f"fake-oa-access-{self.token_refreshes}"
        self.refresh_token = f"fake-oa-refresh-{self.token_refreshes}"
        self.token_expired_code = None
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}

    async def _get_oa(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_token(request)
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "oa_id": self.oa_id,
                "name": "Tổ công tác (fake)",
                "description": "Fake OA for tests",
                "oa_alias": "",
                "is_verified": True,
                "oa_type": 2,
                "cate_name": "Cơ quan nhà nước",
                "num_follower": len(self.users),
                "avatar": "",
                "cover": "",
                "package_name": "Advanced",
            },
        }

    async def _user_detail(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_token(request)
        data = json.loads(str(params.get("data") or "{}"))
        user_id = str(data.get("user_id") or "")
        user = self.users.get(user_id)
        if user is None:
            raise _OAError(-201, "user_id is invalid!")
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "user_id": user_id,
                "user_id_by_app": _by_app(user_id),
                "display_name": user["display_name"],
                "user_is_follower": user["user_is_follower"],
                "avatar": "",
                "avatars": {"120": "", "240": ""},
            },
        }

    def _check_attachment(self, attachment: dict[str, Any]) -> None:
        raw = attachment.get("payload")
        payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
        refs = [payload.get("token")] if attachment.get("type") == "file" else []
        for element in payload.get("elements") or []:
            if isinstance(element, dict) and "url" not in element:
                refs.append(element.get("attachment_id"))
        if any(not isinstance(ref, str) or ref not in self.uploads for ref in refs):
            raise _OAError(-201, "attachment is invalid!")

    async def _upload(self, request: web.Request, params: dict[str, Any], key: str) -> dict[str, Any]:
        self._check_token(request)
        upload = params.get("file")
        if not isinstance(upload, UploadedFile):
            raise _OAError(-201, "file is invalid!")
        name, image = (upload.filename or "").lower(), key == "attachment_id"
        limit, types = (
            (1_000_000, (".jpg", ".jpeg", ".png")) if image else (5 << 20, (".pdf", ".doc", ".docx"))
        )
        if self.check_uploads and (len(upload.content) > limit or not name.endswith(types)):
            raise _OAError(-201, "file is invalid!")
        ref = f"fake-{key}-{self._new_id()}"
        self.uploads[ref] = upload
        return {"error": 0, "message": "Success", "data": {key: ref}}

    async def _upload_image(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        return await self._upload(request, params, "attachment_id")

    async def _upload_file(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        return await self._upload(request, params, "token")

    # ------------------------------------------------------------------ assertion helpers

    def sent_texts(self, user_id: str | None = None) -> list[str]:
        out = []
        for c in self.calls:
            if c.method != "message/cs" or not c.ok:
                continue
            if user_id is not None and c.params.get("recipient", {}).get("user_id") != user_id:
                continue
            text = c.params.get("message", {}).get("text")
            if text is not None:
                out.append(text)
        return out
