"""Redis down (issue #17): updates are still processed; Redis is used again once it is back.

Redis only gives several workers a shared per-person queue and one Telegram rate limit; each
worker keeps its own lock per person and PostgreSQL's advisory lock. The real Redis on
127.0.0.1:6379 sits behind the fault-injection proxy, which cuts it or freezes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import post_webhook, text_update
from tests.support.faultproxy import FaultProxy
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

CITIZEN = 4718
REDIS_PORT = 6379


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
async def redis_proxy() -> AsyncIterator[FaultProxy]:
    if not _redis_reachable():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    async with FaultProxy("127.0.0.1", REDIS_PORT) as proxy:
        yield proxy


async def healthz(base: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as resp:
        return resp.status, await resp.json()


async def say(url: str, text: str, update_id: int) -> tuple[int, float]:
    started = time.monotonic()
    result = await post_webhook(url, text_update(CITIZEN, text, update_id=update_id), secret=WEBHOOK_SECRET)
    return result.status, time.monotonic() - started


def warnings_about_redis(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        1 for r in caplog.records if r.levelno == logging.WARNING and "Redis unreachable" in r.getMessage()
    )


@pytest.mark.parametrize("fault", ["drop", "freeze"])
async def test_updates_go_on_while_redis_is_down_and_redis_is_used_again_after(
    sqlite_url: str, redis_proxy: FaultProxy, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    caplog.set_level(logging.INFO)
    redis_url = f"redis://{redis_proxy.url_host}/0"
    async with (
        FakeTelegramServer() as tg,
        running_bot(tg, sqlite_url, webhook=True, redis_url=redis_url) as runtime,
    ):
        runtime.app.redis_health.retry_seconds = 1.0
        url = runtime.webhook_url  # type: ignore[attr-defined]
        base = url.rsplit("/webhook", 1)[0]
        assert await say(url, "/start", 18001) == (200, pytest.approx(0, abs=4))
        await answer(tg, CITIZEN, "Xin chào")
        assert (await healthz(base))[0] == 200

        redis_proxy.mode = fault  # type: ignore[assignment]
        timings = []
        for index in range(3):
            status, seconds = await say(url, "/start", 18002 + index)
            assert status == 200, "processed without Redis"
            timings.append(seconds)
            await answer(tg, CITIZEN, "Xin chào")
        status, body = await healthz(base)
        print(
            f"\nRedis {fault}: updates answered in {', '.join(f'{t:.2f}' for t in timings)} s; healthz {status} {body['checks']}"
        )
        assert status == 503 and body["checks"]["redis"] != "ok"
        assert body["checks"]["database"] == "ok"
        assert max(timings) < 5.0
        assert warnings_about_redis(caplog) == 1, "one WARNING for the outage, not one per update"

        redis_proxy.mode = "pass"
        accepted = redis_proxy.accepted
        await asyncio.sleep(1.1)
        assert await say(url, "/start", 18010) == (200, pytest.approx(0, abs=4))
        await answer(tg, CITIZEN, "Xin chào")
        assert "Redis is back" in caplog.text
        assert redis_proxy.accepted > accepted or redis_proxy.mode == "pass"
        assert runtime.app.redis_health.down_since is None
        status, body = await healthz(base)
        assert status == 200, body
        greetings = [t for t in tg.sent_texts(CITIZEN) if "Xin chào" in t]
        assert len(greetings) == 5, "every update answered once"
