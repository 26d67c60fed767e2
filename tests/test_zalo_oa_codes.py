"""Zalo OA: runtime wiring, settings and how each of Zalo's error codes is handled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest

from bot.delivery.channel import PermanentFailure, RetryLater
from bot.settings import ConfigError, load_settings
from bot.zalo.oa import (
    CHANNEL,
    OPERATOR_WAIT,
    REASON_RECIPIENT_QUOTA,
)
from handlers.events import Reply
from storage.db import Database
from tests.fakes.zalo_oa import (
    FAKE_APP_ID,
    FAKE_APP_SECRET,
    FAKE_OA_SECRET_KEY,
    FakeZaloOAServer,
    oa_text_event,
    post_event,
)
from tests.test_zalo_oa import OA, USER, oa_channel


@pytest.fixture
async def oa(db: Database) -> AsyncIterator[OA]:
    async with oa_channel(db) as channel:
        yield channel


# -- runtime wiring ------------------------------------------------------------------------


async def test_runtime_serves_the_oa_webhook(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    async with FakeZaloOAServer(app_secret=FAKE_APP_SECRET) as server:
        server.expire_token()  # the reply needs a refresh: the app secret is checked too
        runtime = await _runtime(
            tmp_path,
            ["zalo-oa"],
            zalo_oa_app_id=FAKE_APP_ID,
            zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
            zalo_oa_app_secret=FAKE_APP_SECRET,
            zalo_oa_access_token="fake-oa-access-0",
            zalo_oa_refresh_token="fake-oa-refresh-0",
            zalo_oa_api_base=server.base_url,
            zalo_oa_oauth_base=server.base_url,
        )
        await runtime.setup()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        try:
            webhook = runtime.settings.webhook
            url = f"http://127.0.0.1:{webhook.port}{webhook.zalo_oa_path}"
            for _ in range(50):  # the web server starts inside serve()
                try:
                    event = oa_text_event(USER, "/start")
                    result = await post_event(url, event, secret_key=FAKE_OA_SECRET_KEY)
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert result.status == 200
            await server.wait_for("message/cs", lambda c: c.ok and "Xin chào" in str(c.params), timeout=10)
            assert server.token_refreshes == 1
        finally:
            stop.set()
            await serving
            await runtime.close()


async def test_runtime_names_the_missing_oa_setting(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    runtime = await _runtime(tmp_path, ["zalo-oa"], zalo_oa_app_id=FAKE_APP_ID, zalo_oa_secret_key=None)
    with pytest.raises(ConfigError, match="ZALO_OA_SECRET_KEY"):
        await runtime.setup()
    await runtime.close()
    runtime = await _runtime(
        tmp_path,
        ["zalo-oa"],
        zalo_oa_app_id=FAKE_APP_ID,
        zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
        zalo_oa_app_secret=FAKE_APP_SECRET,
    )
    with pytest.raises(ConfigError, match="ZALO_OA_ACCESS_TOKEN"):
        await runtime.setup()
    await runtime.close()


# -- settings and Zalo's error codes ---------------------------------------------------------


async def test_window_settings_reach_the_runtime(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    defaults = load_settings().delivery  # config.yaml: the free 48 hours, no cap
    assert (defaults.zalo_oa_window_hours, defaults.zalo_oa_free_replies) == (48, 0)
    assert not defaults.zalo_oa_paid_replies
    for delivery, expected in (
        ({}, (48, 0)),
        ({"zalo_oa_window_hours": 168, "zalo_oa_paid_replies": True, "zalo_oa_free_replies": 8}, (168, 8)),
    ):
        runtime = await _runtime(
            tmp_path,
            ["zalo-oa"],
            delivery=delivery,
            zalo_oa_app_id=FAKE_APP_ID,
            zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
            zalo_oa_app_secret=FAKE_APP_SECRET,
            zalo_oa_access_token="fake-oa-access-0",
            zalo_oa_refresh_token="fake-oa-refresh-0",
        )
        try:
            await runtime.setup()
            window = runtime.app.senders[CHANNEL].window
            assert (window.hours, window.free_messages) == expected
        finally:
            await runtime.close()


@pytest.mark.parametrize("code", [-233, -244])
async def test_codes_that_never_succeed_fail_at_once(oa: OA, code: int) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", code)
    with pytest.raises(PermanentFailure, match=str(code)):
        await oa.sender.send(USER, Reply("x").to_dict())


@pytest.mark.parametrize("code", [-211, -219, -221, -223, -224])
async def test_operator_codes_wait_long_and_log_an_error(
    oa: OA, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", code, times=2)
    for _ in range(2):
        with pytest.raises(RetryLater) as caught:
            await oa.sender.send(USER, Reply("x").to_dict())
        assert caught.value.retry_after == OPERATOR_WAIT
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.zalo.oa_sender"]
    assert len(errors) == 1 and str(code) in errors[0].getMessage()  # once, not once per reply
    assert not await oa.rows("deferred")


async def test_an_unknown_code_is_retried_as_before(oa: OA) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", -999, "Something new")
    with pytest.raises(RetryLater) as caught:
        await oa.sender.send(USER, Reply("x").to_dict())
    assert caught.value.retry_after is None


async def test_recipient_quota_defers_until_the_person_writes(oa: OA) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", -218)  # "Out of quota receive"
    await oa.relay("Trả lời thứ nhất")
    calls = len(oa.server.calls_of("message/cs"))
    await oa.relay("Trả lời thứ hai")
    assert len(oa.server.calls_of("message/cs")) == calls  # known refused: Zalo is not asked again
    assert len(await oa.rows("deferred")) == 2
    assert oa.hooks.failed_reasons == [(USER, REASON_RECIPIENT_QUOTA)] * 2
    await oa.say("alo")
    texts = oa.server.sent_texts(USER)
    assert texts.index("Trả lời thứ nhất") < texts.index("Trả lời thứ hai")
    assert not await oa.rows("deferred")


async def test_rate_limit_answered_in_the_body_waits_a_minute(oa: OA) -> None:
    await oa.say("/start")
    oa.server.requests_per_minute = oa.server.rate_used  # this minute's budget is spent
    limited: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        limited.append(response)

    oa.http.event_hooks["response"].append(keep)
    with pytest.raises(RetryLater) as caught:
        await oa.sender.send(USER, Reply("x").to_dict())
    oa.http.event_hooks["response"].clear()
    assert caught.value.retry_after == 60
    [response] = limited
    assert response.status_code == 200 and response.headers["X-RateLimit-Remain"] == "0"
    await response.aread()
    assert response.json()["error"] == -32
    assert not await oa.rows("deferred")  # a wait, not a refusal that needs the person

    oa.server.requests_per_minute = 4000
    await oa.sender.send(USER, Reply("x").to_dict())
