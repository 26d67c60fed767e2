"""The database is down when the bot starts (issue #17): one clear line per try, no traceback,
and the bot starts by itself once the database answers.

The real `python -m bot run` in a child process, its PostgreSQL behind the fault proxy (cut at
first), the fake Bot API for Telegram; migrations run at start as in production.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, text_update
from tests.support.faultproxy import FaultProxy
from tests.support.telegram_bot import answer

ROOT = Path(__file__).resolve().parents[1]
CITIZEN = 4719


@pytest.fixture
async def pg_proxy(pg: Database) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", 5432) as proxy:
        yield proxy


def environment(api_base: str, database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_API_BASE=api_base,
        STAFF_CHAT_ID=str(STAFF_GROUP_ID),
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
        JOBS__ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


async def test_a_database_down_at_start_gives_one_line_per_try_and_the_bot_starts_once_it_is_up(
    pg_proxy: FaultProxy, postgres_url: str, tmp_path: Path
) -> None:
    pg_proxy.mode = "drop"
    url = postgres_url.replace("127.0.0.1:5432", pg_proxy.url_host)
    log_path = tmp_path / "bot.log"
    async with FakeTelegramServer() as tg:
        with log_path.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--channel",
                "telegram",
                "--no-migrate",  # the tables exist (the pg fixture); the wait comes before migrating
                cwd=ROOT,
                env=environment(tg.base_url, url),
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
            )
            try:
                await asyncio.sleep(8.0)  # start-up, then tries 1, 2 and 4 s apart
                assert process.returncode is None, "still running: it waits for the database"
                down = log_path.read_text()
                pg_proxy.mode = "pass"
                started = time.monotonic()
                async with asyncio.timeout(60):
                    while tg.polls_waiting == 0:
                        assert process.returncode is None, log_path.read_text()[-3000:]
                        await asyncio.sleep(0.1)
                up_seconds = time.monotonic() - started
                tg.push_update(text_update(CITIZEN, "/start"))
                await answer(tg, CITIZEN, "Xin chào", timeout=20)
            finally:
                if process.returncode is None:
                    process.terminate()
                    await asyncio.wait_for(process.wait(), 20)
    lines = [line for line in down.splitlines() if line.strip()]
    tries = [line for line in lines if "unreachable" in line]
    print(
        f"\nwhile down: {len(lines)} log lines, {len(tries)} tries; polling {up_seconds:.1f} s after the database came back"
    )
    print(tries[0])
    assert "Traceback" not in down
    assert len(tries) >= 2 and len(lines) == len(tries), "one line per try, nothing else"
    assert "ERROR" in tries[0] and pg_proxy.url_host in tries[0] and "trying again" in tries[0]
    assert up_seconds < 15  # the next try is at most 8 s away at that point
