"""The fake Telegram Bot API, driven by the real aiogram Bot over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiohttp import web

from tests.fakes.base import UploadedFile
from tests.fakes.telegram import FakeTelegramServer, TelegramApiError, TelegramLimits, parse_html, render_text
from tests.fakes.updates import (
    STAFF_GROUP_ID,
    callback_update,
    group_text_update,
    post_webhook,
    text_update,
)

USER = 42


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegramServer) -> AsyncIterator[Bot]:
    b = tg.bot()
    yield b
    await b.session.close()


async def test_send_message_records_decoded_params(tg: FakeTelegramServer, bot: Bot) -> None:
    kb = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="yes")]])
    msg = await bot.send_message(USER, "Xin chào <b>bạn</b> &lt;3", parse_mode="HTML", reply_markup=kb)

    [call] = tg.calls_of("sendMessage")
    assert call.params["chat_id"] == USER  # form value "42" decoded back to int
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Có", "callback_data": "yes"}]]}
    assert tg.sent_texts(USER) == ["Xin chào <b>bạn</b> &lt;3"]  # as sent, markup included
    assert msg.text == "Xin chào bạn <3"  # as Telegram renders it
    assert msg.entities is not None and msg.entities[0].type == "bold"
    assert msg.reply_markup is not None and msg.reply_markup.inline_keyboard[0][0].callback_data == "yes"
    assert msg.message_id == 1 and msg.chat.type == "private"


async def test_send_message_validation(tg: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "điểm < 5 <b>đậm", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)
    tg.blocked_chats.add(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    tg.missing_chats.add(7)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(7, "hi")
    assert tg.sent_texts() == []  # nothing failed was delivered


async def test_long_poll_returns_pushed_update(tg: FakeTelegramServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await tg.wait_polling()  # the poll is parked; the push must wake it
    pushed = tg.push_update(text_update(USER, "/start"))
    [update] = await asyncio.wait_for(poll, 5)
    assert update.update_id == pushed["update_id"]
    assert update.message is not None and update.message.text == "/start"
    # confirming with offset drops it
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []


async def test_dispatcher_polling_end_to_end(tg: FakeTelegramServer) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(f"nhận: {message.text}")

    bot = tg.bot()
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    tg.push_update(text_update(USER, "mất mật khẩu"))
    [call] = await tg.wait_for("sendMessage")
    assert call.params["text"] == "nhận: mất mật khẩu"
    await dp.stop_polling()
    await asyncio.wait_for(task, 5)


async def test_retry_after_reaches_aiogram(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(USER, "hi")
    assert exc.value.retry_after == 3
    assert (await bot.send_message(USER, "hi")).text == "hi"  # only one failure was queued
    assert tg.too_many_requests == 1


async def test_enforced_limits() -> None:
    async with FakeTelegramServer(enforce_limits=TelegramLimits(private_per_second=1)) as tg:
        bot = tg.bot()
        try:
            await bot.send_message(USER, "1")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(USER, "2")
            await bot.send_message(USER + 1, "other chat is fine")
        finally:
            await bot.session.close()
        assert tg.too_many_requests == 1
        assert tg.sent_texts() == ["1", "other chat is fine"]


async def test_forum_topics(tg: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(STAFF_GROUP_ID, "PA-1")
    tg.set_chat(STAFF_GROUP_ID, is_forum=True, title="Tổ công tác")
    topic = await bot.create_forum_topic(STAFF_GROUP_ID, "PA-1")
    second = await bot.create_forum_topic(STAFF_GROUP_ID, "PA-2")
    assert second.message_thread_id > topic.message_thread_id
    card = await bot.send_message(STAFF_GROUP_ID, "Phản ánh mới", message_thread_id=topic.message_thread_id)
    assert card.message_thread_id == topic.message_thread_id and card.is_topic_message
    assert await bot.close_forum_topic(STAFF_GROUP_ID, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(STAFF_GROUP_ID, topic.message_thread_id)
    assert tg.topics[(STAFF_GROUP_ID, topic.message_thread_id)].closed
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(STAFF_GROUP_ID, "x", message_thread_id=9999)


async def test_edit_not_modified_and_chat_member(tg: FakeTelegramServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "A")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("A", chat_id=USER, message_id=sent.message_id)
    tg.set_member(STAFF_GROUP_ID, 7, "administrator")
    assert (await bot.get_chat_member(STAFF_GROUP_ID, 7)).status == "administrator"
    assert (await bot.get_chat_member(STAFF_GROUP_ID, 8)).status == "left"


async def test_upload_and_download(tg: FakeTelegramServer, bot: Bot) -> None:
    doc = await bot.send_document(USER, BufferedInputFile(b"%PDF-1", "bao-cao.pdf"), caption="Báo cáo")
    [call] = tg.calls_of("sendDocument")
    assert isinstance(call.params["document"], UploadedFile)
    assert call.params["document"].content == b"%PDF-1" and call.params["document"].filename == "bao-cao.pdf"
    assert doc.document is not None
    tg.add_file("user-photo", b"\x89PNG", "photos/file_1.png")
    downloaded = await bot.download("user-photo")
    assert downloaded is not None and downloaded.read() == b"\x89PNG"


async def test_webhook_delivery_and_conflict(tg: FakeTelegramServer, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/tg", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/tg", secret_token="s3cret-Token_1")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        update = tg.push_update(callback_update(USER, "faq:1", message_id=5))
        await tg.drain_webhooks()
        assert received == [("s3cret-Token_1", update)]
        assert (await bot.get_webhook_info()).pending_update_count == 0
        # the standalone helper posts a staff message with Telegram's forum reply quirk
        staff = group_text_update(9, "đã xử lý", message_thread_id=77)
        assert (await post_webhook(f"http://127.0.0.1:{port}/tg", staff, "x")).status == 200
        assert received[-1][1]["message"]["reply_to_message"]["message_id"] == 77  # type: ignore[index]
    finally:
        await runner.cleanup()


def test_markup_parsing_matches_telegram_rules() -> None:
    assert parse_html('<a href="https://dichvucong.gov.vn">DVC</a> &amp; &#272;') == (
        "DVC & Đ",
        [{"type": "text_link", "offset": 0, "length": 3, "url": "https://dichvucong.gov.vn"}],
    )
    for bad in ("<b>x</i>", "<br>", "a < b", "<b>open"):
        with pytest.raises(TelegramApiError, match="can't parse entities"):
            parse_html(bad)
    assert render_text(r"Mã hồ sơ: H31\.123\-456 *đậm*", "MarkdownV2")[0] == "Mã hồ sơ: H31.123-456 đậm"
    with pytest.raises(TelegramApiError, match="reserved"):
        render_text("Mã hồ sơ: H31.123", "MarkdownV2")


async def test_fail_window_and_close_releases_long_poll(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.fail_window(30, status=502, methods={"sendMessage"})
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "hi")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await tg.wait_polling()
    await asyncio.wait_for(tg.close(), 3)  # does not wait out the 30 s poll
    with contextlib.suppress(Exception):
        await poll
