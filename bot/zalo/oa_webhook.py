"""Zalo OA webhook endpoint: signature checked, the reply window reopened, the event processed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.delivery.outbox import release_deferred
from bot.zalo.oa import CHANNEL, SIGNATURE_HEADER, _timestamp_ms, event_to_incoming, signature_valid
from bot.zalo.oa_window import ReplyWindow
from handlers.events import Incoming

log = logging.getLogger(__name__)


class ZaloOAWebhook:
    """The OA webhook endpoint.

    Order: signature checked (nothing is stored for a forged or unsigned request) → the person's
    reply window reopened and their deferred replies released (one transaction) → the event stored
    and processed (``app.receive``) → 200. Processing takes milliseconds, so it is done before the
    answer; should it take longer than ``budget`` seconds (Zalo wants a 200 within 2 s) the answer
    goes anyway and processing finishes in the background. A crash in that window would lose the
    event unless Zalo retries it; Zalo retries events that were not answered 200 in time, and the
    processed-update table (keyed by msg_id) turns any repeat into a no-op.
    """

    def __init__(
        self,
        app: Any,
        *,
        app_id: str,
        oa_secret_key: str,
        window: ReplyWindow,
        budget: float = 1.5,
    ) -> None:
        self.app = app
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.window = window
        self.budget = budget
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self.oa_secret_key:
            return web.json_response({"error": "unauthorized"}, status=401)
        raw = await request.read()
        try:
            data = json.loads(raw)
        except ValueError:
            return web.json_response({"error": "bad request"}, status=400)
        if not isinstance(data, dict):
            return web.json_response({"error": "bad request"}, status=400)
        timestamp = str(data.get("timestamp", ""))
        if not signature_valid(signature, self.app_id, raw, timestamp, self.oa_secret_key):
            return web.json_response({"error": "forbidden"}, status=403)
        event = event_to_incoming(data)
        if event is None:
            return web.json_response({"error": 0})
        task = asyncio.create_task(self._process(event, _timestamp_ms(data)))
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.budget)
        except TimeoutError:
            log.warning(
                "Zalo OA event still processing after %.1fs; answered 200, finishing in the background",
                self.budget,
            )
            self._background.add(task)
            task.add_done_callback(self._finished)
        except Exception:
            log.exception("Zalo OA event not processed")
            return web.json_response({"error": "internal"}, status=500)  # Zalo delivers it again
        return web.json_response({"error": 0})

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Zalo OA event failed in the background: %s", type(task.exception()).__name__)

    async def _process(self, event: Incoming, timestamp_ms: int | None) -> None:
        at = timestamp_ms / 1000 if timestamp_ms else None
        async with self.app.db.session() as session:
            # The person wrote: a fresh reply window, and what waited for it is sent first.
            await self.window.opened(session, event.user_id, at)
            released = await release_deferred(session, CHANNEL, event.user_id)
        if released:
            log.info("Zalo OA: %d deferred replies released", released)
        await self.app.receive(event)

    async def close(self, timeout: float = 10.0) -> None:
        """Let events still processing in the background finish (shutdown)."""
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)


def zalo_oa_webhook_handler(webhook: ZaloOAWebhook) -> Callable[[web.Request], Awaitable[web.Response]]:
    return webhook.handle
