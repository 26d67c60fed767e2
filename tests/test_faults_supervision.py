"""Background tasks cannot die silently (issue #17): a crash is an ERROR, the task starts again,
and /healthz says so meanwhile.

Reported: the Zalo Bot poller died on an unexpected ``deleteWebhook`` answer and the process kept
running with that channel dead and no ERROR line. The poller itself now copes with that answer
(bot/zalo/bot_runner.clear_webhook); here the poller of that time is put back — one that trusts
``deleteWebhook`` to answer an object — to check that whatever still kills a task is caught.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path
from typing import Any

import pytest

import bot.zalo.bot_runner as bot_runner
from bot import health
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.supervise import Supervisor
from bot.zalo.bot_api import ZaloBotClient
from tests.fakes.zalo_bot import DEFAULT_ZALO_BOT_TOKEN, FakeZaloBotServer, zalo_text_update
from tests.support.telegram_bot import free_port

USER = "zalo-user-1717"


async def trusting_clear_webhook(client: ZaloBotClient) -> bool:
    """The poller before issue #18: deleteWebhook's result is an object with a url."""
    result: Any = await client.call("deleteWebhook")
    return result["url"] == ""  # TypeError when Zalo answers `true`


async def test_a_crashed_zalo_poller_is_logged_restarted_and_the_channel_works_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(bot_runner, "clear_webhook", trusting_clear_webhook)
    async with FakeZaloBotServer() as zb:
        zb.delete_webhook_result = True  # an answer of a shape nobody documented
        settings = load_settings(
            sqlite_path=str(tmp_path / "bot.db"),
            webhook={"host": "127.0.0.1", "port": free_port()},
            zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN,
            zalo_bot_api_base=zb.base_url,
            zalo={"poll_min_gap_seconds": 0.05},
        )
        runtime = Runtime(settings, ["zalo-bot"])
        runtime.supervisor = Supervisor(min_backoff=1.5)
        await runtime.app.db.create_all()
        await runtime.setup()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        try:
            status = runtime.supervisor.status["zalo-bot-polling"]
            async with asyncio.timeout(10):
                while status.restarts == 0:
                    await asyncio.sleep(0.02)
            # While it waits to start again, /healthz names it.
            body = await health.check(runtime)
            assert body["ok"] is False
            assert "zalo-bot-polling" in body["checks"]["tasks"]
            assert body["tasks"]["zalo-bot-polling"]["state"] == "restarting"
            crashes = [
                r
                for r in caplog.records
                if r.levelno == logging.ERROR and "zalo-bot-polling" in r.getMessage()
            ]
            assert crashes and crashes[0].exc_info is not None, "an ERROR line with the traceback"
            assert "TypeError" in caplog.text

            zb.delete_webhook_result = {"url": "", "updated_at": 0}  # Zalo answers as documented again
            zb.push_update(zalo_text_update(USER, "/start"))
            await zb.wait_for("sendMessage", lambda c: "Xin chào" in str(c.params.get("text")), timeout=15)
            body = await health.check(runtime)
            print(f"\nrestarts {status.restarts}; health after: {body['checks']}")
            assert body["ok"] is True, body
            assert status.state == "running"
        finally:
            stop.set()
            await serving
            await runtime.close()


async def test_a_task_that_keeps_crashing_backs_off() -> None:
    supervisor = Supervisor(min_backoff=0.05, max_backoff=0.2)
    starts: list[float] = []

    async def broken() -> None:
        starts.append(asyncio.get_running_loop().time())
        raise RuntimeError("still broken")

    supervisor.start("broken", broken)
    await asyncio.sleep(1.2)
    await supervisor.stop()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Timings with room for a loaded machine: the shape is what matters.
    assert 0.04 <= gaps[0] < 0.15
    assert gaps[-1] >= 0.19 and max(gaps) < 0.5, "doubling up to the cap"
    assert len(starts) < 10, "not a hot loop"
    assert supervisor.status["broken"].state == "stopped"


async def test_a_dead_lease_heartbeat_restarts_the_scheduler(
    db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Without its heartbeat an instance never leads again: no digest, no reminders, silently."""
    from bot.app import Application
    from bot.scheduler import JobScheduler

    app = Application(load_settings(jobs={"lease_seconds": 4, "lease_renew_seconds": 1}), db=db)
    scheduler = JobScheduler(app)
    supervisor = Supervisor(min_backoff=0.2)
    supervisor.start("scheduler", scheduler.run)
    try:
        async with asyncio.timeout(10):
            while not scheduler.elector.is_leader:
                await asyncio.sleep(0.05)
        scheduler.kill_heartbeat()  # the heartbeat task dies
        status = supervisor.status["scheduler"]
        async with asyncio.timeout(10):
            while status.restarts == 0:
                await asyncio.sleep(0.05)
        assert "leader heartbeat stopped" in caplog.text
        async with asyncio.timeout(10):
            while not (status.state == "running" and scheduler.elector.is_leader):
                await asyncio.sleep(0.05)
    finally:
        await supervisor.stop()


async def test_telegram_down_at_start_no_longer_kills_the_poller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """deleteWebhook, the poller's first call, answered 502 (Telegram briefly down as the bot
    starts): the polling task used to end there, silently, with the process still running."""
    from tests.fakes.telegram import FakeTelegramServer
    from tests.fakes.updates import text_update
    from tests.support.telegram_bot import answer, running_bot

    caplog.set_level(logging.INFO)
    async with FakeTelegramServer() as tg:
        tg.fail("deleteWebhook", 502)
        async with running_bot(tg, f"sqlite:///{tmp_path}/bot.db") as runtime:
            status = runtime.supervisor.status["telegram-polling"]
            assert status.restarts == 1 and status.state == "running"
            tg.push_update(text_update(4720, "/start"))
            await answer(tg, 4720, "Xin chào")
    crashes = [
        r for r in caplog.records if r.levelno == logging.ERROR and "telegram-polling" in r.getMessage()
    ]
    assert len(crashes) == 1 and crashes[0].exc_info
