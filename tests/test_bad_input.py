"""Bad input gets a clear answer and loses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from storage.db import Database
from storage.models import Case, Conversation
from tests.support.transcript import Transcript


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    yield Application(load_settings(), db=db)


async def at_description_step(app: Application) -> Transcript:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("Hồng Bàng")
    await chat.tap("Phường Hồng Bàng")
    await chat.tap("Cổng DVC")
    chat.expect("mô tả ngắn gọn")
    return chat


BAD_INPUTS = [
    ("empty", "", "chưa nhận được nội dung"),
    ("only spaces", "   \n ", "chưa nhận được nội dung"),
    ("10,000 characters", "x" * 10_000, "dài quá"),
    ("only emoji", "😡😡😡🔥🔥🔥💥💥💥💥", "chi tiết hơn"),
    ("too short", "lỗi", "chi tiết hơn"),
]


@pytest.mark.parametrize(("name", "text", "answer"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_description_is_reasked_and_state_kept(
    app: Application, name: str, text: str, answer: str
) -> None:
    chat = await at_description_step(app)
    await chat.say(text)
    chat.expect(answer)
    async with app.db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        assert conversation.step == "description"
        assert conversation.data["unit_name"] == "Phường Hồng Bàng"  # earlier answers intact


INJECTIONS = [
    "<b>Hồ sơ</b> <script>alert(1)</script> bị lỗi khi nộp",
    "*đậm* _nghiêng_ [link](http://x.y) `code` lỗi nộp hồ sơ",
    '\'; DROP TABLE "case"; -- hồ sơ bị lỗi',
    "Robert'); DELETE FROM reporter WHERE ('1'='1 không nộp được",
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_markup_and_sql_looking_text_is_stored_literally(app: Application, text: str) -> None:
    chat = await at_description_step(app)
    await chat.say(text)
    await chat.skip_to_summary()
    chat.expect(text)  # shown back exactly as typed (sent as plain text, never parsed)
    await chat.tap("Gửi phản ánh")
    async with app.db.session() as session:
        [case] = (await session.exec(select(Case))).all()
        assert case.description == text


async def test_sticker_unknown_command_and_wrong_file(app: Application) -> None:
    chat = await at_description_step(app)
    await chat.sticker()
    chat.expect("nhãn dán", "mô tả ngắn gọn")
    await chat.say("/xoahet")  # (/xoadulieu is a command now: erasing one's data, issue #17)
    chat.expect("chưa hiểu lệnh /xoahet", "mô tả ngắn gọn")
    await chat.attach("document", "f-1", name="virus.exe", mime="application/x-msdownload", size=1000)
    chat.expect("không nhận được", "virus.exe")
    await chat.attach("document", "f-2", name="bien-lai.pdf", mime="application/pdf", size=80 * 1024 * 1024)
    chat.expect("lớn quá")
    await chat.attach("document", "f-3", name="bien-lai.pdf", mime="application/pdf", size=200_000)
    chat.expect("Đã nhận 1 tệp")
    async with app.db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        assert [a["file_ref"] for a in conversation.data["attachments"]] == ["f-3"]


async def test_at_most_five_attachments(app: Application) -> None:
    chat = await at_description_step(app)
    await chat.say("Không tải được tệp đính kèm lên cổng dịch vụ công, báo lỗi định dạng")
    for number in range(1, 5):
        await chat.attach(file_ref=f"p{number}")
        chat.expect(f"({number}/5)")
    await chat.attach(file_ref="p5")
    chat.expect("đủ 5 tệp")
    await chat.attach(file_ref="p6")
    chat.expect_not("Đã nhận tệp (6")


async def test_flood_limit_answers_politely_once(app: Application) -> None:
    chat = Transcript(app)
    answers = []
    for number in range(25):
        answers.append(await chat.say(f"tin nhắn {number}"))
    flood = [r for replies in answers for r in replies if "nhắn nhanh quá" in r.text]
    assert len(flood) == 1
    assert answers[-1] == []  # then quiet until the window passes


async def test_stale_button_is_explained(app: Application) -> None:
    chat = await at_description_step(app)
    await chat.tap_key("role:doanh_nghiep")
    chat.expect("bước trước", "mô tả ngắn gọn")
