"""The staff group's side of Telegram: its own "/" menu, and case topics that follow their case.

A case's forum topic is renamed with the case's status icon, closed when the case is closed and
reopened with it (outbox rows of purpose "topic", handlers.staff.queue.Queue.card_refresh).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.delivery.channel import SendResult
from handlers.staff.texts import MENU

log = logging.getLogger(__name__)

STAFF_MENU = [BotCommand(command=command, description=description) for command, description in MENU]


async def set_staff_menu(bot: Bot, staff_chat_id: int) -> None:
    """The task force's commands in the group's menu (scope: that chat), not the citizens'."""
    try:
        await bot.set_my_commands(STAFF_MENU, scope=BotCommandScopeChat(chat_id=staff_chat_id))
    except TelegramAPIError as exc:
        # The bot not (yet) in the group: citizens are served all the same.
        log.warning("staff command menu not set: %s", exc)


class CaseTopics:
    """Renames, closes and reopens case topics; what Telegram already shows (this process's
    memory, or "TOPIC_NOT_MODIFIED") costs no further call."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        # Each topic's name and closed state as last set by this process.
        self._known: dict[tuple[str, int], tuple[str | None, bool | None]] = {}

    async def apply(
        self, chat_id: str, payload: dict[str, Any], pace: Callable[[], Awaitable[None]]
    ) -> SendResult:
        """`pace` waits for the rate limiter before every call but the first (the worker paced that one)."""
        thread_id = payload.get("thread_id")
        if not thread_id:
            return SendResult()  # a plain group: no topic
        key = (chat_id, int(thread_id))
        name, closed = str(payload["topic_name"])[:128], bool(payload.get("topic_closed"))
        known = self._known.get(key, (None, None))
        chat, thread = int(chat_id), int(thread_id)
        calls: list[Callable[[], Awaitable[bool]]] = []
        if known[0] != name:
            calls.append(
                partial(self.bot.edit_forum_topic, chat_id=chat, message_thread_id=thread, name=name)
            )
        if known[1] != closed:
            method = self.bot.close_forum_topic if closed else self.bot.reopen_forum_topic
            calls.append(partial(method, chat_id=chat, message_thread_id=thread))
        for index, call in enumerate(calls):
            if index:
                await pace()
            try:
                await call()
            except TelegramBadRequest as exc:
                if "not_modified" not in exc.message.lower().replace(" ", "_"):
                    raise
        self._known[key] = (name, closed)
        return SendResult()
