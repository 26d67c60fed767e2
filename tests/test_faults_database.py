"""Database faults (issue #17): a PostgreSQL that stops answering fails a request within seconds.

The bot talks to the real PostgreSQL through a fault-injection proxy (tests/support/faultproxy.py).
Frozen, the connections stay open and nothing comes back — what a dead route or a stuck server
looks like. The webhook must answer 500 quickly (Telegram delivers the update again later) instead
of hanging for minutes; once the database answers again, the redelivered update is processed
once: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from handlers.events import Incoming, Kind
from storage.db import Database
from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes.base import WebhookResult
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import text_update
from tests.support.faultproxy import FaultProxy
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

CITIZEN = 4717
# What "fails fast" means: the statement timeout (5 s) and one second for the client to give up,
# or the idle check (1.5 s) and a new connection's timeout (5 s); with room for a loaded machine.
FAIL_FAST_SECONDS = 10.0


@pytest.fixture
async def pg_proxy(pg: Database) -> AsyncIterator[FaultProxy]:
    """A fault proxy in front of the real PostgreSQL (the `pg` fixture made fresh tables)."""
    async with FaultProxy("127.0.0.1", 5432) as proxy:
        yield proxy


async def post_webhook(
    url: str, update: dict[str, Any], *, secret: str, timeout: float = 60
) -> WebhookResult:
    """As Telegram posts an update, with a client timeout longer than any the bot should take."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as resp,
    ):
        return WebhookResult(resp.status, await resp.text())


async def healthz(base: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as resp:
        return resp.status, await resp.json()


def through(proxy: FaultProxy, url: str) -> str:
    return url.replace("127.0.0.1:5432", proxy.url_host)


async def counts(url: str) -> tuple[int, int]:
    """(processed updates, replies queued) of the citizen, read directly (no proxy)."""
    db = Database(url)
    try:
        async with db.session() as session:
            updates = (
                await session.exec(
                    select(func.count())
                    .select_from(ProcessedUpdate)
                    .where(ProcessedUpdate.user_id == str(CITIZEN))
                )
            ).one()
            replies = (
                await session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.chat_id == str(CITIZEN))
                )
            ).one()
    finally:
        await db.dispose()
    return updates, replies


async def test_a_frozen_database_fails_the_request_fast_and_the_redelivery_is_processed_once(
    pg_proxy: FaultProxy, postgres_url: str
) -> None:
    async with (
        FakeTelegramServer() as tg,
        running_bot(tg, through(pg_proxy, postgres_url), webhook=True) as runtime,
    ):
        url = runtime.webhook_url  # type: ignore[attr-defined]
        first = text_update(CITIZEN, "/start", update_id=17001)
        assert (await post_webhook(url, first, secret=WEBHOOK_SECRET)).status == 200
        await answer(tg, CITIZEN, "Xin chào")
        await asyncio.sleep(2.5)  # the pooled connections sit idle past the pool's check

        pg_proxy.mode = "freeze"
        second = text_update(CITIZEN, "/start", update_id=17002)
        started = time.monotonic()
        result = await post_webhook(url, second, secret=WEBHOOK_SECRET, timeout=60)
        frozen_seconds = time.monotonic() - started
        # A second request meets the frozen database at connect time.
        started = time.monotonic()
        again = await post_webhook(url, second, secret=WEBHOOK_SECRET, timeout=60)
        connect_seconds = time.monotonic() - started
        print(
            f"\nfrozen database: answered {result.status} after {frozen_seconds:.1f} s, then {again.status} after {connect_seconds:.1f} s"
        )
        assert result.status == 500 and again.status == 500, "Telegram must deliver it again"
        assert frozen_seconds < FAIL_FAST_SECONDS
        assert connect_seconds < FAIL_FAST_SECONDS

        # /healthz tells the truth meanwhile, and quickly.
        started = time.monotonic()
        status, body = await healthz(url.rsplit("/webhook", 1)[0])
        health_seconds = time.monotonic() - started
        print(f"healthz while frozen: {status} after {health_seconds:.1f} s: {body['checks']}")
        assert status == 503 and body["checks"]["database"] != "ok"
        assert health_seconds < 4

        pg_proxy.mode = "pass"
        started = time.monotonic()
        retried = await post_webhook(url, second, secret=WEBHOOK_SECRET, timeout=60)
        recover_seconds = time.monotonic() - started
        assert retried.status == 200
        redelivered = await post_webhook(url, second, secret=WEBHOOK_SECRET, timeout=60)
        assert redelivered.status == 200
        await answer(tg, CITIZEN, "Xin chào")
        await asyncio.sleep(0.5)
        greetings = [t for t in tg.sent_texts(CITIZEN) if "Xin chào" in t]
        lost, duplicated = 2 - len(greetings), max(0, len(greetings) - 2)
        print(f"messages lost {lost}, duplicated {duplicated}, seconds to recover {recover_seconds:.2f}")
        assert (lost, duplicated) == (0, 0)
        assert await counts(postgres_url) == (2, 2)
        status, body = await healthz(url.rsplit("/webhook", 1)[0])
        assert status == 200, body


async def test_polling_waits_out_a_database_outage_longer_than_its_retries(
    pg_proxy: FaultProxy, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polled updates that fail while the database is down used to be skipped (lost) after five
    tries, about 15 s; now they wait until it answers again."""
    import bot.telegram.runner as runner

    monkeypatch.setattr(runner, "POISON_ATTEMPTS", 2)  # skipped after ~1 s before the fix
    async with FakeTelegramServer() as tg, running_bot(tg, through(pg_proxy, postgres_url)):
        tg.push_update(text_update(CITIZEN, "/start", update_id=17101))
        await answer(tg, CITIZEN, "Xin chào")
        pg_proxy.mode = "drop"
        tg.push_update(text_update(CITIZEN, "/start", update_id=17102))
        await asyncio.sleep(6)
        pg_proxy.mode = "pass"
        started = time.monotonic()
        # Stored with its reply queued: what the intake promises (sending it is the outbox's part).
        async with asyncio.timeout(40):
            while await counts(postgres_url) != (2, 2):
                await asyncio.sleep(0.2)
        recover_seconds = time.monotonic() - started
        print(f"\npolling, database down 6 s: stored {recover_seconds:.1f} s after it came back, none lost")
        assert recover_seconds < 20


async def test_a_slow_database_is_slow_but_loses_nothing(pg_proxy: FaultProxy, postgres_url: str) -> None:
    """200 ms on every packet each way (a congested link): slower answers, all of them right."""
    async with (
        FakeTelegramServer() as tg,
        running_bot(tg, through(pg_proxy, postgres_url), webhook=True) as runtime,
    ):
        url = runtime.webhook_url  # type: ignore[attr-defined]
        pg_proxy.delay, pg_proxy.mode = 0.2, "delay"
        seconds = []
        for update_id in (17201, 17202):
            started = time.monotonic()
            result = await post_webhook(
                url, text_update(CITIZEN, "/start", update_id=update_id), secret=WEBHOOK_SECRET
            )
            seconds.append(time.monotonic() - started)
            assert result.status == 200
        pg_proxy.mode = "pass"
        await answer(tg, CITIZEN, "Xin chào", timeout=30)
        await answer(tg, CITIZEN, "Xin chào", timeout=30)
        print(
            f"\nslow database (200 ms a packet): updates took {seconds[0]:.1f} s and {seconds[1]:.1f} s, none lost"
        )
        assert await counts(postgres_url) == (2, 2)


async def test_sqlite_locked_by_another_process_fails_fast_and_polling_loses_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (a CLI purge, a migration) holds SQLite's write lock: an update waits the
    busy timeout (5 s) once, not five times (25 s), and polling keeps it until the lock is gone."""
    import sqlite3

    import bot.telegram.runner as runner

    monkeypatch.setattr(runner, "POISON_ATTEMPTS", 2)
    path = sqlite_url.removeprefix("sqlite:///")
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as runtime:
        tg.push_update(text_update(CITIZEN, "/start", update_id=17301))
        await answer(tg, CITIZEN, "Xin chào")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the other process's write transaction
        try:
            started = time.monotonic()
            event = Incoming(
                channel="telegram",
                user_id=str(CITIZEN + 1),
                chat_id=str(CITIZEN + 1),
                kind=Kind.COMMAND,
                text="/start",
                command="start",
                update_key="17399",
            )
            with pytest.raises(OperationalError, match="locked"):
                await runtime.app.receive(event)
            locked_seconds = time.monotonic() - started
            tg.push_update(text_update(CITIZEN, "/start", update_id=17302))
            await asyncio.sleep(12)
        finally:
            other.execute("ROLLBACK")
            other.close()
        # Stored with its reply queued (sending it is the outbox's part).
        async with asyncio.timeout(40):
            while await counts(sqlite_url) != (2, 2):
                await asyncio.sleep(0.2)
        print(
            f"\nSQLite locked elsewhere: an update gave up after {locked_seconds:.1f} s; the polled one was kept"
        )
        assert locked_seconds < 8
