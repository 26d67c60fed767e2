"""Builders of Telegram Bot API update dicts, shaped like what Telegram sends.

Every builder returns a plain dict ready for ``FakeTelegramServer.push_update``, for
``post_webhook`` or for ``Dispatcher.feed_raw_update``. ``update_id`` comes from a process-wide
counter unless given, because aiogram's ``Update`` model requires it on every path.

Quirk reproduced on purpose: in a forum topic, a message that is not a reply to anything still
carries ``reply_to_message`` pointing at the topic's creation service message
(``message_id == message_thread_id``, with ``forum_topic_created``). Code that treats every
``reply_to_message`` in a staff group as "a reply to the case card" breaks on real Telegram;
``group_text_update`` reproduces it unless ``reply_to_message`` is given.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import aiohttp

from tests.fakes.base import WebhookResult
from tests.fakes.telegram import DEFAULT_TOKEN

BOT_ID = int(DEFAULT_TOKEN.split(":", 1)[0])
STAFF_GROUP_ID = -1001234567890

_update_ids = itertools.count(1000)
_message_ids = itertools.count(500)
_callback_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user(
    user_id: int, first_name: str = "An", username: str | None = None, is_bot: bool = False
) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name, "language_code": "vi"}
    if username:
        obj["username"] = username
    return obj


def chat(
    chat_id: int,
    chat_type: str = "private",
    *,
    first_name: str = "An",
    username: str | None = None,
    title: str | None = None,
    is_forum: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        obj["first_name"] = first_name
        if username:
            obj["username"] = username
    else:
        obj["title"] = title or "Tổ công tác"
        if is_forum:
            obj["is_forum"] = True
    return obj


def _message(
    user_id: int,
    body: dict[str, Any],
    *,
    chat_id: int | None,
    chat_type: str,
    first_name: str,
    username: str | None,
    message_id: int | None,
    message_thread_id: int | None,
    is_topic_message: bool | None,
    reply_to_message: dict[str, Any] | int | None,
    topic_name: str = "Topic",
) -> dict[str, Any]:
    cid = user_id if chat_id is None else chat_id
    is_forum = chat_type == "supergroup" and message_thread_id is not None
    chat_obj = chat(cid, chat_type, first_name=first_name, username=username, is_forum=is_forum)
    now = int(time.time())
    msg: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": user(user_id, first_name, username),
        "chat": chat_obj,
        "date": now,
    }
    if message_thread_id is not None:
        msg["message_thread_id"] = message_thread_id
        topic = is_topic_message if is_topic_message is not None else chat_type == "supergroup"
        if topic:
            msg["is_topic_message"] = True
    if isinstance(reply_to_message, int):
        reply_to_message = {"message_id": reply_to_message, "date": now, "chat": chat_obj}
    if reply_to_message is None and msg.get("is_topic_message"):
        # Telegram's forum quirk (see module docstring).
        reply_to_message = {
            "message_id": message_thread_id,
            "date": now,
            "chat": chat_obj,
            "message_thread_id": message_thread_id,
            "is_topic_message": True,
            "from": user(BOT_ID, "Fake Bot", "fake_test_bot", is_bot=True),
            "forum_topic_created": {"name": topic_name, "icon_color": 7322096},
        }
    if reply_to_message is not None:
        msg["reply_to_message"] = reply_to_message
    msg.update(body)
    return msg


def _update(message: dict[str, Any], update_id: int | None, key: str = "message") -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next_update_id(), key: message}


def _text_body(text: str) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0] if text.strip() else text
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
    return body


def text_update(
    user_id: int,
    text: str,
    chat_id: int | None = None,
    update_id: int | None = None,
    first_name: str = "An",
    username: str | None = None,
    message_thread_id: int | None = None,
    reply_to_message_id: int | None = None,
    chat_type: str = "private",
    message_id: int | None = None,
) -> dict[str, Any]:
    """A text message; ``/commands`` get a ``bot_command`` entity at offset 0."""
    msg = _message(
        user_id,
        _text_body(text),
        chat_id=chat_id,
        chat_type=chat_type,
        first_name=first_name,
        username=username,
        message_id=message_id,
        message_thread_id=message_thread_id,
        is_topic_message=None if chat_type == "supergroup" else False,
        reply_to_message=reply_to_message_id,
    )
    return _update(msg, update_id)


def edited_text_update(
    user_id: int, text: str, message_id: int, chat_id: int | None = None
) -> dict[str, Any]:
    msg = _message(
        user_id,
        {**_text_body(text), "edit_date": int(time.time())},
        chat_id=chat_id,
        chat_type="private" if chat_id is None or chat_id > 0 else "supergroup",
        first_name="An",
        username=None,
        message_id=message_id,
        message_thread_id=None,
        is_topic_message=False,
        reply_to_message=None,
    )
    return _update(msg, None, "edited_message")


def callback_update(
    user_id: int,
    data: str,
    message_id: int,
    chat_id: int | None = None,
    update_id: int | None = None,
    first_name: str = "An",
    message_text: str = "…",
    message_thread_id: int | None = None,
    callback_id: str | None = None,
) -> dict[str, Any]:
    """A button press on the bot's message ``message_id`` (in the user's chat by default)."""
    cid = user_id if chat_id is None else chat_id
    chat_type = "private" if cid > 0 else "supergroup"
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": user(BOT_ID, "Fake Bot", "fake_test_bot", is_bot=True),
        "chat": chat(cid, chat_type, first_name=first_name, is_forum=message_thread_id is not None),
        "date": int(time.time()),
        "text": message_text,
    }
    if message_thread_id is not None:
        message["message_thread_id"] = message_thread_id
        message["is_topic_message"] = True
    query = {
        "id": callback_id or f"cbq-{next(_callback_ids)}",
        "from": user(user_id, first_name),
        "chat_instance": f"ci-{cid}",
        "message": message,
        "data": data,
    }
    return {"update_id": update_id if update_id is not None else next_update_id(), "callback_query": query}


def contact_update(
    user_id: int,
    phone_number: str,
    contact_user_id: int | None = None,
    first_name: str = "An",
    update_id: int | None = None,
) -> dict[str, Any]:
    """A shared contact. ``contact_user_id`` defaults to the sender (the share-my-phone button);
    pass another id for a forwarded contact card (delete the key to model one without user)."""
    contact = {
        "phone_number": phone_number,
        "first_name": first_name,
        "user_id": user_id if contact_user_id is None else contact_user_id,
    }
    msg = _message(
        user_id,
        {"contact": contact},
        chat_id=None,
        chat_type="private",
        first_name=first_name,
        username=None,
        message_id=None,
        message_thread_id=None,
        is_topic_message=False,
        reply_to_message=None,
    )
    return _update(msg, update_id)


def _photo_body(file_id: str, caption: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "photo": [
            {
                "file_id": f"{file_id}-s",
                "file_unique_id": f"{file_id}-us",
                "width": 90,
                "height": 67,
                "file_size": 1200,
            },
            {
                "file_id": file_id,
                "file_unique_id": f"{file_id}-u",
                "width": 1280,
                "height": 960,
                "file_size": 98000,
            },
        ]
    }
    if caption:
        body["caption"] = caption
    return body


def _document_body(
    file_id: str, file_name: str, mime_type: str, file_size: int, caption: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "document": {
            "file_id": file_id,
            "file_unique_id": f"{file_id}-u",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file_size,
        }
    }
    if caption:
        body["caption"] = caption
    return body


def photo_update(
    user_id: int,
    file_id: str,
    caption: str | None = None,
    chat_id: int | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A photo; like Telegram, several sizes with the largest last."""
    msg = _message(
        user_id,
        _photo_body(file_id, caption),
        chat_id=chat_id,
        chat_type="private",
        first_name="An",
        username=None,
        message_id=None,
        message_thread_id=None,
        is_topic_message=False,
        reply_to_message=None,
    )
    return _update(msg, update_id)


def document_update(
    user_id: int,
    file_id: str,
    file_name: str,
    mime_type: str,
    file_size: int,
    caption: str | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    msg = _message(
        user_id,
        _document_body(file_id, file_name, mime_type, file_size, caption),
        chat_id=None,
        chat_type="private",
        first_name="An",
        username=None,
        message_id=None,
        message_thread_id=None,
        is_topic_message=False,
        reply_to_message=None,
    )
    return _update(msg, update_id)


def sticker_update(user_id: int, file_id: str = "sticker-1", update_id: int | None = None) -> dict[str, Any]:
    sticker = {
        "file_id": file_id,
        "file_unique_id": f"{file_id}-u",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    msg = _message(
        user_id,
        {"sticker": sticker},
        chat_id=None,
        chat_type="private",
        first_name="An",
        username=None,
        message_id=None,
        message_thread_id=None,
        is_topic_message=False,
        reply_to_message=None,
    )
    return _update(msg, update_id)


def my_chat_member_update(
    user_id: int, new_status: str = "kicked", old_status: str = "member"
) -> dict[str, Any]:
    """The user blocked (``kicked``) or unblocked (``member``) the bot in their private chat."""
    now = int(time.time())
    bot_user = user(BOT_ID, "Fake Bot", "fake_test_bot", is_bot=True)

    def member(status: str) -> dict[str, Any]:
        obj: dict[str, Any] = {"status": status, "user": bot_user}
        if status == "kicked":
            obj["until_date"] = 0
        return obj

    event = {
        "chat": chat(user_id),
        "from": user(user_id),
        "date": now,
        "old_chat_member": member(old_status),
        "new_chat_member": member(new_status),
    }
    return {"update_id": next_update_id(), "my_chat_member": event}


# ---------------------------------------------------------------------------- staff group


def group_text_update(
    user_id: int,
    text: str,
    chat_id: int = STAFF_GROUP_ID,
    message_thread_id: int | None = None,
    reply_to_message: dict[str, Any] | int | None = None,
    is_topic_message: bool | None = None,
    first_name: str = "Cán bộ",
    username: str | None = None,
    update_id: int | None = None,
    message_id: int | None = None,
    topic_name: str = "Topic",
) -> dict[str, Any]:
    """A staff member's message in a supergroup.

    With ``message_thread_id`` it is a forum-topic message (``is_topic_message`` true unless
    told otherwise) and, when not replying to anything, carries Telegram's implicit reply to
    the topic-creation message. ``reply_to_message`` may be a message dict (e.g. the card the
    fake returned from sendMessage) or just its id.
    """
    msg = _message(
        user_id,
        _text_body(text),
        chat_id=chat_id,
        chat_type="supergroup",
        first_name=first_name,
        username=username,
        message_id=message_id,
        message_thread_id=message_thread_id,
        is_topic_message=is_topic_message,
        reply_to_message=reply_to_message,
        topic_name=topic_name,
    )
    return _update(msg, update_id)


def group_photo_update(
    user_id: int,
    file_id: str,
    caption: str | None = None,
    chat_id: int = STAFF_GROUP_ID,
    message_thread_id: int | None = None,
    reply_to_message: dict[str, Any] | int | None = None,
    first_name: str = "Cán bộ",
) -> dict[str, Any]:
    msg = _message(
        user_id,
        _photo_body(file_id, caption),
        chat_id=chat_id,
        chat_type="supergroup",
        first_name=first_name,
        username=None,
        message_id=None,
        message_thread_id=message_thread_id,
        is_topic_message=None,
        reply_to_message=reply_to_message,
    )
    return _update(msg, None)


def group_document_update(
    user_id: int,
    file_id: str,
    file_name: str,
    mime_type: str = "application/pdf",
    file_size: int = 1024,
    caption: str | None = None,
    chat_id: int = STAFF_GROUP_ID,
    message_thread_id: int | None = None,
    reply_to_message: dict[str, Any] | int | None = None,
    first_name: str = "Cán bộ",
) -> dict[str, Any]:
    msg = _message(
        user_id,
        _document_body(file_id, file_name, mime_type, file_size, caption),
        chat_id=chat_id,
        chat_type="supergroup",
        first_name=first_name,
        username=None,
        message_id=None,
        message_thread_id=message_thread_id,
        is_topic_message=None,
        reply_to_message=reply_to_message,
    )
    return _update(msg, None)


# ---------------------------------------------------------------------------- webhook


async def post_webhook(url: str, update: dict[str, Any], secret: str | None = None) -> WebhookResult:
    """POST an update to a bot's webhook as Telegram does (JSON body, and the
    ``X-Telegram-Bot-Api-Secret-Token`` header when a secret is given)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)) as resp,
    ):
        return WebhookResult(resp.status, await resp.text())
