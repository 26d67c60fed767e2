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
from bot.delivery import PermanentFailure, RetryLater
from bot.outbox import enqueue
from bot.settings import ConfigError, load_settings
from bot.zalo_bot import CHANNEL, ZaloBotClient, unwrap_update, update_to_incoming
from bot.zalo_bot_runner import run_zalo_polling, zalo_bot_webhook_handler
from bot.zalo_bot_sender import ZaloBotSender
from handlers.events import AttachmentRef, ChatKind, Choice, Kind, Outgoing, Reply
from storage.db import Database
from storage.models import Attachment, Case, Conversation, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.zalo_bot import (
    DEFAULT_ZALO_BOT_TOKEN,
    FakeZaloBotServer,
    post_webhook,
    zalo_image_update,
    zalo_sticker_update,
    zalo_text_update,
    zalo_unsupported_update,
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


# -- events --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["photo", "photo_url", "url"])
def test_image_url_under_any_of_its_names(field: str) -> None:
    event = update_to_incoming(zalo_image_update(USER, "https://f.zdn.vn/x.jpg", caption="lỗi", field=field))
    assert event is not None and event.kind == Kind.ATTACHMENT and event.text == "lỗi"
    assert event.attachments == [AttachmentRef("photo", "https://f.zdn.vn/x.jpg", None, "image/jpeg", None)]


def test_event_mapping() -> None:
    command = update_to_incoming(zalo_text_update(USER, "/tracuu PA-251123-7KQ4", message_id="m1"))
    assert command is not None and command.kind == Kind.COMMAND
    assert (command.command, command.args, command.update_key) == ("tracuu", "PA-251123-7KQ4", "m1")
    assert (command.channel, command.user_id, command.chat_id) == ("zalo_bot", USER, USER)
    text = update_to_incoming(zalo_text_update(USER, "/ không phải lệnh"))
    assert text is not None and text.kind == Kind.TEXT
    for update in (zalo_sticker_update(USER), zalo_unsupported_update(USER)):
        event = update_to_incoming(update)
        assert event is not None and event.kind == Kind.UNSUPPORTED
    group = update_to_incoming(zalo_text_update(USER, "hi", chat_id="g1", chat_type="GROUP"))
    assert group is not None and group.chat_kind == ChatKind.OTHER_GROUP and group.chat_id == "g1"
    # The documented getUpdates sample has no event_name and names the person first_name.
    bare = {
        "message": {
            "chat": {"id": USER, "chat_type": "PRIVATE"},
            "text": "Xin chào",
            "message_id": "16f6",
            "date": 1766619597466,
            "from": {"id": USER, "first_name": "Nguyen Van A"},
        }
    }
    event = update_to_incoming(bare)
    assert event is not None and event.kind == Kind.TEXT and event.display_name == "Nguyen Van A"
    assert unwrap_update({"ok": True, "result": bare}) == bare and unwrap_update({"ok": True}) is None


# -- sender --------------------------------------------------------------------------------


async def test_long_text_is_split_and_menus_are_numbered(
    app: Application, zb: FakeZaloBotServer, db: Database
) -> None:
    paragraph = "Tổ công tác đã kiểm tra hồ sơ của bạn và thấy lỗi ở bước thanh toán trực tuyến. " * 10
    long_text = "\n\n".join([paragraph.strip()] * 6)
    assert len(long_text) > 4000
    reply = Reply(
        long_text, choices=[Choice("rate:ok", "😊 Hài lòng"), Choice("rate:no", "🙁 Không hài lòng")]
    )
    async with db.session() as session:
        await enqueue(session, [Outgoing(CHANNEL, USER, reply, purpose="relay")])
    assert app.outbox is not None
    await app.outbox.drain(timeout=10, channels={CHANNEL})
    texts = zb.sent_texts(USER)
    assert len(texts) == 3 and all(len(t) <= 2000 for t in texts)
    joined = "\n\n".join(texts)
    assert joined.startswith(paragraph.strip()) and joined.count("thanh toán trực tuyến") == 60
    assert texts[-1].endswith("👉 Trả lời 1 hoặc 2 (hoặc gõ nội dung lựa chọn).")
    assert "━━━━━━━━━━\n1️⃣ 😊 Hài lòng\n2️⃣ 🙁 Không hài lòng\n👉" in texts[-1]


async def test_attachments_photo_by_url_others_named(zb: FakeZaloBotServer, client: ZaloBotClient) -> None:
    sender = ZaloBotSender(client)
    reply = Reply(
        "Tổ công tác gửi bạn hướng dẫn.",
        attachments=[
            AttachmentRef("photo", "https://f.zdn.vn/huong-dan.png", "huong-dan.png", "image/png", 10),
            AttachmentRef("document", "BQACAgIAAxkBAAIB", "bieu-mau.docx", None, 100),  # a Telegram file id
        ],
    )
    result = await sender.send(USER, reply.to_dict())
    [photo] = zb.calls_of("sendPhoto")
    assert photo.params == {
        "chat_id": USER,
        "photo": "https://f.zdn.vn/huong-dan.png",
        "caption": "huong-dan.png",
    }
    [text] = zb.sent_texts(USER)
    assert "bieu-mau.docx" in text and "BQACAgIAAxkBAAIB" not in text and text.startswith("Tổ công tác gửi bạn hướng dẫn.")  # the answer, then the file
    assert result.message_id == photo.response["result"]["message_id"]


async def test_errors_become_retry_or_permanent(zb: FakeZaloBotServer, client: ZaloBotClient) -> None:
    sender = ZaloBotSender(client)
    payload = Reply("Xin chào").to_dict()
    zb.fail("sendMessage", 429)
    with pytest.raises(RetryLater):
        await sender.send(USER, payload)
    zb.fail("sendMessage", 502)
    with pytest.raises(RetryLater):
        await sender.send(USER, payload)
    zb.missing_chats.add("gone")
    with pytest.raises(PermanentFailure, match="chat not found"):
        await sender.send("gone", payload)
    zb.fail("sendMessage", 404)
    with pytest.raises(PermanentFailure):
        await sender.send(USER, payload)
    # The API's error table: 403 is "Internal server error" (sic), so it is tried again.
    zb.fail("sendMessage", 403, "Internal server error")
    with pytest.raises(RetryLater):
        await sender.send(USER, payload)
    await sender.send(USER, payload)
    assert zb.sent_texts(USER) == ["Xin chào"]
    assert {k for k, _ in sender.limits(USER)} == {"zalo_bot:global", f"zalo_bot:{USER}"}


async def test_a_refused_token_waits_and_tells_the_operator(
    zb: FakeZaloBotServer, client: ZaloBotClient, caplog: pytest.LogCaptureFixture
) -> None:
    zb.fail("sendMessage", 401, "Unauthorized")  # documented: token expired or invalid
    with pytest.raises(RetryLater) as caught:
        await ZaloBotSender(client).send(USER, Reply("Xin chào").to_dict())
    assert caught.value.retry_after == 300  # not failed: it goes once an operator fixes the token
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "ZALO_BOT_TOKEN" in record.getMessage()
    assert DEFAULT_ZALO_BOT_TOKEN not in caplog.text


async def test_network_failure_is_retry_later(db: Database) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ZaloBotClient(DEFAULT_ZALO_BOT_TOKEN, f"http://127.0.0.1:{port}", timeout=2)
    try:
        with pytest.raises(RetryLater) as caught:
            await ZaloBotSender(client).send(USER, Reply("x").to_dict())
        assert DEFAULT_ZALO_BOT_TOKEN not in str(caught.value)
        assert "token=<hidden>" in repr(client)
    finally:
        await client.aclose()


async def test_client_methods(zb: FakeZaloBotServer, client: ZaloBotClient) -> None:
    me = await client.get_me()
    assert me["account_type"] == "BASIC"
    await client.send_chat_action(USER, "typing")
    assert zb.calls_of("sendChatAction")[0].params == {"chat_id": USER, "action": "typing"}
    assert await client.get_updates(timeout=0) == []  # 408: an empty poll


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


async def _serve_webhook_runtime(
    tmp_path: Path, zb: FakeZaloBotServer, caplog: pytest.LogCaptureFixture, port: int, public_url: str
) -> None:
    """Sets up a zalo-bot webhook runtime and serves it until it runs (its on-serving hooks done)."""
    caplog.set_level(logging.INFO, logger="bot")
    runtime = await _runtime(
        tmp_path,
        ["zalo-bot"],
        webhook=True,
        port=port,
        zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN,
        zalo_bot_api_base=zb.base_url,
        zalo_bot_webhook_secret=SECRET,
        public_url=public_url,
    )
    await runtime.setup()
    assert not zb.calls_of("setWebhook")  # not before the server listens
    stop = asyncio.Event()
    serving = asyncio.create_task(runtime.serve(stop))
    try:
        paths = [r.resource.canonical for r in runtime.web_app.router.routes() if r.resource is not None]
        assert WEBHOOK_PATH in paths
        async with asyncio.timeout(10):
            while "bot running" not in caplog.text:
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await serving
        await runtime.close()


async def test_runtime_registers_the_webhook_once_it_listens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Zalo tests the URL during setWebhook, so the server must already listen.
    async with FakeZaloBotServer(verify_webhook=True) as zb:
        port = _free_port()
        await _serve_webhook_runtime(tmp_path, zb, caplog, port, f"http://127.0.0.1:{port}")
    assert zb.webhook_url == f"http://127.0.0.1:{port}{WEBHOOK_PATH}" and zb.webhook_secret == SECRET
    assert zb.verifications == [{"outcome": "ok", "hint": ""}]
    assert "Zalo's test request reached it (ok)" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot.zalo")]


async def test_runtime_warns_when_zalo_cannot_reach_the_webhook(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port, elsewhere = _free_port(), _free_port()
    assert port != elsewhere
    async with FakeZaloBotServer(verify_webhook=True) as zb:
        # A public URL that does not lead to this server (a proxy not set up yet).
        await _serve_webhook_runtime(tmp_path, zb, caplog, port, f"http://127.0.0.1:{elsewhere}")
    [verification] = zb.verifications
    assert verification["outcome"] == "failed" and "could not reach" in verification["hint"]
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.zalo_bot_runner"]
    assert "did not succeed (failed: could not reach the URL" in warning.getMessage()


async def test_runtime_names_the_missing_secret(tmp_path: Path) -> None:
    runtime = await _runtime(tmp_path, ["zalo-bot"], zalo_bot_token=None)
    with pytest.raises(ConfigError, match="ZALO_BOT_TOKEN"):
        await runtime.setup()
    await runtime.close()
    runtime = await _runtime(tmp_path, ["zalo-bot"], webhook=True, zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN)
    with pytest.raises(ConfigError, match="ZALO_BOT_WEBHOOK_SECRET"):
        await runtime.setup()
    await runtime.close()


class RecordingPacer:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def acquire(self, limits: list[tuple[str, Any]]) -> None:
        self.calls.append([key for key, _ in limits])


async def test_a_retry_resumes_after_the_parts_already_sent(
    zb: FakeZaloBotServer, client: ZaloBotClient
) -> None:
    sender = ZaloBotSender(client)
    pacer = RecordingPacer()
    sender.use_limiter(pacer)
    payload = Reply(
        "Hướng dẫn kèm ảnh", attachments=[AttachmentRef("photo", "https://f.zdn.vn/a.png", None, None, None)]
    ).to_dict()
    zb.fail("sendMessage", 502)
    with pytest.raises(RetryLater) as caught:
        await sender.send(USER, payload)
    assert getattr(caught.value, "progress", None) == {"sent_parts": 1}  # the photo went out
    assert pacer.calls == [["zalo_bot:global", f"zalo_bot:{USER}"]]  # the second call was paced
    await sender.send(USER, {**payload, "sent_parts": 1})  # what the outbox stores for the retry
    assert len(zb.calls_of("sendPhoto")) == 1 and zb.sent_texts(USER) == ["Hướng dẫn kèm ảnh"]
