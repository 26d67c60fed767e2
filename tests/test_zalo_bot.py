"""The Zalo Bot API channel over the real wire: httpx client ↔ FakeZaloBotServer on 127.0.0.1.

The same intake conversation as on Telegram, but with numbered text menus answered by number or
by words, a typed phone number, and replies arriving as sendMessage texts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import func, select

from bot.app import Application
from bot.settings import load_settings
from bot.zalo.bot_api import CHANNEL, ZaloBotClient
from bot.zalo.bot_runner import run_zalo_polling, zalo_bot_webhook_handler
from bot.zalo.bot_sender import ZaloBotSender
from storage.db import Database
from storage.models import Attachment, Case, Conversation, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.zalo_bot import (
    DEFAULT_ZALO_BOT_TOKEN,
    FakeZaloBotServer,
    post_webhook,
    zalo_image_update,
    zalo_text_update,
)

USER = "e4ea2cd5189df1c3a88c"
SECRET = "webhook-secret-123"
WEBHOOK_PATH = "/webhook/zalo-bot"

Say = Callable[[str], Awaitable[str]]


# -- shared: the intake conversation on a text-only messenger ------------------------------


def number_of(menu: str, label: str) -> str:
    """The number in front of ``label`` in a rendered numbered menu ("2️⃣ label": keycap digits)."""
    for line in menu.splitlines():
        match = re.match(r"^((?:\d\ufe0f\u20e3)+) (.*)$", line)
        if match and label.lower() in match.group(2).lower():
            return re.sub(r"\D", "", match.group(1))
    raise AssertionError(f"no menu line with {label!r} in:\n{menu}")


async def text_only_intake(say: Say, attach: Callable[[], Awaitable[str]] | None = None) -> str:
    """Files a complaint by typing only; returns the last answer (with the case code)."""
    out = await say("/start")
    assert "Xin chào" in out and "1️⃣ 📝 Gửi phản ánh" in out and "Trả lời 1, 2, 3, 4 hoặc 5" in out
    out = await say(number_of(out, "Gửi phản ánh"))  # by number
    assert "Nghị định 13/2023/NĐ-CP" in out
    out = await say("dong y")  # by words, without diacritics
    assert "Bạn là:" in out
    out = await say("Người dân")  # by words
    assert "xã, phường hay đặc khu" in out
    out = await say("le chan")
    assert "Phường Lê Chân" in out
    out = await say(number_of(out, "Phường Lê Chân"))
    assert "hệ thống nào" in out
    out = await say(number_of(out, "VNeID"))
    assert "mô tả ngắn gọn" in out
    out = await say("Đăng nhập VNeID báo lỗi hệ thống từ sáng, thử nhiều lần vẫn không vào được")
    assert "Đã ghi nhận mô tả" in out
    if attach is not None:
        out = await attach()
        assert "Đã nhận tệp (1/5)" in out
    out = await say("tiep tuc")
    if "Có phải bạn gặp" in out or "giống một trong" in out:
        out = await say(number_of(out, "gửi Tổ công tác"))
    assert "mã hồ sơ" in out
    out = await say("H26.22-251120-0001")
    assert "thủ tục gì" in out
    out = await say("Đăng ký khai sinh")
    assert "số điện thoại" in out and "Bạn gõ số" in out and "Chia sẻ" not in out
    out = await say("0912 345 67")
    assert "chưa đúng dạng số điện thoại" in out
    out = await say("0912345678")
    assert "kiểm tra lại" in out and "Phường Lê Chân" in out and "0912 345 678" in out
    assert "H26.22-251120-0001" in out
    out = await say(number_of(out, "Gửi phản ánh"))
    assert "Đã tiếp nhận" in out and "Mã phản ánh: PA-" in out
    return out


async def count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def only_case(db: Database) -> Case:
    async with db.session() as session:
        [case] = (await session.exec(select(Case))).all()
        return case


def settings_for(server_url: str, **overrides: Any) -> Any:
    return load_settings(zalo_bot_api_base=server_url, zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN, **overrides)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
async def zb() -> AsyncIterator[FakeZaloBotServer]:
    # Two Server headers on every answer, as the real API sends: the client must cope.
    async with FakeZaloBotServer(duplicate_server_header=True) as server:
        yield server


@pytest.fixture
async def client(zb: FakeZaloBotServer) -> AsyncIterator[ZaloBotClient]:
    bot_client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, zb.base_url)
    yield bot_client
    await bot_client.aclose()


@pytest.fixture
async def app(db: Database, zb: FakeZaloBotServer, client: ZaloBotClient) -> AsyncIterator[Application]:
    application = Application(settings_for(zb.base_url), db=db)
    application.add_sender(ZaloBotSender(client, per_second=50, per_chat_per_second=20))
    application.start_outbox()
    yield application
    assert application.outbox is not None
    await application.outbox.stop()


class Processed:
    """Waits until the application has processed an update (by update key)."""

    def __init__(self, app: Application) -> None:
        self.keys: list[str | None] = []
        self._changed = asyncio.Event()
        app.on_processed.append(self._seen)

    def _seen(self, event: Any) -> None:
        self.keys.append(event.update_key)
        self._changed.set()

    async def wait(self, key: str, times: int = 1, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while self.keys.count(key) < times:
                self._changed.clear()
                await self._changed.wait()


class PollingChat:
    def __init__(self, app: Application, zb: FakeZaloBotServer, user: str = USER) -> None:
        self.app, self.zb, self.user = app, zb, user
        self.processed = Processed(app)

    async def deliver(self, update: dict[str, Any]) -> str:
        start = len(self.zb.sent_texts(self.user))
        self.zb.push_update(update)
        await self.processed.wait(str(update["message"]["message_id"]))
        assert self.app.outbox is not None
        await self.app.outbox.drain(timeout=10, channels={CHANNEL})
        return "\n".join(self.zb.sent_texts(self.user)[start:])

    async def say(self, text: str) -> str:
        return await self.deliver(zalo_text_update(self.user, text))


@pytest.fixture
async def polling(app: Application, client: ZaloBotClient) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_zalo_polling(app, client, stop, timeout=1, min_gap=0.02))
    yield stop
    stop.set()
    await asyncio.wait_for(task, timeout=5)


# -- the conversation over the wire --------------------------------------------------------


async def test_full_intake_over_long_polling(
    app: Application, zb: FakeZaloBotServer, polling: asyncio.Event, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # As with LOG_LEVEL=DEBUG: httpx logs each request (it stays at WARNING otherwise, and an
    # earlier test in the session may have set that up).
    caplog.set_level(logging.DEBUG, logger="httpx")
    chat = PollingChat(app, zb)

    async def attach() -> str:
        return await chat.deliver(
            zalo_image_update(USER, "https://f.zdn.vn/img/loi-vneid.jpg", field="photo_url")
        )

    final = await text_only_intake(chat.say, attach)

    case = await only_case(app.db)
    assert case.channel == "zalo_bot" and case.chat_id == USER and case.code in final
    assert case.phone == "0912345678" and case.system == "vneid" and case.dossier_code == "H26.22-251120-0001"
    async with app.db.session() as session:
        [attachment] = (await session.exec(select(Attachment))).all()
        reporter = (await session.exec(select(Reporter))).one()
    assert attachment.file_ref == "https://f.zdn.vn/img/loi-vneid.jpg" and attachment.kind == "photo"
    assert reporter.channel == "zalo_bot" and reporter.external_id == USER and reporter.display_name == "An"
    # Polling cleared any webhook first, and a poll that found nothing (408) just polled again.
    assert zb.calls_of("deleteWebhook")
    # Every reply is plain text within Zalo's limit; the token never reached a log line.
    assert all(0 < len(c.params["text"]) <= 2000 for c in zb.calls_of("sendMessage"))
    secret_part = DEFAULT_ZALO_BOT_TOKEN.split(":", 1)[1]
    assert DEFAULT_ZALO_BOT_TOKEN not in caplog.text and secret_part not in caplog.text
    assert "<zalo-bot-token>" in caplog.text  # httpx did log the request, masked


async def test_empty_polls_408_are_polled_again(
    app: Application, zb: FakeZaloBotServer, polling: asyncio.Event
) -> None:
    await zb.wait_for("getUpdates", lambda c: c.status == 408, count=2, timeout=5)
    chat = PollingChat(app, zb)
    out = await chat.say("/start")
    assert "Xin chào An" in out


async def test_same_message_id_twice_has_one_effect(
    app: Application, zb: FakeZaloBotServer, polling: asyncio.Event
) -> None:
    chat = PollingChat(app, zb)
    update = zalo_text_update(USER, "/start", message_id="dup-0001")
    zb.push_update(update)
    zb.push_update(json.loads(json.dumps(update)))  # Zalo hands the same message out again
    await chat.processed.wait("dup-0001")
    async with asyncio.timeout(5):
        while len(zb.delivered) < 2 or zb.updates:
            await asyncio.sleep(0.02)
    assert app.outbox is not None
    await app.outbox.drain(timeout=10, channels={CHANNEL})
    assert len([t for t in zb.sent_texts(USER) if "Xin chào" in t]) == 1
    assert await count(app.db, ProcessedUpdate) == 1


async def test_polling_clears_a_webhook_first(
    app: Application, zb: FakeZaloBotServer, client: ZaloBotClient
) -> None:
    await client.set_webhook(f"http://127.0.0.1:{_free_port()}/webhook/zalo-bot", SECRET)
    stop = asyncio.Event()
    task = asyncio.create_task(run_zalo_polling(app, client, stop, timeout=1, min_gap=0.02))
    try:
        chat = PollingChat(app, zb)
        await zb.wait_for("deleteWebhook")
        assert (await client.get_webhook_info())["url"] == ""
        assert "Xin chào" in await chat.say("/start")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_polling_clears_a_webhook_again_whatever_getupdates_answers(
    app: Application, zb: FakeZaloBotServer, client: ZaloBotClient, polling: asyncio.Event
) -> None:
    # What getUpdates answers while a webhook is set is undocumented: here it is a plain 400.
    zb.webhook_conflict_status = 400
    await zb.wait_for("deleteWebhook")
    await client.set_webhook(f"http://127.0.0.1:{_free_port()}/webhook/zalo-bot", SECRET)  # someone else
    await zb.wait_for("getUpdates", lambda c: c.status == 400, timeout=5)
    await zb.wait_for("deleteWebhook", count=2, timeout=10)  # cleared again, not polled forever
    assert "Xin chào" in await PollingChat(app, zb).say("/start")


# -- webhook -------------------------------------------------------------------------------


@pytest.fixture
async def hook_url(app: Application) -> AsyncIterator[str]:
    web_app = web.Application()
    web_app.router.add_post(WEBHOOK_PATH, zalo_bot_webhook_handler(app, SECRET))
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url(WEBHOOK_PATH))
    await server.close()


@pytest.mark.parametrize("wrapped", [False, True])
async def test_full_intake_over_webhook(
    app: Application, zb: FakeZaloBotServer, client: ZaloBotClient, hook_url: str, wrapped: bool
) -> None:
    zb.webhook_wrapped = wrapped  # Zalo posts the event bare or inside {ok, result}
    assert (await client.set_webhook(hook_url, SECRET))["url"] == hook_url

    async def deliver(update: dict[str, Any]) -> str:
        start = len(zb.sent_texts(USER))
        before = len(zb.webhook_deliveries)
        zb.push_update(update)
        await zb.drain_webhooks()
        [result] = zb.webhook_deliveries[before:]
        assert not isinstance(result, str) and result.status == 200, result
        assert app.outbox is not None
        await app.outbox.drain(timeout=10, channels={CHANNEL})
        return "\n".join(zb.sent_texts(USER)[start:])

    async def say(text: str) -> str:
        return await deliver(zalo_text_update(USER, text))

    async def attach() -> str:
        return await deliver(zalo_image_update(USER, "https://f.zdn.vn/img/a.jpg", field="url"))

    await text_only_intake(say, attach)
    case = await only_case(app.db)
    assert case.channel == "zalo_bot"
    # Redelivery of an update already answered 200 is a no-op.
    replay = zalo_text_update(USER, "/start", message_id="hook-dup")
    first = await post_webhook(hook_url, replay, SECRET, wrapped=wrapped)
    again = await post_webhook(hook_url, replay, SECRET, wrapped=wrapped)
    assert first.status == again.status == 200
    async with app.db.session() as session:
        rows = (
            await session.exec(select(ProcessedUpdate).where(ProcessedUpdate.update_key == "hook-dup"))
        ).all()
    assert len(rows) == 1


async def test_webhook_refuses_wrong_or_missing_secret_and_stores_nothing(
    app: Application, hook_url: str
) -> None:
    update = zalo_text_update(USER, "/start")
    assert (await post_webhook(hook_url, update, "not-the-secret")).status == 403
    assert (await post_webhook(hook_url, update, None)).status == 403
    assert (await post_webhook(hook_url, update, SECRET[:-1])).status == 403
    for model in (ProcessedUpdate, Conversation, Reporter, OutboxMessage):
        assert await count(app.db, model) == 0, model


# -- runtime wiring ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _runtime(
    tmp_path: Path,
    channels: list[str],
    *,
    webhook: bool = False,
    public_url: str = "",
    port: int | None = None,
    **overrides: Any,
) -> Any:
    from bot.runtime import Runtime

    settings = load_settings(
        sqlite_path=str(tmp_path / "runtime.db"),
        webhook={"host": "127.0.0.1", "port": port or _free_port(), "public_url": public_url},
        **overrides,
    )
    runtime = Runtime(settings, channels, webhook=webhook)
    await runtime.app.db.create_all()
    return runtime


async def test_runtime_polls_the_zalo_bot(tmp_path: Path, zb: FakeZaloBotServer) -> None:
    runtime = await _runtime(
        tmp_path, ["zalo-bot"], zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN, zalo_bot_api_base=zb.base_url
    )
    await runtime.setup()
    assert CHANNEL in runtime.app.senders
    assert not zb.calls_of("getUpdates")  # nothing is taken from Zalo before the runtime serves
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(stop))
    try:
        zb.push_update(zalo_text_update(USER, "/start"))
        await zb.wait_for("sendMessage", lambda c: "Xin chào" in str(c.params.get("text")), timeout=10)
    finally:
        stop.set()
        await serving
        await runtime.close()
