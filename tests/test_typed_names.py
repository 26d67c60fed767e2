"""Names typed as answers, and things said once that must not be asked again (issue 16, fourth
blind batch): the name of a system is an answer, not the description; who is writing, said with
another answer, is kept; a consent given after refusing it counts; corrections at the summary
are applied and a plain "gửi đi" that also says who they are still sends."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import Application
from storage.db import Database
from storage.models import Case
from tests.support.apps import transcript_app
from tests.support.transcript import Transcript

PROBLEM = "bấm in phiếu tiếp nhận thì ra trang trắng, thử nhiều máy vẫn thế"


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


async def only_case(app: Application) -> Case:
    async with app.db.unit() as session:
        return (await session.exec(select(Case))).one()


async def typed_to_system(chat: Transcript) -> None:
    await chat.say("/start")
    await chat.say("gửi phản ánh")
    await chat.say("dong y")
    await chat.say("nguoi dan")
    await chat.say("an lao")
    await chat.say("1")
    chat.expect("hệ thống nào")


async def typed_to_summary(chat: Transcript) -> None:
    """From the attachments step, everything typed: no FAQ help, no dossier, no procedure."""
    await chat.say("xong")
    if "xử lý được chưa" in chat.text or "giống một trong" in chat.text:
        await chat.say("chưa được")
    await chat.say("không có")  # dossier code
    await chat.say("không")  # procedure
    if "số điện thoại" in chat.text:
        await chat.say("0912345678")
    chat.expect("kiểm tra lại phản ánh")


async def test_the_name_of_a_system_is_an_answer_and_the_problem_is_still_asked(app: Application) -> None:
    chat = Transcript(app)
    await typed_to_system(chat)
    await chat.say("phần mềm một cửa của thành phố")
    chat.expect("mô tả ngắn gọn")  # before: kept as the description, this question skipped
    chat.expect_not("Mình đã ghi nội dung bạn vừa nhắn")
    await chat.say(PROBLEM)
    await typed_to_summary(chat)
    await chat.say("gửi đi")
    case = await only_case(app)
    assert case.system == "he_thong_tthc_thanh_pho"
    assert "trang trắng" in case.description
    assert "phần mềm một cửa của thành phố" not in case.description


async def test_who_is_writing_said_with_the_consent_is_not_asked_again(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("gửi phản ánh")
    await chat.say("em đồng ý, em là người dân ạ")
    chat.expect("xã, phường hay đặc khu")
    chat.expect_not("Bạn là:")
    await chat.say("an lao")
    await chat.say("1")
    await chat.say("VNeID")
    await chat.say("quét mã QR đăng nhập VNeID xong không chuyển trang")
    await typed_to_summary(chat)
    chat.expect("Người dân")
    await chat.say("gửi đi")
    assert (await only_case(app)).reporter_role == "nguoi_dan"


async def test_agreeing_after_refusing_keeps_the_phone(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("gửi phản ánh")
    await chat.say("không đồng ý đâu")
    chat.expect("ẩn danh")
    await chat.say("à thôi em đổi ý, em đồng ý cho lưu số điện thoại")
    chat.expect("bạn đồng ý", "Bạn là:")
    await chat.say("người dân")
    await chat.say("an lao")
    await chat.say("1")
    await chat.say("VNeID")
    await chat.say("VNeID báo tài khoản bị khóa tạm thời dù em không nhập sai lần nào")
    await typed_to_summary(chat)  # the phone is asked again now
    await chat.say("gửi đi")
    case = await only_case(app)
    assert case.anonymous is False
    assert case.phone == "0912345678"


async def test_a_role_corrected_at_the_summary_is_applied_and_said_again_it_still_sends(
    app: Application,
) -> None:
    chat = Transcript(app)
    await typed_to_system(chat)
    await chat.say("thanh toán")
    await chat.say("nộp lệ phí qua ngân hàng rồi mà hồ sơ vẫn báo chưa thanh toán")
    await typed_to_summary(chat)
    await chat.say("không phải, tôi là doanh nghiệp")
    chat.expect("kiểm tra lại phản ánh", "Doanh nghiệp")
    await chat.say("tôi là doanh nghiệp, gửi đi")
    chat.expect("Đã tiếp nhận")
    assert (await only_case(app)).reporter_role == "doanh_nghiep"
