"""English for foreign residents, read as transcripts: the menu's 🌐 English, a whole case filed
in English, the choice remembered, staff replies and notices in English, back to Vietnamese, the
Telegram hint on first contact, and the English texts (from their catalog) with every Vietnamese name."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from sqlmodel import select

from bot.app import Application
from bot.jobs import install, jobs_config
from bot.settings import load_settings
from bot.telegram.adapter import contact_keyboard, update_to_incoming
from handlers.citizen import texts
from handlers.citizen.language import texts_for
from handlers.events import Choice, Kind, Reply, render_numbered
from handlers.schedule.jobs import JobContext, autoclose
from storage.db import Database
from storage.models import Case, CaseStatus, Reporter
from tests.fakes.updates import callback_update, text_update
from tests.support.apps import GROUP, STAFF, transcript_app
from tests.support.transcript import StaffChat, Transcript
from tests.test_jobs_support import make_app, seed_case, staff_says

texts_en = texts_for("en")  # the English texts, from handlers/citizen/locales/en


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


async def reporter_of(app: Application, user: str) -> Reporter:
    async with app.db.session() as session:
        return (await session.exec(select(Reporter).where(Reporter.external_id == user))).one()


async def file_case_in_english(chat: Transcript) -> str:
    """From the Vietnamese menu: 🌐 English, then a whole report, answered with buttons."""
    await chat.say("/start")
    chat.expect("Xin chào")
    chat.expect_button("🌐 English")
    await chat.tap("English")
    chat.expect("Hello Lan!", "How can I help you?")
    chat.expect_button("📝 Report a problem", "🔎 Check a report", "🌐 Tiếng Việt")
    await chat.tap("Report a problem")
    chat.expect("Decree 13/2023/NĐ-CP", "anonymously")
    await chat.tap("I agree")
    chat.expect("You are:")
    chat.expect_button("Resident / citizen", "Business")
    await chat.tap("Resident")
    chat.expect("Which commune, ward or special zone")
    await chat.say("an lao")
    chat.expect("mean")
    chat.expect_button("Xã An Lão")  # unit names stay Vietnamese
    await chat.tap("Xã An Lão")
    chat.expect("Which system")
    chat.expect_button("National Public Service Portal", "Online payment")
    await chat.tap("Online payment")
    chat.expect("Please describe the problem")
    await chat.say("I paid the fee by bank transfer but my application still says it is unpaid")
    chat.expect("Description saved", "Continue")
    await chat.tap("Continue")
    if "Is this your problem?" in chat.text or "like one of these" in chat.text:
        # The payment topic has English guidance: shown in English, no "(in Vietnamese)" lead-in.
        chat.expect_not("(in Vietnamese)")
        await chat.tap("send to the task force")
    chat.expect("dossier code")
    await chat.tap("Skip")
    chat.expect("Which procedure")
    await chat.tap("Skip")
    chat.expect("phone number")
    chat.expect_button("Skip")
    await chat.tap("Skip")
    chat.expect(
        "Please check your report",
        "👤 You are: Resident / citizen",
        "📍 Unit: Xã An Lão",
        "🖥️ System: Online payment",
        "Is everything correct?",
    )
    await chat.tap("Send report")
    chat.expect("Your report has been received", "Report code: PA-", "Expected result by:", "/status")
    chat.expect_not("Đã tiếp nhận", "thứ ")
    assert re.search(r"(Mon|Tues|Wednes|Thurs|Fri)day, \d\d/\d\d/\d{4}", chat.text), chat.text
    return chat.text.split("Report code: ")[1].split()[0]


async def test_a_foreign_resident_files_a_whole_case_in_english(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case_in_english(chat)
    # Staff read the card in Vietnamese, told that the person writes in English.
    card = next(o.reply.text for o in chat.outgoing if o.chat_id == GROUP and o.purpose == "card")
    assert code in card and "🌐 Người phản ánh dùng tiếng Anh" in card and "Thanh toán trực tuyến" in card
    async with app.db.session() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
    assert case.system == "thanh_toan" and case.unit_code is not None and case.reporter_role == "nguoi_dan"
    assert (await reporter_of(app, chat.user)).language == "en"


async def test_english_words_answer_the_questions(app: Application) -> None:
    chat = Transcript(app, user="1002")
    await chat.say("/start")
    await chat.say("English please")
    chat.expect("Hello", "How can I help you?")
    await chat.say("report a problem")
    await chat.say("yes")
    chat.expect("You are:")
    await chat.say("citizen")
    await chat.say("le chan")
    await chat.tap("Lê Chân")
    await chat.say("payment")
    chat.expect("Please describe the problem")
    await chat.say("My payment went through but the portal says the fee is unpaid")
    await chat.say("done")
    if "Is this your problem?" in chat.text or "like one of these" in chat.text:
        await chat.say("no")
    await chat.say("skip")  # dossier code
    await chat.say("skip")  # procedure
    await chat.say("skip")  # phone
    chat.expect("Is everything correct?")
    await chat.say("yes, send it")
    chat.expect("Your report has been received")


async def test_a_question_written_in_english_is_answered_once_english_is_chosen(app: Application) -> None:
    chat = Transcript(app, user="1003")
    await chat.say("/start")
    await chat.say(
        "Hi, I am Tom from Perth. My wife paid the fee on the portal with MoMo and the money left "
        "her wallet, but the application still says unpaid. What should we do?"
    )
    chat.expect("It looks like you write in English")
    await chat.say("english")
    # Not the menu again: the answer to what they asked, in English.
    chat.expect("Do not pay again")
    chat.expect_button("Report a problem")
    chat.expect_not("How can I help you?")


async def test_the_choice_is_remembered_in_a_new_conversation(app: Application) -> None:
    chat = Transcript(app)
    await file_case_in_english(chat)
    await chat.say("/start")
    chat.expect("Hello", "How can I help you?")
    chat.expect_not("Xin chào")
    # A restart of the bot (a new Application on the same database) remembers it too.
    again = Application(load_settings(staff_chat_id=int(GROUP)), db=app.db)
    later = Transcript(again)
    await later.say("/batdau")
    later.expect("Hello")
    await later.tap("Check a report")
    later.expect("Your recent reports are below")
    later.expect_button("Received")  # status labels in English


async def test_staff_replies_and_notices_reach_them_in_english(app: Application) -> None:
    chat = Transcript(app)
    code = await file_case_in_english(chat)
    async with app.db.unit() as session:
        case = (await session.exec(select(Case).where(Case.code == code))).one()
        case.staff_thread_id = 77
    staff = StaffChat(app, user=STAFF)
    await staff.say("Hello, please send us a screenshot of the payment receipt.", thread=77)
    [reply] = staff.to(chat.user)
    assert reply.reply.text.startswith(f"💬 Reply from the task force (report {code}):")
    assert "please send us a screenshot" in reply.reply.text and reply.reply.language == "en"

    await staff.say(f"/chobosung {code} Which bank did you use?")
    [waiting] = staff.to(chat.user)
    assert "Which bank did you use?" in waiting.reply.text and "needs more information" in waiting.reply.text

    await chat.say("Vietcombank, transfer at 9:15")
    chat.expect(f"passed your additional information to the task force (report {code})")

    await staff.say(f"/dong {code} Đã đối soát với ngân hàng, hồ sơ đã cập nhật")
    [resolved] = staff.to(chat.user)
    assert f"Report {code} has been resolved" in resolved.reply.text
    assert [c.label for c in resolved.reply.choices] == ["😊 Satisfied", "😐 Neutral", "🙁 Not satisfied"]
    await chat.say("not satisfied")
    chat.expect("has been reopened", "add a comment")
    await chat.say("skip")
    chat.expect("Noted", "contact you soon")  # skipped: no "thank you for your comment"

    await staff.say(f"/vuotthamquyen {code} Cần ngân hàng nhà nước xử lý")
    [escalated] = staff.to(chat.user)
    assert "beyond the task force's authority" in escalated.reply.text

    await chat.say(f"/status {code}")
    chat.expect(
        code,
        "In progress",
        "History:",
        "Task force replied: Hello",
        "Forwarded to the competent city authority",
    )


async def test_tieng_viet_switches_back(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/en")
    chat.expect("Hello")
    await chat.tap("Report a problem")
    await chat.tap("I agree")
    chat.expect("You are:")
    await chat.say("tiếng việt")
    chat.expect("Mình tiếp tục bằng tiếng Việt", "Bạn là:")
    chat.expect_button("Người dân")
    assert (await reporter_of(app, chat.user)).language == "vi"
    await chat.tap("Người dân")
    chat.expect("xã, phường hay đặc khu")
    await chat.say("/english")  # and back again at any step, the same question asked in English
    chat.expect("I'll continue in English", "Which commune, ward or special zone")
    await chat.say("/vi")
    await chat.say("/start")
    chat.expect("Xin chào")
    chat.expect_button("🌐 English")


async def test_switching_in_the_middle_asks_the_same_question_again(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    chat.expect("Nghị định 13/2023")
    await chat.say("in English")
    chat.expect("I'll continue in English", "Decree 13/2023/NĐ-CP")
    chat.expect_button("I agree")
    await chat.tap("I agree")
    chat.expect("You are:")


async def test_deleting_my_data_in_english(app: Application) -> None:
    """The right to erasure (Decree 13/2023) is offered in the help and the consent notice, and
    /deletemydata asks, waits for a clear yes and confirms, all in English (handlers.citizen.erase)."""
    chat = Transcript(app)
    await chat.say("/en")
    await chat.say("/help")
    chat.expect("Decree 13/2023", "/deletemydata – delete your personal data")
    await chat.say("/start")
    await chat.tap("Report a problem")
    chat.expect("Decree 13/2023/NĐ-CP", "You can have your data deleted at any time: type /deletemydata.")
    await chat.tap("I agree")
    await chat.say("/deletemydata")
    chat.expect("Do you want your personal data deleted?", "Statistics that don't identify you")
    chat.expect_button("🗑️ Delete my data", "↩️ No, keep it")
    chat.expect_not("xóa")
    await chat.say("hmm, not sure")
    chat.expect("I haven't deleted anything.")
    chat.expect_button("Delete my data")
    await chat.tap("Delete my data")
    chat.expect("Your personal data has been deleted (0 reports).")
    chat.expect_not("Đã xóa")


async def test_the_faq_answers_in_english_where_it_can_and_says_so_where_it_cannot(app: Application) -> None:
    """Topics a foreign resident meets have English guidance; the others come in Vietnamese with
    a line that says so."""
    topics = [topic for group in app.engine.faq.topics_by_system().values() for topic in group]
    english = next(t for t in topics if t.answer_en)
    vietnamese_only = next((t for t in topics if not t.answer_en), None)
    chat = Transcript(app)
    await chat.say("/en")
    await chat.tap("Common questions")
    chat.expect("Common questions (some answers are only in Vietnamese)")
    shown = [(english, False)] + ([(vietnamese_only, True)] if vietnamese_only else [])
    for topic, lead_in in shown:
        if lead_in:
            await chat.tap("Another question")
        await chat.tap_key(f"faqsys:{topic.system}")
        await chat.tap_key(f"faqtopic:{topic.id}")
        chat.expect("📌", topic.title)
        if lead_in:
            chat.expect("Here is the guidance (in Vietnamese):", topic.answer.splitlines()[0])
        else:
            chat.expect((topic.answer_en or "").strip().splitlines()[0])
            chat.expect_not("(in Vietnamese)")
        chat.expect_button("That's clear, thanks", "Another question")
    await chat.tap("That's clear")
    chat.expect("Glad I could help")


async def test_a_telegram_first_contact_in_english_gets_a_hint_but_stays_vietnamese(app: Application) -> None:
    chat = Transcript(app, user="2001")
    await chat.send(chat._event(Kind.COMMAND, text="/start", command="start", args="", language_code="en"))
    chat.expect("Xin chào", texts.LANGUAGE_HINT)
    chat.expect_button("🌐 English")
    assert (await reporter_of(app, chat.user)).language is None
    await chat.send(chat._event(Kind.TEXT, text="Gửi phản ánh", language_code="en"))
    chat.expect("Nghị định 13/2023")  # not switched
    await chat.send(chat._event(Kind.COMMAND, text="/start", command="start", args="", language_code="en"))
    chat.expect("Xin chào")
    chat.expect_not(texts.LANGUAGE_HINT)  # the first contact only

    vietnamese = Transcript(app, user="2002")
    await vietnamese.send(
        vietnamese._event(Kind.COMMAND, text="/start", command="start", args="", language_code="vi")
    )
    vietnamese.expect("Xin chào")
    vietnamese.expect_not(texts.LANGUAGE_HINT)


def test_telegram_updates_carry_the_language_code() -> None:
    raw = text_update(4242, "hello")
    raw["message"]["from"]["language_code"] = "en"
    event = update_to_incoming(Update.model_validate(raw), None)
    assert event is not None and event.language_code == "en"
    press = callback_update(4242, "lang:en", message_id=5)
    press["callback_query"]["from"]["language_code"] = "de"
    event = update_to_incoming(Update.model_validate(press), None)
    assert event is not None and event.kind == Kind.CHOICE and event.language_code == "de"


def test_adapters_add_their_own_words_in_the_readers_language() -> None:
    english = Reply("Pick one", [Choice("a", "A"), Choice("b", "B"), Choice("c", "C")], language="en")
    assert render_numbered(english).endswith("👉 Reply 1, 2 or 3 (or type your choice).")
    assert "Trả lời 1, 2 hoặc 3" in render_numbered(Reply("Chọn", english.choices))
    assert Reply.from_dict(english.to_dict()).language == "en"
    assert "language" not in Reply("Chào").to_dict()  # Vietnamese rows stay as they were
    button = contact_keyboard(Reply("Phone?", request_contact=True, language="en")).keyboard[0][0]
    assert button.text == texts_en.SHARE_CONTACT


def _fields(value: object) -> set[str]:
    if isinstance(value, str):
        return {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    if isinstance(value, dict):
        return set(value) | {f for item in value.values() for f in _fields(item)}
    return set()


def test_every_vietnamese_text_has_an_english_one_with_the_same_blanks() -> None:
    """The English texts have every name of the Vietnamese ones, of the same kind, with the same
    blanks, read from the English catalog (its own checks: tests/test_translations.py)."""
    names = [name for name in vars(texts) if name.isupper() and not name.startswith("_")]
    missing = [name for name in names if not hasattr(texts_en, name)]
    assert not missing, f"the English texts lack {missing}"
    for name in names:
        vietnamese, english = getattr(texts, name), getattr(texts_en, name)
        assert type(vietnamese) is type(english), name
        if name in ("ANSWER_WORDS", "MENU_INTENTS"):
            continue  # words to understand people by, not translations
        assert _fields(vietnamese) == _fields(english), name
    assert texts_en.GREETING.startswith("Hello") and texts_en.ROLES["nguoi_dan"] == "Resident / citizen"
    assert texts_en.EDIT_FIELDS["phone"] == "Phone number" and texts_en.RATINGS["hai_long"] == "😊 Satisfied"
    assert (
        texts_en.LANGUAGE == "en"
        and texts_en.MENU_LANGUAGE == "🌐 Tiếng Việt"
        and texts_en.OTHER_LANGUAGE == "vi"
    )
    assert texts_en.localize_time("16:00 thứ Bảy, 29/11/2025") == "16:00 Saturday, 29/11/2025"
    assert texts_en.localize_time("08:00 Chủ nhật, 30/11/2025") == "08:00 Sunday, 30/11/2025"


async def _english_case(app: Application, created: datetime, **fields: Any) -> Case:
    case = await seed_case(app, created, **fields)
    async with app.db.session() as session:
        reporter = await session.get(Reporter, case.reporter_id)
        assert reporter is not None
        reporter.language = "en"
    return case


async def test_incident_notices_reach_them_in_english(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)
    install(app)
    now = datetime.now(UTC)
    english = await _english_case(app, now - timedelta(minutes=5), system="vneid")
    vietnamese = await seed_case(app, now - timedelta(minutes=4), system="vneid")
    out = await staff_says(app, "suco", "mo vneid VNeID đang bảo trì, dự kiến hoạt động lại lúc 10:00")
    told = {o.chat_id: o.reply for o in out if o.purpose == "notice"}
    assert told[english.chat_id].text.startswith(
        "📢 The task force is aware of a general problem with VNeID / login."
    )
    assert "đã ghi nhận sự cố chung về hệ thống VNeID/đăng nhập" in told[vietnamese.chat_id].text
    await staff_says(app, "suco", "dong Đã khắc phục xong")  # a preview of what it resolves
    out = await staff_says(app, "suco", "xacnhan 1")  # confirmed: the reporters are told
    fixed = {o.chat_id: o.reply for o in out if o.purpose == "rating_request"}
    assert "The general problem with VNeID / login has been fixed." in fixed[english.chat_id].text
    assert [c.label for c in fixed[english.chat_id].choices] == list(texts_en.RATINGS.values())
    assert [c.label for c in fixed[vietnamese.chat_id].choices] == list(texts.RATINGS.values())


async def test_the_auto_close_notice_is_in_english(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)
    resolved_at = datetime.now(UTC) - timedelta(days=4)
    case = await _english_case(app, resolved_at, status=CaseStatus.RESOLVED, resolved_at=resolved_at)
    ctx = JobContext(app.queue, app.calendar, jobs_config(app.settings))
    async with app.db.session() as session:
        out = await autoclose(session, ctx, datetime.now(UTC))
    [notice] = [o for o in out if o.chat_id == case.chat_id]
    assert notice.reply.text == f"📁 Report {case.code} has been closed. Thank you for using this service!"
