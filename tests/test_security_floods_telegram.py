"""Floods over the Telegram wire (issue #17, point 3): the real aiogram client, the outbox and the
fake Bot API on 127.0.0.1. What is counted is what Telegram receives: messages sent to the person
and to the staff group."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.models import CaseMessage, Conversation
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, photo_update, text_update
from tests.support.telegram_bot import answer, press, running_bot
from tests.test_telegram_e2e import file_case

CITIZEN = 731
# Merged follow-ups go out one second after the first (60 in production): the test need not wait.
QUICK_DIGEST = {"followup_digest_seconds": 1}


async def calm_down(db: Database, user: int) -> None:
    """A minute passes (the flood window is wall-clock time)."""
    async with db.session() as session:
        conversation = (
            await session.exec(select(Conversation).where(Conversation.user_id == str(user)))
        ).one()
        conversation.recent = []


def texts_to(tg: FakeTelegramServer, chat: int | str) -> list[str]:
    return [
        str(c.params.get("text", ""))
        for c in tg.calls_of("sendMessage")
        if c.ok and str(c.params.get("chat_id")) == str(chat)
    ]


async def settle(tg: FakeTelegramServer, quiet: float = 1.5, timeout: float = 30.0) -> None:
    """Wait until the bot has sent nothing for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = -1
    while loop.time() < deadline:
        if len(tg.calls) == seen:
            return
        seen = len(tg.calls)
        await asyncio.sleep(quiet)
    raise AssertionError("the bot kept sending")


async def test_forty_follow_ups_in_a_minute_over_the_wire(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, conversation=QUICK_DIGEST) as runtime:
        db: Any = runtime.app.db
        code = await file_case(tg, CITIZEN)
        await settle(tg)
        await calm_down(db, CITIZEN)
        to_person, to_group = len(texts_to(tg, CITIZEN)), len(texts_to(tg, STAFF_GROUP_ID))
        for index in range(1, 41):
            tg.push_update(text_update(CITIZEN, f"tin bổ sung số {index}: vẫn lỗi"))
        await settle(tg)

        person = texts_to(tg, CITIZEN)[to_person:]
        group = texts_to(tg, STAFF_GROUP_ID)[to_group:]
        print(
            f"\n40 follow-ups in a burst: {len(person)} messages to the person, {len(group)} to the staff group"
        )
        flood = runtime.app.settings.conversation.flood_messages
        assert len(person) == flood + 1, person[-3:]  # each answered up to the limit, then one notice
        assert "nhắn nhanh quá" in person[-1]
        cap = runtime.app.settings.conversation.followup_relays_per_minute
        assert len(group) <= cap + 3, group  # a few one by one, the rest merged
        everything = "\n".join(group)
        missing = [i for i in range(1, 41) if f"tin bổ sung số {i}:" not in everything]
        assert not missing, f"never reached staff: {missing}"
        async with db.session() as session:
            stored = (await session.exec(select(CaseMessage.text))).all()
        assert all(any(f"tin bổ sung số {i}:" in t for t in stored) for i in range(1, 41)), (
            "all kept on the case"
        )

        await calm_down(db, CITIZEN)
        tg.push_update(text_update(CITIZEN, "Tổ công tác xem giúp em với"))
        account = await answer(tg, CITIZEN, "đã lưu")
        assert code in account and f"{40 - flood} tin nhắn" in account


async def test_an_album_of_two_hundred_photos_during_a_report(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as runtime:
        db: Any = runtime.app.db
        tg.push_update(text_update(CITIZEN, "/start", first_name="Lan"))
        await answer(tg, CITIZEN, "Xin chào Lan")
        await press(tg, CITIZEN, "Gửi phản ánh")
        await answer(tg, CITIZEN, "Nghị định 13/2023")
        await press(tg, CITIZEN, "Tôi đồng ý")
        await answer(tg, CITIZEN, "Bạn là:")
        await press(tg, CITIZEN, "Người dân")
        await answer(tg, CITIZEN, "xã, phường hay đặc khu")
        await press(tg, CITIZEN, "Bỏ qua")
        await answer(tg, CITIZEN, "hệ thống nào")
        await press(tg, CITIZEN, "VNeID")
        await answer(tg, CITIZEN, "mô tả ngắn gọn")
        tg.push_update(text_update(CITIZEN, "Tài khoản VNeID bị khóa khi đăng nhập, gọi tổng đài chưa được"))
        await answer(tg, CITIZEN, "Đã ghi nhận mô tả")
        await calm_down(db, CITIZEN)
        before = len(texts_to(tg, CITIZEN))
        for index in range(200):
            tg.push_update(photo_update(CITIZEN, f"album-photo-{index}"))
        await settle(tg)
        replies = texts_to(tg, CITIZEN)[before:]
        print(f"\n200 photos in a report: {len(replies)} messages to the person")
        maximum = runtime.app.settings.conversation.max_attachments
        assert len(replies) <= maximum + 3, replies
        await calm_down(db, CITIZEN)
        tg.push_update(text_update(CITIZEN, "xong rồi"))
        told = await answer(tg, CITIZEN, "tệp gửi sau không được lưu")
        assert f"{200 - maximum} tệp" in told
