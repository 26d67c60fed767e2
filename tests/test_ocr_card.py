"""The staff card and /tim with the text read in pictures (issue #21): the card shows
"🖼️ Chữ trong ảnh:" with the error lines, never a CCCD or phone number; a screenshot sent as the
report's whole description is answered from the FAQ, said once on the card, and found by /tim.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.services import NoFaq, UnitView
from handlers.staff.cards import CardView
from storage.models import Attachment, Case
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import (
    STAFF_GROUP_ID,
    contact_update,
    group_text_update,
    photo_update,
    text_update,
)
from tests.support.telegram_bot import STAFF_USER, answer, press, running_bot
from tests.test_ocr import needs_tesseract
from tests.test_ocr_telegram import CITIZEN, screenshot


class Units:
    def find(self, text: str, limit: int = 3) -> list[UnitView]:
        return []

    def get(self, code: str) -> UnitView | None:
        return UnitView("30001", "Phường Lê Chân") if code == "30001" else None


def card(case: Case) -> str:
    view = CardView(Units(), NoFaq(), lambda moment: f"{moment:%H:%M}", ZoneInfo("Asia/Ho_Chi_Minh"))
    return view.text(case, None)


def a_case(**fields: Any) -> Case:
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    base: dict[str, Any] = {
        "code": "PA-261207-0001",
        "reporter_id": 1,
        "channel": "telegram",
        "chat_id": "1",
        "unit_code": "30001",
        "system": "vneid",
        "description": "Em nộp hồ sơ thì báo lỗi như ảnh",
        "created_at": now,
        "updated_at": now,
        "resolution_due": now + timedelta(days=1),
    }
    return Case(**{**base, **fields})


def test_the_card_shows_the_error_lines_read_in_the_picture() -> None:
    text = card(a_case(picture_text="Số định danh [số CCCD đã ẩn] chưa\nđược định danh mức 2."))
    lines = text.splitlines()
    at = lines.index("🖼️ Chữ trong ảnh:")
    assert lines[at + 1].strip() == "Số định danh [số CCCD đã ẩn] chưa"
    assert lines[at + 2].strip() == "được định danh mức 2."
    assert "📝 Em nộp hồ sơ thì báo lỗi như ảnh" in text


def test_a_screenshot_alone_is_said_once_on_the_card() -> None:
    shown = "Hệ thống đang bảo trì. Vui lòng\nquay lại sau."
    text = card(a_case(description=shown, picture_text=shown))
    assert "📝 (Người phản ánh chỉ gửi ảnh chụp màn hình, không gõ mô tả.)" in text
    assert text.count("Hệ thống đang bảo trì") == 1


def test_a_card_without_pictures_is_as_before() -> None:
    assert "🖼️" not in card(a_case())


async def start_report(tg: FakeTelegramServer, user: int) -> None:
    tg.push_update(text_update(user, "/start", first_name="Lan"))
    await answer(tg, user, "Xin chào Lan")
    await press(tg, user, "Gửi phản ánh")
    await answer(tg, user, "Nghị định 13/2023")
    await press(tg, user, "Tôi đồng ý")
    await answer(tg, user, "Bạn là:")
    await press(tg, user, "Người dân")
    await answer(tg, user, "xã, phường hay đặc khu")
    tg.push_update(text_update(user, "le chan"))
    await answer(tg, user, "Ý bạn là")
    await press(tg, user, "Phường Lê Chân")
    await answer(tg, user, "hệ thống nào")
    await press(tg, user, "VNeID")
    await answer(tg, user, "mô tả ngắn gọn")


async def test_a_screenshot_as_the_description_answers_fills_the_card_and_is_found(sqlite_url: str) -> None:
    needs_tesseract()
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            await start_report(tg, CITIZEN)
            # No words: only the screenshot, which holds a CCCD and a phone number in its message.
            tg.push_update(photo_update(CITIZEN, screenshot(tg, "cccd_in_message")))
            offer = await answer(tg, CITIZEN, "Có phải bạn gặp vấn đề này?")
            assert "Tài khoản VNeID mới mức 1, cần mức 2" in offer
            await press(tg, CITIZEN, "Chưa, gửi Tổ công tác")
            await answer(tg, CITIZEN, "mã hồ sơ")
            await press(tg, CITIZEN, "Bỏ qua")
            await answer(tg, CITIZEN, "thủ tục gì")
            await press(tg, CITIZEN, "Bỏ qua")
            await answer(tg, CITIZEN, "số điện thoại")
            tg.push_update(contact_update(CITIZEN, "84987654321"))  # their own, for the card
            summary = await answer(tg, CITIZEN, "kiểm tra lại")
            assert "định danh mức 2" in summary and "2333" not in summary
            await press(tg, CITIZEN, "Gửi phản ánh")
            done = await answer(tg, CITIZEN, "Đã tiếp nhận")
            code = done.split("Mã phản ánh: ")[1].split()[0]

            card = await answer(tg, STAFF_GROUP_ID, code)
            assert "🖼️ Chữ trong ảnh:" in card and "định danh mức 2" in card
            assert "[số CCCD đã ẩn]" in card and "[số điện thoại đã ẩn]" in card
            assert "0341" not in card and "2333" not in card and "345 678" not in card
            assert card.count("định danh mức 2") == 1  # the picture's text, said once

            tg.push_update(group_text_update(STAFF_USER, "/tim dinh danh muc 2", username="canbo_an"))
            found = await answer(tg, STAFF_GROUP_ID, "🔍 Tìm")
            assert code in found

            async with runtime.app.db.session() as session:
                case = (await session.exec(select(Case).where(Case.code == code))).one()
                [picture] = (
                    await session.exec(select(Attachment).where(Attachment.case_id == case.id))
                ).all()
                assert picture.file_ref == "cccd_in_message"  # the reference, never the bytes
                assert picture.text is not None and "[số CCCD đã ẩn]" in picture.text
                assert case.picture_error and case.picture_error.startswith("so dinh danh so cccd da an")
