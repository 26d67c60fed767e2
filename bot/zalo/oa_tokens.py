"""Zalo OA access/refresh tokens: refreshed on -216/-220 and kept alive on a quiet OA.

The access token lives about 25 hours; ``POST {oauth}/v4/oa/access_token`` (header ``secret_key`` =
app secret; form ``app_id, refresh_token, grant_type=refresh_token``) gives a new pair. Refresh
tokens are single-use, so the new pair is persisted at once (KeyValue table).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.delivery.channel import PermanentFailure, RetryLater
from bot.zalo.oa import OPERATOR_WAIT, TOKENS_KEY
from storage import repo
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: float | None = None  # epoch seconds; unknown for the initial pair from the environment
    refreshed_at: float | None = None  # when Zalo issued it; None for the environment's pair


def _fingerprint(secret: str | None) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()[:16]


class OATokens:
    """The OA access/refresh token pair: the environment gives the first one, the KeyValue table
    keeps every refreshed one (refresh tokens are single-use, so a lost new pair is a dead OA).

    A stored pair wins over the environment unless the operator put a *different* refresh token in
    the environment since (recorded as a fingerprint): that is how a dead pair is replaced.
    One refresh at a time (asyncio.Lock); a pair refreshed by another instance is picked up from
    the table instead of refreshing again.
    """

    def __init__(
        self,
        db: Database,
        http: httpx.AsyncClient,
        *,
        app_id: str,
        app_secret: str,
        oauth_base: str,
        initial_access_token: str | None,
        initial_refresh_token: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.http = http
        self.app_id = app_id
        self.app_secret = app_secret
        self.oauth_base = oauth_base.rstrip("/")
        self._env_pair = (
            TokenPair(initial_access_token, initial_refresh_token)
            if initial_access_token and initial_refresh_token
            else None
        )
        self._seed = _fingerprint(initial_refresh_token)
        self.clock = clock
        self._pair: TokenPair | None = None
        self._lock = asyncio.Lock()

    async def stored(self) -> TokenPair | None:
        async with self.db.session() as session:
            raw = await repo.kv_get(session, TOKENS_KEY)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            pair = TokenPair(
                str(data["access_token"]),
                str(data["refresh_token"]),
                data.get("expires_at"),
                data.get("refreshed_at"),
            )
        except (ValueError, TypeError, KeyError):
            return None
        if self._env_pair is not None and data.get("seed") != self._seed:
            return None  # the operator supplied a new pair in the environment since
        return pair

    async def _persist(self, pair: TokenPair) -> None:
        value = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_at": pair.expires_at,
            "seed": self._seed,
            "refreshed_at": pair.refreshed_at,
        }
        async with self.db.session() as session:
            await repo.kv_set(session, TOKENS_KEY, json.dumps(value))

    async def current(self) -> TokenPair:
        if self._pair is None:
            async with self._lock:
                if self._pair is None:
                    pair = await self.stored() or self._env_pair
                    if pair is None:
                        raise PermanentFailure(
                            "Zalo OA: no access token (set ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN)"
                        )
                    self._pair = pair
        pair = self._pair
        if pair.expires_at is not None and self.clock() > pair.expires_at - 300:
            pair = await self.refresh(pair.access_token)  # about to expire: refresh before sending
        return pair

    async def refresh(self, used_access_token: str) -> TokenPair:
        """A new pair after ``used_access_token`` was refused; refreshes at most once per token."""
        async with self._lock:
            if self._pair is not None and self._pair.access_token != used_access_token:
                return self._pair  # another send refreshed it while this one waited
            stored = await self.stored()
            if stored is not None and stored.access_token != used_access_token:
                self._pair = stored  # another instance refreshed it
                return stored
            current = self._pair or stored or self._env_pair
            if current is None:
                raise PermanentFailure("Zalo OA: no refresh token (set ZALO_OA_REFRESH_TOKEN)")
            pair = await self._request_refresh(current.refresh_token)
            # Persist before anything else: the old refresh token is already dead.
            await self._persist(pair)
            self._pair = pair
            log.info("Zalo OA access token refreshed")
            return pair

    async def refresh_if_stale(self, max_age: float) -> bool:
        """Refresh a pair older than ``max_age`` seconds (or of unknown age). A refresh token lives
        about three months and only a refresh renews it, so a quiet OA must still refresh now and then."""
        pair = await self.current()
        if pair.refreshed_at is not None and self.clock() - pair.refreshed_at < max_age:
            return False
        await self.refresh(pair.access_token)
        return True

    async def keep_fresh(
        self, stop: asyncio.Event, *, every: float = 6 * 3600, max_age: float = 7 * 86400
    ) -> None:
        """Background task: check every ``every`` seconds (first check after one interval)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            try:
                await self.refresh_if_stale(max_age)
            except Exception as exc:  # the next send retries; an operator sees the error
                log.warning("Zalo OA token keep-alive refresh failed: %s", type(exc).__name__)

    async def _request_refresh(self, refresh_token: str) -> TokenPair:
        try:
            response = await self.http.post(
                f"{self.oauth_base}/v4/oa/access_token",
                headers={"secret_key": self.app_secret},
                data={"app_id": self.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
            )
            body = response.json()
        except httpx.TransportError as exc:
            raise RetryLater(f"Zalo OA token refresh: {type(exc).__name__}") from None
        except ValueError:
            raise RetryLater("Zalo OA token refresh: answer is not JSON") from None
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            error = body.get("error") if isinstance(body, dict) else None
            name = body.get("error_name") if isinstance(body, dict) else None
            log.error(
                "Zalo OA token refresh refused: %s %s; set a new pair in ZALO_OA_ACCESS_TOKEN/"
                "ZALO_OA_REFRESH_TOKEN",
                error,
                name,
            )
            # Waits (not failed): messages go out once an operator provides a working pair.
            raise RetryLater(f"Zalo OA token refresh refused ({error} {name})", OPERATOR_WAIT)
        try:
            expires_in = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        expires_at = self.clock() + expires_in if expires_in > 0 else None
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]), expires_at, self.clock())
