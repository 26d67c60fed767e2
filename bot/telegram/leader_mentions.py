"""Calling the leaders by name in an escalation: ``@username`` when they have one (Telegram
notifies them), else their name, asked of the Bot API (getChatMember) and cached."""

from __future__ import annotations

import logging
import time as _time
from typing import Any

log = logging.getLogger(__name__)


class TelegramLeaderMentions:
    """How to call the leaders in a plain-text message: ``@username`` (Telegram notifies them),
    else their name. Asked of the Bot API (getChatMember) and cached for an hour."""

    def __init__(self, bot: Any, chat_id: int, leaders: list[int], cache_seconds: float = 3600) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.leaders = leaders
        self.cache_seconds = cache_seconds
        self._cache: tuple[float, list[str]] | None = None

    async def __call__(self) -> list[str]:
        if self._cache and _time.monotonic() - self._cache[0] < self.cache_seconds:
            return self._cache[1]
        names = []
        for leader in self.leaders:
            try:
                member = await self.bot.get_chat_member(chat_id=self.chat_id, user_id=leader)
            except Exception as exc:  # the escalation goes out without this name
                log.warning("getChatMember for a leader failed: %s", type(exc).__name__)
                continue
            user = member.user
            names.append(f"@{user.username}" if user.username else user.full_name)
        self._cache = (_time.monotonic(), names)
        return names
