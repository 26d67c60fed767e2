"""Zalo OA reply window: per person, kept in the KeyValue table so every instance sees it.

Since 1/1/2026 consultation replies are free and unlimited within 48 hours of the person's last
message; from 48 hours to 7 days they are charged (and refused, -320/-321, without a linked Zalo
Cloud Account with balance); beyond 7 days Zalo refuses (-230/-232). So by default a reply more
than 48 hours after the person's last message is deferred and released when they write again;
the paid window (up to 7 days) is an explicit setting (docs/zalo.md 2.4).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.zalo.oa import REASON_QUOTA, REASON_WINDOW, WINDOW_KEY
from storage import repo
from storage.db import Database

FREE_WINDOW_HOURS = 48.0
PAID_WINDOW_HOURS = 168.0


@dataclass
class WindowState:
    last_in: float | None = None  # epoch seconds of the person's last message
    sent: int = 0  # replies sent since then
    refused: bool = False  # Zalo refused a send since then (-213/-218/-227/-230/-232)
    refused_reason: str = ""


class ReplyWindow:
    """Per-person reply window, kept in the KeyValue table so every instance sees it.

    ``hours``: how long after the person's last message replies may go (Zalo refuses after 7
    days; 48 avoids charged messages). ``free_messages``: replies allowed per window, 0 = no cap
    (a verified OA has none).
    """

    def __init__(
        self,
        db: Database,
        *,
        hours: float = FREE_WINDOW_HOURS,
        free_messages: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.hours = hours
        self.free_messages = free_messages
        self.clock = clock

    @staticmethod
    def key(user_id: str) -> str:
        return WINDOW_KEY.format(user_id=user_id)

    async def load(self, user_id: str) -> WindowState:
        async with self.db.session() as session:
            raw = await repo.kv_get(session, self.key(user_id))
        return _window_from(raw)

    async def _save(self, user_id: str, state: WindowState) -> None:
        async with self.db.session() as session:
            await repo.kv_set(session, self.key(user_id), json.dumps(state.__dict__))

    async def opened(self, session: Any, user_id: str, at: float | None = None) -> None:
        """The person wrote (in the caller's transaction): a fresh window and quota.

        ``at`` is the event's own time, so a redelivered event does not reset the quota again.
        """
        now = self.clock()
        at = min(at, now) if at is not None else now
        state = _window_from(await repo.kv_get(session, self.key(user_id)))
        if state.last_in is not None and at <= state.last_in:
            return
        await repo.kv_set(session, self.key(user_id), json.dumps(WindowState(last_in=at).__dict__))

    def blocked(self, state: WindowState, parts: int) -> str | None:
        """Why ``parts`` more messages may not go now; None when they fit (or nothing is known)."""
        if state.refused:
            return state.refused_reason or self._expired_reason()
        if state.last_in is None:
            return None  # never seen writing here (e.g. before this tracking): let Zalo decide
        if self.clock() - state.last_in > self.hours * 3600:
            return self._expired_reason()
        if self.free_messages and state.sent + parts > self.free_messages:
            return REASON_QUOTA.format(count=self.free_messages, window=_span(self.hours))
        return None

    def _expired_reason(self) -> str:
        return REASON_WINDOW.format(window=_span(self.hours))

    async def spent(self, user_id: str, count: int) -> None:
        state = await self.load(user_id)
        state.sent += count
        await self._save(user_id, state)

    async def refused(self, user_id: str, reason: str) -> None:
        state = await self.load(user_id)
        state.refused, state.refused_reason = True, reason
        await self._save(user_id, state)


def _window_from(raw: str | None) -> WindowState:
    if not raw:
        return WindowState()
    try:
        data = json.loads(raw)
        return WindowState(
            last_in=float(data["last_in"]) if data.get("last_in") is not None else None,
            sent=int(data.get("sent", 0)),
            refused=bool(data.get("refused", False)),
            refused_reason=str(data.get("refused_reason", "")),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return WindowState()


def _span(hours: float) -> str:
    """A window length as staff read it: "48 giờ", "7 ngày"."""
    if hours >= 72 and float(hours / 24).is_integer():
        return f"{int(hours // 24)} ngày"
    return f"{int(hours) if float(hours).is_integer() else hours} giờ"
