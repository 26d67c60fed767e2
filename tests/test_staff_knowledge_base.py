"""The knowledge base kept by the task force (issue #20), over the wire: the real aiogram client and
runners against the fake Bot API, two bot instances on one PostgreSQL.

A resolved case → /taofaq → the draft's card → edits by replying → a colleague who is not a leader
cannot approve → a leader approves after the regression gate → a new citizen writing to the OTHER
instance gets the new answer within seconds, no restart. A draft copying another topic's
examples is refused with what it would take. /traloi sends a topic's answer to the reporter, on
Telegram and on Zalo (the fake Zalo Bot API).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import col, select

from bot.runtime import Runtime
from bot.settings import load_settings
from faq.knowledge import load_knowledge_base
from storage.db import Database
from storage.faq_models import FaqEvalRow, FaqStatus, FaqTopicRecord, FaqTopicVersion
from storage.models import CaseEvent, CaseMessage, OutboxMessage
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, callback_update, group_text_update, post_webhook, text_update
from tests.fakes.zalo_bot import DEFAULT_ZALO_BOT_TOKEN, FakeZaloBotServer
from tests.support.telegram_bot import LEADER_USER, STAFF_USER, WEBHOOK_SECRET, answer, free_port, running_bot
from tests.test_cross_channel import zalo_answer, zalo_bot_intake
from tests.test_telegram_e2e import CITIZEN, file_case

RESOLUTION = (
    "Tài khoản VNeID bị khóa tạm thời 24 giờ sau 5 lần nhập sai mật khẩu; hết 24 giờ bạn đăng nhập lại được.\n"
    'Nếu cần gấp, bạn chọn "Quên mật khẩu" trên ứng dụng VNeID để đặt lại.'
)
NEW_EXAMPLES = (
    "vneid báo tài khoản bị tạm khóa 24 giờ\n"
    "- nhập sai mật khẩu nhiều lần bị khóa vneid\n"
    "- vneid bi khoa tam thoi phai lam sao\n"
    "- tai khoan dinh danh bi khoa do nhap sai, goi em 0987 654 321\n"
    "- bao lau thi vneid het bi khoa"
)
QUESTION = "Tài khoản VNeID của em bị khóa tạm thời vì nhập sai mật khẩu, bao lâu thì mở ạ"


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def key(message: dict[str, Any], label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if label in b["text"])


def last_with(tg: FakeTelegramServer, text: str) -> dict[str, Any]:
    return [m for m in tg.sent_messages(STAFF_GROUP_ID) if text in m.get("text", "")][-1]


async def recorded(db: Database) -> None:
    """The bot's messages in the group are sent and their ids stored (a person replies later)."""
    for _ in range(100):
        async with db.session() as session:
            rows = (
                await session.exec(select(OutboxMessage).where(col(OutboxMessage.sent_message_id).is_(None)))
            ).all()
        if not [r for r in rows if r.chat_id == str(STAFF_GROUP_ID)]:
            return
        await asyncio.sleep(0.05)


def staff_says(
    tg: FakeTelegramServer, text: str, *, user: int = STAFF_USER, reply_to: dict[str, Any] | None = None
) -> None:
    name = "truong_nhom" if user == LEADER_USER else "canbo_an"
    tg.push_update(group_text_update(user, text, reply_to_message=reply_to, username=name))


def staff_presses(
    tg: FakeTelegramServer, message: dict[str, Any], label: str, *, user: int = STAFF_USER
) -> None:
    name = "Hằng" if user == LEADER_USER else "An"
    tg.push_update(
        callback_update(
            user, key(message, label), message["message_id"], chat_id=STAFF_GROUP_ID, first_name=name
        )
    )


async def popup(tg: FakeTelegramServer, contains: str) -> str:
    [call] = await tg.wait_for(
        "answerCallbackQuery", lambda c: contains in str(c.params.get("text", "")), timeout=10
    )
    return str(call.params["text"])


async def ask_other_instance(tg: FakeTelegramServer, other: Runtime, user: int, text: str) -> str:
    """A citizen's first message, delivered by webhook to the second instance; its answer."""
    result = await post_webhook(other.webhook_url, text_update(user, text, first_name="Hoa"), WEBHOOK_SECRET)  # type: ignore[attr-defined]
    assert result.status == 200
    return await answer(tg, user, "")


async def rows(db: Database, slug: str) -> list[FaqTopicRecord]:
    async with db.session() as session:
        return list((await session.exec(select(FaqTopicRecord).where(FaqTopicRecord.slug == slug))).all())


async def test_a_resolved_case_becomes_an_answer_on_every_instance(pg: Database, postgres_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=False, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        tg.set_member(STAFF_GROUP_ID, LEADER_USER, "administrator")
        async with (
            running_bot(tg, postgres_url) as first,
            running_bot(tg, postgres_url, webhook=True) as second,
        ):
            # Before: the second instance has no answer for an account locked for 24 hours.
            before = await ask_other_instance(tg, second, 7001, QUESTION)
            assert "24 giờ" not in before

            code = await file_case(tg)
            await answer(tg, STAFF_GROUP_ID, code)
            card = next(
                m
                for m in tg.sent_messages(STAFF_GROUP_ID)
                if code in m.get("text", "") and m.get("reply_markup")
            )
            staff_says(tg, f"/dong {code} {RESOLUTION}")
            await answer(tg, CITIZEN, "đã được giải quyết")
            staff_says(tg, f"/taofaq {code} tài khoản vneid bị khóa tạm thời")
            await answer(tg, STAFF_GROUP_ID, "đã tạo bản nháp câu hỏi thường gặp")
            draft = await answer(tg, STAFF_GROUP_ID, "BẢN NHÁP CÂU HỎI THƯỜNG GẶP")
            assert code in draft and "Tài khoản vneid bị khóa tạm thời" in draft and RESOLUTION in draft
            assert "1. tài khoản vneid bị khóa tạm thời" in draft
            assert labels(last_with(tg, "BẢN NHÁP")) == ["✏️ Sửa", "✅ Duyệt", "🗑 Bỏ"]
            [row] = await rows(pg, f"nhap_{code.lower().replace('-', '_')}")
            assert row.status == FaqStatus.DRAFT

            # ✏️ Sửa: a prompt; the reply to it adds examples (a phone number in one is masked).
            staff_presses(tg, last_with(tg, "BẢN NHÁP"), "Sửa")
            await answer(tg, STAFF_GROUP_ID, "trả lời tin nhắn này")
            await recorded(pg)
            staff_says(tg, f"câu hỏi: {NEW_EXAMPLES}", reply_to=last_with(tg, "trả lời tin nhắn này"))
            await answer(tg, STAFF_GROUP_ID, "đã sửa câu hỏi mẫu")
            # The card changes in place: one card per draft in the group.
            [call] = await tg.wait_for(
                "editMessageText", lambda c: "Câu hỏi mẫu (7" in str(c.params.get("text")), timeout=10
            )
            edited = str(call.params["text"])
            assert call.params["message_id"] == last_with(tg, "BẢN NHÁP")["message_id"]
            assert "Câu hỏi mẫu (7, cần ít nhất 6)" in edited and "<số điện thoại>" in edited
            assert "0987" not in edited
            # A reply straight to the card edits too; the description example goes (too specific).
            await recorded(pg)
            staff_says(tg, "bỏ câu hỏi: 2", reply_to=last_with(tg, "BẢN NHÁP"))
            await answer(tg, STAFF_GROUP_ID, "đã sửa câu hỏi mẫu")
            await recorded(pg)
            staff_says(tg, "tiêu đề: Tài khoản VNeID bị khóa tạm thời", reply_to=last_with(tg, "BẢN NHÁP"))
            await answer(tg, STAFF_GROUP_ID, "đã sửa tiêu đề")
            await recorded(pg)
            staff_says(tg, "mã: vneid bi khoa", reply_to=last_with(tg, "BẢN NHÁP"))
            await answer(tg, STAFF_GROUP_ID, "đã sửa mã chủ đề")
            await recorded(pg)
            staff_says(tg, "sửa giúp cái này", reply_to=last_with(tg, "BẢN NHÁP"))
            await answer(tg, STAFF_GROUP_ID, "chưa rõ bạn muốn sửa mục nào")

            # Not a leader: a pop-up, nothing published.
            card_now = last_with(tg, "BẢN NHÁP")
            staff_presses(tg, card_now, "Duyệt")
            assert "Chỉ trưởng nhóm" in await popup(tg, "trưởng nhóm")
            [row] = await rows(pg, "vneid_bi_khoa")
            assert row.status == FaqStatus.DRAFT and len(row.examples) == 6

            # The leader approves: the gate passes, the figures are shown, live here at once.
            staff_presses(tg, card_now, "Duyệt", user=LEADER_USER)
            # The gate runs off the transaction: the group is told at once, the result follows.
            await answer(tg, STAFF_GROUP_ID, "Đang kiểm tra bản nháp")
            published = await answer(tg, STAFF_GROUP_ID, "đã duyệt chủ đề", timeout=60)
            approved_at = time.monotonic()
            assert "Hằng đã duyệt" in published and "vneid_bi_khoa" in published
            assert "Trước: đúng" in published and "Sau: đúng" in published and "6/6" in published
            [live_card] = await tg.wait_for(
                "editMessageText", lambda c: "Đang dùng để trả lời" in str(c.params.get("text")), timeout=10
            )
            assert live_card.params["message_id"] == card_now["message_id"]
            assert not (live_card.params.get("reply_markup") or {}).get("inline_keyboard")  # no stale buttons
            # The second instance picks it up by itself within seconds (no restart, no command).
            live = second.app._knowledge.live  # type: ignore[attr-defined]
            while live.stage.topic("vneid_bi_khoa") is None:
                assert time.monotonic() - approved_at < 10, "the second instance never loaded the topic"
                await asyncio.sleep(0.2)
            after = await ask_other_instance(tg, second, 7002, QUESTION)
            assert "24 giờ sau 5 lần nhập sai mật khẩu" in after

            async with pg.session() as session:
                [live_row] = (
                    await session.exec(select(FaqTopicRecord).where(FaqTopicRecord.slug == "vneid_bi_khoa"))
                ).all()
                history = (
                    await session.exec(
                        select(FaqTopicVersion)
                        .where(FaqTopicVersion.topic_id == live_row.id)
                        .order_by(col(FaqTopicVersion.version))
                    )
                ).all()
            assert live_row.status == FaqStatus.PUBLISHED
            assert [h.changed_by for h in history] == ["@canbo_an"] * 5 + ["Hằng"]
            assert "+ vneid bi khoa tam thoi phai lam sao" in (history[1].diff or "")
            assert history[-1].status == FaqStatus.PUBLISHED

            # /traloi in the case's thread: the topic's answer reaches the reporter as staff's reply.
            staff_says(tg, "/traloi khong_nhan_otp", reply_to=card)
            sent = await answer(tg, CITIZEN, "OTP")
            assert "Tổ công tác" in sent
            await answer(tg, STAFF_GROUP_ID, "đã gửi câu trả lời")
            async with pg.session() as session:
                events = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "faq_answer"))).all()
                replies = (
                    await session.exec(select(CaseMessage).where(CaseMessage.direction == "out"))
                ).all()
                confirmed = (await session.exec(select(FaqEvalRow))).all()
            assert [e.note for e in events] == ["khong_nhan_otp"] and any("OTP" in m.text for m in replies)
            # Staff confirmed that topic for this message: the publish gate checks it from now on.
            assert [(r.topic, r.source) for r in confirmed] == [("khong_nhan_otp", f"/traloi {code}")]

            # A draft that copies another topic's examples is refused, with what it would take.
            staff_says(tg, f"/taofaq {code} mã otp không về")
            await answer(tg, STAFF_GROUP_ID, "BẢN NHÁP")
            otp = (
                "câu hỏi:\nkhông nhận được mã otp\nko nhan dc otp\notp gui ve so dien thoai cu khong con dung\n"
                "mã xác thực không đúng hoặc đã hết hạn\nđã đổi số điện thoại mới mà mã OTP vẫn gửi về số cũ"
            )
            await recorded(pg)
            staff_says(tg, otp, reply_to=last_with(tg, "BẢN NHÁP"))
            await answer(tg, STAFF_GROUP_ID, "đã sửa câu hỏi mẫu")
            staff_presses(tg, last_with(tg, "BẢN NHÁP"), "Duyệt", user=LEADER_USER)
            refused = await answer(tg, STAFF_GROUP_ID, "Chưa duyệt bản nháp", timeout=60)
            assert "(thuộc khong_nhan_otp)" in refused and "giành mất" in refused and "Trước: đúng" in refused
            assert all(
                r.status == FaqStatus.DRAFT for r in await rows(pg, f"nhap_{code.lower().replace('-', '_')}")
            )
            assert first.app.faq.topic(f"nhap_{code.lower().replace('-', '_')}") is None


async def test_traloi_reaches_a_zalo_reporter(tmp_path: Any) -> None:
    async with FakeTelegramServer() as tg, FakeZaloBotServer() as zb:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        settings = load_settings(
            database_url=f"sqlite:///{tmp_path}/bot.db",
            telegram_bot_token=DEFAULT_TOKEN,
            telegram_api_base=tg.base_url,
            staff_chat_id=STAFF_GROUP_ID,
            zalo_bot_token=DEFAULT_ZALO_BOT_TOKEN,
            zalo_bot_api_base=zb.base_url,
            webhook={"host": "127.0.0.1", "port": free_port()},
            delivery={
                "telegram_per_chat_per_second": 50,
                "telegram_group_per_minute": 600,
                "poll_interval_seconds": 0.05,
            },
        )
        runtime = Runtime(settings, ["telegram", "zalo-bot"])
        await runtime.app.db.create_all()
        await runtime.setup()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        try:
            code = await zalo_bot_intake(zb)
            await answer(tg, STAFF_GROUP_ID, code)
            card = next(m for m in tg.sent_messages(STAFF_GROUP_ID) if code in m.get("text", ""))
            zb.clear()
            tg.push_update(
                group_text_update(
                    STAFF_USER, "/traloi cb_ha_tang_he_thong", message_thread_id=card["message_thread_id"]
                )
            )
            sent = await zalo_answer(zb, "sendMessage", "text", "Tổ công tác trả lời")
            topic = load_knowledge_base().topics["cb_ha_tang_he_thong"]
            assert topic.answer.splitlines()[0] in sent and code in sent
            await answer(tg, STAFF_GROUP_ID, "đã gửi câu trả lời")
        finally:
            stop.set()
            await serving
            await runtime.close()
