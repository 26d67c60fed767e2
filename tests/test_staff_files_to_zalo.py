"""A file staff send from Telegram that Zalo cannot show: the Zalo reporter reads the answer
first and then that a file was sent, and staff are told in the thread to describe it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import Application
from bot.delivery.outbox import enqueue
from bot.zalo.bot_api import plan_parts
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind, Reply
from storage.db import Database
from storage.models import Case
from tests.support.apps import transcript_app
from tests.support.transcript import Transcript
from tests.test_conversation_answers import GROUP, STAFF, file_case


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


def test_the_answer_comes_before_the_line_about_the_file() -> None:
    reply = Reply(
        "💬 Tổ công tác trả lời (phản ánh PA-251206-AB7K):\n\nBạn xem ảnh hướng dẫn nhé.",
        attachments=[AttachmentRef("photo", "AgACAgIAAxkBAAIB-telegram-file-id", None, "image/jpeg", 1000)],
    )
    [part] = plan_parts(reply)
    assert part.text is not None
    answer, file_line = part.text.split("\n\n📎 ")
    assert answer.startswith("💬 Tổ công tác trả lời") and "Zalo chưa hiển thị được" in file_line


async def test_staff_are_told_a_zalo_reporter_cannot_see_their_file(app: Application) -> None:
    chat = Transcript(app, user="zalo-77", channel="zalo_bot")
    code = await file_case(chat)
    photo = AttachmentRef("photo", "AgACAgIAAxkBAAIB-telegram-file-id", None, "image/jpeg", 1000)
    async with app.db.session() as session:  # the case's forum topic, as the delivery hooks store it
        case = (await session.exec(select(Case).where(Case.code == code))).one()
        case.staff_thread_id = 31
    event = Incoming(
        "telegram",
        STAFF,
        GROUP,
        Kind.ATTACHMENT,
        text="Bạn xem ảnh hướng dẫn nhé",
        attachments=[photo],
        username="canbo_an",
        update_key="staff-file-1",
        chat_kind=ChatKind.STAFF,
        thread_id=31,
    )
    async with app.db.unit() as session:
        out = await app.engine.handle(session, event)
        await enqueue(session, out)
    to_reporter = [o for o in out if o.chat_id == "zalo-77"]
    to_staff = [o.reply.text for o in out if o.chat_id == GROUP]
    assert to_reporter and to_reporter[0].reply.attachments == [photo]
    assert any("không xem được tệp gửi từ Telegram" in text and code in text for text in to_staff)


class _PictureLinks:
    """A Zalo Bot sender that can show pictures (signed links configured), not PDFs."""

    channel = "zalo_bot"

    def carries(self, attachment: AttachmentRef) -> bool:
        return attachment.kind == "photo"


async def test_staff_are_not_told_a_picture_is_unseen_when_zalo_can_show_it(app: Application) -> None:
    app.senders["zalo_bot"] = _PictureLinks()  # type: ignore[assignment]
    chat = Transcript(app, user="zalo-78", channel="zalo_bot")
    code = await file_case(chat)
    async with app.db.session() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
        case.staff_thread_id = 32
    photo = AttachmentRef("photo", "AgACAgIAAxkBAAIB-picture", None, "image/jpeg", 1000)
    pdf = AttachmentRef("document", "BQACAgIAAxkBAAIB-form", "mau-to-khai.pdf", "application/pdf", 5000)
    for number, file in enumerate((photo, pdf)):
        event = Incoming(
            "telegram",
            STAFF,
            GROUP,
            Kind.ATTACHMENT,
            text="Bạn xem tệp này nhé",
            attachments=[file],
            username="canbo_an",
            update_key=f"staff-file-carried-{number}",
            chat_kind=ChatKind.STAFF,
            thread_id=32,
        )
        async with app.db.unit() as session:
            out = await app.engine.handle(session, event)
            await enqueue(session, out)
        to_staff = " ".join(o.reply.text for o in out if o.chat_id == GROUP)
        # The picture reaches Zalo by link: no warning; the PDF cannot: staff are told.
        assert ("không xem được tệp" in to_staff) is (file is pdf), to_staff
