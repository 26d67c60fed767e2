"""A fake Telegram Bot API server for end-to-end tests with the real aiogram ``Bot``.

Usage::

    async with FakeTelegramServer() as tg:
        bot = tg.bot()          # or Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
        tg.push_update(text_update(42, "/start"))
        ...
        [call] = await tg.wait_for("sendMessage")

Wire facts this fake matches (read from aiogram 3.31 ``client/session/aiohttp.py``, ``base.py``,
``client/telegram.py``):

* URLs are ``{base}/bot{token}/{method}`` and files ``{base}/file/bot{token}/{path}``
  (``TelegramAPIServer.from_base``). Every method is a POST.
* aiogram sends ``application/x-www-form-urlencoded`` when there is no upload and
  ``multipart/form-data`` when there is one (aiohttp ``FormData`` picks). Every non-string value
  is JSON-encoded: ``chat_id=42``, ``disable_notification=true``, ``reply_markup={...}``.
  ``None`` and empty strings are dropped. Uploads travel as a part with a random name and the
  field holds ``attach://<name>``; the fake resolves that back to an ``UploadedFile``.
* Errors: aiogram maps a body with ``parameters.retry_after`` to ``TelegramRetryAfter`` whatever
  the status, then 400 → ``TelegramBadRequest``, 401 → ``TelegramUnauthorizedError``,
  403 → ``TelegramForbiddenError``, 404 → ``TelegramNotFound``, 409 → ``TelegramConflictError``,
  ≥500 → ``TelegramServerError``.

JSON bodies and query strings are accepted as well, as the real Bot API does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from tests.fakes.base import (
    ApiCall,
    FakeApiServer,
    UploadedFile,
    WebhookResult,
    json_response,
    read_body_params,
)

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession

DEFAULT_TOKEN = "123456789:TEST-fake-token-not-real"
MAX_TEXT = 4096
MAX_CAPTION = 1024

# Form fields arrive as strings; these are typed back so recorded params read naturally.
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "icon_color",
        "cache_time",
        "max_connections",
        "until_date",
        "width",
        "height",
        "duration",
        "direct_messages_topic_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "is_anonymous",
        "only_if_banned",
        "revoke_messages",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "message_ids",
        "menu_button",
        "permissions",
        "suggested_post_parameters",
    }
)

# Update types delivered when a client never names ``allowed_updates`` (Bot API default).
_DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class TelegramApiError(Exception):
    """Raised inside handlers; becomes ``{"ok": false, ...}`` with this HTTP status."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {description}")


# ---------------------------------------------------------------------------- text parsing


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into (plain text, entities), raising like the Bot API.

    Telegram accepts only its tag list and the entities ``&lt; &gt; &amp; &quot;`` plus numeric
    ones. Any other ``<`` that is not a tag is an error: that is exactly what happens to a bot
    that forgets to escape user text, so the fake reproduces it.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = []  # (tag, utf16 offset, entity extras)
    extra: dict[str, Any]
    pos16 = 0
    i = 0
    n = len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def err(message: str) -> TelegramApiError:
        return _bad(f"can't parse entities: {message}")

    while i < n:
        ch = text[i]
        if ch == "<":
            start = i
            closing = i + 1 < n and text[i + 1] == "/"
            j = i + 2 if closing else i + 1
            k = j
            while k < n and (text[k].isalnum() or text[k] == "-"):
                k += 1
            name = text[j:k].lower()
            if not name:
                raise err(f"Unexpected end of name token at byte offset {byte_offset(start)}")
            end = text.find(">", k)
            if end == -1:
                raise err(f"Unclosed start tag at byte offset {byte_offset(start)}")
            if closing:
                if not stack:
                    raise err(f"Unexpected end tag at byte offset {byte_offset(start)}")
                top, begin16, closed_extra = stack.pop()
                if top != name:
                    raise err(
                        f'Unmatched end tag at byte offset {byte_offset(start)}, expected "</{top}>", '
                        f'found "</{name}>"'
                    )
                length = pos16 - begin16
                if length > 0:
                    entity = {"type": _HTML_TAGS[top], "offset": begin16, "length": length, **closed_extra}
                    entities.append(entity)
            else:
                if name not in _HTML_TAGS:
                    raise err(f'Unsupported start tag "{name}" at byte offset {byte_offset(start)}')
                attrs = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR_RE.finditer(text[k:end])
                    if m.group(1)
                }
                extra = {}
                if name == "a":
                    extra["url"] = attrs.get("href", "")
                elif name == "span" and attrs.get("class") != "tg-spoiler":
                    raise err(f'Unsupported start tag "span" at byte offset {byte_offset(start)}')
                elif name == "tg-emoji":
                    extra["custom_emoji_id"] = attrs.get("emoji-id", "")
                stack.append((name, pos16, extra))
            i = end + 1
            continue
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            if m:
                if m.group(1):
                    decoded = _NAMED_ENTITIES[m.group(1)]
                else:
                    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
                    decoded = chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
                out.append(decoded)
                pos16 += _utf16_len(decoded)
                i = m.end()
                continue
        out.append(ch)
        pos16 += _utf16_len(ch)
        i += 1
    if stack:
        raise err(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def check_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 the way the Bot API does for the common mistakes; return plain text.

    Reserved characters outside entities must be escaped with a backslash and entity markers
    must be closed. Not a full renderer: entities are not returned.
    """
    out: list[str] = []
    open_markers: list[tuple[str, int]] = []
    i = 0
    n = len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def err(message: str) -> TelegramApiError:
        return _bad(f"can't parse entities: {message}")

    line_start = True
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            line_start = False
            continue
        if ch == "`":
            fence = text.startswith("```", i)
            marker = "```" if fence else "`"
            close = text.find(marker, i + len(marker))
            if close == -1:
                kind = "Pre" if fence else "Code"
                raise err(f"Can't find end of {kind} entity at byte offset {byte_offset(i)}")
            out.append(text[i + len(marker) : close])
            i = close + len(marker)
            line_start = False
            continue
        if ch == ">" and line_start:  # block quotation
            i += 1
            continue
        if ch in "*_~|" or (ch == "_" and text.startswith("__", i)):
            marker = "__" if text.startswith("__", i) else ("||" if text.startswith("||", i) else ch)
            if marker == "|":
                raise err("Character '|' is reserved and must be escaped with the preceding '\\'")
            if open_markers and open_markers[-1][0] == marker:
                open_markers.pop()
            else:
                open_markers.append((marker, i))
            i += len(marker)
            line_start = False
            continue
        if ch == "[":
            close = text.find("]", i + 1)
            if close == -1 or not text.startswith("(", close + 1):
                raise err("Character '[' is reserved and must be escaped with the preceding '\\'")
            url_end = text.find(")", close + 2)
            if url_end == -1:
                raise err(f"Can't find end of a url at byte offset {byte_offset(close + 1)}")
            out.append(check_markdown_v2(text[i + 1 : close]))
            i = url_end + 1
            line_start = False
            continue
        if ch in _MDV2_RESERVED:
            raise err(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        out.append(ch)
        line_start = ch == "\n"
        i += 1
    if open_markers:
        names = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}
        marker, at = open_markers[-1]
        raise err(f"Can't find end of {names[marker]} entity at byte offset {byte_offset(at)}")
    return "".join(out)


def check_markdown_legacy(text: str) -> str:
    """Legacy ``Markdown``: ``* _ ` [`` must come in pairs, else the Bot API refuses."""
    i = 0
    n = len(text)
    out: list[str] = []
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            closer = "]" if ch == "[" else ch
            close = text.find(closer, i + 1)
            if close == -1:
                offset = len(text[:i].encode("utf-8"))
                raise _bad(
                    f"can't parse entities: Can't find end of the entity starting at byte offset {offset}"
                )
            out.append(text[i + 1 : close])
            i = close + 1
            if ch == "[" and text.startswith("(", i):
                end = text.find(")", i)
                i = end + 1 if end != -1 else n
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def render_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return check_markdown_v2(text), []
    if mode == "markdown":
        return check_markdown_legacy(text), []
    if mode:
        raise _bad(f"unsupported parse_mode {parse_mode!r}")
    return text, []


# ---------------------------------------------------------------------------- state records


@dataclass
class TelegramLimits:
    """Telegram's documented broadcast limits, enforced when ``enforce_limits`` is on."""

    private_per_second: int = 1
    group_per_minute: int = 20
    global_per_second: int = 30
    # The group's window; a test scaled in time shortens it (20 per 15 s = "a minute" at 4x).
    group_window_seconds: float = 60.0


@dataclass
class ForumTopicState:
    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _ChatConfig:
    type: str
    is_forum: bool = False
    title: str | None = None
    username: str | None = None
    first_name: str | None = None


@dataclass
class _StoredFile:
    content: bytes
    path: str
    unique_id: str


def _norm_chat(chat_id: Any) -> int | str:
    if isinstance(chat_id, bool):
        raise _bad("chat not found")
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            return int(chat_id)
        if chat_id.startswith("@") and len(chat_id) > 1:
            return chat_id
    raise _bad("chat not found")


def _update_type(update: dict[str, Any]) -> str | None:
    return next((k for k in update if k != "update_id"), None)


Handler = Callable[[dict[str, Any], str], Awaitable[Any]]


class FakeTelegramServer(FakeApiServer):
    """Fake Bot API. See the module docstring for the wire format.

    Constructor:
        ``token``: if given, only this token is accepted (others answer 401 Unauthorized);
            by default any token is accepted and the bot id is its numeric prefix.
        ``enforce_limits``: ``True`` or a ``TelegramLimits`` to answer 429 like Telegram does
            past 1 msg/s per private chat, 20 msg/min per group, 30 msg/s overall.
        ``strict_message_refs``: make copy/forward of unknown source messages fail with
            "message to copy not found" (by default unknown sources are tolerated, because
            updates fed straight into a dispatcher never pass through this fake).
        ``max_poll_timeout``: upper bound on a long poll, to keep tests quick.

    Public state tests may set directly: ``blocked_chats``, ``missing_chats`` (sets of chat ids),
    ``me`` (the bot user dict); and read: ``webhook``, ``topics``, ``commands``, ``updates``
    (pending), ``webhook_deliveries``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        enforce_limits: bool | TelegramLimits = False,
        strict_message_refs: bool = False,
        max_poll_timeout: float = 50.0,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host=host)
        self.token = token
        self.limits: TelegramLimits | None = (
            enforce_limits
            if isinstance(enforce_limits, TelegramLimits)
            else TelegramLimits()
            if enforce_limits
            else None
        )
        self.strict_message_refs = strict_message_refs
        self.max_poll_timeout = max_poll_timeout
        bot_id = int(token.split(":", 1)[0]) if token and token.split(":", 1)[0].isdigit() else None
        self.me: dict[str, Any] = {
            "id": bot_id or int(DEFAULT_TOKEN.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Fake Bot",
            "username": "fake_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.blocked_chats: set[int | str] = set()
        self.left_chats: list[int | str] = []  # leaveChat calls, in order
        self.missing_chats: set[int | str] = set()
        self.webhook = WebhookState()
        self.updates: list[dict[str, Any]] = []
        self.dropped_updates: list[dict[str, Any]] = []
        self.webhook_deliveries: list[tuple[int, WebhookResult | str]] = []
        self.topics: dict[tuple[int | str, int], ForumTopicState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.allowed_updates: frozenset[str] = _DEFAULT_ALLOWED
        self._chats: dict[int | str, _ChatConfig] = {}
        self._members: dict[tuple[int | str, int], tuple[str, dict[str, Any] | None]] = {}
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._last_msg_id: dict[int | str, int] = defaultdict(int)
        self._files: dict[str, _StoredFile] = {}
        self._paths: dict[str, str] = {}
        self._next_update_id = 1
        self._file_seq = 0
        self._media_group_seq = 0
        self._update_signal = asyncio.Event()
        self._poll_generation = 0
        self.polls_waiting = 0
        self._sent_by_chat: dict[int | str, deque[float]] = defaultdict(deque)
        self._sent_all: deque[float] = deque()
        self._delivery_tasks: set[asyncio.Task[Any]] = set()
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in self._method_table().items():
            self._handlers[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ aiogram helpers

    def session(self, **kwargs: Any) -> AiohttpSession:
        """An aiogram ``AiohttpSession`` pointed at this fake."""
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        return AiohttpSession(api=TelegramAPIServer.from_base(self.base_url), **kwargs)

    def bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """A real aiogram ``Bot`` talking to this fake (close it with ``await bot.session.close()``)."""
        from aiogram import Bot

        return Bot(token or self.token or DEFAULT_TOKEN, session=self.session(), **kwargs)

    # ------------------------------------------------------------------ configuration

    def set_chat(
        self,
        chat_id: int | str,
        *,
        type: str | None = None,
        is_forum: bool = False,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> None:
        """Configure a chat. Without it a positive id is a private chat, ``-100…`` a
        supergroup and other negative ids a basic group; none is a forum."""
        key = _norm_chat(chat_id)
        chat_type = type or self._default_type(key)
        if is_forum and chat_type != "supergroup":
            raise ValueError("only supergroups can be forums")
        self._chats[key] = _ChatConfig(chat_type, is_forum, title, username, first_name)

    def set_member(
        self, chat_id: int | str, user_id: int, status: str, user: dict[str, Any] | None = None
    ) -> None:
        """Status answered by getChatMember: creator, administrator, member, restricted, left, kicked."""
        if status not in {"creator", "administrator", "member", "restricted", "left", "kicked"}:
            raise ValueError(f"unknown chat member status {status!r}")
        self._members[(_norm_chat(chat_id), int(user_id))] = (status, user)

    def add_file(self, file_id: str, content: bytes, path: str | None = None) -> str:
        """Register bytes served by getFile + download. Returns the file_path."""
        file_path = path or f"documents/{file_id}"
        self._files[file_id] = _StoredFile(content, file_path, f"u-{file_id}"[:32])
        self._paths[file_path] = file_id
        return file_path

    def register_message(self, message: dict[str, Any]) -> None:
        """Make a message known (for replies/copies) without pushing an update."""
        chat = message["chat"]
        chat_key = _norm_chat(chat["id"])
        self._messages[(chat_key, int(message["message_id"]))] = message
        self._last_msg_id[chat_key] = max(self._last_msg_id[chat_key], int(message["message_id"]))
        # What an update says about its chat is what Telegram knows: adopt it unless the test
        # configured the chat explicitly.
        if chat_key not in self._chats and "type" in chat:
            self._chats[chat_key] = _ChatConfig(
                chat["type"],
                bool(chat.get("is_forum")),
                chat.get("title"),
                chat.get("username"),
                chat.get("first_name"),
            )
        thread = message.get("message_thread_id")
        if (
            message.get("is_topic_message")
            and thread is not None
            and (chat_key, int(thread)) not in self.topics
        ):
            created = (message.get("reply_to_message") or {}).get("forum_topic_created") or {}
            self.topics[(chat_key, int(thread))] = ForumTopicState(
                chat_id=chat_key if isinstance(chat_key, int) else 0,
                message_thread_id=int(thread),
                name=str(created.get("name", "Topic")),
                icon_color=int(created.get("icon_color", 7322096)),
            )

    # ------------------------------------------------------------------ updates

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (or the webhook, when one is set) and wake pollers.

        Assigns ``update_id`` when missing; returns the queued dict.
        """
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        for key in ("message", "edited_message", "channel_post"):
            if isinstance(update.get(key), dict) and "chat" in update[key]:
                self.register_message(update[key])
        if isinstance(update.get("callback_query"), dict) and isinstance(
            update["callback_query"].get("message"), dict
        ):
            msg = update["callback_query"]["message"]
            if (_norm_chat(msg["chat"]["id"]), int(msg["message_id"])) not in self._messages:
                self.register_message(msg)
        self.updates.append(update)
        self._signal()
        if self.webhook.url:
            task = asyncio.get_running_loop().create_task(self._deliver_one(update))
            self._delivery_tasks.add(task)
            task.add_done_callback(self._delivery_tasks.discard)
        return update

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Wait until a getUpdates long poll is parked here (so a push will wake it)."""
        if self._changed is None:
            raise RuntimeError("server not started")
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.polls_waiting > 0)

    async def drain_webhooks(self) -> None:
        """Wait until every webhook delivery started by ``push_update`` has finished."""
        while self._delivery_tasks:
            await asyncio.gather(*list(self._delivery_tasks), return_exceptions=True)

    async def redeliver_pending(self) -> None:
        """Post every still-pending update to the webhook again (Telegram retries failures)."""
        for update in list(self.updates):
            await self._deliver_one(update)

    async def _deliver_one(self, update: dict[str, Any]) -> None:
        if not self.webhook.url:
            return
        headers = {}
        if self.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook.secret_token
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    self.webhook.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                ) as resp,
            ):
                result = WebhookResult(resp.status, await resp.text())
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook.last_error_date = int(time.time())
            self.webhook.last_error_message = f"Connection error: {exc}"
            self.webhook_deliveries.append((update["update_id"], f"{type(exc).__name__}: {exc}"))
            return
        self.webhook_deliveries.append((update["update_id"], result))
        if 200 <= result.status < 300:
            self.updates = [u for u in self.updates if u["update_id"] != update["update_id"]]
        else:
            self.webhook.last_error_date = int(time.time())
            self.webhook.last_error_message = f"Wrong response from the webhook: {result.status}"

    def _wake_pollers(self) -> None:
        self._signal()

    def _signal(self) -> None:
        # Wake every waiting poll; each grabs a fresh event before it waits again.
        self._update_signal.set()
        self._update_signal = asyncio.Event()

    def _filter_allowed(self) -> None:
        kept = []
        for u in self.updates:
            if _update_type(u) in self.allowed_updates:
                kept.append(u)
            else:
                self.dropped_updates.append(u)
        self.updates = kept

    def _set_allowed(self, allowed: Any) -> None:
        # Like Telegram: a non-empty list replaces the set, an empty list means "all the
        # defaults", absent keeps the previous setting.
        if isinstance(allowed, list):
            self.allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED

    # ------------------------------------------------------------------ HTTP plumbing

    def _setup_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    def _check_token(self, token: str) -> bool:
        if self.token is not None:
            return token == self.token
        head, _, tail = token.partition(":")
        return head.isdigit() and bool(tail)

    async def _dispatch(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        name, handler = self._handlers.get(raw_method.lower(), (raw_method, None))
        try:
            params, files = await read_body_params(request)
            params = self._decode_params(params, files)
        except (ValueError, UnicodeDecodeError) as exc:
            return await self._answer(
                name, {}, started, TelegramApiError(400, f"Bad Request: {exc}"), request
            )
        try:
            if not self._check_token(token):
                raise TelegramApiError(401, "Unauthorized")
            if handler is None:
                raise TelegramApiError(404, "Not Found")
            failure = self._take_failure(name)
            if failure is not None:
                raise TelegramApiError(failure.status, failure.description, failure.retry_after)
            result = await handler(params, token)
        except TelegramApiError as exc:
            return await self._answer(name, params, started, exc, request)
        return await self._answer(name, params, started, result, request)

    async def _answer(
        self, method: str, params: dict[str, Any], started: float, result: Any, request: web.Request
    ) -> web.Response:
        if isinstance(result, TelegramApiError):
            payload: dict[str, Any] = {
                "ok": False,
                "error_code": result.status,
                "description": result.description,
            }
            if result.retry_after is not None:
                payload["parameters"] = {"retry_after": result.retry_after}
            status = result.status
        else:
            payload = {"ok": True, "result": result}
            status = 200
        await self._record(method, params, started, status, payload, dict(request.headers))
        return json_response(payload, status)

    def _decode_params(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, str):
                if key in _INT_FIELDS:
                    with contextlib.suppress(ValueError):
                        value = int(value)
                elif key in _BOOL_FIELDS and value.lower() in ("true", "false"):
                    value = value.lower() == "true"
                elif key in _JSON_FIELDS:
                    try:
                        value = json.loads(value)
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"can't parse {key} JSON object") from exc
            out[key] = value
        used: set[str] = set()

        def resolve(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://") :]
                if name in files:
                    used.add(name)
                    return files[name]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        out = {k: resolve(v) for k, v in out.items()}
        for name, upload in files.items():  # direct uploads (field named after the param)
            if name not in used:
                out.setdefault(name, upload)
        return out

    async def _download(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        path = request.match_info["path"]
        file_id = self._paths.get(path)
        params = {"file_path": path}
        if not self._check_token(request.match_info["token"]) or file_id is None:
            payload = {"ok": False, "error_code": 404, "description": "Not Found"}
            await self._record("downloadFile", params, started, 404, payload, dict(request.headers))
            return json_response(payload, 404)
        content = self._files[file_id].content
        await self._record("downloadFile", params, started, 200, None, dict(request.headers))
        return web.Response(body=content, content_type="application/octet-stream")

    # ------------------------------------------------------------------ helpers for handlers

    @staticmethod
    def _default_type(chat: int | str) -> str:
        if isinstance(chat, str):
            return "channel"
        if chat > 0:
            return "private"
        return "supergroup" if chat <= -1_000_000_000_000 else "group"

    def _chat_config(self, chat: int | str) -> _ChatConfig:
        return self._chats.get(chat) or _ChatConfig(self._default_type(chat))

    def _chat_obj(self, chat: int | str) -> dict[str, Any]:
        cfg = self._chat_config(chat)
        obj: dict[str, Any] = {"id": chat if isinstance(chat, int) else -1_000_000_000_001, "type": cfg.type}
        if cfg.type == "private":
            obj["first_name"] = cfg.first_name or "User"
            if cfg.username:
                obj["username"] = cfg.username
        else:
            obj["title"] = cfg.title or f"Chat {chat}"
            if cfg.username:
                obj["username"] = cfg.username
            if cfg.is_forum:
                obj["is_forum"] = True
        return obj

    def _target_chat(self, params: dict[str, Any], key: str = "chat_id") -> int | str:
        if params.get(key) in (None, ""):
            raise _bad(f"{key} is empty")
        chat = _norm_chat(params[key])
        if chat in self.missing_chats:
            raise _bad("chat not found")
        if chat in self.blocked_chats:
            if self._chat_config(chat).type == "private":
                raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
            raise TelegramApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        return chat

    def _check_thread(self, chat: int | str, params: dict[str, Any]) -> int | None:
        thread = params.get("message_thread_id")
        if thread in (None, ""):
            return None
        thread = int(thread)
        cfg = self._chat_config(chat)
        # Thread 1 is the forum's General topic; other ids must be topics we created.
        if cfg.is_forum and thread != 1 and (chat, thread) not in self.topics:
            raise _bad("message thread not found")
        return thread

    def _check_rate(self, chat: int | str) -> None:
        if self.limits is None:
            return
        now = time.monotonic()

        def over(times: deque[float], window: float, limit: int) -> int | None:
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                return max(1, math.ceil(times[0] + window - now))
            return None

        per_chat = self._sent_by_chat[chat]
        is_private = isinstance(chat, int) and chat > 0
        retry = over(self._sent_all, 1.0, self.limits.global_per_second)
        if retry is None:
            if is_private:
                retry = over(per_chat, 1.0, self.limits.private_per_second)
            else:
                retry = over(per_chat, self.limits.group_window_seconds, self.limits.group_per_minute)
        if retry is not None:
            raise TelegramApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)

    def _count_sent(self, chat: int | str) -> None:
        if self.limits is None:
            return
        now = time.monotonic()
        self._sent_by_chat[chat].append(now)
        self._sent_all.append(now)

    def _validate_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                    if not actions:
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
            return markup
        return markup

    def _next_id(self, chat: int | str) -> int:
        self._last_msg_id[chat] += 1
        return self._last_msg_id[chat]

    def _base_message(self, chat: int | str, params: dict[str, Any], thread: int | None) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": self._next_id(chat),
            "from": {k: self.me[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": self._chat_obj(chat),
            "date": int(time.time()),
        }
        if thread is not None:
            msg["message_thread_id"] = thread
            if self._chat_config(chat).is_forum:
                msg["is_topic_message"] = True
        reply_to = params.get("reply_to_message_id")
        reply_params = params.get("reply_parameters")
        if isinstance(reply_params, dict) and reply_params.get("message_id") is not None:
            reply_to = reply_params["message_id"]
        if reply_to not in (None, ""):
            replied = self._messages.get((chat, int(reply_to)))
            if replied is not None:
                msg["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            elif self.strict_message_refs and not (
                isinstance(reply_params, dict) and reply_params.get("allow_sending_without_reply")
            ):
                raise _bad("message to be replied not found")
        return msg

    def _store(self, chat: int | str, msg: dict[str, Any]) -> dict[str, Any]:
        self._messages[(chat, msg["message_id"])] = msg
        self._count_sent(chat)
        return msg

    def _new_file_id(self, kind: str) -> str:
        self._file_seq += 1
        return f"fake-{kind}-{self._file_seq}"

    def _file_from_param(self, value: Any, kind: str, default_name: str) -> dict[str, Any]:
        """Turn a photo/document param (upload, file_id or URL) into file metadata."""
        if isinstance(value, UploadedFile):
            file_id = self._new_file_id(kind)
            name = value.filename or default_name
            self.add_file(file_id, value.content, f"{kind}s/{file_id}_{name}")
            return {
                "file_id": file_id,
                "file_unique_id": self._files[file_id].unique_id,
                "file_size": len(value.content),
                "file_name": name,
                "mime_type": value.content_type or "application/octet-stream",
            }
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {kind} in the request")
        known = self._files.get(value)
        if known is not None:
            return {"file_id": value, "file_unique_id": known.unique_id, "file_size": len(known.content)}
        file_id = value if not value.startswith(("http://", "https://")) else self._new_file_id(kind)
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}"[:32]}

    @staticmethod
    def _caption(params: dict[str, Any]) -> dict[str, Any]:
        """Validated caption fields to merge into a message (empty when there is none)."""
        caption = params.get("caption")
        if caption in (None, ""):
            return {}
        plain, entities = render_text(str(caption), params.get("parse_mode"))
        if len(plain) > MAX_CAPTION:
            raise _bad("message caption is too long")
        fields: dict[str, Any] = {"caption": plain}
        if params.get("caption_entities"):
            entities = params["caption_entities"]
        if entities:
            fields["caption_entities"] = entities
        return fields

    # ------------------------------------------------------------------ methods

    def _method_table(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "createForumTopic": self._create_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "sendChatAction": self._send_chat_action,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._pin_chat_message,
            "getFile": self._get_file,
            "leaveChat": self._leave_chat,
        }

    async def _true(self, params: dict[str, Any], token: str) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        head = token.split(":", 1)[0]
        me = dict(self.me)
        if self.token is None and head.isdigit():
            me["id"] = int(head)
        return me

    async def _get_updates(self, params: dict[str, Any], token: str) -> list[dict[str, Any]]:
        if self.webhook.url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal()  # an older poll still waiting is terminated, as Telegram does
        self._set_allowed(params.get("allowed_updates"))
        offset = params.get("offset")
        if offset not in (None, ""):
            offset = int(offset)
            if offset < 0:
                self.updates = self.updates[offset:]
            else:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), self.max_poll_timeout)
        deadline = time.monotonic() + timeout
        while True:
            self._filter_allowed()
            if self.updates or self._closing.is_set():
                return self.updates[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            signal = self._update_signal
            self.polls_waiting += 1
            await self._notify()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(signal.wait(), remaining)
            finally:
                self.polls_waiting -= 1
            if self._poll_generation != generation:
                raise TelegramApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )

    async def _set_webhook(self, params: dict[str, Any], token: str) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret not in (None, "") and not _SECRET_TOKEN_RE.match(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if url and not str(url).startswith(("http://", "https://")):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self._set_allowed(params.get("allowed_updates"))
        self.webhook = WebhookState(
            url=str(url),
            secret_token=str(secret) if secret not in (None, "") else None,
            max_connections=int(params.get("max_connections") or 40),
            allowed_updates=params.get("allowed_updates"),
        )
        self._signal()
        return True

    async def _delete_webhook(self, params: dict[str, Any], token: str) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = WebhookState()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.last_error_date:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    async def _send_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        text = params.get("text")
        if text in (None, ""):
            raise _bad("message text is empty")
        plain, entities = render_text(str(text), params.get("parse_mode"))
        if not plain.strip():
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT:
            raise _bad("message is too long")
        markup = self._validate_markup(params.get("reply_markup"))
        thread = self._check_thread(chat, params)
        self._check_rate(chat)
        msg = self._base_message(chat, params, thread)
        msg["text"] = plain
        if params.get("entities"):
            entities = params["entities"]
        if entities:
            msg["entities"] = entities
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return self._store(chat, msg)

    def _find_message(self, params: dict[str, Any]) -> tuple[int | str, dict[str, Any]]:
        chat = self._target_chat(params)
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        msg = self._messages.get((chat, int(params["message_id"])))
        if msg is None:
            raise _bad("message to edit not found")
        return chat, msg

    async def _edit_message_text(self, params: dict[str, Any], token: str) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        _chat, msg = self._find_message(params)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        text = params.get("text")
        if text in (None, ""):
            raise _bad("message text is empty")
        plain, entities = render_text(str(text), params.get("parse_mode"))
        if len(plain) > MAX_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        markup = self._validate_markup(params.get("reply_markup"))
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if params.get("entities"):
            entities = params["entities"]
        if (
            plain == msg.get("text")
            and entities == msg.get("entities", [])
            and new_markup == msg.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        msg["text"] = plain
        if entities:
            msg["entities"] = entities
        else:
            msg.pop("entities", None)
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        return msg

    async def _edit_message_reply_markup(self, params: dict[str, Any], token: str) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        _chat, msg = self._find_message(params)
        markup = self._validate_markup(params.get("reply_markup"))
        new_markup = markup if markup and "inline_keyboard" in markup and markup["inline_keyboard"] else None
        if new_markup == msg.get("reply_markup"):
            raise _bad(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        return msg

    async def _delete_message(self, params: dict[str, Any], token: str) -> bool:
        chat = self._target_chat(params)
        key = (chat, int(params.get("message_id") or 0))
        if key not in self._messages:
            raise _bad("message to delete not found")
        del self._messages[key]
        return True

    async def _answer_callback_query(self, params: dict[str, Any], token: str) -> bool:
        if not params.get("callback_query_id"):
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any], token: str) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _COMMAND_RE.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any], token: str) -> list[dict[str, Any]]:
        return self.commands.get(self._scope_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any], token: str) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    async def _get_chat(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = _norm_chat(params.get("chat_id"))
        if chat in self.missing_chats:
            raise _bad("chat not found")
        info = self._chat_obj(chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    async def _get_chat_member(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = _norm_chat(params.get("chat_id"))
        if chat in self.missing_chats:
            raise _bad("chat not found")
        if params.get("user_id") in (None, ""):
            raise _bad("user_id is empty")
        user_id = int(params["user_id"])
        default = "left"
        if user_id == self.me["id"] and self._chat_config(chat).type != "private":
            default = "administrator"  # the bot is normally an admin of the chats it works in
        status, user = self._members.get((chat, user_id), (default, None))
        if user is None:
            user = (
                {k: self.me[k] for k in ("id", "is_bot", "first_name", "username")}
                if user_id == self.me["id"]
                else {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
            )
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    **{
                        flag: True
                        for flag in (
                            "can_manage_chat",
                            "can_delete_messages",
                            "can_manage_video_chats",
                            "can_restrict_members",
                            "can_promote_members",
                            "can_change_info",
                            "can_invite_users",
                            "can_post_stories",
                            "can_edit_stories",
                            "can_delete_stories",
                            "can_send_welcome_messages",
                            "can_pin_messages",
                            "can_manage_topics",
                        )
                    },
                }
            )
        elif status == "restricted":
            member.update(
                {
                    "is_member": True,
                    "until_date": 0,
                    **{
                        flag: False
                        for flag in (
                            "can_send_messages",
                            "can_send_audios",
                            "can_send_documents",
                            "can_send_photos",
                            "can_send_videos",
                            "can_send_video_notes",
                            "can_send_voice_notes",
                            "can_send_polls",
                            "can_send_other_messages",
                            "can_add_web_page_previews",
                            "can_react_to_messages",
                            "can_edit_tag",
                            "can_change_info",
                            "can_invite_users",
                            "can_pin_messages",
                            "can_manage_topics",
                        )
                    },
                }
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _topic(self, params: dict[str, Any]) -> ForumTopicState:
        chat = self._target_chat(params)
        if not self._chat_config(chat).is_forum:
            raise _bad("the chat is not a forum")
        topic = self.topics.get((chat, int(params.get("message_thread_id") or 0)))
        if topic is None:
            raise _bad("TOPIC_ID_INVALID")
        return topic

    async def _create_forum_topic(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        if not self._chat_config(chat).is_forum:
            raise _bad("the chat is not a forum")
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise _bad("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        # A topic's id is the id of the service message that created it, so topics share
        # the chat's message-id sequence, as on Telegram.
        thread_id = self._next_id(chat)
        topic = ForumTopicState(
            chat_id=chat if isinstance(chat, int) else 0,
            message_thread_id=thread_id,
            name=name,
            icon_color=int(params.get("icon_color") or 7322096),
            icon_custom_emoji_id=params.get("icon_custom_emoji_id") or None,
        )
        self.topics[(chat, thread_id)] = topic
        result: dict[str, Any] = {
            "message_thread_id": thread_id,
            "name": name,
            "icon_color": topic.icon_color,
        }
        if topic.icon_custom_emoji_id:
            result["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
        return result

    async def _close_forum_topic(self, params: dict[str, Any], token: str) -> bool:
        topic = self._topic(params)
        if topic.closed:
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    async def _reopen_forum_topic(self, params: dict[str, Any], token: str) -> bool:
        topic = self._topic(params)
        if not topic.closed:
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _edit_forum_topic(self, params: dict[str, Any], token: str) -> bool:
        topic = self._topic(params)
        name = params.get("name")
        emoji = params.get("icon_custom_emoji_id")
        if name is not None and not 1 <= len(str(name)) <= 128:
            raise _bad("TOPIC_TITLE_TOO_LONG" if name else "TOPIC_TITLE_EMPTY")
        if (name is None or name == topic.name) and (emoji is None or emoji == topic.icon_custom_emoji_id):
            raise _bad("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = str(name)
        if emoji is not None:
            topic.icon_custom_emoji_id = str(emoji) or None
        return True

    async def _send_photo(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption = self._caption(params)
        thread = self._check_thread(chat, params)
        markup = self._validate_markup(params.get("reply_markup"))
        self._check_rate(chat)
        meta = self._file_from_param(params.get("photo"), "photo", "photo.jpg")
        msg = self._base_message(chat, params, thread) | caption
        size = {
            "file_id": meta["file_id"],
            "file_unique_id": meta["file_unique_id"],
            "width": 800,
            "height": 600,
        }
        if "file_size" in meta:
            size["file_size"] = meta["file_size"]
        msg["photo"] = [size]
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return self._store(chat, msg)

    async def _send_document(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption = self._caption(params)
        thread = self._check_thread(chat, params)
        markup = self._validate_markup(params.get("reply_markup"))
        self._check_rate(chat)
        meta = self._file_from_param(params.get("document"), "document", "document")
        msg = self._base_message(chat, params, thread) | caption
        msg["document"] = meta
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return self._store(chat, msg)

    async def _send_media_group(self, params: dict[str, Any], token: str) -> list[dict[str, Any]]:
        chat = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the album: must be 2-10")
        thread = self._check_thread(chat, params)
        self._check_rate(chat)
        self._media_group_seq += 1
        group_id = str(10_000_000 + self._media_group_seq)
        out = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in {"photo", "document", "video", "audio"}:
                raise _bad("can't parse InputMedia JSON object")
            kind = item["type"]
            meta = self._file_from_param(item.get("media"), kind, kind)
            msg = self._base_message(chat, params, thread)
            msg["media_group_id"] = group_id
            msg.update(self._caption(item))
            if kind == "photo":
                msg["photo"] = [
                    {
                        "file_id": meta["file_id"],
                        "file_unique_id": meta["file_unique_id"],
                        "width": 800,
                        "height": 600,
                    }
                ]
            else:
                msg[kind] = meta
            self._messages[(chat, msg["message_id"])] = msg
            out.append(msg)
        self._count_sent(chat)
        return out

    def _source_message(self, params: dict[str, Any], verb: str) -> dict[str, Any] | None:
        source_chat = _norm_chat(params.get("from_chat_id"))
        if source_chat in self.missing_chats:
            raise _bad("chat not found")
        source = self._messages.get((source_chat, int(params.get("message_id") or 0)))
        if source is None and self.strict_message_refs:
            raise _bad(f"message to {verb} not found")
        return source

    async def _copy_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        source = self._source_message(params, "copy")
        thread = self._check_thread(chat, params)
        markup = self._validate_markup(params.get("reply_markup"))
        self._check_rate(chat)
        msg = self._base_message(chat, params, thread)
        if source is not None:
            for key in (
                "text",
                "entities",
                "photo",
                "document",
                "caption",
                "caption_entities",
                "sticker",
                "contact",
            ):
                if key in source:
                    msg[key] = source[key]
        msg.update(self._caption(params))
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._store(chat, msg)
        return {"message_id": msg["message_id"]}

    async def _forward_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        chat = self._target_chat(params)
        source = self._source_message(params, "forward")
        thread = self._check_thread(chat, params)
        self._check_rate(chat)
        msg = self._base_message(chat, params, thread)
        if source is not None and isinstance(source.get("from"), dict):
            msg["forward_origin"] = {
                "type": "user",
                "date": source.get("date", 0),
                "sender_user": source["from"],
            }
        else:
            msg["forward_origin"] = {
                "type": "hidden_user",
                "date": int(time.time()),
                "sender_user_name": "Unknown",
            }
        if source is not None:
            for key in (
                "text",
                "entities",
                "photo",
                "document",
                "caption",
                "caption_entities",
                "sticker",
                "contact",
            ):
                if key in source:
                    msg[key] = source[key]
        return self._store(chat, msg)

    async def _send_chat_action(self, params: dict[str, Any], token: str) -> bool:
        chat = self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._check_thread(chat, params)
        return True

    async def _pin_chat_message(self, params: dict[str, Any], token: str) -> bool:
        self._target_chat(params)
        return True

    async def _leave_chat(self, params: dict[str, Any], token: str) -> bool:
        chat = self._target_chat(params)
        if self._chat_config(chat).type == "private":
            raise _bad("chat member status can't be changed in private chats")
        self.left_chats.append(chat)
        return True

    async def _get_file(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    # ------------------------------------------------------------------ assertions helpers

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of delivered sendMessage calls, exactly as the client sent them (markup
        included, so escaping can be asserted), optionally for one chat."""
        want = _norm_chat(chat_id) if chat_id is not None else None
        return [
            str(c.params.get("text"))
            for c in self.calls
            if c.method == "sendMessage"
            and c.ok
            and (want is None or _norm_chat(c.params.get("chat_id")) == want)
        ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Message objects the fake returned for delivered send calls (rendered text, ids)."""
        want = _norm_chat(chat_id) if chat_id is not None else None
        out: list[dict[str, Any]] = []
        for c in self.calls:
            if not c.ok or not c.method.startswith(("send", "forward")) or c.method == "sendChatAction":
                continue
            result = c.response["result"]
            for msg in result if isinstance(result, list) else [result]:
                if want is None or msg["chat"]["id"] == want:
                    out.append(msg)
        return out


__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeTelegramServer",
    "ForumTopicState",
    "TelegramApiError",
    "TelegramLimits",
    "UploadedFile",
    "WebhookResult",
    "check_markdown_v2",
    "parse_html",
    "render_text",
]
