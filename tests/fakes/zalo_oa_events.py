"""Signed Zalo OA webhook events (``post_event``) and their builders, as the OA webhook docs
describe them (see tests/fakes/zalo_oa.py for the sources)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any

import aiohttp

from tests.fakes.base import WebhookResult

FAKE_APP_ID = "3608465248940903967"
FAKE_OA_ID = "388613280878808645"
FAKE_OA_SECRET_KEY = "fake-oa-webhook-secret-key-not-real"  # the Webhook page's OA Secret Key


# ---------------------------------------------------------------------------- webhook signing


def event_mac(app_id: str, raw_body: str | bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex SHA-256 of ``app_id + raw_body + timestamp + oa_secret_key``.

    Per the OA webhook docs ("Xác thực sự kiện"): ``X-ZEvent-Signature: mac=sha256(appId + data
    + timeStamp + OAsecretKey)`` where ``data`` is the raw request body and ``timeStamp`` the
    body's ``timestamp`` field. A plain digest of the concatenation, NOT an HMAC. The same formula
    is implemented by public verifiers (e.g. a Python Flask webhook in the search corpus and a
    WordPress plugin: ``hash('sha256', $app_id . $raw_body . $timestamp . $secret_key)``).
    """
    body = raw_body.decode("utf-8") if isinstance(raw_body, bytes) else raw_body
    return hashlib.sha256(f"{app_id}{body}{timestamp}{oa_secret_key}".encode()).hexdigest()


def sign_event(app_id: str, raw_body: str | bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` header value: ``"mac=" + event_mac(...)``.

    The docs show the header value literally starting with ``mac=``; receivers strip it
    before comparing (some public receivers also accept the bare hex).
    """
    return "mac=" + event_mac(app_id, raw_body, timestamp, oa_secret_key)


def raw_event_body(event: dict[str, Any]) -> str:
    """Serialise an event the way the fake sends it: compact, UTF-8 (not ``\\u`` escapes).

    Deliberately not Python's default ``json.dumps`` output, so a receiver that re-serialises the
    parsed body instead of hashing the raw bytes computes a different MAC, as it would in
    production.
    """
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


async def post_event(
    url: str,
    event: dict[str, Any],
    app_id: str = FAKE_APP_ID,
    secret_key: str = FAKE_OA_SECRET_KEY,
    forge: bool = False,
) -> WebhookResult:
    """POST a signed OA event. ``forge=True`` signs with a wrong secret (a forged request)."""
    raw = raw_event_body(event)
    timestamp = str(event.get("timestamp", ""))
    signature = sign_event(app_id, raw, timestamp, secret_key + "-forged" if forge else secret_key)
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": signature}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=raw.encode("utf-8"), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp,
    ):
        return WebhookResult(resp.status, await resp.text())


# ---------------------------------------------------------------------------- event builders

_msg_ids = itertools.count(1)


def _by_app(user_id: str) -> str:
    # A stable, distinct app-scoped id: real Zalo gives a different id per app.
    return str(int(hashlib.sha256(user_id.encode()).hexdigest()[:15], 16))


def _ts() -> str:
    return str(int(time.time() * 1000))


def _user_event(
    event_name: str, user_id: str, message: dict[str, Any], app_id: str, oa_id: str, timestamp: str | None
) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "user_id_by_app": _by_app(user_id),
        "event_name": event_name,
        "timestamp": timestamp or _ts(),
        "sender": {"id": user_id},
        "recipient": {"id": oa_id},
        "message": message,
    }


def _msg_id(msg_id: str | None) -> str:
    return msg_id or f"{next(_msg_ids):019x}"


def oa_text_event(
    user_id: str,
    text: str,
    msg_id: str | None = None,
    *,
    app_id: str = FAKE_APP_ID,
    oa_id: str = FAKE_OA_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    return _user_event(
        "user_send_text", user_id, {"text": text, "msg_id": _msg_id(msg_id)}, app_id, oa_id, timestamp
    )


def oa_image_event(
    user_id: str,
    url: str,
    text: str | None = None,
    thumbnail: str | None = None,
    msg_id: str | None = None,
    *,
    app_id: str = FAKE_APP_ID,
    oa_id: str = FAKE_OA_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "msg_id": _msg_id(msg_id),
        "attachments": [{"type": "image", "payload": {"thumbnail": thumbnail or url, "url": url}}],
    }
    if text:
        message["text"] = text
    return _user_event("user_send_image", user_id, message, app_id, oa_id, timestamp)


def oa_file_event(
    user_id: str,
    url: str,
    name: str,
    size: int,
    type: str,  # the field's name in Zalo's payload
    msg_id: str | None = None,
    *,
    app_id: str = FAKE_APP_ID,
    oa_id: str = FAKE_OA_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    payload = {
        "url": url,
        "size": str(size),
        "name": name,
        "checksum": hashlib.md5(url.encode()).hexdigest(),  # an identifier, not security
        "type": type,
    }
    message = {"msg_id": _msg_id(msg_id), "attachments": [{"type": "file", "payload": payload}]}
    return _user_event("user_send_file", user_id, message, app_id, oa_id, timestamp)


def oa_follow_event(
    user_id: str,
    source: str = "oa_profile",
    *,
    app_id: str = FAKE_APP_ID,
    oa_id: str = FAKE_OA_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """``follow`` uses ``follower`` instead of ``sender`` and a flat ``oa_id`` (documented)."""
    return {
        "oa_id": oa_id,
        "follower": {"id": user_id},
        "user_id_by_app": _by_app(user_id),
        "event_name": "follow",
        "source": source,
        "app_id": app_id,
        "timestamp": timestamp or _ts(),
    }
