"""Personal data (issue #17, point 8; Decree 13/2023): no name before consent, a phone only once a
report is sent, `/xoadulieu` to erase one's data on a clear yes, people who filed nothing are
anonymised by the purge, and the purge runs every day. Transcripts on real SQLite (PostgreSQL
where the purge's queries differ), and the Telegram wire for the names Telegram sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import Application
from bot.jobs import JobRunner
from bot.leader import LeaderElector
from bot.purge import ERASED, purge_personal_data
from bot.scheduler import triggers
from bot.settings import load_settings
from storage.db import Database
from storage.erasure import ERASED_ON_REQUEST
from storage.models import (
    Case,
    CaseMessage,
    CaseStatus,
    Conversation,
    FaqQuery,
    OutboxMessage,
    Reporter,
    utcnow,
)
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import callback_update, text_update
from tests.support.telegram_bot import answer, button_data, last_message, press, running_bot
from tests.support.transcript import Transcript
from tests.test_jobs_support import make_app

GROUP = "-100777"


@pytest.fixture
async def app(any_db: Database) -> AsyncIterator[Application]:
    """SQLite and PostgreSQL: the merged follow-ups and the erasure write JSON and run subqueries."""
    yield Application(load_settings(staff_chat_id=int(GROUP)), db=any_db)


@pytest.fixture
def db(app: Application) -> Database:
    return app.db


async def reporter(db: Database, user: str) -> Reporter:
    async with db.session() as session:
        return (await session.exec(select(Reporter).where(Reporter.external_id == user))).one()


async def calm_down(chat: Transcript) -> None:
    """A minute passes (the flood window is wall-clock time): a long transcript stays under the limit."""
    async with chat.app.db.session() as session:
        conversation = (
            await session.exec(select(Conversation).where(Conversation.user_id == chat.user))
        ).first()
        if conversation is not None:
            conversation.recent = []


async def to_phone(chat: Transcript) -> None:
    await calm_down(chat)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    if "Nghị định 13" in chat.text:
        await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.tap("bỏ qua")
    await chat.tap("VNeID")
    await chat.say("Không đăng nhập được VNeID từ sáng, báo sai mật khẩu dù đã đổi")
    await chat.tap("Tiếp tục")
    await chat.decline_faq()
    await chat.tap("Bỏ qua")  # dossier code
    await chat.tap("Bỏ qua")  # procedure
    chat.expect("số điện thoại")


async def file_case(chat: Transcript, phone: str | None = None) -> None:
    await to_phone(chat)
    if phone:
        await chat.say(phone)
    else:
        await chat.tap("Bỏ qua")
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")


# -- names ---------------------------------------------------------------------------------


async def test_no_name_is_stored_before_consent(app: Application, db: Database) -> None:
    chat = Transcript(app, user="81", name="Nguyễn Thị Lan")
    await chat.say("/start")
    chat.expect("Xin chào Nguyễn Thị Lan")  # greeted by name, from the message itself
    assert (await reporter(db, "81")).display_name is None, "nothing kept before consent"
    await chat.tap("Gửi phản ánh")
    chat.expect("Nghị định 13")
    assert (await reporter(db, "81")).display_name is None
    await chat.tap("Tôi đồng ý")
    assert (await reporter(db, "81")).display_name == "Nguyễn Thị Lan", "kept once they agreed"


async def test_no_name_is_stored_when_consent_is_refused(app: Application, db: Database) -> None:
    chat = Transcript(app, user="82", name="Trần Văn Bình")
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("gửi ẩn danh")
    await chat.say("/start")
    assert (await reporter(db, "82")).display_name is None


async def test_telegram_names_are_not_stored_before_consent(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as runtime:
        tg.push_update(text_update(611, "/start", first_name="Hoa", username="hoa_hp"))
        await answer(tg, 611, "Xin chào Hoa")
        await press(tg, 611, "Gửi phản ánh")
        await answer(tg, 611, "Nghị định 13")
        person = await reporter(runtime.app.db, "611")
        assert (person.display_name, person.username) == (None, None)
        message = last_message(tg, 611)
        tg.push_update(
            callback_update(611, button_data(message, "Tôi đồng ý"), message["message_id"], first_name="Hoa")
        )
        await answer(tg, 611, "Bạn là:")
        person = await reporter(runtime.app.db, "611")
        assert person.display_name == "Hoa", "kept once they agreed"
        tg.push_update(text_update(611, "/start", first_name="Hoa", username="hoa_hp"))
        await answer(tg, 611, "Bạn cần gì")
        person = await reporter(runtime.app.db, "611")
        assert (person.display_name, person.username) == ("Hoa", "hoa_hp")
        # /xoadulieu is in Telegram's command menu (Vietnamese and English), where people find it.
        menus = [str(call.params["commands"]) for call in tg.calls_of("setMyCommands")]
        assert any("xoadulieu" in menu for menu in menus) and any("deletemydata" in menu for menu in menus)


# -- phone ---------------------------------------------------------------------------------


async def test_a_phone_typed_then_cancelled_is_not_kept(app: Application, db: Database) -> None:
    chat = Transcript(app, user="83")
    await to_phone(chat)
    await chat.say("0912 345 678")
    chat.expect("kiểm tra lại", "0912 345 678")
    await chat.say("/huy")
    person = await reporter(db, "83")
    assert person.phone is None, "a report not sent keeps no phone"
    async with db.session() as session:
        draft = (await session.exec(select(Conversation).where(Conversation.user_id == "83"))).one()
    assert "0912345678" not in str(draft.data)


async def test_a_phone_sent_with_a_report_is_offered_next_time(app: Application, db: Database) -> None:
    chat = Transcript(app, user="84")
    await file_case(chat, phone="0912 345 678")
    assert (await reporter(db, "84")).phone == "0912345678"
    await to_phone(chat)
    chat.expect_button("0912 345 678")


# -- /xoadulieu ----------------------------------------------------------------------------


async def test_erase_my_data_asks_clearly_and_never_acts_on_an_unclear_reply(
    app: Application, db: Database
) -> None:
    chat = Transcript(app, user="85", name="Lê Thị Hồng")
    await file_case(chat, phone="0987 654 321")
    async with db.session() as session:
        [case] = (await session.exec(select(Case))).all()
    await chat.say("/xoadulieu")
    chat.expect("xóa", case.code, "đóng")  # what will happen, the open case included
    chat.expect_button("Xóa dữ liệu của tôi", "Không")
    for unclear in ("ừm", "để mình nghĩ đã", "1 2"):
        await chat.say(unclear)
        chat.expect("chưa xóa")
        chat.expect_button("Xóa dữ liệu của tôi")
    person = await reporter(db, "85")
    assert person.display_name == "Lê Thị Hồng" and person.phone == "0987654321"
    await chat.say("không")
    chat.expect("giữ nguyên")
    person = await reporter(db, "85")
    assert person.phone == "0987654321"
    async with db.session() as session:
        still = await session.get(Case, case.id)
        assert still is not None and still.status == CaseStatus.NEW


async def test_erase_my_data_on_a_clear_yes(app: Application, db: Database) -> None:
    chat = Transcript(app, user="86", name="Phạm Văn Cường")
    await file_case(chat, phone="0912 000 111")
    await chat.say("Em gửi thêm: số CCCD của em là 031190001234")
    async with db.session() as session:
        [case] = (await session.exec(select(Case))).all()
        session.add(FaqQuery(channel="telegram", user_id="86", text="vneid khoa 0912000111", source="browse"))
    await chat.say("/xoadulieu")
    await chat.tap("Xóa dữ liệu của tôi")
    chat.expect("Đã xóa")
    person = await reporter(db, "86")
    assert (person.display_name, person.username, person.phone, person.consent) == (None, None, None, None)
    async with db.session() as session:
        erased = await session.get(Case, case.id)
        assert erased is not None and erased.personal_data_erased
        assert (
            erased.status == CaseStatus.CLOSED
            and erased.description == ERASED_ON_REQUEST
            and erased.phone is None
        )
        assert (erased.system, erased.reporter_role) == ("vneid", "nguoi_dan"), "anonymous statistics stay"
        texts = (await session.exec(select(CaseMessage.text).where(CaseMessage.case_id == case.id))).all()
        assert all("031190001234" not in t for t in texts)
        faq = (await session.exec(select(FaqQuery.text).where(FaqQuery.user_id == "86"))).all()
        assert len(faq) >= 2 and set(faq) == {ERASED_ON_REQUEST}, (
            "the report's FAQ question and the browsed one"
        )
        told = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.chat_id == GROUP, OutboxMessage.case_id == case.id)
            )
        ).all()
    assert any("yêu cầu xóa dữ liệu" in row.payload.get("text", "") for row in told), "staff are told"
    # The person may come back: a fresh start, asked for consent again.
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    chat.expect("Nghị định 13")


async def test_erase_my_data_with_nothing_filed(app: Application, db: Database) -> None:
    chat = Transcript(app, user="87")
    await chat.say("/start")
    await chat.say("/xoadulieu")
    await chat.say("đồng ý xóa")
    chat.expect("Đã xóa")


# -- purge ---------------------------------------------------------------------------------


async def test_purge_anonymises_people_who_filed_nothing(any_db: Database) -> None:
    old, recent = utcnow() - timedelta(days=800), utcnow() - timedelta(days=10)
    async with any_db.session() as session:
        session.add_all(
            [
                Reporter(
                    channel="telegram",
                    external_id="901",
                    display_name="Cũ",
                    username="cu_hp",
                    phone="0911111111",
                    consent=True,
                    created_at=old,
                ),
                Reporter(
                    channel="telegram",
                    external_id="902",
                    display_name="Mới nói chuyện",
                    phone="0922222222",
                    consent=True,
                    created_at=old,
                ),
                Reporter(channel="telegram", external_id="903", display_name="Mới đến", created_at=recent),
            ]
        )
        session.add_all(
            [
                Conversation(channel="telegram", user_id="901", chat_id="901", step="idle", updated_at=old),
                Conversation(
                    channel="telegram", user_id="902", chat_id="902", step="idle", updated_at=recent
                ),
            ]
        )
    report = await purge_personal_data(any_db, 730)
    assert report.reporters == 1
    async with any_db.session() as session:
        people = {r.external_id: r for r in (await session.exec(select(Reporter))).all()}
    assert (people["901"].display_name, people["901"].username, people["901"].phone) == (None, None, None)
    assert people["902"].display_name == "Mới nói chuyện", "talked to the bot ten days ago"
    assert people["903"].display_name == "Mới đến"
    again = await purge_personal_data(any_db, 730)
    assert again.reporters == 0


def test_purge_is_scheduled_every_day(db: Database, tmp_path: Path) -> None:
    table = triggers(make_app(db, tmp_path))
    assert "purge" in table


async def test_the_daily_purge_job_erases_old_cases(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)
    old = utcnow() - timedelta(days=800)
    async with db.session() as session:
        person = Reporter(channel="telegram", external_id="904", display_name="Lâu rồi", created_at=old)
        session.add(person)
        await session.flush()
        assert person.id is not None
        session.add(
            Case(
                code="PA-230101-AAAA",
                reporter_id=person.id,
                channel="telegram",
                chat_id="904",
                status=CaseStatus.CLOSED,
                description="sđt 0912345678",
                created_at=old,
                closed_at=old,
            )
        )
    runner = JobRunner(app, LeaderElector(db, holder="only", ttl=30, renew_every=10))
    assert await runner.purge() is None, "not the leader: nothing done"
    assert await runner.elector.heartbeat()
    report = await runner.purge()
    assert report is not None and report.cases == 1 and report.reporters == 1
    async with db.session() as session:
        [case] = (await session.exec(select(Case))).all()
    assert case.personal_data_erased and case.description == ERASED


async def test_erase_asked_in_the_middle_of_a_report_and_declined_keeps_the_report(
    app: Application, db: Database
) -> None:
    chat = Transcript(app, user="88", channel="zalo_bot", name="Vũ Thị Mai")
    await to_phone(chat)
    await chat.say("/xoadulieu")
    chat.expect("xóa")
    await chat.say("2")  # Zalo: the numbered menu's second line, "Không, giữ lại"
    chat.expect("giữ nguyên", "số điện thoại")  # back at the question on screen
    await chat.tap("Bỏ qua")
    chat.expect("kiểm tra lại", "VNeID")  # the report was kept whole
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")


async def test_erase_asked_in_words_at_the_menu(app: Application, db: Database) -> None:
    chat = Transcript(app, user="89", channel="zalo_bot")
    await chat.say("/start")
    await chat.say("Xóa dữ liệu của tôi")
    chat.expect_button("Xóa dữ liệu của tôi")
    await chat.say("1")
    chat.expect("Đã xóa")
