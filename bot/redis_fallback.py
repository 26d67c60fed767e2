"""Redis is a help, not a need: when it is down, updates go on without it.

Redis gives several workers two things (bot/redis_support.py): one person's updates in arrival
order across workers, and one shared Telegram rate limit. Without it each worker still has its
own per-person asyncio lock and PostgreSQL's advisory lock in every transaction (so two workers
never change one person's conversation at once), and its own sliding windows. That is what a
single worker always runs with, so a Redis outage must not fail every update.

`RedisHealth` remembers that Redis failed: a WARNING once per outage, then Redis is left alone
for `retry_seconds` (no update pays a connect timeout meanwhile), then tried again; when it
answers, an INFO line says it is back and the shared lock and limits are used again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import RedisError

from bot.delivery.ratelimit import Limit, RateLimiter
from bot.redis_support import RedisPersonLock, RedisRateLimiter

log = logging.getLogger(__name__)

# What a Redis that is down, cut or frozen raises (redis-py wraps most in RedisError; a socket
# timeout may come through as TimeoutError, a refused connection as OSError).
REDIS_DOWN: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


class RedisHealth:
    def __init__(self, retry_seconds: float = 5.0) -> None:
        self.retry_seconds = retry_seconds
        self.down_since: float | None = None
        self._next_try = 0.0
        self.outages = 0

    def usable(self) -> bool:
        return self.down_since is None or time.monotonic() >= self._next_try

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
            self.outages += 1
            log.warning(
                "Redis unreachable (%s): going on with this process's own locks and rate limits until it is back",
                type(exc).__name__,
            )
        self._next_try = now + self.retry_seconds

    def ok(self) -> None:
        if self.down_since is not None:
            log.info(
                "Redis is back after %.0f s: shared locks and rate limits again",
                time.monotonic() - self.down_since,
            )
            self.down_since = None


class FallbackPersonLock:
    """The Redis person queue when Redis answers; nothing more than the in-process lock (and
    PostgreSQL's advisory lock) when it does not.

    A call that timed out may still reach Redis later (a network that heals delivers what it
    held): the person's place, or even the lock, would then belong to a waiter that is gone, and
    their next update would wait out the lock's ttl. Such tokens are kept and released once Redis
    answers again, and no update waits for its Redis turn longer than `wait_limit` seconds (the
    database lock still keeps one person's updates apart)."""

    MAX_ORPHANS = 10_000

    def __init__(self, inner: RedisPersonLock, health: RedisHealth, *, wait_limit: float = 5.0) -> None:
        self.inner = inner
        self.health = health
        self.wait_limit = wait_limit
        self._orphans: set[tuple[str, str, str]] = set()

    @asynccontextmanager
    async def hold(self, channel: str, user_id: str) -> AsyncIterator[None]:
        token: str | None = None
        if self.health.usable():
            token = await self._acquire(channel, user_id)
        try:
            yield
        finally:
            if token is not None:
                try:
                    await self.inner.release(channel, user_id, token)
                except REDIS_DOWN as exc:
                    # The lock expires by itself (its ttl); the update is done either way.
                    self._orphan(channel, user_id, token)
                    self.health.failed(exc)

    async def _acquire(self, channel: str, user_id: str) -> str | None:
        token = uuid.uuid4().hex
        try:
            await self._release_orphans()
            await asyncio.wait_for(self.inner.acquire(channel, user_id, token), self.wait_limit)
        except TimeoutError as exc:
            self._orphan(channel, user_id, token)
            if self.health.down_since is None:  # Redis answers: someone holds the turn too long
                log.warning(
                    "Redis turn for a person not given within %.0f s; going on with the database lock",
                    self.wait_limit,
                )
                return None
            self.health.failed(exc)
            return None
        except REDIS_DOWN as exc:
            self._orphan(channel, user_id, token)
            self.health.failed(exc)
            return None
        self.health.ok()
        return token

    def _orphan(self, channel: str, user_id: str, token: str) -> None:
        if len(self._orphans) < self.MAX_ORPHANS:
            self._orphans.add((channel, user_id, token))

    async def _release_orphans(self) -> None:
        for orphan in list(self._orphans):
            await self.inner.release(*orphan)  # REDIS_DOWN propagates: Redis is still away
            self._orphans.discard(orphan)


class FallbackRateLimiter:
    """The shared Redis windows when Redis answers, this process's own windows otherwise
    (bot.delivery.ratelimit.Limiter). A Redis ticket is a str, a local one a float."""

    def __init__(self, inner: RedisRateLimiter, health: RedisHealth) -> None:
        self.inner = inner
        self.health = health
        self.local = RateLimiter()

    async def acquire(self, limits: list[tuple[str, Limit]]) -> object:
        if self.health.usable():
            try:
                ticket = await self.inner.acquire(limits)
            except REDIS_DOWN as exc:
                self.health.failed(exc)
            else:
                self.health.ok()
                return ticket
        return await self.local.acquire(limits)

    async def touch(self, limits: list[tuple[str, Limit]], ticket: object) -> None:
        if not isinstance(ticket, str):
            self.local.touch(limits, ticket)
            return
        try:
            await self.inner.touch(limits, ticket)
        except REDIS_DOWN as exc:
            self.health.failed(exc)

    async def block(self, key: str, limit: Limit, seconds: float) -> None:
        # Both: whichever windows the next send uses must wait.
        self.local.block(key, limit, seconds)
        if self.health.usable():
            try:
                await self.inner.block(key, limit, seconds)
            except REDIS_DOWN as exc:
                self.health.failed(exc)

    def forget_idle(self, older_than: float = 120.0) -> None:
        self.local.forget_idle(older_than)
