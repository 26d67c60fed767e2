"""The Zalo Bot API as live tests found it (issue #18), against the fake's switches: polling that
starts whatever deleteWebhook answers, re-served updates, the setWebhook test request, the plan's
quota, staff pictures by a signed link, and pacing through the shared limiter."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image
from sqlmodel import select

from bot.app import Application
from bot.delivery.channel import RetryLater
from bot.delivery.ratelimit import Limit
from bot.settings import ConfigError, load_settings
from bot.telegram.adapter import make_bot
from bot.telegram.files import TelegramFiles
from bot.zalo.bot_api import ZaloBotClient
from bot.zalo.bot_runner import register_webhook, run_zalo_polling, zalo_bot_webhook_handler
from bot.zalo.bot_sender import ZaloBotSender
from bot.zalo.files import FileLinks, link_key
from bot.zalo.quota import QUOTA_WAIT, QuotaAlarm
from bot.zalo.texts import QUOTA_TO_PERSON
from handlers.events import AttachmentRef, Reply
from storage.db import Database
from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.zalo_bot import DEFAULT_ZALO_BOT_TOKEN, FakeZaloBotServer, post_webhook
from tests.test_zalo_bot import SECRET, USER, WEBHOOK_PATH, PollingChat, count, settings_for

TG_TOKEN = "123456789:TEST-fake-token-not-real"
GROUP = "-100777"


@asynccontextmanager
async def polling_app(db: Database, zb: FakeZaloBotServer, **polling: Any) -> AsyncIterator[Application]:
    """An application with a Zalo Bot sender and a poller running against ``zb``."""
    client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
    app = Application(settings_for(zb.base_url), db=db)
    app.add_sender(ZaloBotSender(client, per_second=50, per_chat_per_second=20))
    app.start_outbox()
    stop = asyncio.Event()
    polling.setdefault("min_gap", 0.02)
    task = asyncio.create_task(run_zalo_polling(app, client, stop, timeout=1, **polling))
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        assert app.outbox is not None
        await app.outbox.stop()
        await client.aclose()


# -- 1. polling starts whatever deleteWebhook answers ---------------------------------------------


async def test_polling_starts_when_delete_webhook_answers_404(db: Database) -> None:
    async with FakeZaloBotServer(webhook_methods_404=True) as zb, polling_app(db, zb) as app:
        assert "Xin chào" in await PollingChat(app, zb).say("/start")
        assert [c.status for c in zb.calls_of("deleteWebhook")] == [404]  # tried once, then polled


@pytest.mark.parametrize("result", [True, "ok", ["url", ""], 0])
async def test_polling_starts_whatever_shape_delete_webhook_returns(db: Database, result: Any) -> None:
    async with FakeZaloBotServer() as zb:
        zb.delete_webhook_result = result
        async with polling_app(db, zb) as app:
            assert "Xin chào" in await PollingChat(app, zb).say("/start")


# -- 2. a minimum gap between polls; consumed and re-served updates -------------------------------


@pytest.mark.parametrize("reserve", [False, True], ids=["consumed", "re-served"])
async def test_updates_neither_loop_hot_nor_get_lost(db: Database, reserve: bool) -> None:
    async with FakeZaloBotServer(reserve_updates=reserve) as zb, polling_app(db, zb, min_gap=0.2) as app:
        chat = PollingChat(app, zb)
        answers = [await chat.say(text) for text in ("/start", "/trogiup", "/huy")]
        assert all(answers)  # each message answered
        polls_before = len(zb.calls_of("getUpdates"))
        await asyncio.sleep(1.0)
        polls = len(zb.calls_of("getUpdates")) - polls_before
        assert polls <= 7, polls  # ≥ 0.2 s apart even when Zalo answers at once
        if reserve:
            assert zb.reserved >= 2  # the last message kept coming back
        assert await count(app.db, ProcessedUpdate) == 3  # none lost, none twice
        assert len([t for t in zb.sent_texts(USER) if "Xin chào" in t]) == 1


def test_the_poll_gap_is_a_setting() -> None:
    assert load_settings().zalo.poll_min_gap_seconds == 1.0
    assert load_settings(zalo={"poll_min_gap_seconds": 2.5}).zalo.poll_min_gap_seconds == 2.5
    with pytest.raises(ConfigError, match="poll_min_gap_seconds"):
        load_settings(zalo={"poll_min_gap_seconds": -1})


# -- 4. the setWebhook test request -------------------------------------------------------------


@pytest.fixture
async def hook_url(db: Database) -> AsyncIterator[str]:
    app = Application(load_settings(), db=db)
    web_app = web.Application()
    web_app.router.add_post(WEBHOOK_PATH, zalo_bot_webhook_handler(app, SECRET))
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url(WEBHOOK_PATH))
    await server.close()


async def test_the_set_webhook_test_request_is_answered_200(
    db: Database, hook_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    async with FakeZaloBotServer(verify_webhook=True) as zb:
        client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
        await register_webhook(client, hook_url, SECRET)
        await client.aclose()
    assert zb.verifications == [{"outcome": "ok", "hint": ""}]
    assert "without a message" in caplog.text and "reached it" in caplog.text
    # Whatever the undocumented body is, an authenticated request without a message gets 200…
    headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        for body in (
            b"",
            b"not json",
            b"[1, 2]",
            b'{"ok": true, "result": {"foo": 1}}',
            b'{"event_name": "x"}',
        ):
            async with session.post(hook_url, data=body, headers=headers) as resp:
                assert resp.status == 200, body
    assert await count(db, ProcessedUpdate) == 0  # …and stores nothing
    # An unauthenticated one is still refused.
    assert (
        await post_webhook(hook_url, {"event_name": "webhook.verification"}, "wrong-secret")
    ).status == 403


async def test_the_fake_counts_a_400_to_the_test_request_as_a_failure() -> None:
    async def refuse(_request: web.Request) -> web.Response:
        return web.json_response({"ok": False}, status=400)

    web_app = web.Application()
    web_app.router.add_post(WEBHOOK_PATH, refuse)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        async with FakeZaloBotServer(verify_webhook=True) as zb:
            client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
            await register_webhook(client, str(server.make_url(WEBHOOK_PATH)), SECRET)
            await client.aclose()
    finally:
        await server.close()
    assert zb.verifications == [{"outcome": "failed", "hint": "HTTP 400 from the URL"}]


# -- 5. quotas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 403])
async def test_a_spent_quota_waits_and_tells_operator_staff_and_person(
    db: Database, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeZaloBotServer(message_quota=1, quota_status=status) as zb:
        client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
        sender = ZaloBotSender(client, quota=QuotaAlarm(db, GROUP))
        await sender.send(USER, Reply("Trả lời thứ nhất").to_dict())  # the plan's last message
        for _ in range(2):
            with pytest.raises(RetryLater) as caught:
                await sender.send(USER, Reply("Trả lời thứ hai", language="en").to_dict())
            assert caught.value.retry_after == QUOTA_WAIT  # waits an hour, not failed
        await client.aclose()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.zalo.quota"]
    assert len(errors) == 1 and "quota" in errors[0].getMessage()
    async with db.session() as session:
        to_staff = (await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP))).all()
    assert len(to_staff) == 1 and "hết hạn mức" in to_staff[0].payload["text"]  # once a day
    # The person was offered Telegram or the OA (in their language), once; the quota refused it too.
    notices = [c for c in zb.calls_of("sendMessage") if c.params.get("text") == QUOTA_TO_PERSON["en"]]
    assert len(notices) == 1 and notices[0].status == status


# -- 7. staff pictures by a short-lived signed link ---------------------------------------------------


def png(size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "PNG")
    return out.getvalue()


@asynccontextmanager
async def links_server(tg: FakeTelegramServer, ttl: float = 600) -> AsyncIterator[tuple[FileLinks, Any]]:
    bot = make_bot(TG_TOKEN, tg.base_url)
    web_app = web.Application()
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    links = FileLinks(
        TelegramFiles(bot), link_key(DEFAULT_ZALO_BOT_TOKEN), str(server.make_url("")).rstrip("/"), ttl=ttl
    )
    web_app.router._frozen = False  # routes added after start (the runtime adds them before)
    web_app.router.add_get(links.route, links.handle)
    try:
        yield links, server
    finally:
        await server.close()
        await bot.session.close()


async def test_a_staff_picture_reaches_a_zalo_bot_reporter_by_a_signed_link() -> None:
    big = png((1800, 1800))
    assert len(big) > 1_000_000
    async with (
        FakeTelegramServer() as tg,
        FakeZaloBotServer(fetch_photos=True) as zb,
        links_server(tg) as (links, _server),
    ):
        tg.add_file("AgACAgIAAxkBAAIB-staff-photo", big, "photos/file_1.png")
        client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
        sender = ZaloBotSender(client, links=links)
        photo = AttachmentRef("photo", "AgACAgIAAxkBAAIB-staff-photo", None, "image/png", len(big))
        await sender.send(
            USER, Reply("💬 Tổ công tác trả lời: bạn xem ảnh nhé.", attachments=[photo]).to_dict()
        )
        await client.aclose()
    [text] = zb.sent_texts(USER)
    assert text.startswith("💬 Tổ công tác trả lời") and "Zalo chưa hiển thị" not in text  # answer first
    [send_photo] = zb.calls_of("sendPhoto")
    url = send_photo.params["photo"]
    assert send_photo.ok and url.startswith(links.base_url + "/zalo/files/")
    assert TG_TOKEN not in url and "/file/bot" not in url and "staff-photo" not in url  # no Telegram URL
    [fetched] = zb.fetched
    assert (
        fetched.status == 200 and fetched.content_type == "image/jpeg" and len(fetched.content) <= 1_000_000
    )


async def test_a_signed_link_expires_and_cannot_be_forged() -> None:
    async with FakeTelegramServer() as tg, links_server(tg, ttl=30) as (links, _server):
        tg.add_file("photo-1", png(), "photos/file_2.png")
        url = links.url_for("photo-1")
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as resp:
                assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
            signature = url.rsplit("/", 1)[1].split(".")[1]
            forged = url.replace(signature, signature[::-1])
            async with session.get(forged) as resp:
                assert resp.status == 404
            other = FileLinks(links.source, link_key("another:token"), links.base_url)
            async with session.get(other.url_for("photo-1")) as resp:
                assert resp.status == 404  # signed with another key
            links.clock = lambda: time.time() + 31
            async with session.get(url) as resp:
                assert resp.status == 410


async def test_without_a_public_address_a_picture_is_named_as_before(db: Database) -> None:
    async with FakeZaloBotServer() as zb:
        client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
        photo = AttachmentRef("photo", "AgACAgIAAxkBAAIB-staff-photo", None, "image/png", 10)
        await ZaloBotSender(client).send(USER, Reply("Bạn xem ảnh nhé.", attachments=[photo]).to_dict())
        await client.aclose()
    [text] = zb.sent_texts(USER)
    assert "Zalo chưa hiển thị được" in text and not zb.calls_of("sendPhoto")


# -- 8. pacing through the shared limiter ---------------------------------------------------------


class BlockingLimiter:
    """The outbox limiter as a sender sees it: acquire, and block (a window closed for a while)."""

    def __init__(self) -> None:
        self.blocked: list[tuple[str, Limit, float]] = []

    async def acquire(self, limits: list[tuple[str, Limit]]) -> None:
        return None

    def block(self, key: str, limit: Limit, seconds: float) -> None:
        self.blocked.append((key, limit, seconds))


async def test_a_429_with_retry_after_closes_the_whole_bots_window() -> None:
    async with FakeZaloBotServer() as zb:
        client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
        sender = ZaloBotSender(client, per_second=8)
        limiter = BlockingLimiter()
        sender.use_limiter(limiter)
        zb.fail("sendMessage", 429, "Too Many Requests", retry_after=7)
        with pytest.raises(RetryLater) as caught:
            await sender.send(USER, Reply("x").to_dict())
        await client.aclose()
    assert caught.value.retry_after == 7
    assert limiter.blocked == [("zalo_bot:global", Limit(8, 1.0), 7)]  # every chat waits, not only this one


# -- wiring: staff files need the Telegram channel in the same process --------------------------------


async def test_the_runtime_wires_file_links_and_oa_uploads(tmp_path: Any) -> None:
    from bot.zalo.files import FILES_PATH
    from tests.fakes.zalo_oa import FAKE_APP_ID, FAKE_APP_SECRET, FAKE_OA_SECRET_KEY
    from tests.test_zalo_bot import _runtime

    runtime = await _runtime(
        tmp_path,
        ["telegram", "zalo-bot", "zalo-oa"],
        public_url="https://bot.example.gov.vn",
        telegram_bot_token=TG_TOKEN,
        telegram_api_base="http://127.0.0.1:9",  # never called during setup
        zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN,
        zalo_oa_app_id=FAKE_APP_ID,
        zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
        zalo_oa_app_secret=FAKE_APP_SECRET,
        zalo_oa_access_token="fake-oa-access-0",
        zalo_oa_refresh_token="fake-oa-refresh-0",
    )
    try:
        await runtime.setup()
        bot_sender = runtime.app.senders["zalo_bot"]
        assert bot_sender.links is not None and bot_sender.links.base_url == "https://bot.example.gov.vn"
        paths = [r.resource.canonical for r in runtime.web_app.router.routes() if r.resource is not None]
        assert FILES_PATH + "/{token}" in paths
        assert isinstance(runtime.app.senders["zalo_oa"].files, TelegramFiles)
        assert bot_sender.quota.staff_chat_id is None  # no staff group configured: the log only
    finally:
        await runtime.close()
    # A Zalo-only process of a split deployment still fetches staff files, without polling Telegram.
    runtime = await _runtime(
        tmp_path,
        ["zalo-oa"],
        telegram_bot_token=TG_TOKEN,
        zalo_oa_app_id=FAKE_APP_ID,
        zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
        zalo_oa_app_secret=FAKE_APP_SECRET,
        zalo_oa_access_token="fake-oa-access-0",
        zalo_oa_refresh_token="fake-oa-refresh-0",
    )
    try:
        await runtime.setup()
        assert isinstance(runtime.app.senders["zalo_oa"].files, TelegramFiles)
        assert runtime.telegram_bot is None
    finally:
        await runtime.close()
