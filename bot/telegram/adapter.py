"""Telegram adapter on aiogram 3: updates → neutral events, neutral replies → Bot API calls.

Messages are sent as plain text (no parse_mode), so nothing a person types can ever be
interpreted as HTML or Markdown by Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    ForceReply,
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.delivery.channel import Misplaced, Pacer, PermanentFailure, RetryLater, SendResult, sent_parts
from bot.delivery.ratelimit import Limit
from bot.telegram.inbound import CHANNEL as CHANNEL
from bot.telegram.inbound import message_to_incoming as message_to_incoming
from bot.telegram.inbound import update_to_incoming as update_to_incoming
from bot.telegram.session import KeptModelsSession
from bot.telegram.staff_group import CaseTopics
from handlers.citizen.language import texts_for
from handlers.events import AttachmentRef, Reply
from handlers.textutil import split_message

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
# The "/" menus and set_commands live in bot.telegram.menus.


def make_bot(token: str, api_base: str | None = None) -> Bot:
    session = (
        KeptModelsSession(api=TelegramAPIServer.from_base(api_base)) if api_base else KeptModelsSession()
    )
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))


# -- outgoing ----------------------------------------------------------------------------


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    columns = max(1, reply.columns)
    buttons = [InlineKeyboardButton(text=c.label, callback_data=c.key[:64]) for c in reply.choices]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def contact_keyboard(reply: Reply) -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(text=texts_for(reply.language).SHARE_CONTACT, request_contact=True)]]
    rows += [[KeyboardButton(text=c.label)] for c in reply.choices]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)


class TelegramSender:
    """Delivers outbox rows through the Bot API.

    One row may take several calls: a forum topic for a new case, its attachments, a text longer
    than 4,096 characters in parts. The outbox worker paces the first call; the others are paced
    here with the same limiter (``use_limiter``), so a burst of such rows stays within Telegram's
    limits. When a call fails midway, the error carries what already went out (parts sent, the
    topic created, the first message's id); the outbox stores it in the row and the next attempt
    resumes after it — no second topic, no part sent twice.
    """

    channel = CHANNEL

    def __init__(
        self,
        bot: Bot,
        *,
        global_per_second: float = 25,
        per_chat_per_second: float = 1,
        group_per_minute: float = 19,
    ) -> None:
        self.bot = bot
        self._global = Limit(int(global_per_second), 1.0)
        self._private = Limit(1, 1.0 / per_chat_per_second + 0.05)
        self._group = Limit(int(group_per_minute), 60.0)
        self._forum: dict[int, bool] = {}
        self._topics = CaseTopics(bot)
        self._pacer: Pacer | None = None

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        # The chat's own window goes last: a 429's retry_after blocks that one.
        chat_limit = self._group if chat_id.startswith("-") else self._private
        return [("tg:global", self._global), (f"tg:{chat_id}", chat_limit)]

    def use_limiter(self, limiter: Pacer) -> None:
        """Called by the outbox worker: the first call of a row is paced by the worker, the rest here."""
        self._pacer = limiter

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        try:
            return await self._send(chat_id, payload)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            raise delivery_error(exc) from exc

    async def _send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        reply = Reply.from_dict(payload)
        if payload.get("edit_message_id"):
            return await self._edit(chat_id, int(payload["edit_message_id"]), reply)
        if payload.get("skip"):
            return SendResult()
        if "topic_name" in payload:  # a case topic follows its case (bot.telegram.staff_group)
            return await self._topics.apply(chat_id, payload, _RowProgress(self, chat_id, {}).pace)
        row = _RowProgress(self, chat_id, payload)
        thread_id = row.thread_id
        reply_to = payload.get("reply_to_message_id")
        common: dict[str, Any] = {"chat_id": int(chat_id)}
        topic_name = payload.get("create_topic")
        if topic_name and not thread_id and await self._is_forum(int(chat_id)):
            await row.pace()
            try:
                topic = await self.bot.create_forum_topic(chat_id=int(chat_id), name=str(topic_name)[:128])
            except (TelegramAPIError, TelegramNetworkError) as exc:
                raise row.failed(exc) from exc
            thread_id = row.thread_id = topic.message_thread_id
        if thread_id:
            common["message_thread_id"] = int(thread_id)
        if reply.request_contact:
            markup: Any = contact_keyboard(reply)
        else:
            markup = inline_keyboard(reply)
            if markup is None and not chat_id.startswith("-") and payload.get("clear_keyboard", True):
                markup = ReplyKeyboardRemove()
            if payload.get("force_reply"):  # a staff prompt: the reply box opens for who it names
                markup = ForceReply(force_reply=True, selective=True)
        texts = split_message(reply.text, MAX_TEXT) if reply.text else []
        # Every call of the row, in order: the attachments, then the text (buttons on its last part).
        calls: list[Callable[[], Awaitable[Message]]] = [
            partial(self._send_attachment, common, attachment, reply_to) for attachment in reply.attachments
        ]
        calls += [
            partial(
                self.bot.send_message,
                text=part,
                reply_markup=markup if index == len(texts) - 1 else None,
                reply_to_message_id=reply_to if index == 0 and reply_to else None,
                **common,
            )
            for index, part in enumerate(texts)
        ]
        for index in range(row.done, len(calls)):
            await row.pace()
            try:
                sent = await calls[index]()
            except (TelegramAPIError, TelegramNetworkError) as exc:
                raise row.failed(exc) from exc
            row.sent(index, sent.message_id)
        first_id = row.first_message_id
        return SendResult(message_id=str(first_id) if first_id else None, thread_id=thread_id)

    async def _edit(self, chat_id: str, message_id: int, reply: Reply) -> SendResult:
        """Refresh a message in place (the case card after a status change)."""
        try:
            await self.bot.edit_message_text(
                chat_id=int(chat_id),
                message_id=message_id,
                text=reply.text[:MAX_TEXT],
                reply_markup=inline_keyboard(reply),
            )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                raise
        return SendResult(message_id=str(message_id))

    async def _is_forum(self, chat_id: int) -> bool:
        """Forum supergroups get one topic per case; plain groups use the card's reply thread."""
        if chat_id not in self._forum:
            chat = await self.bot.get_chat(chat_id)
            self._forum[chat_id] = bool(getattr(chat, "is_forum", False))
        return self._forum[chat_id]

    async def _send_attachment(
        self, common: dict[str, Any], attachment: AttachmentRef, reply_to: int | None
    ) -> Message:
        caption = (attachment.file_name or "")[:MAX_CAPTION] or None
        if attachment.kind == "upload":
            # A file the bot wrote itself (report workbook, chart under jobs.reports_dir), uploaded
            # from disk. Adapters never produce this kind from incoming messages.
            path = Path(attachment.file_ref)
            if not path.is_file():
                raise PermanentFailure(f"generated file is gone: {path.name}")
            upload = FSInputFile(path, filename=attachment.file_name or path.name)
            if (attachment.mime_type or "").startswith("image/"):
                return await self.bot.send_photo(
                    photo=upload, caption=caption, reply_to_message_id=reply_to, **common
                )
            return await self.bot.send_document(
                document=upload, caption=caption, reply_to_message_id=reply_to, **common
            )
        if attachment.kind == "photo":
            return await self.bot.send_photo(
                photo=attachment.file_ref, caption=caption, reply_to_message_id=reply_to, **common
            )
        if attachment.file_ref.startswith(("http://", "https://")) and (attachment.mime_type or "") not in (
            "application/pdf",
            "application/zip",
        ):
            # Telegram fetches documents by URL only for PDF and ZIP: give staff the link instead.
            text = f"📎 {attachment.file_name or 'Tệp đính kèm'}: {attachment.file_ref}"
            return await self.bot.send_message(text=text, reply_to_message_id=reply_to, **common)
        return await self.bot.send_document(
            document=attachment.file_ref, caption=caption, reply_to_message_id=reply_to, **common
        )


class _RowProgress:
    """What one outbox row has delivered so far, across attempts (kept in its payload)."""

    def __init__(self, sender: TelegramSender, chat_id: str, payload: dict[str, Any]) -> None:
        self.sender = sender
        self.chat_id = chat_id
        self.done = sent_parts(payload)
        self.thread_id: int | None = payload.get("thread_id")
        self.first_message_id: int | None = payload.get("first_message_id")
        self._calls = 0

    async def pace(self) -> None:
        """Wait for the rate limiter before every call but the first (the worker paced that one)."""
        if self._calls and self.sender._pacer is not None:
            await self.sender._pacer.acquire(self.sender.limits(self.chat_id))
        self._calls += 1

    def sent(self, index: int, message_id: int) -> None:
        self.done = index + 1
        self.first_message_id = self.first_message_id or message_id

    def failed(self, exc: TelegramAPIError | TelegramNetworkError) -> Exception:
        error = delivery_error(exc)
        progress: dict[str, Any] = {}
        if self.done:
            progress["sent_parts"] = self.done
            progress["first_message_id"] = self.first_message_id
        if self.thread_id:
            progress["thread_id"] = self.thread_id  # the topic exists now: never create a second
        if progress:
            error.progress = progress  # type: ignore[attr-defined]  # read by bot.delivery.outbox
        return error


# Bad Request descriptions that say the message's place is gone, not that the message is wrong:
# a deleted forum topic (also seen on very large forums), a deleted card or replied-to message.
_PLACE_GONE = ("thread not found", "to edit not found", "replied not found", "replied message not found")


def delivery_error(exc: TelegramAPIError | TelegramNetworkError) -> Exception:
    """aiogram's exception as the outbox understands it: retry later, or give up."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryLater("Telegram: too many requests", float(exc.retry_after))
    if isinstance(exc, TelegramServerError | TelegramNetworkError):
        return RetryLater(f"Telegram: {type(exc).__name__}")
    if isinstance(exc, TelegramForbiddenError):
        return PermanentFailure(f"Telegram: {exc.message}")
    if isinstance(exc, TelegramMigrateToChat):
        return PermanentFailure(f"Telegram: chat migrated to {exc.migrate_to_chat_id}")
    if isinstance(exc, TelegramBadRequest) and any(gone in exc.message.lower() for gone in _PLACE_GONE):
        return Misplaced(f"Telegram: {exc.message}")
    if isinstance(exc, TelegramBadRequest | TelegramNotFound | TelegramUnauthorizedError):
        return PermanentFailure(f"Telegram: {exc.message}")
    return RetryLater(f"Telegram: {exc.message}")
