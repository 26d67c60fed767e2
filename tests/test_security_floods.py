"""Floods (issue #17, point 3): nothing a person sends is lost, replies stay throttled, one person
cannot fill the staff group's budget nor open any number of cases. Transcripts on the engine with
a real SQLite file and the real settings; the staff group's side read from the outbox rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import Application
from bot.jobs import install
from bot.settings import load_settings
from handlers.citizen import texts as T
from storage.db import Database
from storage.models import Case, CaseMessage, Conversation, Incident, OutboxMessage
from tests.support.transcript import Transcript
from tests.test_incident_desk import UNITS, VNEID_DOWN
from tests.test_incident_desk import report as incident_report
from tests.test_jobs_support import make_app

GROUP = "-100777"


@pytest.fixture
async def app(any_db: Database) -> AsyncIterator[Application]:
    """SQLite and PostgreSQL: the merged follow-ups and the erasure write JSON and run subqueries."""
    yield Application(load_settings(staff_chat_id=int(GROUP)), db=any_db)


@pytest.fixture
def db(app: Application) -> Database:
    return app.db


async def calm_down(db: Database, user: str) -> None:
    """A minute passes: the person's flood window is empty again (the window is wall-clock time)."""
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation).where(Conversation.user_id == user))).one()
        conversation.recent = []


async def to_description(chat: Transcript) -> None:
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    if "Nghị định 13" in chat.text:
        await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.tap("bỏ qua")
    await chat.tap("VNeID")
    chat.expect("mô tả ngắn gọn")


async def finish(chat: Transcript) -> None:
    """From wherever the report stands to ✅ submit (no FAQ help, no optional details)."""
    for _ in range(10):
        keys = [c.key for r in chat.replies for c in r.choices]
        if "confirm:submit" in keys:
            await chat.tap_key("confirm:submit")
            chat.expect("Đã tiếp nhận")
            return
        key = next(
            k
            for k in (
                "attach:done",
                "faq:not_solved",
                "faqpick:none",
                "dossier:skip",
                "procedure:skip",
                "phone:skip",
            )
            if k in keys
        )
        await chat.tap_key(key)
    raise AssertionError(f"never reached the summary: {chat.text}")


async def file_case(app: Application, chat: Transcript, text: str) -> Case:
    await to_description(chat)
    await chat.say(text)
    await finish(chat)
    await calm_down(app.db, chat.user)
    async with app.db.session() as session:
        return (await session.exec(select(Case).order_by(col(Case.id).desc()))).first()  # type: ignore[return-value]


async def group_rows(db: Database, case_id: int) -> list[OutboxMessage]:
    async with db.session() as session:
        statement = select(OutboxMessage).where(
            OutboxMessage.chat_id == GROUP, OutboxMessage.case_id == case_id
        )
        return list((await session.exec(statement.order_by(col(OutboxMessage.id)))).all())


async def test_messages_over_the_flood_limit_at_a_case_are_kept_on_it_and_reach_staff_merged(
    app: Application, db: Database
) -> None:
    chat = Transcript(app, user="71")
    case = await file_case(
        app, chat, "Tài khoản VNeID bị khóa khi đăng nhập dịch vụ công, gọi tổng đài chưa được"
    )
    assert case.id is not None
    before = len(await group_rows(db, case.id))
    allowed = app.settings.conversation.flood_messages
    answered = 0
    for index in range(1, 41):
        answered += bool(await chat.say(f"bổ sung lần {index}: vẫn chưa đăng nhập được"))
        if index == allowed + 1:
            assert [r.text for r in chat.replies] == [T.FLOOD], "one polite notice"
    assert answered == allowed + 1, f"throttled: {answered} of 40 messages answered"

    async with db.session() as session:
        kept = (await session.exec(select(CaseMessage.text).where(CaseMessage.case_id == case.id))).all()
    for index in range(1, 41):
        assert any(f"bổ sung lần {index}:" in text for text in kept), f"message {index} was lost"

    rows = (await group_rows(db, case.id))[before:]
    cap = app.settings.conversation.followup_relays_per_minute
    single = [r for r in rows if r.purpose != "followup_digest"]
    digests = [r for r in rows if r.purpose == "followup_digest"]
    assert len(single) <= cap, f"{len(single)} separate relays to the group"
    assert len(digests) == 1, "the rest merged into one message"
    relayed = "\n".join(r.payload["text"] for r in rows)
    for index in range(1, 41):
        assert f"bổ sung lần {index}:" in relayed, f"message {index} never reaches staff"
    assert digests[0].status == "scheduled", "it gathers for a while instead of going at once"

    # A minute later the person writes again: one short account of what was kept, then the answer.
    await calm_down(db, "71")
    await chat.say("Tổ công tác đã xem chưa ạ?")
    chat.expect("đã lưu", case.code)


async def test_messages_over_the_limit_during_a_report_join_the_report(
    app: Application, db: Database
) -> None:
    chat = Transcript(app, user="72")
    await to_description(chat)
    await calm_down(db, "72")
    allowed = app.settings.conversation.flood_messages
    for index in range(1, allowed + 6):
        await chat.say(f"chi tiết {index}: cổng báo lỗi khi ký số hồ sơ")
    assert chat.replies == [], "silence while it lasts"
    await calm_down(db, "72")
    await chat.tap_key("attach:done")
    chat.expect("đã lưu 5 tin nhắn")
    await finish(chat)
    async with db.session() as session:
        [case] = (await session.exec(select(Case))).all()
    for index in range(1, allowed + 6):
        assert f"chi tiết {index}:" in case.description, f"message {index} missing from the case"


async def test_two_hundred_photos_during_a_report_get_a_handful_of_replies(
    app: Application, db: Database
) -> None:
    chat = Transcript(app, user="73")
    await to_description(chat)
    await chat.say("Thanh toán phí trên cổng xong nhưng hồ sơ vẫn báo chưa nộp")
    await calm_down(db, "73")
    maximum = app.settings.conversation.max_attachments
    replies = 0
    for index in range(200):
        replies += len(await chat.attach("photo", f"photo-{index}"))
    assert replies <= maximum + 3, f"{replies} replies queued for 200 photos"
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation).where(Conversation.user_id == "73"))).one()
        queued = (await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == "73"))).all()
    assert len(conversation.data["attachments"]) == maximum
    assert len(queued) < 30, "the outbox holds the handful, not 200"
    await calm_down(db, "73")
    await chat.say("xong rồi")
    chat.expect(f"{200 - maximum} tệp")  # one summary: how many were not kept, and why


async def test_one_persons_follow_ups_do_not_fill_the_group_budget(app: Application, db: Database) -> None:
    """Within the flood limit too: ten follow-ups in a minute are relayed as a few messages."""
    chat = Transcript(app, user="74")
    case = await file_case(app, chat, "Không ký số được hồ sơ trên cổng dịch vụ công của thành phố")
    assert case.id is not None
    before = len(await group_rows(db, case.id))
    for index in range(10):
        await chat.say(f"ảnh {index} em gửi thêm đây ạ")
        chat.expect("Đã chuyển")  # the person is answered each time
    rows = (await group_rows(db, case.id))[before:]
    cap = app.settings.conversation.followup_relays_per_minute
    assert len(rows) <= cap + 1
    merged = [r for r in rows if r.purpose == "followup_digest"]
    assert merged and "ảnh 9 em gửi thêm" in merged[0].payload["text"]
    assert f"{10 - cap} tin" in merged[0].payload["text"]


async def test_a_cap_on_open_cases_per_person(app: Application, db: Database) -> None:
    chat = Transcript(app, user="75")
    cap = app.settings.conversation.max_open_cases
    for index in range(cap):
        await file_case(app, chat, f"Vấn đề số {index + 1}: cổng dịch vụ công báo lỗi khi nộp hồ sơ")
        await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    chat.expect(f"{cap} phản ánh đang xử lý")
    async with db.session() as session:
        codes = (await session.exec(select(Case.code))).all()
    assert len(codes) == cap
    for code in codes:
        chat.expect(code)
    await chat.say("/phananh")
    chat.expect(f"{cap} phản ánh đang xử lý")
    # What they typed while at the cap is not lost: offered to one of the open cases.
    await chat.say("/start")
    await chat.say("Lại thêm lỗi mới: không tải được giấy hẹn trả kết quả")
    await chat.tap("Đây là phản ánh mới")
    chat.expect(f"{cap} phản ánh đang xử lý")
    chat.expect_not(T.CONSENT[:30])
    await chat.tap("PA-")  # what they wrote goes to the case they pick
    chat.expect("Đã chuyển")
    async with db.session() as session:
        relayed = (await session.exec(select(CaseMessage.text))).all()
    assert any("giấy hẹn" in text for text in relayed)


async def test_one_person_alone_cannot_raise_an_incident(db: Database, tmp_path: Path) -> None:
    """Incident detection counts distinct reporters: one person's three reports (the open-case
    cap) from three units and three other people make four reporters, no "sự cố diện rộng";
    a fifth person does."""
    app = make_app(db, tmp_path)
    install(app)

    async def incidents() -> int:
        async with db.session() as session:
            return len((await session.exec(select(Incident))).all())

    same = Transcript(app, user="7601", name="Dân 7601")
    for unit in ("le chan", "an lao", "cat hai"):
        if await has_conversation(db, "7601"):
            await calm_down(db, "7601")
        await same.say("/start")
        await same.tap("Gửi phản ánh")
        if "Nghị định 13" in same.text:
            await same.tap("Tôi đồng ý")
        await same.tap("Người dân")
        await same.say(unit)
        await same.tap(UNITS[unit])
        await same.tap("VNeID")
        await same.say(VNEID_DOWN)
        await finish(same)
    for user, unit in ((7602, "hong bang"), (7603, "le chan"), (7604, "an lao")):
        await incident_report(app, user, unit)
    async with db.session() as session:
        assert len((await session.exec(select(Case))).all()) == 6
    assert await incidents() == 0, "six reports but four people: no incident"
    await incident_report(app, 7605, "cat hai")
    assert await incidents() == 1, "a fifth person: the burst is real"


async def has_conversation(db: Database, user: str) -> bool:
    async with db.session() as session:
        return (
            await session.exec(select(Conversation).where(Conversation.user_id == user))
        ).first() is not None
