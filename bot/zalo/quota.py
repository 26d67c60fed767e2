"""Telling people about a Zalo Bot quota: the operator (ERROR log), the staff group (once a day) and
the person (best effort, once a day each).

The Zalo Bot platform's basic plan is small (reported: 50 users per bot, 3,000 messages a month;
docs/zalo.md). What the API answers once a quota is spent is not documented: ``is_quota_error``
recognises the wording (an assumption to check first on a real bot, docs/zalo.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery.outbox import enqueue
from bot.zalo.texts import QUOTA_TO_STAFF
from handlers.events import Outgoing, Reply
from storage import repo
from storage.db import Database

log = logging.getLogger(__name__)

# Words of a refusal that means "your plan's quota is spent" rather than "slow down" (a rate limit
# carries retry_after). Lower case; matched in the API's description.
QUOTA_WORDS = ("quota", "hạn mức", "monthly", "per month", "user limit", "users limit", "plan limit")
# How long a message waits after a quota refusal before it is tried again.
QUOTA_WAIT = 3600.0
# The operator's ERROR line at most this often per process.
LOG_EVERY = 3600.0
STAFF_TOLD_KEY = "zalo_bot:quota_told"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def is_quota_error(status: int, description: str, retry_after: float | None) -> bool:
    if status == 401 or retry_after:
        return False
    text = description.lower()
    return any(word in text for word in QUOTA_WORDS)


class QuotaAlarm:
    """Raised by the Zalo Bot sender on each quota refusal; decides who is told and when.

    ``db``/``staff_chat_id``: where the daily staff notice goes (the Telegram staff group); without
    them only the log is written. The "once a day" mark lives in the KeyValue table, so several
    instances tell the group once between them.
    """

    def __init__(
        self,
        db: Database | None = None,
        staff_chat_id: int | str | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.staff_chat_id = str(staff_chat_id) if staff_chat_id not in (None, "") else None
        self.clock = clock
        self._logged_at = float("-inf")
        self._people_told: dict[str, str] = {}  # chat id → day told

    def _today(self) -> str:
        return datetime.fromtimestamp(self.clock(), HCM).date().isoformat()

    def person_due(self, chat_id: str) -> bool:
        """True once a day per person: the caller then tries to tell them (and it costs one call)."""
        today = self._today()
        if self._people_told.get(chat_id) == today:
            return False
        self._people_told[chat_id] = today
        return True

    async def raised(self, detail: str) -> None:
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            log.error(
                "Zalo Bot platform refuses messages for its quota (%s): replies wait and are retried "
                "hourly; upgrade the Zalo Bot plan or move people to the Zalo OA (docs/zalo.md)",
                detail,
            )
        if self.db is None or self.staff_chat_id is None:
            return
        try:
            await self._tell_staff_once_a_day(detail)
        except Exception:  # the notice must never stand in the way of the send's own handling
            log.warning("Zalo quota notice to the staff group not stored", exc_info=True)

    async def _tell_staff_once_a_day(self, detail: str) -> None:
        assert self.db is not None and self.staff_chat_id is not None
        today = self._today()
        async with self.db.session() as session:
            if await repo.kv_get(session, STAFF_TOLD_KEY) == today:
                return
            await repo.kv_set(session, STAFF_TOLD_KEY, today)
            notice = Reply(QUOTA_TO_STAFF.format(detail=detail[:200]))
            await enqueue(session, [Outgoing("telegram", self.staff_chat_id, notice, purpose="notice")])
