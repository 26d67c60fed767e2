"""The intake conversation, read as transcripts: what the person sends → what the bot answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from storage.db import Database
from storage.models import Attachment, Case, CaseEvent, Conversation, Reporter
from tests.support.transcript import Transcript


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = Application(load_settings(), db=db)
    yield application


async def file_complaint(chat: Transcript, *, consent: bool = True) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý" if consent else "gửi ẩn danh")
    await chat.tap("Người dân")
    await chat.say("le chan")
    await chat.tap("Phường Lê Chân")
    await chat.tap("VNeID")
    await chat.say("Đăng nhập VNeID báo lỗi hệ thống từ sáng, thử nhiều lần vẫn không vào được")


async def cases(db: Database) -> list[Case]:
    async with db.session() as session:
        return list((await session.exec(select(Case))).all())


async def test_full_intake_creates_case_with_code_and_deadline(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    chat.expect("Xin chào Lan", "Bạn cần gì")
    assert chat.buttons()[:4] == [
        "📝 Gửi phản ánh",
        "🔎 Tra cứu phản ánh",
        "❓ Câu hỏi thường gặp",
        "ℹ️ Hướng dẫn",
    ]

    await chat.tap("Gửi phản ánh")
    chat.expect("Nghị định 13/2023/NĐ-CP")
    await chat.tap("Tôi đồng ý")
    chat.expect("Bạn là:")
    await chat.tap("Cán bộ xã")
    chat.expect("công tác tại xã, phường hay đặc khu nào")
    await chat.say("p. Lê Chân")
    chat.expect_button("Phường Lê Chân")
    await chat.tap("Phường Lê Chân")
    chat.expect("hệ thống nào")
    await chat.tap("Hệ thống giải quyết TTHC")
    chat.expect("mô tả ngắn gọn")
    await chat.attach(caption="")
    chat.expect("Đã nhận 1 tệp")
    await chat.say("Phần mềm một cửa không hiện hồ sơ công dân nộp trên cổng quốc gia từ hôm qua")
    chat.expect("Đã ghi nhận mô tả", "1/5")
    await chat.tap("Tiếp tục")
    await chat.decline_faq()  # the FAQ stage may offer an answer; this person still needs the task force
    chat.expect("mã hồ sơ")
    await chat.say("H26.22-251120-0001")
    chat.expect("thủ tục gì")
    await chat.say("Đăng ký khai sinh")
    chat.expect("số điện thoại")
    assert chat.last.request_contact
    await chat.say("0912 345 67")
    chat.expect("chưa đúng dạng số điện thoại")
    await chat.contact("+84912345678")
    chat.expect("kiểm tra lại", "Phường Lê Chân", "H26.22-251120-0001", "0912 345 678", "Tệp đính kèm: 1")
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận", "Mã phản ánh: PA-", "Dự kiến có kết quả trước")

    [case] = await cases(app.db)
    assert case.code.startswith("PA-") and len(case.code) == len("PA-251123-7KQ4")
    assert case.code in chat.text
    assert case.unit_code and case.system == "he_thong_tthc_thanh_pho" and case.phone == "0912345678"
    assert case.reporter_role == "can_bo_xa" and case.dossier_code == "H26.22-251120-0001"
    assert case.resolution_due is not None and case.resolution_due > case.created_at
    async with app.db.session() as session:
        assert len((await session.exec(select(Attachment).where(Attachment.case_id == case.id))).all()) == 1
        events = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()
        assert [e.kind for e in events] == ["created"]
        reporter = (await session.exec(select(Reporter))).one()
        assert reporter.consent is True and reporter.consent_at is not None
        assert reporter.unit_code == case.unit_code  # remembered for the officer's next report


async def test_officer_unit_is_remembered_next_time(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Cán bộ xã")
    await chat.say("xa an lao")
    await chat.tap("Xã An Lão")
    await chat.say("/huy")
    chat.expect("Đã hủy")
    await chat.tap("Gửi phản ánh")
    chat.expect_not("Nghị định 13")  # consent is asked once
    await chat.tap("Cán bộ xã")
    chat.expect("Lần trước bạn báo từ Xã An Lão")
    await chat.tap("Đúng vậy")
    chat.expect("hệ thống nào")


async def test_consent_refused_gives_anonymous_case_without_phone(app: Application) -> None:
    chat = Transcript(app)
    await file_complaint(chat, consent=False)
    await chat.skip_to_summary()
    chat.expect("kiểm tra lại", "ẩn danh")
    chat.expect_not("Điện thoại")
    await chat.tap("Gửi phản ánh")
    [case] = await cases(app.db)
    assert case.anonymous and case.phone is None
    async with app.db.session() as session:
        reporter = (await session.exec(select(Reporter))).one()
        assert reporter.consent is False and reporter.display_name is None


async def test_cancel_and_restart_at_any_step(app: Application) -> None:
    chat = Transcript(app)
    await file_complaint(chat)
    await chat.say("/huy")
    chat.expect("Đã hủy")
    assert await cases(app.db) == []
    await chat.say("/batdau")
    chat.expect("Xin chào")
    async with app.db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        assert conversation.step == "idle" and "description" not in conversation.data


async def test_wrong_answer_is_reasked_with_the_valid_choices(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.say("abc xyz")
    chat.expect("Mình chưa hiểu “abc xyz”", "Bạn là:")
    assert len(chat.buttons()) == 4
    await chat.say("2")  # by number
    chat.expect("xã, phường hay đặc khu")
    await chat.say("qwertyuiop")
    chat.expect("chưa tìm thấy “qwertyuiop”")


async def test_typed_labels_work_like_buttons(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("gui phan anh")
    chat.expect("Nghị định 13")
    await chat.say("dong y")
    await chat.say("nguoi dan")
    chat.expect("xã, phường hay đặc khu")


async def test_edit_from_summary_returns_to_summary(app: Application) -> None:
    chat = Transcript(app)
    await file_complaint(chat)
    await chat.skip_to_summary()
    chat.expect("kiểm tra lại")
    await chat.tap("Sửa thông tin")
    await chat.tap("Hệ thống")
    await chat.tap("Chữ ký số")
    chat.expect("kiểm tra lại", "Hệ thống: Chữ ký số")


async def test_lookup_shows_only_own_cases(app: Application) -> None:
    owner = Transcript(app, user="2001")
    await file_complaint(owner)
    await owner.skip_to_summary()
    await owner.tap("Gửi phản ánh")
    [case] = await cases(app.db)

    await owner.say(f"/tracuu {case.code.lower()}")
    owner.expect(case.code, "Mới tiếp nhận", "Diễn biến", "Đã tiếp nhận phản ánh")

    stranger = Transcript(app, user="2002", name="Hùng")
    await stranger.say(f"/tracuu {case.code}")
    stranger.expect("không tìm thấy")
    stranger.expect_not("Phường Lê Chân", "VNeID")

    await owner.say("/start")
    await owner.tap("Tra cứu phản ánh")
    owner.expect("Các phản ánh gần đây")
    await owner.tap(case.code)
    owner.expect("Diễn biến")


async def test_resume_after_a_day_offers_continue_or_restart(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    async with app.db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        conversation.updated_at = conversation.updated_at.replace(year=conversation.updated_at.year - 1)
    await chat.say("cat hai")
    chat.expect("Chào bạn quay lại", "chọn đơn vị")
    await chat.tap("Tiếp tục")
    chat.expect("xã, phường hay đặc khu")


async def test_restart_of_the_app_resumes_every_conversation(db: Database) -> None:
    first = Application(load_settings(), db=db)
    chat = Transcript(first)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    second = Application(load_settings(), db=Database(db.url))
    again = Transcript(second)
    await again.say("kien an")
    again.expect_button("Phường Kiến An")
    await second.db.dispose()


async def test_same_update_twice_has_one_effect(app: Application) -> None:
    from handlers.events import Incoming, Kind

    chat = Transcript(app)
    await file_complaint(chat)
    await chat.skip_to_summary()
    submit = Incoming(
        "telegram", chat.user, chat.user, Kind.CHOICE, choice="confirm:submit", update_key="dup-1"
    )
    await chat.send(submit)
    chat.expect("Đã tiếp nhận")
    assert await chat.send(submit) == []
    assert len(await cases(app.db)) == 1
