"""Zalo OA webhook under attack and under faults (issue #17).

* The signature is checked on the raw bytes before any parsing: a forged body of deeply nested
  brackets is refused without being parsed (it used to raise an uncaught RecursionError, one
  traceback per request); a signed one that cannot be parsed is a 400, never a 500.
* The body is bounded; a signed event whose timestamp is stale or in the future is refused.
* Events are stored in a durable inbox before the 200: one whose processing fails (or is cut
  short) is processed again later instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.zalo.oa_webhook import MAX_EVENT_BYTES
from storage.db import Database
from storage.models import ProcessedUpdate
from tests.fakes.zalo_oa import FAKE_APP_ID, FAKE_OA_SECRET_KEY, oa_text_event, sign_event
from tests.test_zalo_bot import count
from tests.test_zalo_oa import OA, USER, oa_channel


@pytest.fixture
async def oa(db: Database) -> AsyncIterator[OA]:
    async with oa_channel(db) as channel:
        yield channel


async def post_raw(url: str, raw: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    async with aiohttp.ClientSession() as session, session.post(url, data=raw, headers=headers) as resp:
        return resp.status


def now_ms() -> str:
    return str(int(time.time() * 1000))


def nested(depth: int, timestamp: str) -> bytes:
    return (
        '{"timestamp":"'
        + timestamp
        + '","event_name":"user_send_text","x":'
        + "[" * depth
        + "]" * depth
        + "}"
    ).encode()


async def test_deeply_nested_bodies_are_refused_without_a_traceback(
    oa: OA, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    timestamp = now_ms()
    body = nested(30_000, timestamp)  # 60 kB: under the cap
    assert len(body) < MAX_EVENT_BYTES
    # Forged (any non-empty signature used to get the body parsed first).
    started = time.monotonic()
    assert await post_raw(oa.url, body, "mac=" + "0" * 64) == 403
    forged_seconds = time.monotonic() - started
    # Signed with the real key: parsed, and the parser's RecursionError is a 400.
    signed = sign_event(FAKE_APP_ID, body, timestamp, FAKE_OA_SECRET_KEY)
    assert await post_raw(oa.url, body, signed) == 400
    print(f"\nnested brackets: forged refused in {forged_seconds * 1000:.1f} ms; signed → 400")
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await count(oa.app.db, ProcessedUpdate) == 0


async def test_an_oversized_body_is_refused(oa: OA) -> None:
    big = b'{"timestamp":"' + now_ms().encode() + b'","pad":"' + b"x" * MAX_EVENT_BYTES + b'"}'
    assert await post_raw(oa.url, big, "mac=" + "0" * 64) == 413


@pytest.mark.parametrize("offset_seconds", [-600, 600])
async def test_a_signed_event_from_another_time_is_refused(oa: OA, offset_seconds: int) -> None:
    """A captured event replayed ten minutes later, or one dated ten minutes ahead."""
    when = str(int((time.time() + offset_seconds) * 1000))
    assert await oa.post(oa_text_event(USER, "/start", timestamp=when)) == 400
    assert await count(oa.app.db, ProcessedUpdate) == 0
    assert await oa.webhook.inbox.pending() == 0
    # Within the window it is taken.
    assert await oa.post(oa_text_event(USER, "/start", timestamp=now_ms())) == 200
    assert await count(oa.app.db, ProcessedUpdate) == 1


async def test_an_event_whose_processing_fails_once_is_processed_from_the_inbox(oa: OA) -> None:
    receive = oa.app.receive
    failures = 1

    async def failing_once(event: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise OSError(28, "No space left on device")
        await receive(event)

    oa.app.receive = failing_once  # type: ignore[method-assign]
    assert await oa.post(oa_text_event(USER, "/start", msg_id="inbox-1")) == 200, "stored: Zalo gets its 200"
    assert await oa.webhook.inbox.pending() == 1
    assert await count(oa.app.db, ProcessedUpdate) == 0
    assert await oa.webhook.inbox.drain_once(oa.webhook.process, grace=0) == 1
    await oa.drain()
    assert [t for t in oa.server.sent_texts(USER) if "Xin chào" in t], "answered after the retry"
    assert await oa.webhook.inbox.pending() == 0
    assert await count(oa.app.db, ProcessedUpdate) == 1


async def test_an_event_cut_short_in_the_background_is_not_lost(oa: OA) -> None:
    """Answered 200 after the budget, then its processing fails: the drain task takes it up."""
    receive = oa.app.receive
    failures = 1

    async def slow_then_failing(event: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            await asyncio.sleep(0.3)
            raise TimeoutError("database went away")
        await receive(event)

    oa.app.receive = slow_then_failing  # type: ignore[method-assign]
    oa.webhook.budget = 0.05
    oa.webhook.inbox.interval = 0.1
    oa.webhook.inbox.grace = 0.5
    stop = asyncio.Event()
    drain = asyncio.create_task(oa.webhook.drain(stop))
    try:
        assert await oa.post(oa_text_event(USER, "/start", msg_id="inbox-2")) == 200
        async with asyncio.timeout(10):
            while await oa.webhook.inbox.pending():
                await asyncio.sleep(0.1)
        await oa.drain()
    finally:
        stop.set()
        await drain
    greetings = [t for t in oa.server.sent_texts(USER) if "Xin chào" in t]
    print(f"\nOA event cut short: lost {1 - len(greetings)}, duplicated {max(0, len(greetings) - 1)}")
    assert len(greetings) == 1


async def test_the_zalo_bot_webhook_answers_a_nested_body_without_a_traceback(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The Zalo Bot webhook checks its secret first; a body nested too deep behind a valid secret
    is answered like any body without a message (200, logged), not with a RecursionError."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.app import Application
    from bot.settings import load_settings
    from bot.zalo.bot_api import SECRET_HEADER
    from bot.zalo.bot_runner import zalo_bot_webhook_handler

    app = Application(load_settings(), db=db)
    web_app = web.Application()
    web_app.router.add_post("/zb", zalo_bot_webhook_handler(app, "zalo-secret-123"))
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        body = b'{"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        headers = {SECRET_HEADER: "zalo-secret-123", "Content-Type": "application/json"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(server.make_url("/zb"), data=body, headers=headers) as resp,
        ):
            assert resp.status == 200
    finally:
        await server.close()
    assert "RecursionError" not in caplog.text and "Traceback" not in caplog.text
