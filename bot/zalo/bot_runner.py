"""Zalo Bot API runners: long polling, the webhook endpoint and its registration.

What the live service does that the documents do not say (sources in docs/zalo.md, "What each
behaviour rests on"):

* ``deleteWebhook`` on a bot without a webhook has been seen answering HTTP 404, and its
  ``result`` is not always an object. Polling therefore starts whatever ``deleteWebhook``
  answers: a failure is logged and polling goes on (a webhook that really is set shows up as
  refused polls, which clear it again).
* ``getUpdates`` has been measured re-serving an update at once (about 12 calls a second). The
  poller keeps a minimum gap between polls (``zalo.poll_min_gap_seconds``) and skips a message id
  it has just processed without touching the database; the processed-update table stays the
  guarantee (a re-served update older than the in-memory memory is still a no-op).
* ``setWebhook`` sends a test request whose body nobody documents: an authenticated request
  without a ``message`` is answered 200 (and logged), so registration cannot fail on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.zalo.bot_api import (
    POLL_TIMEOUT,
    SECRET_HEADER,
    ZaloBotApiError,
    ZaloBotClient,
    as_dict,
    unwrap_update,
    update_key,
    update_to_incoming,
)
from handlers.events import Incoming

log = logging.getLogger(__name__)

Receive = Callable[[Incoming], Awaitable[None]]

# Minimum time between the starts of two getUpdates calls: an API that answers at once (a
# re-served update) must not be polled in a hot loop. 1 s is what a live-tested client keeps.
MIN_POLL_GAP = 1.0
# Message ids remembered by the poller to skip a re-served update without a database round trip.
RECENT_KEYS = 1000


async def process_update(receive: Receive, update: dict[str, Any], stop: asyncio.Event | None = None) -> None:
    """Store and process one update. A database outage is waited out (the update cannot be fetched
    again: getUpdates has no offset); any other error is logged after a few tries."""
    event = update_to_incoming(update)
    if event is None:
        return
    delay = 0.5
    attempt = 0
    while True:
        attempt += 1
        try:
            await receive(event)
            return
        except (OperationalError, DBAPIError, PoolTimeout, OSError, TimeoutError) as exc:
            # The database (or the network to it) is down or frozen: wait it out.
            log.warning("Zalo bot update not stored yet (%s); retrying in %.1fs", type(exc).__name__, delay)
        except Exception:
            if attempt >= 3:
                log.exception("Zalo bot update %s dropped after %d attempts", event.update_key, attempt)
                return
            log.warning("Zalo bot update failed; retrying", exc_info=True)
        if stop is not None and stop.is_set():
            log.error("Zalo bot update %s not stored at shutdown", event.update_key)
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)


async def clear_webhook(client: ZaloBotClient) -> bool:
    """``deleteWebhook``, never fatal: polling starts whatever it answers. True when it succeeded."""
    try:
        await client.delete_webhook()
        return True
    except ZaloBotApiError as exc:
        # A bot without a webhook has been seen answering 404 here: nothing to clear.
        log.info("Zalo deleteWebhook answered %s (%s); polling anyway", exc.effective_code, exc.description)
    except httpx.TransportError as exc:
        log.warning("Zalo deleteWebhook failed (%s); polling anyway", type(exc).__name__)
    except Exception:  # an answer of a shape nobody documented must not kill the poller
        log.warning("Zalo deleteWebhook gave an unexpected answer; polling anyway", exc_info=True)
    return False


class _Recent:
    """The last ``size`` processed message ids, oldest dropped first."""

    def __init__(self, size: int = RECENT_KEYS) -> None:
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.size:
            self._keys.popitem(last=False)


async def run_zalo_polling(
    app: Any,
    client: ZaloBotClient,
    stop: asyncio.Event,
    *,
    timeout: int = POLL_TIMEOUT,
    min_gap: float = MIN_POLL_GAP,
    wait_for_outbox: bool = False,
) -> None:
    """Long-poll getUpdates until ``stop``; ``app`` is a ``bot.app.Application``.

    ``min_gap``: at least this many seconds between the starts of two polls.
    ``wait_for_outbox``: start polling only once the application's outbox worker exists (the runtime
    sets the poller up before it serves; an update taken from Zalo is gone, so take none before then).
    """
    if wait_for_outbox:
        while app.outbox is None and not stop.is_set():
            await asyncio.sleep(0.1)
    backoff = 1.0
    recent = _Recent()
    last_start = float("-inf")
    if not stop.is_set():
        await clear_webhook(client)
    while not stop.is_set():
        gap = last_start + min_gap - time.monotonic()
        if gap > 0:
            await _sleep_unless(stop, gap)
            if stop.is_set():
                return
        last_start = time.monotonic()
        try:
            updates = await client.get_updates(timeout)
            backoff = 1.0
        except ZaloBotApiError as exc:
            # What getUpdates answers while a webhook is set is undocumented (409 is a guess), so
            # any refusal clears the webhook again: deleteWebhook is cheap and idempotent.
            wait = exc.retry_after or backoff
            log.warning("Zalo getUpdates refused (%s); retrying in %.0fs", exc.effective_code, wait)
            await clear_webhook(client)
            await _sleep_unless(stop, wait)
            backoff = min(backoff * 2, 30.0)
            continue
        except httpx.TransportError as exc:
            log.warning("Zalo getUpdates failed (%s); retrying in %.0fs", type(exc).__name__, backoff)
            await _sleep_unless(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        except Exception:  # an odd answer must not end the poller (the channel would be dead)
            log.exception("Zalo getUpdates gave an unexpected answer; retrying in %.0fs", backoff)
            await _sleep_unless(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        for update in updates:
            key = update_key(update)
            if key in recent:
                log.debug("Zalo getUpdates served message %s again; skipped", key)
                continue
            await process_update(app.receive, update, stop)
            recent.add(key)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


# What Zalo's setWebhook reports when its test request to the URL went through. The docs name the
# field (result.verification.outcome) but not its values, so anything else is reported as doubtful.
VERIFIED_OUTCOMES = frozenset({"ok", "success", "succeeded", "passed", "verified"})


async def register_webhook(client: ZaloBotClient, url: str, secret: str) -> None:
    """``setWebhook``; call it once the web server listens: Zalo sends a test request to ``url``
    and reports how it went (``result.verification {outcome, hint}``), which is logged."""
    try:
        result = await client.set_webhook(url, secret)
    except (ZaloBotApiError, httpx.TransportError) as exc:
        # The route still serves; an operator can call setWebhook by hand (docs/zalo.md).
        what = type(exc).__name__
        if isinstance(exc, ZaloBotApiError):
            what = f"{exc.effective_code} {exc.description}"
        log.error("Zalo bot setWebhook failed (%s): updates will not arrive until it is set", what)
        return
    verification = as_dict(result.get("verification"))
    outcome = str(verification.get("outcome") or "")
    if not verification:
        log.info("Zalo bot webhook set to %s (Zalo reported no verification)", url)
    elif outcome.lower() in VERIFIED_OUTCOMES:
        log.info("Zalo bot webhook set to %s; Zalo's test request reached it (%s)", url, outcome)
    else:
        log.warning(
            "Zalo bot webhook set to %s, but Zalo's test request to it did not succeed (%s: %s); "
            "check that the address is public HTTPS and reaches this server",
            url,
            outcome or "no outcome",
            verification.get("hint") or "no hint",
        )


def zalo_bot_webhook_handler(app: Any, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """aiohttp handler: checks ``X-Bot-Api-Secret-Token``, stores and processes the update, then 200.

    An authenticated request that carries no message (setWebhook's test request, whose body is not
    documented) is answered 200 and logged: a 400 would make Zalo report the URL as failing."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        raw = await request.read()
        try:
            data: Any = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
            data = None
        update = unwrap_update(data)
        if update is None:
            event_name = as_dict(data).get("event_name")
            log.info(
                "Zalo bot webhook: authenticated request without a message (%s, %d bytes); answered 200",
                event_name if isinstance(event_name, str) else type(data).__name__,
                len(raw),
            )
            return web.json_response({"ok": True})
        event = update_to_incoming(update)
        if event is not None:
            # Stored and processed before the 200: if this fails, the 500 lets Zalo deliver it again,
            # and the processed-update table makes the repeat a no-op.
            try:
                await app.receive(event)
            except Exception:
                log.exception("Zalo bot webhook update not processed")
                return web.json_response({"ok": False, "error": "internal"}, status=500)
        return web.json_response({"ok": True})

    return handle
