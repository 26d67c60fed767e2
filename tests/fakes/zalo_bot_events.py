"""Builders of Zalo Bot API updates, and ``post_webhook`` (what Zalo posts to a webhook).

Shapes per the Zalo Bot Platform docs (see tests/fakes/zalo_bot.py).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.fakes.base import WebhookResult

IMAGE_URL_FIELDS = ("photo", "photo_url", "url")


@dataclass
class PhotoFetch:
    """What the fake got when it fetched a sendPhoto URL (``fetch_photos``)."""

    url: str
    status: int
    content_type: str
    content: bytes


def _now_ms() -> int:
    return int(time.time() * 1000)


# ---------------------------------------------------------------------------- event builders

_zalo_message_ids = itertools.count(0x100000)  # apart from ids the fake assigns to sends


def _message(
    user_id: str,
    *,
    display_name: str,
    message_id: str | None,
    chat_id: str | None,
    chat_type: str,
    date: int | None,
) -> dict[str, Any]:
    return {
        "from": {"id": user_id, "display_name": display_name, "is_bot": False},
        "chat": {"id": chat_id or user_id, "chat_type": chat_type},
        "message_id": message_id or f"{next(_zalo_message_ids):020x}",
        "date": date if date is not None else _now_ms(),
    }


def zalo_text_update(
    user_id: str,
    text: str,
    display_name: str = "An",
    message_id: str | None = None,
    chat_id: str | None = None,
    chat_type: str = "PRIVATE",
    date: int | None = None,
) -> dict[str, Any]:
    msg = _message(
        user_id,
        display_name=display_name,
        message_id=message_id,
        chat_id=chat_id,
        chat_type=chat_type,
        date=date,
    )
    msg["text"] = text
    return {"event_name": "message.text.received", "message": msg}


def zalo_image_update(
    user_id: str,
    url: str,
    caption: str | None = None,
    field: str = "photo",
    display_name: str = "An",
    message_id: str | None = None,
) -> dict[str, Any]:
    """An image event. The image URL's key is not stable across Zalo's payloads: ``photo``,
    ``photo_url`` or ``url`` — pick with ``field`` (all in ``IMAGE_URL_FIELDS``)."""
    if field not in IMAGE_URL_FIELDS:
        raise ValueError(f"field must be one of {IMAGE_URL_FIELDS}")
    msg = _message(
        user_id,
        display_name=display_name,
        message_id=message_id,
        chat_id=None,
        chat_type="PRIVATE",
        date=None,
    )
    msg[field] = url
    if caption:
        msg["caption"] = caption
    return {"event_name": "message.image.received", "message": msg}


def zalo_image_update_photo(user_id: str, url: str, caption: str | None = None) -> dict[str, Any]:
    return zalo_image_update(user_id, url, caption, field="photo")


def zalo_image_update_photo_url(user_id: str, url: str, caption: str | None = None) -> dict[str, Any]:
    return zalo_image_update(user_id, url, caption, field="photo_url")


def zalo_image_update_url(user_id: str, url: str, caption: str | None = None) -> dict[str, Any]:
    return zalo_image_update(user_id, url, caption, field="url")


def zalo_sticker_update(
    user_id: str, sticker: str = "0e078a2fb66a5f34067b", url: str | None = None
) -> dict[str, Any]:
    msg = _message(user_id, display_name="An", message_id=None, chat_id=None, chat_type="PRIVATE", date=None)
    msg["sticker"] = sticker
    msg["url"] = url or f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
    return {"event_name": "message.sticker.received", "message": msg}


def zalo_unsupported_update(user_id: str) -> dict[str, Any]:
    """What Zalo sends for content the Bot API does not carry (voice, file, location…)."""
    msg = _message(user_id, display_name="An", message_id=None, chat_id=None, chat_type="PRIVATE", date=None)
    return {"event_name": "message.unsupported.received", "message": msg}


async def post_webhook(
    url: str, event: dict[str, Any], secret: str | None, wrapped: bool = False, timeout: float = 10
) -> WebhookResult:
    """POST an event to a webhook like Zalo: header ``X-Bot-Api-Secret-Token`` and a body that is
    either the bare ``{event_name, message}`` or wrapped as ``{"ok": true, "result": {...}}``."""
    body = {"ok": True, "result": event} if wrapped else event
    headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as resp,
    ):
        return WebhookResult(resp.status, await resp.text())
