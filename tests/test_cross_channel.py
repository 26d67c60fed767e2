"""One process serves Telegram, the Zalo bot and the Zalo OA at once: cases from Zalo reach the
Telegram staff group, and staff replies go back to Zalo — all over the real wire (fakes on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from bot.runtime import Runtime
from bot.settings import load_settings
from storage.models import Case
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, group_text_update
from tests.fakes.zalo_bot import DEFAULT_ZALO_BOT_TOKEN, FakeZaloBotServer, zalo_text_update
from tests.fakes.zalo_oa import (
    FAKE_APP_ID,
    FAKE_APP_SECRET,
    FAKE_OA_SECRET_KEY,
    FakeZaloOAServer,
    oa_text_event,
    post_event,
)
from tests.support.telegram_bot import STAFF_USER, answer, free_port

ZALO_USER = "zalo-user-1"
OA_USER = "oa-user-1"


async def zalo_answer(server: Any, method: str, field: str, contains: str, timeout: float = 10.0) -> str:
    calls = await server.wait_for(
        method, lambda c: contains in str(c.params.get(field) or c.params), timeout=timeout
    )
    return str(calls[-1].params.get(field) or calls[-1].params)


async def zalo_bot_intake(zb: FakeZaloBotServer) -> str:
    steps = [
        ("/start", "Bạn cần gì"),
        ("1", "Nghị định 13/2023"),  # Gửi phản ánh
        ("dong y", "Bạn là:"),
        ("3", "công tác tại"),  # Cán bộ xã/phường/đặc khu
        ("xa tien lang", "Tiên Lãng"),
        ("1", "hệ thống nào"),
        ("he thong giai quyet TTHC cua thanh pho", "mô tả ngắn gọn"),
        ("Phần mềm một cửa bị treo từ 8h sáng, cả bộ phận không tiếp nhận được hồ sơ", "Đã ghi nhận mô tả"),
        ("tiep tuc", ""),
    ]
    for text, expect in steps:
        zb.clear()
        zb.push_update(zalo_text_update(ZALO_USER, text))
        said = await zalo_answer(zb, "sendMessage", "text", expect)
    if "Có phải" in said or "giống một trong" in said:
        zb.clear()
        zb.push_update(zalo_text_update(ZALO_USER, "chua, gui to cong tac"))
        await zalo_answer(zb, "sendMessage", "text", "mã hồ sơ")
    for text, expect in [
        ("bo qua", "thủ tục gì"),
        ("bo qua", "số điện thoại"),
        ("0912345678", "kiểm tra lại"),
    ]:
        zb.clear()
        zb.push_update(zalo_text_update(ZALO_USER, text))
        await zalo_answer(zb, "sendMessage", "text", expect)
    zb.clear()
    zb.push_update(zalo_text_update(ZALO_USER, "1"))  # Gửi phản ánh
    done = await zalo_answer(zb, "sendMessage", "text", "Mã phản ánh")
    return done.split("Mã phản ánh: ")[1].split()[0]


async def test_zalo_cases_reach_the_telegram_group_and_staff_replies_come_back(tmp_path: Any) -> None:
    port = free_port()
    async with (
        FakeTelegramServer() as tg,
        FakeZaloBotServer() as zb,
        FakeZaloOAServer(app_secret=FAKE_APP_SECRET) as oa,
    ):
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        settings = load_settings(
            database_url=f"sqlite:///{tmp_path}/bot.db",
            telegram_bot_token=DEFAULT_TOKEN,
            telegram_api_base=tg.base_url,
            staff_chat_id=STAFF_GROUP_ID,
            zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN,
            zalo_bot_api_base=zb.base_url,
            zalo_oa_app_id=FAKE_APP_ID,
            zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
            zalo_oa_app_secret=FAKE_APP_SECRET,
            zalo_oa_access_token="fake-oa-access-0",
            zalo_oa_refresh_token="fake-oa-refresh-0",
            zalo_oa_api_base=oa.base_url,
            zalo_oa_oauth_base=oa.base_url,
            webhook={"host": "127.0.0.1", "port": port},
            delivery={
                "telegram_per_chat_per_second": 50,
                "telegram_group_per_minute": 600,
                "poll_interval_seconds": 0.05,
            },
        )
        runtime = Runtime(settings, ["telegram", "zalo-bot", "zalo-oa"])
        await runtime.app.db.create_all()
        await runtime.setup()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        try:
            code = await zalo_bot_intake(zb)
            card = await answer(tg, STAFF_GROUP_ID, code)
            assert "qua Zalo" in card and "Xã Tiên Lãng" in card and "KHẨN" in card  # officer, desk blocked
            thread = next(m for m in tg.sent_messages(STAFF_GROUP_ID) if code in m.get("text", ""))[
                "message_thread_id"
            ]

            zb.clear()
            tg.push_update(
                group_text_update(
                    STAFF_USER, "Đã khởi động lại máy chủ, anh chị thử lại nhé", message_thread_id=thread
                )
            )
            relayed = await zalo_answer(zb, "sendMessage", "text", "Tổ công tác trả lời")
            assert "khởi động lại máy chủ" in relayed

            # The OA channel in the same process.
            url = f"http://127.0.0.1:{port}{settings.webhook.zalo_oa_path}"
            for _ in range(100):
                try:
                    event = oa_text_event(OA_USER, "/start")
                    result = await post_event(url, event, secret_key=FAKE_OA_SECRET_KEY)
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            assert result.status == 200
            await oa.wait_for("message/cs", lambda c: "Xin chào" in str(c.params), timeout=10)

            async with runtime.app.db.session() as session:
                case = (await session.exec(select(Case).where(Case.code == code))).one()
                assert (
                    case.channel == "zalo_bot" and case.priority == "urgent" and case.status == "dang_xu_ly"
                )
        finally:
            stop.set()
            await serving
            await runtime.close()
