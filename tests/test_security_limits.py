"""Limits a person meets: text length, attachment type/size/count, the flood limit (politely,
once), and never seeing somebody else's case. Checked on the engine with the real settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from handlers.citizen import texts as T
from storage.db import Database
from storage.models import Case, Conversation
from tests.support.transcript import Transcript


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    yield Application(load_settings(), db=db)


async def to_description(chat: Transcript) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.tap("bỏ qua")
    await chat.tap("VNeID")
    chat.expect("mô tả ngắn gọn")


async def step(db: Database, user: str) -> str:
    async with db.session() as session:
        return (await session.exec(select(Conversation.step).where(Conversation.user_id == user))).one()


async def test_text_longer_than_the_limit_is_refused_politely(app: Application, db: Database) -> None:
    chat = Transcript(app, user="61")
    await to_description(chat)
    limit = app.settings.conversation.max_text_length
    await chat.say("lỗi " * (limit // 4 + 10))
    chat.expect(T.TEXT_TOO_LONG.split("(")[0].strip())
    assert await step(db, "61") == "description", "nothing of it was taken"
    await chat.say("Đăng nhập VNeID báo sai mật khẩu dù đã đổi mật khẩu")
    chat.expect("Đã ghi nhận mô tả")


@pytest.mark.parametrize(
    ("name", "mime", "size", "expected"),
    [
        ("setup.exe", "application/x-msdownload", 1000, "không nhận được"),
        ("script.html", "text/html", 1000, "không nhận được"),
        ("khong_ro", None, 1000, "không rõ"),
        ("bản chụp.pdf", "application/pdf", 25 * 1024 * 1024, "lớn quá 20 MB"),
    ],
)
async def test_attachment_type_and_size_limits(
    app: Application, name: str, mime: str | None, size: int, expected: str
) -> None:
    chat = Transcript(app, user="62")
    await to_description(chat)
    await chat.attach("document", "file-x", name=name, mime=mime, size=size)
    chat.expect(expected)
    chat.expect_not("Đã nhận 1 tệp")


async def test_attachment_count_limit(app: Application, db: Database) -> None:
    chat = Transcript(app, user="63")
    await to_description(chat)
    await chat.say("Thanh toán phí trên cổng xong nhưng hồ sơ vẫn báo chưa nộp")
    maximum = app.settings.conversation.max_attachments
    for index in range(maximum):
        await chat.attach("photo", f"photo-{index}")
    chat.expect(T.ATTACHMENT_LIMIT.format(max=maximum))
    await chat.attach("photo", "one-too-many")
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation).where(Conversation.user_id == "63"))).one()
    assert len(conversation.data["attachments"]) == maximum


async def test_flood_limit_answers_once_politely_then_stays_quiet(app: Application, db: Database) -> None:
    chat = Transcript(app, user="64")
    await chat.say("/start")
    allowed = app.settings.conversation.flood_messages
    for _ in range(allowed - 1):
        await chat.say("alo")
    assert chat.replies, "still within the limit: answered"
    await chat.say("alo")
    assert [r.text for r in chat.replies] == [T.FLOOD], "the first message over the limit: one polite notice"
    before = await step(db, "64")
    for _ in range(5):
        assert await chat.tap_key("menu:report") == [], "then silence: no work done for a flood"
    assert await step(db, "64") == before


async def test_a_person_never_sees_another_persons_case(app: Application, db: Database) -> None:
    owner = Transcript(app, user="65", name="Lan")
    await to_description(owner)
    await owner.say("Không ký số được hồ sơ trên cổng dịch vụ công của thành phố")
    await owner.tap("Tiếp tục")
    for _ in range(8):  # through the FAQ offer (if any), dossier, procedure, phone, summary
        keys = [c.key for r in owner.replies for c in r.choices]
        if "confirm:submit" in keys:
            await owner.tap_key("confirm:submit")
            break
        key = next(
            k
            for k in ("faq:not_solved", "faqpick:none", "dossier:skip", "procedure:skip", "phone:skip")
            if k in keys
        )
        await owner.tap_key(key)
    owner.expect("Đã tiếp nhận")
    async with db.session() as session:
        code = (await session.exec(select(Case.code))).one()
    stranger = Transcript(app, user="66", name="Bình")
    await stranger.say(f"/tracuu {code}")
    stranger.expect(T.LOOKUP_NOT_FOUND.format(code=code))
    stranger.expect_not("Không ký số", "Lan")
    await stranger.say(f"/bosung {code} tôi muốn xem hồ sơ này")
    stranger.expect(T.LOOKUP_NOT_FOUND.format(code=code))
