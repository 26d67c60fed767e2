"""Sliding-window rate limits for outbound messages (Telegram: 30/s overall, 1/s per chat, 20/min per group).

A sliding window (not a token bucket with a burst) because the messenger counts sends in
windows and a burst is exactly what earns a 429.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float


class SlidingWindow:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()
        self.blocked_until = 0.0

    def wait_time(self, now: float) -> float:
        while self.sent and now - self.sent[0] >= self.limit.seconds:
            self.sent.popleft()
        wait = max(0.0, self.blocked_until - now)
        if len(self.sent) >= self.limit.count:
            wait = max(wait, self.limit.seconds - (now - self.sent[0]))
        return wait

    def record(self, now: float) -> None:
        self.sent.append(now)

    def shift(self, stamp: float, now: float) -> None:
        # `now` is later than every recorded send, so appending keeps the deque in order.
        try:
            self.sent.remove(stamp)
        except ValueError:
            return  # already out of the window
        self.sent.append(now)


class Limiter(Protocol):
    """What the outbox needs from a limiter: the in-process one below, or the Redis one
    (bot/redis_support.py) that several workers share so they respect one Telegram budget."""

    async def acquire(self, limits: list[tuple[str, Limit]]) -> object: ...

    # Move the send recorded by `acquire` (its return value) to now, the moment the API call
    # really leaves: a database write between the two must not eat the safety margin.
    def touch(self, limits: list[tuple[str, Limit]], ticket: object) -> Awaitable[None] | None: ...

    # The Redis limiter returns an awaitable (a network call); the outbox awaits it when so.
    def block(self, key: str, limit: Limit, seconds: float) -> Awaitable[None] | None: ...

    def forget_idle(self, older_than: float = 120.0) -> None: ...


class RateLimiter:
    """Named windows; `acquire(keys)` waits until every window has room, then records the send.

    Waiters are served in order — scarcest window first, then first come first served — not by
    whoever happens to wake first. Without that, a staff-group message (20 a minute) competing
    with a burst of private replies for the shared 25/s lost most draws, started its group
    window late and finished 40 s after the theoretical minimum (benchmarks/pacing.py)."""

    def __init__(self) -> None:
        self._windows: dict[str, SlidingWindow] = {}
        self._lock = asyncio.Lock()
        self._waiting: dict[tuple[float, int], list[tuple[str, Limit]]] = {}
        self._seq = itertools.count()

    def window(self, key: str, limit: Limit) -> SlidingWindow:
        window = self._windows.get(key)
        if window is None or window.limit != limit:
            window = self._windows[key] = SlidingWindow(limit)
        return window

    async def acquire(self, limits: list[tuple[str, Limit]]) -> float:
        # Rank: the slowest window's rate (a group's 19/min before a private chat's 1/s), then arrival.
        rank = (min((limit.count / limit.seconds for _key, limit in limits), default=0.0), next(self._seq))
        self._waiting[rank] = limits
        try:
            while True:
                async with self._lock:
                    now = time.monotonic()
                    windows = [self.window(key, limit) for key, limit in limits]
                    wait = max((w.wait_time(now) for w in windows), default=0.0)
                    if wait <= 0 and not self._ahead_and_ready(rank, now):
                        for window in windows:
                            window.record(now)
                        return now
                # Ready but someone ranked ahead is ready too: let them go first.
                await asyncio.sleep(wait if wait > 0 else 0.001)
        finally:
            del self._waiting[rank]

    def _ahead_and_ready(self, rank: tuple[float, int], now: float) -> bool:
        for other, limits in self._waiting.items():
            if other < rank and all(self.window(key, limit).wait_time(now) <= 0 for key, limit in limits):
                return True
        return False

    def touch(self, limits: list[tuple[str, Limit]], ticket: object) -> None:
        if not isinstance(ticket, float):
            return
        now = time.monotonic()
        for key, _limit in limits:
            window = self._windows.get(key)
            if window is not None:
                window.shift(ticket, now)

    def block(self, key: str, limit: Limit, seconds: float) -> None:
        """The messenger said "retry after": nothing goes to that window until then."""
        window = self.window(key, limit)
        window.blocked_until = max(window.blocked_until, time.monotonic() + seconds)

    def forget_idle(self, older_than: float = 120.0) -> None:
        """Drop windows of chats that have been quiet, so memory does not grow with every chat ever seen."""
        now = time.monotonic()
        for key in [
            k
            for k, w in self._windows.items()
            if (not w.sent or now - w.sent[-1] > older_than) and w.blocked_until < now
        ]:
            del self._windows[key]
