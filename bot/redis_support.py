"""Redis where it serves several instances: per-person ordering locks and one shared rate limit.

Used when `settings.redis_url` (environment REDIS_URL) is set. Without Redis each process keeps
its own asyncio lock per person and its own sliding windows, which is right for one process;
with several webhook workers:

* `RedisPersonLock` makes one person's updates take turns across every worker, first come
  first served (a FIFO ticket queue in Redis, not a spin on SETNX where the last to arrive can
  win). PostgreSQL's advisory lock inside the transaction stays as the safety net.
* `RedisRateLimiter` keeps the sliding windows of the outbox in Redis, so all workers together
  stay under one Telegram budget (30/s overall, 1/s per chat, 20/min per group).

Both use Redis's own clock (TIME inside the scripts), so workers on different hosts agree.
Each operation is one Lua script: atomic, one round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.exceptions import RedisError

from bot.delivery.ratelimit import Limit

log = logging.getLogger(__name__)

PREFIX = "hpbot"

# Take a place in the person's queue (once), refresh the heartbeat, drop dead waiters at the
# head, and take the lock if this waiter is first. Returns 1 when the lock is ours.
# KEYS: queue (zset token→ticket), heartbeats (zset token→last seen ms), lock, ticket counter.
# ARGV: token, ttl ms.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token, ttl = ARGV[1], tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], token) then
  local ticket = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[1], ticket, token)
end
redis.call('ZADD', KEYS[2], now, token)
redis.call('PEXPIRE', KEYS[1], ttl * 4)
redis.call('PEXPIRE', KEYS[2], ttl * 4)
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == nil or head == token then break end
  local seen = redis.call('ZSCORE', KEYS[2], head)
  if seen and now - tonumber(seen) < ttl then return 0 end
  redis.call('ZREM', KEYS[1], head)
  redis.call('ZREM', KEYS[2], head)
end
if redis.call('SET', KEYS[3], token, 'NX', 'PX', ttl) then
  redis.call('ZREM', KEYS[1], token)
  redis.call('ZREM', KEYS[2], token)
  return 1
end
return 0
"""

# Release only our own lock (an expired lock may already belong to the next waiter).
# KEYS: lock, queue, heartbeats. ARGV: token.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# All windows have room → record the send in each and return 0; else return the wait in ms.
# KEYS: window₁, block₁, window₂, block₂, … ARGV: count₁, span₁ ms, count₂, span₂ ms, …, member.
_ACQUIRE_WINDOWS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS / 2
local wait = 0
for i = 1, n do
  local window, block = KEYS[2 * i - 1], KEYS[2 * i]
  local count, span = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', window, '-inf', now - span)
  local blocked = redis.call('PTTL', block)
  if blocked > wait then wait = blocked end
  if redis.call('ZCARD', window) >= count then
    local oldest = tonumber(redis.call('ZRANGE', window, 0, 0, 'WITHSCORES')[2])
    local w = oldest + span - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
local member = ARGV[#ARGV]
for i = 1, n do
  redis.call('ZADD', KEYS[2 * i - 1], now, member)
  redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[2 * i]) + 1000)
end
return 0
"""

# Move a recorded send to now (the API call is leaving). KEYS: windows. ARGV: member.
_TOUCH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1]) end
return 1
"""

# Block a window for `ms` unless it is already blocked for longer. KEYS: block. ARGV: ms.
_BLOCK = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""


# A Redis that stops answering must not hold an update up: each call gives up after this long
# (bot/redis_fallback.py then goes on without Redis).
SOCKET_TIMEOUT_SECONDS = 2.0


def connect(url: str) -> Any:
    """An asyncio Redis client (the `redis` package); imported here so Redis stays optional."""
    import redis.asyncio as redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS
    )


class RedisPersonLock:
    """One person's updates one at a time, in arrival order, across all workers."""

    def __init__(self, client: Any, *, ttl: float = 30.0, prefix: str = PREFIX) -> None:
        # ttl bounds how long a dead worker can hold a person up; processing one update takes
        # milliseconds, and PostgreSQL's advisory lock still guards a lock that outlived it.
        self.client = client
        self.ttl_ms = int(ttl * 1000)
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    def _keys(self, channel: str, user_id: str) -> tuple[str, str, str]:
        base = f"{self.prefix}:person:{channel}:{user_id}"
        return f"{base}:queue", f"{base}:seen", f"{base}:lock"

    @asynccontextmanager
    async def hold(self, channel: str, user_id: str) -> AsyncIterator[None]:
        token = await self.acquire(channel, user_id)
        try:
            yield
        finally:
            await self.release(channel, user_id, token)

    async def acquire(self, channel: str, user_id: str, token: str | None = None) -> str:
        """Wait for the person's turn; the token to release it with."""
        queue, seen, lock = self._keys(channel, user_id)
        keys = [queue, seen, lock, f"{self.prefix}:person:tickets"]
        token = token or uuid.uuid4().hex
        delay = 0.002
        try:
            while not await self._acquire(keys=keys, args=[token, self.ttl_ms]):
                # Contention is rare (one person typing into two workers at once): a short
                # poll costs less than a pub/sub round trip on the common path.
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)
        except BaseException as exc:
            # Redis itself failed: another call would only wait again (the ttl frees the place).
            if not isinstance(exc, (RedisError, OSError)):
                with contextlib.suppress(Exception):
                    await self._release(keys=[lock, queue, seen], args=[token])
            raise
        return token

    async def release(self, channel: str, user_id: str, token: str) -> None:
        queue, seen, lock = self._keys(channel, user_id)
        await self._release(keys=[lock, queue, seen], args=[token])


class RedisRateLimiter:
    """The outbox's sliding windows, shared by every worker through Redis (bot.delivery.ratelimit.Limiter)."""

    def __init__(self, client: Any, *, prefix: str = PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE_WINDOWS)
        self._block = client.register_script(_BLOCK)
        self._touch = client.register_script(_TOUCH)
        self._ids = itertools.count()
        self._me = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self.prefix}:rate:{key}", f"{self.prefix}:rate:{key}:blocked"

    async def acquire(self, limits: list[tuple[str, Limit]]) -> str:
        keys: list[str] = []
        args: list[Any] = []
        for key, limit in limits:
            keys.extend(self._keys(key))
            args.extend([limit.count, int(limit.seconds * 1000)])
        while True:
            member = f"{self._me}-{next(self._ids)}"
            wait_ms = int(await self._acquire(keys=keys, args=[*args, member]))
            if wait_ms <= 0:
                return member
            # Several workers wait for the same window: a little jitter keeps them from
            # stampeding at the same millisecond.
            await asyncio.sleep(wait_ms / 1000 + 0.001 * (next(self._ids) % 7))

    async def touch(self, limits: list[tuple[str, Limit]], ticket: object) -> None:
        await self._touch(keys=[self._keys(key)[0] for key, _limit in limits], args=[str(ticket)])

    async def block(self, key: str, limit: Limit, seconds: float) -> None:
        await self._block(keys=[self._keys(key)[1]], args=[max(1, int(seconds * 1000))])

    def forget_idle(self, older_than: float = 120.0) -> None:
        """Nothing to do: Redis expires idle windows by itself."""


async def close(client: Any) -> None:
    try:
        await client.aclose()
    except AttributeError:  # redis < 5
        await client.close()
