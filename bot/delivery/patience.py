"""How long the outbox keeps trying, and what it says while it does (issue #17).

A Telegram outage of hours must not lose the queue. So:

* a row is given up by **age**, not by count: transient failures (5xx, network) are retried
  with a backoff capped at `max_backoff` seconds until the row is `give_up_after` old; then it
  becomes ``expired`` — kept, visible (``health``), and re-driven as soon as its channel
  delivers again (``Recovery``);
* a 429's ``retry_after`` is a wait the messenger asked for, not a failure: it is not counted;
* rows waiting longer than `stuck_after` are an ERROR in the log (once per stretch) and an alert
  to the staff group, which goes first in the group's queue as soon as Telegram takes messages
  again; a second note says when the queue is moving again (``StuckWatch``).

Permanent failures (blocked, chat gone) stay ``failed`` and are never re-driven.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from handlers.events import Outgoing, Reply
from storage.db import Database
from storage.models import OutboxMessage, aware

log = logging.getLogger(__name__)

# The staff group reads these (Vietnamese first; operators read the log lines in English).
STUCK_ALERT = (
    "⚠️ Bot chưa gửi được {count} tin nhắn (tin lâu nhất đã chờ {minutes} phút). Lỗi gần nhất: {error}.\n"
    "Bot vẫn tự gửi lại theo đúng thứ tự, không tin nào bị mất. Nếu kéo dài, vui lòng báo quản trị viên."
)
RECOVERED_NOTE = "✅ Bot đã gửi lại được các tin bị chậm; hàng đợi tin nhắn đã thông."
# Purpose of those two rows: first in the group's queue, and not counted as stuck themselves.
ALERT_PURPOSE = "alert"
UNSENT = ("pending", "claimed", "sending")
# What the Telegram sender records for an outage (bot.telegram.adapter.delivery_error): rows an
# older version failed with these after its twelve tries are sent again (Recovery.adopt_given_up).
TRANSIENT_ERRORS = (
    "Telegram: TelegramServerError",
    "Telegram: TelegramNetworkError",
    "Telegram: too many requests",
)
# How far back such rows are looked for.
ADOPT_WITHIN = timedelta(days=7)


def backoff(attempts: int, cap: float) -> float:
    """Seconds before the next try after `attempts` failures: doubling, capped, with jitter
    (several workers and chats must not all come back in the same second)."""
    return min(cap, 2.0 ** min(attempts, 30)) * random.uniform(0.5, 1.0)


def expired_by_age(created_at: datetime, now: datetime, give_up_after: timedelta) -> bool:
    return aware(now) - aware(created_at) >= give_up_after


class Recovery:
    """Channels that failed (or may have, before a restart): the first delivery on one of them
    sends its expired rows again, in their order (each chat still sends its oldest first)."""

    def __init__(self, db: Database, channels: Iterable[str], clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock
        # After a restart nobody knows what happened meanwhile: the first success re-drives.
        self.troubled: set[str] = set(channels)

    def failed(self, channel: str) -> None:
        self.troubled.add(channel)

    async def delivered(self, channel: str) -> int:
        if channel not in self.troubled:
            return 0
        self.troubled.discard(channel)
        async with self.db.begin() as connection:
            result = await connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.channel) == channel, col(OutboxMessage.status) == "expired")
                .values(status="pending", next_attempt_at=self.clock(), claimed_by=None)
            )
        redriven = int(result.rowcount or 0)
        if redriven:
            log.warning("outbox: %s delivers again; %d expired message(s) queued again", channel, redriven)
        return redriven

    async def adopt_given_up(self, within: timedelta) -> int:
        """Rows an older version marked failed after its twelve tries during an outage (5xx,
        network, 429: not the row's fault) are queued again (past the age limit they expire after
        one more try, and go with the next delivery); permanent failures (blocked, chat gone)
        stay failed. Run once at start."""
        async with self.db.begin() as connection:
            result = await connection.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.status) == "failed",
                    col(OutboxMessage.last_error).in_(TRANSIENT_ERRORS),
                    col(OutboxMessage.created_at) >= self.clock() - within,
                )
                .values(status="pending", next_attempt_at=self.clock(), claimed_by=None)
            )
        adopted = int(result.rowcount or 0)
        if adopted:
            log.warning("outbox: %d message(s) given up during an earlier outage will be sent again", adopted)
        return adopted


class StuckWatch:
    """Notices rows waiting longer than `stuck_after`: one ERROR line and one alert per stretch."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        stuck_after: timedelta,
        alert_chat: tuple[str, str] | None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.stuck_after = stuck_after
        self.alert_chat = alert_chat
        self.alerted = False

    async def check(self) -> list[Outgoing]:
        """The alert or the all-clear to store, if the state changed."""
        stuck, oldest, error = await self._stuck()
        if stuck and not self.alerted:
            self.alerted = True
            minutes = int((aware(self.clock()) - aware(oldest)).total_seconds() // 60) if oldest else 0
            log.error(
                "outbox: %d message(s) waiting more than %.0f min (oldest %d min); last error: %s",
                stuck,
                self.stuck_after.total_seconds() / 60,
                minutes,
                error or "none yet",
            )
            text = STUCK_ALERT.format(count=stuck, minutes=minutes, error=(error or "chưa rõ")[:200])
            return self._to_staff(text)
        if not stuck and self.alerted:
            self.alerted = False
            log.warning(
                "outbox: messages are moving again; nothing waits more than %.0f min",
                self.stuck_after.total_seconds() / 60,
            )
            return self._to_staff(RECOVERED_NOTE)
        return []

    def _to_staff(self, text: str) -> list[Outgoing]:
        if self.alert_chat is None:
            return []
        channel, chat_id = self.alert_chat
        return [Outgoing(channel, chat_id, Reply(text), purpose=ALERT_PURPOSE)]

    async def _stuck(self) -> tuple[int, datetime | None, str | None]:
        cutoff = self.clock() - self.stuck_after
        waiting = (
            col(OutboxMessage.status).in_(UNSENT),
            col(OutboxMessage.created_at) < cutoff,
            col(OutboxMessage.purpose) != ALERT_PURPOSE,
        )
        async with self.db.session() as session:
            count, oldest = (
                await session.exec(select(func.count(), func.min(OutboxMessage.created_at)).where(*waiting))  # type: ignore[call-overload]
            ).one()
            error = None
            if count:
                error = (
                    await session.exec(
                        select(OutboxMessage.last_error)
                        .where(*waiting, col(OutboxMessage.last_error).is_not(None))
                        .order_by(col(OutboxMessage.id).desc())
                        .limit(1)
                    )
                ).first()
        return int(count or 0), oldest, error


async def health(db: Database, clock: Callable[[], datetime], stuck_after: timedelta) -> dict[str, Any]:
    """For /healthz and operators: what waits, what is stuck, what was given up."""
    now = clock()
    async with db.session() as session:
        unsent, oldest = (
            await session.exec(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    col(OutboxMessage.status).in_(UNSENT)
                )  # type: ignore[call-overload]
            )
        ).one()
        stuck = (
            await session.exec(
                select(func.count()).where(
                    col(OutboxMessage.status).in_(UNSENT), col(OutboxMessage.created_at) < now - stuck_after
                )
            )
        ).one()
        expired = (
            await session.exec(select(func.count()).where(col(OutboxMessage.status) == "expired"))
        ).one()
    return {
        "unsent": int(unsent or 0),
        "stuck": int(stuck or 0),
        "expired": int(expired or 0),
        "oldest_unsent_seconds": round((aware(now) - aware(oldest)).total_seconds()) if oldest else 0,
    }
