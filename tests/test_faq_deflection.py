"""The FAQ stage in the conversation: a confident answer can solve the problem without a case."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from handlers.services import FaqSuggestion, FaqTopicView
from storage.db import Database
from storage.models import Case, FaqQuery
from tests.support.transcript import Transcript


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    yield Application(load_settings(), db=db)


async def describe(chat: Transcript, text: str) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("Ngô Quyền")
    await chat.tap("Phường Ngô Quyền")
    await chat.tap("VNeID")
    await chat.say(text)
    await chat.tap("Tiếp tục")


async def test_solved_by_the_faq_creates_no_case(app: Application) -> None:
    chat = Transcript(app)
    await describe(chat, "quen mat khau vneid roi, lay lai kieu gi a")
    chat.expect("Có phải bạn gặp vấn đề này?", "Quên mật khẩu")
    await chat.tap("Đã giải quyết được")
    chat.expect("Rất vui vì đã giúp được bạn")
    async with app.db.session() as session:
        assert (await session.exec(select(Case))).all() == []
        [query] = (await session.exec(select(FaqQuery))).all()
        assert (
            query.topic == "quen_mat_khau_vneid" and query.solved is True and query.score and query.score > 0
        )


async def test_not_solved_goes_on_and_the_case_records_the_topic(app: Application) -> None:
    chat = Transcript(app)
    await describe(chat, "Tôi quên mật khẩu VNeID, làm theo hướng dẫn mà không nhận được tin nhắn đặt lại")
    chat.expect("Có phải bạn gặp vấn đề này?")
    await chat.tap("Chưa, gửi Tổ công tác")
    chat.expect("mã hồ sơ")
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    chat.expect("Gợi ý đã xem")
    await chat.tap("Gửi phản ánh")
    async with app.db.session() as session:
        [case] = (await session.exec(select(Case))).all()
        [query] = (await session.exec(select(FaqQuery))).all()
    assert case.faq_topic == query.topic and case.faq_topic is not None
    assert query.solved is False


class CloseCall:
    """An FAQ stage whose top two topics are close: the person is offered both."""

    topics = {
        "a": FaqTopicView("a", "Không nhận được mã OTP", "Kiểm tra sóng điện thoại…", "vneid"),
        "b": FaqTopicView("b", "Quên mật khẩu VNeID", "Chọn Quên mật khẩu…", "vneid"),
    }

    def suggest(self, text: str) -> FaqSuggestion:
        return FaqSuggestion(None, 70.0, [self.topics["a"], self.topics["b"]])

    def topic(self, topic_id: str) -> FaqTopicView | None:
        return self.topics.get(topic_id)

    def topics_by_system(self) -> dict[str, list[FaqTopicView]]:
        return {"vneid": list(self.topics.values())}


async def test_close_candidates_are_offered_as_choices(db: Database) -> None:
    app = Application(load_settings(), db=db, faq=CloseCall())
    chat = Transcript(app)
    await describe(chat, "không lấy lại được mật khẩu vì không có mã gửi về")
    chat.expect("giống một trong các trường hợp sau")
    assert chat.buttons() == [
        "💡 Không nhận được mã OTP",
        "💡 Quên mật khẩu VNeID",
        "📨 Không phải, gửi Tổ công tác",
    ]
    await chat.tap("Không nhận được mã OTP")
    chat.expect("Kiểm tra sóng điện thoại")
    await chat.tap("Đã giải quyết được")
    async with db.session() as session:
        [query] = (await session.exec(select(FaqQuery))).all()
        assert query.topic == "a" and query.solved is True


async def test_nothing_relevant_goes_straight_on(app: Application) -> None:
    chat = Transcript(app)
    await describe(chat, "Đường trước ngõ nhà tôi bị ngập nước mấy hôm nay")
    chat.expect("mã hồ sơ")
    chat.expect_not("Có phải bạn gặp")
    async with app.db.session() as session:
        [query] = (await session.exec(select(FaqQuery))).all()
        assert query.topic is None


async def test_browse_topics_by_system_and_ask_a_free_question(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Câu hỏi thường gặp")
    chat.expect("Câu hỏi thường gặp")
    await chat.tap("VNeID")
    chat.expect("Chọn câu hỏi")
    await chat.tap("Quên mật khẩu")
    chat.expect("Quên mật khẩu")
    await chat.tap("Câu hỏi khác")
    await chat.say("ko nhan dc ma otp khi dang ky")
    chat.expect("OTP")
    await chat.tap("Gửi phản ánh")
    chat.expect("Nghị định 13/2023")  # straight into the intake, consent first
    async with app.db.session() as session:
        queries = (await session.exec(select(FaqQuery).where(FaqQuery.source == "browse"))).all()
        assert [q.topic for q in queries] == ["khong_nhan_otp"]


async def test_faq_gaps_lists_unanswered_phrasings(app: Application, sqlite_url: str) -> None:
    import subprocess
    import sys

    for text in (
        "Đường trước ngõ nhà tôi bị ngập nước mấy hôm nay",
        "duong truoc ngo nha toi bi ngap nuoc may hom nay",
    ):
        chat = Transcript(app, user=str(hash(text)))
        await chat.say("/start")
        await chat.tap("Câu hỏi thường gặp")
        await chat.say(text)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "faq-gaps", "--database-url", sqlite_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "    2  " in result.stdout  # the two spellings are one group
    assert "ngập nước" in result.stdout or "ngap nuoc" in result.stdout


async def test_opening_with_the_problem_gets_the_answer_and_keeps_the_words(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("ko nhan dc ma otp khi dang ky vneid, cho mai ko thay tin nhan")
    chat.expect("OTP")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("Đồ Sơn")
    await chat.tap("Phường Đồ Sơn")
    # The first message named the system (VNeID): it is kept, not asked again.
    chat.expect("Lúc nãy bạn nhắn", "ko nhan dc ma otp")
    await chat.tap("Dùng nội dung đã nhắn")
    chat.expect("Đã ghi nhận mô tả")


async def test_a_greeting_gets_the_menu(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("chào bot, cho mình hỏi chút")
    chat.expect("Xin chào", "Bạn cần gì")
