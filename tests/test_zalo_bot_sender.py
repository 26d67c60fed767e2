"""The Zalo Bot API channel: event mapping, the sender (parts, errors, resuming) and the runtime wiring."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import Application
from bot.delivery.channel import PermanentFailure, RetryLater
from bot.delivery.outbox import enqueue
from bot.settings import ConfigError
from bot.zalo.bot_api import CHANNEL, ZaloBotClient, unwrap_update, update_to_incoming
from bot.zalo.bot_sender import ZaloBotSender
from handlers.events import AttachmentRef, ChatKind, Choice, Kind, Outgoing, Reply
from storage.db import Database
from tests.fakes.zalo_bot import (
    DEFAULT_ZALO_BOT_TOKEN,
    FakeZaloBotServer,
    zalo_image_update,
    zalo_sticker_update,
    zalo_text_update,
    zalo_unsupported_update,
)
from tests.test_zalo_bot import SECRET, USER, WEBHOOK_PATH, _free_port, _runtime, settings_for


@pytest.fixture
async def zb() -> AsyncIterator[FakeZaloBotServer]:
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
    assert (
        "bieu-mau.docx" in text
        and "BQACAgIAAxkBAAIB" not in text
        and text.startswith("Tổ công tác gửi bạn hướng dẫn.")
    )  # the answer, then the file
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
    [warning] = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.zalo.bot_runner"
    ]
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
