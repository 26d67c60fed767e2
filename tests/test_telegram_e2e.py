"""The real aiogram client against a fake Bot API on 127.0.0.1: a citizen files a case and the
task force works it from the staff group (forum topics and plain group)."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from storage.models import Case, CaseMessage, ProcessedUpdate
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import (
    STAFF_GROUP_ID,
    contact_update,
    group_text_update,
    post_webhook,
    sticker_update,
    text_update,
)
from tests.support.telegram_bot import (
    LEADER_USER,
    STAFF_USER,
    WEBHOOK_SECRET,
    answer,
    press,
    running_bot,
)

CITIZEN = 501


async def file_case(tg: FakeTelegramServer, user: int = CITIZEN) -> str:
    """The citizen's whole intake over the wire; returns the case code."""
    tg.push_update(text_update(user, "/start", first_name="Lan"))
    await answer(tg, user, "Xin chào Lan")
    await press(tg, user, "Gửi phản ánh")
    await answer(tg, user, "Nghị định 13/2023")
    await press(tg, user, "Tôi đồng ý")
    await answer(tg, user, "Bạn là:")
    await press(tg, user, "Người dân")
    await answer(tg, user, "xã, phường hay đặc khu")
    tg.push_update(text_update(user, "le chan"))
    await answer(tg, user, "Ý bạn là")  # one clear match: offered alone
    await press(tg, user, "Phường Lê Chân")
    await answer(tg, user, "hệ thống nào")
    await press(tg, user, "VNeID")
    await answer(tg, user, "mô tả ngắn gọn")
    tg.push_update(
        text_update(
            user,
            "Tài khoản VNeID của tôi bị khóa tạm thời khi đăng nhập dịch vụ công, gọi tổng đài chưa được",
        )
    )
    await answer(tg, user, "Đã ghi nhận mô tả")
    await press(tg, user, "Tiếp tục")
    text = await answer(tg, user, "")
    if "Có phải" in text or "giống một trong" in text:
        await press(tg, user, "gửi Tổ công tác")
        await answer(tg, user, "mã hồ sơ")
    else:  # the FAQ had nothing to offer: the dossier question came at once
        assert "mã hồ sơ" in text, text
    await press(tg, user, "Bỏ qua")
    await answer(tg, user, "thủ tục gì")
    await press(tg, user, "Bỏ qua")
    await answer(tg, user, "số điện thoại")
    ask_phone = [c for c in tg.calls_of("sendMessage") if "số điện thoại" in str(c.params.get("text"))][-1]
    keyboard = ask_phone.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True  # Telegram's share-contact button
    tg.push_update(contact_update(user, "84912345678"))
    summary = await answer(tg, user, "kiểm tra lại")
    assert "0912 345 678" in summary and "Phường Lê Chân" in summary
    await press(tg, user, "Gửi phản ánh")
    done = await answer(tg, user, "Đã tiếp nhận")
    code = done.split("Mã phản ánh: ")[1].split()[0]
    return code


@pytest.mark.parametrize("forum", [True, False], ids=["forum", "plain-group"])
async def test_case_lifecycle_through_the_staff_group(sqlite_url: str, forum: bool) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=forum, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            code = await file_case(tg)

            card = await answer(tg, STAFF_GROUP_ID, code)
            assert "0912 345 678" in card and "Phường Lê Chân" in card and "Hạn giải quyết" in card
            card_message = next(m for m in tg.sent_messages(STAFF_GROUP_ID) if code in m.get("text", ""))
            thread = card_message.get("message_thread_id")
            if forum:
                [topic] = tg.calls_of("createForumTopic")
                assert code in topic.params["name"] and "Lê Chân" in topic.params["name"]
                assert thread is not None

            def staff_says(text: str, user: int = STAFF_USER) -> None:
                if forum:
                    tg.push_update(
                        group_text_update(user, text, message_thread_id=thread, username="canbo_an")
                    )
                else:
                    tg.push_update(
                        group_text_update(user, text, reply_to_message=card_message, username="canbo_an")
                    )

            staff_says("/nhan")
            await answer(tg, STAFF_GROUP_ID, "đã nhận xử lý")
            staff_says("Chào bạn, bạn thử đăng xuất VNeID rồi đăng nhập lại sau 30 phút nhé.")
            relayed = await answer(tg, CITIZEN, "Tổ công tác trả lời")
            assert "đăng xuất VNeID" in relayed and code in relayed

            tg.push_update(text_update(CITIZEN, "Mình thử rồi mà vẫn báo khóa"))
            await answer(tg, CITIZEN, "Đã chuyển thông tin bổ sung")
            followup = await answer(tg, STAFF_GROUP_ID, "vẫn báo khóa")
            if forum:
                call = [c for c in tg.calls_of("sendMessage") if "vẫn báo khóa" in str(c.params.get("text"))][
                    -1
                ]
                assert call.params.get("message_thread_id") == thread
            assert code in followup

            sent_to_citizen = len(tg.sent_messages(CITIZEN))
            staff_says("/ghichu người này gọi hotline 2 lần rồi")
            await answer(tg, STAFF_GROUP_ID, "ghi chú nội bộ")
            assert len(tg.sent_messages(CITIZEN)) == sent_to_citizen  # never relayed

            staff_says("/dong Đã mở khóa tài khoản, bạn đăng nhập lại được rồi.")
            resolved = await answer(tg, CITIZEN, "đã được giải quyết")
            assert "Đã mở khóa" in resolved
            await press(tg, CITIZEN, "Không hài lòng")
            await answer(tg, STAFF_GROUP_ID, "KHÔNG HÀI LÒNG")
            await answer(tg, CITIZEN, "mở lại")

            async with runtime.app.db.session() as session:
                case = (await session.exec(select(Case).where(Case.code == code))).one()
                assert case.status == "dang_xu_ly" and case.rating == "khong_hai_long"
                assert case.first_response_at is not None and case.assignee_name == "@canbo_an"
                notes = (await session.exec(select(CaseMessage).where(CaseMessage.direction == "note"))).all()
                assert [n.text for n in notes] == ["người này gọi hotline 2 lần rồi"]


async def test_non_staff_cannot_use_staff_commands(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True)
        async with running_bot(tg, sqlite_url) as runtime:
            code = await file_case(tg)
            await answer(tg, STAFF_GROUP_ID, code)
            tg.push_update(group_text_update(777, f"/dong {code} xong rồi"))  # 777 is not a member
            await answer(tg, STAFF_GROUP_ID, "chỉ dành cho cán bộ Tổ công tác")
            tg.push_update(group_text_update(LEADER_USER, f"/nhan {code}", username="truongnhom"))
            await answer(tg, STAFF_GROUP_ID, "@truongnhom đã nhận")
            async with runtime.app.db.session() as session:
                case = (await session.exec(select(Case).where(Case.code == code))).one()
                assert case.status == "dang_xu_ly" and case.resolution is None


async def test_webhook_refuses_wrong_secret_and_dedupes_updates(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        update = text_update(CITIZEN, "/start")
        refused = await post_webhook(url, update, secret="wrong-secret")
        assert refused.status == 403
        missing = await post_webhook(url, update, secret=None)
        assert missing.status == 403
        async with runtime.app.db.session() as session:
            assert (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one() == 0

        ok = await post_webhook(url, update, secret=WEBHOOK_SECRET)
        again = await post_webhook(url, update, secret=WEBHOOK_SECRET)
        assert ok.status == 200 and again.status == 200
        await answer(tg, CITIZEN, "Xin chào")
        assert len([t for t in tg.sent_texts(CITIZEN) if "Xin chào" in t]) == 1

        garbage = await post_webhook(url, {"not": "an update"}, secret=WEBHOOK_SECRET)
        assert garbage.status == 400


async def test_sticker_and_long_text_get_clear_answers(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url):
        tg.push_update(sticker_update(CITIZEN))
        await answer(tg, CITIZEN, "chưa đọc được loại tin này")
        tg.push_update(text_update(CITIZEN, "a" * 5000))
        await answer(tg, CITIZEN, "dài quá")
        commands = tg.calls_of("setMyCommands")
        assert commands and "tracuu" in str(commands[0].params["commands"])
