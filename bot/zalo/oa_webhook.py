"""Zalo OA webhook endpoint: signature checked first, the event stored in the inbox, then processed."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.delivery.outbox import release_deferred
from bot.webhook_body import BodyTooLarge, read_body
from bot.zalo.oa import CHANNEL, SIGNATURE_HEADER, _timestamp_ms, event_to_incoming, signature_valid
from bot.zalo.oa_inbox import OAInbox
from bot.zalo.oa_window import ReplyWindow

log = logging.getLogger(__name__)


class ZaloOAWebhook:
    """The OA webhook endpoint.

    Order: the body read whole and bounded → the signature checked on the raw bytes, before any
    parsing (nothing of a forged or unsigned request is parsed or stored) → the JSON parsed and its
    signed timestamp checked against the clock (a captured event cannot be replayed later) → the
    event stored in the durable inbox (bot/zalo/oa_inbox.py) → processed: the person's reply window
    reopened, their deferred replies released, ``app.receive`` → removed from the inbox → 200.

    Processing takes milliseconds; should it take longer than ``budget`` seconds (Zalo wants a 200
    within 2 s) or fail, the answer is 200 anyway: the event is in the inbox, and the inbox's drain
    processes it again later (the processed-update table, keyed by msg_id, turns any repeat into a
    no-op). Only when the event cannot even be stored does Zalo get a 500 (and deliver it again).
    """

    def __init__(
        self,
        app: Any,
        *,
        app_id: str,
        oa_secret_key: str,
        window: ReplyWindow,
        budget: float = 1.5,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.window = window
        self.budget = budget
        self.max_age = max_age
        self.clock = clock
        self.inbox = OAInbox(app.db)
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self.oa_secret_key:
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            raw = await read_body(request, MAX_EVENT_BYTES)
        except BodyTooLarge:
            return web.json_response({"error": "too large"}, status=413)
        except TimeoutError:
            return web.json_response({"error": "body too slow"}, status=408)
        timestamp = signed_timestamp(signature, self.app_id, raw, self.oa_secret_key)
        if timestamp is None:
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
            return web.json_response({"error": "bad request"}, status=400)
        if not isinstance(data, dict) or str(data.get("timestamp", "")) != timestamp:
            return web.json_response({"error": "bad request"}, status=400)
        skew = abs(self.clock() - int(timestamp) / 1000)
        if skew > self.max_age:
            log.warning(
                "Zalo OA event refused: its timestamp is %.0f s away from now (replayed or clock skew)", skew
            )
            return web.json_response({"error": "stale event"}, status=400)
        event = event_to_incoming(data)
        if event is None:
            return web.json_response({"error": 0})
        key = event.update_key or timestamp
        try:
            await self.inbox.store(key, data)
        except Exception:
            log.exception("Zalo OA event not stored")
            return web.json_response({"error": "internal"}, status=500)  # Zalo delivers it again
        task = asyncio.create_task(self.process(data))
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.budget)
        except TimeoutError:
            log.warning(
                "Zalo OA event still processing after %.1fs; answered 200, finishing in the background",
                self.budget,
            )
            self._background.add(task)
            task.add_done_callback(self._finished)
        except Exception as exc:
            log.warning(
                "Zalo OA event not processed yet (%s); kept in the inbox for another try", type(exc).__name__
            )
        return web.json_response({"error": 0})

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning(
                "Zalo OA event failed in the background (%s); kept in the inbox for another try",
                type(task.exception()).__name__,
            )

    async def process(self, data: dict[str, Any]) -> None:
        """Process a stored event and remove it from the inbox (also the inbox drain's work)."""
        event = event_to_incoming(data)
        if event is not None:
            timestamp_ms = _timestamp_ms(data)
            at = timestamp_ms / 1000 if timestamp_ms else None
            async with self.app.db.session() as session:
                # The person wrote: a fresh reply window, and what waited for it is sent first.
                await self.window.opened(session, event.user_id, at)
                released = await release_deferred(session, CHANNEL, event.user_id)
            if released:
                log.info("Zalo OA: %d deferred replies released", released)
            await self.app.receive(event)
        await self.inbox.done((event.update_key if event else None) or str(data.get("timestamp", "")))

    async def drain(self, stop: asyncio.Event) -> None:
        """The inbox's background task: events that failed or were cut short, processed again."""
        await self.inbox.drain(self.process, stop)

    async def close(self, timeout: float = 10.0) -> None:
        """Let events still processing in the background finish (shutdown)."""
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)


# Zalo's events are a few kilobytes (texts up to 2,000 characters, attachments as links).
MAX_EVENT_BYTES = 64 * 1024
# Where the body's top-level "timestamp" may be: the signature covers it, so it is found in the raw
# bytes before any parsing. Every candidate (at most a few) is tried; the parsed body's timestamp must
# then be the one that was signed.
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,16})"?')
_MAX_CANDIDATES = 8


def signed_timestamp(signature: str, app_id: str, raw: bytes, oa_secret_key: str) -> str | None:
    """The body's timestamp that makes the signature valid, or None (a forged or unsigned body)."""
    seen: set[bytes] = set()
    for match in _TIMESTAMP.finditer(raw):
        candidate = match.group(1)
        if candidate in seen:
            continue
        seen.add(candidate)
        if len(seen) > _MAX_CANDIDATES:
            return None
        timestamp = candidate.decode()
        if signature_valid(signature, app_id, raw, timestamp, oa_secret_key):
            return timestamp
    return None


def zalo_oa_webhook_handler(webhook: ZaloOAWebhook) -> Callable[[web.Request], Awaitable[web.Response]]:
    return webhook.handle
