"""What people type, read as they mean it (issue "Understand what people type"), as transcripts:
"it did not help" is never "solved", not understanding is never refusing, a problem typed at any
question is kept, free answers at the optional steps, changing one's mind in words, a whole story
in one message, questions and greetings after a case, and the summary corrected in words."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import Application
from storage.db import Database
from storage.models import Case, CaseMessage, FaqQuery, Reporter
from tests.support.apps import transcript_app
from tests.support.transcript import Transcript

OTP_PROBLEM = "em không nhận được mã OTP khi đăng ký tài khoản VNeID, chờ mãi không thấy tin nhắn"


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


async def typed_to_faq_offer(chat: Transcript) -> None:
    """Everything typed, as on Zalo: up to "đã giúp bạn xử lý được chưa?"."""
    await chat.say("/start")
    await chat.say("1")
    await chat.say("dong y")
    await chat.say("nguoi dan")
    await chat.say("an lao")
    await chat.say("1")
    await chat.say("vneid")
    await chat.say(OTP_PROBLEM)
    await chat.say("tiep tuc")
    chat.expect("xử lý được chưa")


async def cases(app: Application) -> list[Case]:
    async with app.db.unit() as session:
        return list((await session.exec(select(Case))).all())


@pytest.mark.parametrize(
    "reply", ["e lam theo r ma van the", "vẫn bị ạ", "thử rồi không ăn thua", "làm rồi mà ko đc"]
)
async def test_it_did_not_help_is_never_taken_for_solved(app: Application, reply: str) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say(reply)
    chat.expect_not("Rất vui")
    chat.expect("mã hồ sơ")  # the report goes on to the task force
    async with app.db.unit() as session:
        query = (await session.exec(select(FaqQuery))).one()
    assert query.solved is False


@pytest.mark.parametrize("reply", ["ok để em thử", "cảm ơn", "rồi"])
async def test_an_unclear_reply_to_did_it_help_gets_a_short_question(app: Application, reply: str) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say(reply)
    chat.expect("Mình muốn chắc chắn")
    chat.expect_not("Rất vui")
    await chat.say("được rồi ạ, cảm ơn")
    chat.expect("Rất vui")
    assert await cases(app) == []


async def test_not_understanding_the_notice_is_not_refusing_it(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("1")
    await chat.say("em chua hieu cai nay")
    chat.expect("Nói ngắn gọn")
    chat.expect_button("Tôi đồng ý")
    async with app.db.unit() as session:
        reporter = (await session.exec(select(Reporter))).one()
    assert reporter.consent is None  # still asked, not anonymous for good
    await chat.say("à vậy thì đồng ý")
    chat.expect("Bạn là:")


async def test_a_problem_typed_at_the_menu_starts_the_report_with_it(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    # Not one the FAQ answers with confidence (then it would answer at once).
    await chat.say(
        "em nộp hồ sơ đăng ký kết hôn trên dịch vụ công rồi nhưng phường bảo phải nộp lại bản giấy"
    )
    chat.expect_not("chưa rõ ý")
    chat.expect("Nghị định 13")
    await chat.say("đồng ý")
    await chat.say("nguoi dan")
    await chat.say("le chan")
    await chat.say("1")
    # The system (the national portal) and the problem were in the first message: not asked again.
    chat.expect("Đã ghi nhận mô tả")
    chat.expect_not("hệ thống nào")


async def test_free_answers_at_the_optional_steps(app: Application) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say("vẫn không được")
    await chat.say("em ko nho ma")  # dossier: don't remember
    chat.expect("thủ tục gì")
    await chat.say("ok gui luon")  # procedure: send as it is
    chat.expect("kiểm tra lại phản ánh")
    await chat.say("gửi đi")
    chat.expect("Đã tiếp nhận")
    (case,) = await cases(app)
    assert case.dossier_code is None and case.procedure_name is None


async def test_a_phone_number_at_the_dossier_question_is_a_phone(app: Application) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say("chưa")
    await chat.say("0912 345 678")
    chat.expect("số điện thoại 0912 345 678", "mã hồ sơ")
    await chat.say("H26.22-251120-0001")
    await chat.say("bo qua")  # procedure
    chat.expect("kiểm tra lại phản ánh")  # the phone is not asked again
    await chat.say("1")
    (case,) = await cases(app)
    assert case.phone == "0912345678" and case.dossier_code == "H26.22-251120-0001"


async def test_changing_ones_mind_in_words(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("1")
    await chat.say("ok")
    await chat.say("dan")
    await chat.say("thôi khỏi")  # the unit: skipped, not searched as a name
    chat.expect("hệ thống nào")
    await chat.say("vneid")
    await chat.say(OTP_PROBLEM)
    await chat.say("xong")
    await chat.say("ko được")
    await chat.say("bo qua")
    await chat.say("bo qua")
    await chat.say("bo qua")
    chat.expect("kiểm tra lại phản ánh", "Không rõ")
    await chat.say("nhầm, phường An Biên chứ")
    chat.expect("Phường An Biên", "kiểm tra lại phản ánh")
    await chat.say("thôi")  # not a clear cancel: asked, nothing ended
    chat.expect("gửi phản ánh này đi, sửa lại, hay hủy")
    await chat.say("gửi")
    (case,) = await cases(app)
    assert case.unit_code is not None


async def test_a_whole_story_in_one_message_is_not_asked_again(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("1")
    await chat.say("đồng ý")
    await chat.say("người dân")
    await chat.say("le chan")
    await chat.say("1")
    await chat.say("thanh toán")
    await chat.say(
        "em nộp hồ sơ đăng ký khai sinh mã H26.22-251120-0001, đã chuyển khoản lệ phí mà hệ thống vẫn báo chưa nộp, "
        "sđt em 0987 654 321"
    )
    chat.expect("mã hồ sơ H26.22-251120-0001", "số điện thoại 0987 654 321")
    await chat.say("tiếp tục")
    if "xử lý được chưa" in chat.text:
        await chat.say("chưa được ạ")
    chat.expect("kiểm tra lại phản ánh", "H26.22-251120-0001", "0987 654 321")
    await chat.say("ok gửi đi")
    (case,) = await cases(app)
    assert case.dossier_code == "H26.22-251120-0001" and case.phone == "0987654321"
    assert case.procedure_name == "Đăng ký khai sinh"


async def test_questions_and_greetings_after_a_case(app: Application) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say("không được")
    await chat.say("bo qua")
    await chat.say("bo qua")
    await chat.say("bo qua")
    await chat.say("1")
    code = chat.text.split("Mã phản ánh: ")[1].split()[0]
    await chat.say("hồ sơ phản ánh của em sao rồi")
    chat.expect(code, "Mới tiếp nhận")
    chat.expect_not("Đã chuyển thông tin bổ sung")
    await chat.say("sao mãi ko ai trả lời")
    chat.expect("đã nhắc Tổ công tác", code)
    await chat.say("chào ad")
    chat.expect("Xin chào")
    async with app.db.unit() as session:
        messages = (await session.exec(select(CaseMessage))).all()
    assert [m.text for m in messages] == ["sao mãi ko ai trả lời"]  # staff see the impatience, once


async def test_a_question_beyond_the_task_force_is_answered_and_the_question_stands(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("lệ phí làm sổ đỏ bao nhiêu tiền vậy ad")
    chat.expect("1022", "Tổ công tác hỗ trợ lỗi")
    await chat.say("xã Hồng Phong cũ giờ thuộc xã nào")
    chat.expect("nay thuộc")


async def test_a_reply_that_fits_no_question_is_kept_for_staff(app: Application) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say("không được")
    await chat.say("con em đang ốm nên em phải làm nhanh")
    chat.expect("ghi lời nhắn này kèm phản ánh")
    await chat.say("bo qua")
    await chat.say("bo qua")
    await chat.say("bo qua")
    await chat.say("1")
    (case,) = await cases(app)
    assert "con em đang ốm" in case.description


@pytest.mark.parametrize("question", ["hồ sơ của em giờ sao rồi ạ", "phản ánh của em đến đâu rồi"])
async def test_a_question_about_ones_case_at_did_it_help_is_answered_not_taken_for_solved(
    app: Application, question: str
) -> None:
    chat = Transcript(app)
    await typed_to_faq_offer(chat)
    await chat.say(question)  # "rồi" here is not "it worked"
    chat.expect_not("Rất vui")
    chat.expect("chưa có phản ánh nào")  # answered with the person's cases (none yet)
    chat.expect("xử lý được chưa")  # and the question on screen is asked again
    await chat.say("gửi cho tổ công tác đi")  # words of the "📨 Chưa, gửi Tổ công tác" option
    chat.expect("mã hồ sơ")
    async with app.db.unit() as session:
        [query] = (await session.exec(select(FaqQuery))).all()
        assert query.solved is not True
