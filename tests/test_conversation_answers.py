"""How people really answer, read as transcripts: words instead of buttons, a button pressed
twice, a look-up they want to leave, the FAQ screens answered by number, a result answered in
words, a second problem written as a follow-up, and a problem typed at the wrong question."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from bot.app import Application
from handlers.events import Kind
from storage.db import Database
from storage.models import Attachment, Case, CaseMessage, FaqQuery, Reporter
from tests.support.apps import GROUP, STAFF, transcript_app
from tests.support.transcript import StaffChat, Transcript


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


async def to_role(chat: Transcript) -> None:
    """A new report, consent given: the bot asks who is writing."""
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    chat.expect("Bạn là:")


async def to_system(chat: Transcript) -> None:
    """From "Bạn là:": a citizen of Xã An Lão; the bot asks which system."""
    await chat.tap("Người dân")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    chat.expect("hệ thống nào")


async def to_description(chat: Transcript, system: str = "Thanh toán") -> None:
    await to_role(chat)
    await to_system(chat)
    await chat.tap(system)


async def file_case(
    chat: Transcript, description: str = "Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán"
) -> str:
    await to_description(chat)
    await chat.say(description)
    await chat.skip_to_summary()
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")
    return chat.text.split("Mã phản ánh: ")[1].split()[0]


async def count(db: Database, model: type, *where: object) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model).where(*where))).one())  # type: ignore[arg-type]


# -- words instead of buttons -----------------------------------------------------------------


async def test_typed_everyday_answers_pick_the_choice(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("gui phan anh")
    chat.expect("Nghị định 13/2023")
    await chat.say("dong y")
    chat.expect("Bạn là:")
    await chat.say("dan")
    chat.expect("xã, phường hay đặc khu")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    await chat.say("dvc")
    chat.expect("mô tả ngắn gọn")
    async with app.db.session() as session:
        reporter = (await session.exec(select(Reporter))).one()
    assert reporter.consent is True and reporter.role == "nguoi_dan"


async def test_a_no_that_contains_a_yes_is_a_no(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.say("không đồng ý")
    chat.expect("gửi ẩn danh", "Bạn là:")


async def test_the_summary_is_confirmed_in_words(app: Application) -> None:
    chat = Transcript(app)
    await to_description(chat)
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán")
    await chat.skip_to_summary()
    chat.expect("Thông tin đã đúng chưa")
    await chat.say("ok gửi đi")
    chat.expect("Đã tiếp nhận", "Mã phản ánh: PA-")


async def test_an_unknown_answer_still_gets_the_question_again(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.say("²")  # a digit to str.isdigit(), not to int()
    chat.expect("Mình chưa hiểu", "Bạn là:")


# -- buttons pressed twice, old buttons --------------------------------------------------------


async def test_a_double_press_is_answered_once(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    key = chat.choice_key("Gửi phản ánh")
    await chat.send(chat._event(Kind.CHOICE, choice=key, message_id=41))
    chat.expect("Nghị định 13/2023")
    agree = chat.choice_key("Tôi đồng ý")
    again = await chat.send(chat._event(Kind.CHOICE, choice=key, message_id=41))
    assert again == [], "the second tap of the same button says nothing"
    await chat.tap_key(agree)
    chat.expect("Bạn là:")


# -- look-up -----------------------------------------------------------------------------------


async def test_a_wrong_code_ends_the_look_up_with_the_menu(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Tra cứu")
    chat.expect("mã phản ánh")
    await chat.say("ko nho ma")
    chat.expect("không tìm thấy", "chọn việc khác")
    chat.expect_button("Gửi phản ánh")
    await chat.say("gui phan anh")
    chat.expect("Nghị định 13/2023")


async def test_the_menu_works_from_the_look_up_question(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Tra cứu")
    await chat.tap_key("menu:report")  # the greeting's button, pressed after all
    chat.expect("Nghị định 13/2023")
    await chat.say("/huy")
    await chat.tap("Tra cứu")
    await chat.say("thoát")
    chat.expect("Bạn cần mình giúp gì")


# -- FAQ screens -------------------------------------------------------------------------------


async def test_numbers_on_the_no_answer_screen_mean_what_was_shown(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Câu hỏi thường gặp")
    await chat.say("cho mình hỏi lịch nghỉ tết năm nay")
    chat.expect("chưa có sẵn câu trả lời")
    assert chat.buttons() == ["📝 Gửi phản ánh", "❓ Câu hỏi khác"]
    await chat.say("1")
    chat.expect("Nghị định 13/2023")
    assert await count(app.db, FaqQuery, FaqQuery.solved == True) == 0  # noqa: E712


async def test_the_candidates_of_a_free_question_can_be_opened(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Câu hỏi thường gặp")
    await chat.say("khong thanh toan duoc")
    if "giống một trong" in chat.text or "Chọn câu hỏi" in chat.text:
        first = chat.buttons()[0]
        await chat.say("1")
        chat.expect("📌", first)
    else:  # the matcher was sure: the answer itself
        chat.expect("📌")
    chat.expect_button("Đã rõ")


# -- the result answered in words --------------------------------------------------------------


async def test_it_still_fails_in_words_reopens_the_case_with_the_words_for_staff(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/dong {code} Hồ sơ đã đồng bộ, bạn tải lại trang là thấy")
    assert any("đã được giải quyết" in o.reply.text for o in staff.to(chat.user))

    await chat.say("vẫn chưa được ạ, tải lại vẫn không thấy hồ sơ đâu")
    chat.expect("mở lại", code, "Cảm ơn góp ý")
    chat.expect_not("Bạn có muốn góp ý thêm")  # they already said why: not asked again
    relayed = [o.reply.text for o in chat.outgoing if o.chat_id == GROUP]
    assert any("tải lại vẫn không thấy" in text for text in relayed), relayed
    async with app.db.unit() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
    assert case.rating == "khong_hai_long" and case.status != "da_dong"


async def test_words_that_are_not_a_rating_reach_staff_and_the_rating_is_asked_again(
    app: Application,
) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/dong {code} Hồ sơ đã đồng bộ, bạn tải lại trang là thấy")
    await chat.say("cho em hỏi giấy hẹn mới thì lấy ở đâu ạ")
    chat.expect("đã chuyển ý kiến", code, "Không hài lòng")
    chat.expect_button("Hài lòng", "Không hài lòng")
    relayed = [o.reply.text for o in chat.outgoing if o.chat_id == GROUP]
    assert any("giấy hẹn mới" in text for text in relayed), relayed

    await chat.tap("Không hài lòng")
    chat.expect("mở lại")
    await chat.say("Tôi cần cán bộ gọi lại")
    chat.expect("Cảm ơn góp ý", "liên hệ")
    chat.expect_not("Chúc bạn làm thủ tục thuận lợi")


# -- follow-ups --------------------------------------------------------------------------------


async def test_a_follow_up_is_relayed_and_can_become_a_new_report(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await chat.say("lai loi nua, token ky so ko nhan, ko ky duoc ket qua cho dan")
    chat.expect("Đã chuyển thông tin bổ sung", code, "phản ánh mới")
    await chat.tap("Đây là phản ánh mới")
    chat.expect("Bạn là:")
    await chat.tap("Người dân")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    # The system the follow-up named ("token ký số") is kept from it, not asked again.
    chat.expect_not("hệ thống nào")
    chat.expect("Lúc nãy bạn nhắn", "token ky so ko nhan")
    await chat.tap("Dùng nội dung đã nhắn")
    chat.expect("Đã ghi nhận mô tả")


async def test_a_file_of_the_wrong_type_is_not_relayed_as_a_follow_up(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await chat.attach("document", "virus-1", name="setup.exe", mime="application/x-msdownload")
    chat.expect("không nhận được")
    assert not [o for o in chat.outgoing if o.chat_id == GROUP]
    await chat.attach("document", "bien-lai-1", name="bien-lai.pdf", mime="application/pdf")
    chat.expect("Đã chuyển thông tin bổ sung", code)
    async with app.db.session() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
        files = (await session.exec(select(Attachment).where(Attachment.case_id == case.id))).all()
    assert [f.file_name for f in files] == ["bien-lai.pdf"]


async def test_a_pdf_name_on_an_executable_is_refused(app: Application) -> None:
    chat = Transcript(app)
    await to_description(chat)
    await chat.attach("document", "x", name="hoa-don.pdf.exe", mime="application/pdf")
    chat.expect("không nhận được")
    await chat.attach("document", "y", name="hoa-don.pdf", mime="application/pdf")
    chat.expect("Đã nhận 1 tệp")


async def test_a_long_follow_up_command_is_refused_whole(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await chat.say(f"/bosung {code} " + "rất dài " * 500)
    chat.expect("dài quá")
    async with app.db.session() as session:
        texts = (await session.exec(select(CaseMessage.text))).all()
    assert not any("rất dài" in text for text in texts)


# -- what people type at the wrong question ----------------------------------------------------


async def test_a_problem_typed_at_a_choice_is_kept_for_the_description(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.say("ko dang nhap dc dvc tu sang den gio")
    chat.expect("Mình đã ghi: hệ thống VNeID", "Mình đã ghi nội dung bạn vừa nhắn", "Bạn là:")
    await chat.tap("Người dân")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    # Neither the system nor the problem is asked again: the report goes on to the screenshots.
    chat.expect("Đã ghi nhận mô tả")
    assert "hệ thống nào" not in chat.text


async def test_a_unit_not_found_drops_the_earlier_candidates(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.tap("Người dân")
    await chat.say("an lao")
    chat.expect_button("Xã An Lão")
    await chat.say("zzqq xyz")
    chat.expect("chưa tìm thấy")
    chat.expect_not("Ý bạn là")
    await chat.say("bỏ qua")
    chat.expect("hệ thống nào")


async def test_someone_elses_contact_is_not_remembered_as_the_persons_phone(app: Application) -> None:
    chat = Transcript(app)
    await to_description(chat)
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán")
    await chat.tap("Tiếp tục")
    await chat.decline_faq()
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    await chat.send(chat._event(Kind.CONTACT, phone="0987654321", phone_is_own=False))
    chat.expect("0987 654 321")  # the contact for this case
    async with app.db.session() as session:
        reporter = (await session.exec(select(Reporter))).one()
    assert reporter.phone is None


async def test_a_staff_command_in_a_private_chat_is_refused_with_a_pointer(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("/nhan PA-251123-7KQ4")
    chat.expect("chỉ dành cho cán bộ Tổ công tác", "/batdau")
    chat.expect_not("chưa hiểu lệnh")


async def test_a_problem_written_at_the_menu_starts_the_report_it_describes(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("cho mình hỏi lịch nghỉ tết năm nay")  # not a question the FAQ knows
    chat.expect("chưa rõ ý bạn")
    chat.expect_not("Xin chào")  # not the whole greeting again
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await to_system(chat)
    await chat.tap("Khác")
    chat.expect("Lúc nãy bạn nhắn", "lịch nghỉ tết")


async def test_an_anonymous_person_can_still_leave_a_phone_from_the_summary(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("gửi ẩn danh")
    await to_system(chat)
    await chat.tap("Thanh toán")
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán")
    await chat.skip_to_summary()
    chat.expect("Gửi ẩn danh")
    await chat.tap("Sửa thông tin")
    await chat.tap("Để lại số điện thoại")
    chat.expect("Nghị định 13/2023")
    await chat.tap("Tôi đồng ý")
    chat.expect("số điện thoại")
    await chat.say("0912 345 678")
    chat.expect("0912 345 678")
    chat.expect_not("Gửi ẩn danh")
    await chat.tap("Gửi phản ánh")
    async with app.db.session() as session:
        case = (await session.exec(select(Case))).one()
    assert case.phone == "0912345678" and not case.anonymous


# -- what is on screen decides what a typed answer means ------------------------------------


async def staff_asks(app: Application, code: str, question: str) -> None:
    await StaffChat(app, user=STAFF).say(f"/chobosung {code} {question}")


def relayed_to_staff(chat: Transcript) -> list[str]:
    return [o.reply.text for o in chat.outgoing if o.chat_id == GROUP]


async def test_a_number_answering_staff_reaches_staff_not_the_menu(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await staff_asks(app, code, "Anh/chị đã thử trên mấy máy tính rồi ạ?")
    await chat.say("3")
    chat.expect("Đã chuyển thông tin bổ sung", code)
    chat.expect_not("Câu hỏi thường gặp")
    assert any("3" in text for text in relayed_to_staff(chat))


async def test_an_answer_to_staff_from_inside_the_faq_reaches_staff(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await chat.tap_key("menu:faq")
    chat.expect("Câu hỏi thường gặp")
    await staff_asks(app, code, "Anh/chị dùng trình duyệt gì ạ?")
    await chat.say("em dung Coc Coc a")
    chat.expect("Đã chuyển thông tin bổ sung", code)
    assert any("Coc Coc" in text for text in relayed_to_staff(chat))


async def test_a_typed_rating_counts_wherever_the_person_was(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case(chat)
    await chat.tap_key("menu:faq")
    await StaffChat(app, user=STAFF).say(f"/dong {code} Đã cập nhật trạng thái thanh toán")
    await chat.say("1")  # 1 = 😊 Hài lòng, the menu under the result
    chat.expect("góp ý")
    async with app.db.session() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
    assert case.rating == "hai_long"


async def test_typing_the_number_of_new_report_keeps_what_was_written(app: Application) -> None:
    chat = Transcript(app)
    await file_case(chat)
    await chat.say("Con mot loi khac nua: thanh toan phi bi tru tien 2 lan")
    chat.expect("phản ánh mới")
    await chat.say("1")  # the only choice under the acknowledgement
    chat.expect("Bạn là:")
    await chat.tap("Người dân")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    chat.expect_not("hệ thống nào")  # "thanh toan phi" named it: kept, not asked again
    chat.expect("Lúc nãy bạn nhắn", "bi tru tien 2 lan")


async def test_numbers_are_understood_the_way_people_write_them(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.say("số 2")
    chat.expect("xã, phường hay đặc khu")
    async with app.db.session() as session:
        reporter = (await session.exec(select(Reporter))).one()
    assert reporter.role == "doanh_nghiep"


# -- files at other questions, requests in a few words ------------------------------------------


async def test_a_screenshot_sent_before_the_description_is_kept_with_its_caption(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.attach(file_ref="shot-1", caption="màn hình lỗi khi nộp hồ sơ trên dvc")
    chat.expect("Đã nhận tệp (1/5)", "câu hỏi phía trên")
    chat.expect_not("Bạn là:")  # the question on screen still stands: not sent again
    await chat.tap_key("role:nguoi_dan")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    await chat.tap("Cổng DVC")
    chat.expect("Lúc nãy bạn nhắn", "màn hình lỗi khi nộp hồ sơ")


async def test_a_photo_at_the_dossier_question_is_attached_to_the_case(app: Application) -> None:
    chat = Transcript(app)
    await to_description(chat)
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán")
    await chat.tap("Tiếp tục")
    await chat.decline_faq()
    chat.expect("mã hồ sơ")
    await chat.attach(file_ref="phieu-hen")
    chat.expect("Đã nhận tệp (1/5)")
    await chat.tap_key("dossier:skip")  # the question on screen, answered as usual
    await chat.tap("Bỏ qua")  # procedure
    await chat.tap("Bỏ qua")  # phone
    chat.expect("Tệp đính kèm: 1")


async def test_a_request_in_a_few_words_opens_that_menu_item(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.say("tôi muốn phản ánh ạ")
    chat.expect("Nghị định 13/2023")
    await chat.say("/huy")
    await chat.tap_key("menu:faq")
    await chat.say("menu")
    chat.expect("Bạn cần mình giúp gì")


async def test_yes_confirms_the_one_unit_offered(app: Application) -> None:
    chat = Transcript(app)
    await to_role(chat)
    await chat.tap("Người dân")
    await chat.say("bach long vi")
    chat.expect("Ý bạn là Đặc khu Bạch Long Vĩ?")
    await chat.say("đúng rồi")
    chat.expect("hệ thống nào")


async def test_huy_typed_without_a_slash_cancels_the_report(app: Application) -> None:
    chat = Transcript(app)
    await to_description(chat)
    await chat.say("hủy")
    chat.expect("Đã hủy")
    chat.expect_button("Gửi phản ánh")


async def test_a_picture_only_channel_says_pictures(app: Application) -> None:
    chat = Transcript(app, channel="zalo_bot")
    await to_description(chat)
    chat.expect("tối đa 5 ảnh)")
    await chat.sticker()  # what the Zalo Bot API turns a PDF into
    chat.expect("chỉ nhận được tin chữ và ảnh", "chụp màn hình")
