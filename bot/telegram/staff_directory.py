"""Who is staff: members of the staff group (asked of the Bot API, cached) plus the allowlist."""

from __future__ import annotations

import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

log = logging.getLogger(__name__)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


class TelegramStaffDirectory:
    def __init__(
        self,
        bot: Bot,
        staff_chat_id: int | None,
        *,
        allowlist: list[int],
        leaders: list[int],
        cache_seconds: float = 300,
    ) -> None:
        self.bot = bot
        self.staff_chat_id = staff_chat_id
        self.allowlist = {str(u) for u in allowlist}
        self.leaders = {str(u) for u in leaders}
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[bool, float]] = {}

    def is_leader(self, user_id: str) -> bool:
        return user_id in self.leaders

    async def is_staff(self, user_id: str) -> bool:
        if user_id in self.allowlist or user_id in self.leaders:
            return True
        if self.staff_chat_id is None or not user_id.lstrip("-").isdigit():
            return False
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached and now - cached[1] < self.cache_seconds:
            return cached[0]
        try:
            member = await self.bot.get_chat_member(chat_id=self.staff_chat_id, user_id=int(user_id))
            status = str(getattr(member.status, "value", member.status))
            is_member = status in MEMBER_STATUSES and (
                status != "restricted" or bool(getattr(member, "is_member", True))
            )
        except TelegramAPIError as exc:
            # Unknown means no: a failed check must never grant staff rights.
            log.warning("getChatMember failed: %s", type(exc).__name__)
            return cached[0] if cached else False
        self._cache[user_id] = (is_member, now)
        return is_member
