"""The staff desk's rules (issue #24) read as transcripts through the engine, and the webhook's
pop-up: escalations a leader clears, reopen on an open case, one rating post, history in staff
words, the topic-messages setting, the hint for a message that fits no case."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from handlers.events import ChatKind, Incoming, Kind
from handlers.services import StaticStaff
from storage import repo
from storage.db import Database
from storage.models import Case, CaseEvent, OutboxMessage, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, callback_update, post_webhook
from tests.support.telegram_bot import STAFF_USER, WEBHOOK_SECRET, running_bot
from tests.support.transcript import StaffChat, Transcript
from tests.test_staff_commands import GROUP, LEADER, STAFF, new_case

_presses = itertools.count(1)


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = Application(load_settings(staff_chat_id=int(GROUP)), db=db)
    application.staff_directory = StaticStaff({STAFF}, {LEADER})
    yield application


async def stored(app: Application, case: Case) -> Case:
    async with app.db.session() as session:
        found = await session.get(Case, case.id)
        assert found is not None
        return found


async def press(app: Application, user: str, key: str) -> tuple[Incoming, list[str]]:
    """A button pressed in the group; the event (its pop-up) and the texts sent to the group."""
    event = Incoming(
        "telegram",
        user,
        GROUP,
        Kind.CHOICE,
        choice=key,
        username="canbo_an",
        update_key=f"p{next(_presses)}",
        chat_kind=ChatKind.STAFF,
        message_id=77,
    )
    async with app.db.unit() as session:
        out = await app.engine.handle(session, event)
    return event, [o.reply.text for o in out if o.chat_id == GROUP]


async def test_a_leader_clears_an_escalation_and_molai_on_an_open_case_tells_nobody(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/vuotthamquyen {case.code} Cần Văn phòng Chính phủ xử lý")
    leader = StaffChat(app, user=LEADER, username="truongnhom")
    await leader.say(f"/molai {case.code}")
    assert "không cần mở lại" in leader.group_text and "/bovuot" in leader.group_text
    assert leader.to("1001") == []  # the reporter is not told "mở lại" about a case never closed
    await staff.say(f"/bovuot {case.code}")
    assert "chỉ lãnh đạo" in staff.group_text and (await stored(app, case)).escalated
    event, _ = await press(app, STAFF, f"staff:unescalate:{case.id}")
    assert event.popup and "chỉ lãnh đạo" in event.popup
    await leader.say(f"/bovuot {case.code}")
    assert "@truongnhom đã bỏ đánh dấu vượt thẩm quyền" in leader.group_text
    after = await stored(app, case)
    assert not after.escalated and after.status == "moi"  # open, as it was
    async with app.db.session() as session:
        events = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "escalation_cleared"))).all()
    assert [e.actor for e in events] == ["@truongnhom"]


async def test_a_rating_with_a_comment_is_posted_once(app: Application) -> None:
    case = await new_case(app)
    await StaffChat(app, user=STAFF).say(f"/dong {case.code} Đã đối soát với ngân hàng")
    reporter = Transcript(app, user="1001")
    await reporter.tap_key(f"rate:{case.id}:khong_hai_long")
    first = [o.reply.text for o in reporter.outgoing if o.chat_id == GROUP and o.purpose != "card_edit"]
    assert any("KHÔNG HÀI LÒNG" in t for t in first)
    await reporter.say("Vẫn báo chưa thanh toán")
    second = [o.reply.text for o in reporter.outgoing if o.chat_id == GROUP]
    assert second == ["💬 Góp ý của người phản ánh (" + case.code + "): Vẫn báo chưa thanh toán"]


async def test_buttons_check_the_status_and_every_action_has_an_actor(app: Application) -> None:
    case = await new_case(app)
    event, said = await press(app, STAFF, f"staff:ask:{case.id}")
    assert event.popup is None and any("Câu hỏi cho người phản ánh" in t for t in said)
    assert (await stored(app, case)).status == "moi"  # asking for the question changes nothing yet
    await StaffChat(app, user=STAFF).say(f"/dong {case.code} Đã cập nhật")
    closed = await stored(app, case)
    assert closed.assignee_name == "@canbo_an"  # who closed an untaken case is its handler
    for action in ("take", "ask", "close", "handover"):
        event, said = await press(app, STAFF, f"staff:{action}:{case.id}")
        assert event.popup and case.code in event.popup and said == []
    assert (await stored(app, case)).status == "da_giai_quyet"
    event, said = await press(app, STAFF, f"staff:reopen:{case.id}")
    assert event.popup is None and any("đã mở lại" in t for t in said)
    event, said = await press(app, STAFF, f"staff:reopen:{case.id}")
    assert event.popup and "không cần mở lại" in event.popup
    async with app.db.session() as session:
        assert case.id is not None
        history = await repo.case_events(session, case.id)
    assert all(e.actor for e in history)


async def test_history_is_in_staff_words(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/ghichu {case.code} đã gọi ngân hàng")
    async with app.db.unit() as session:
        found = await session.get(Case, case.id)
        assert found is not None
        await repo.add_event(
            session, found, "sla_escalation", actor="bot", note="Quá hạn phản hồi, đã báo lãnh đạo"
        )
    _, said = await press(app, STAFF, f"staff:history:{case.id}")
    text = "\n".join(said)
    assert "Người phản ánh: gửi phản ánh" in text and "Hệ thống: quá hạn, đã báo lãnh đạo" in text
    assert "@canbo_an ghi chú nội bộ: đã gọi ngân hàng" in text
    assert "reporter" not in text and "sla_escalation" not in text and "bot:" not in text


async def test_topic_messages_setting_and_the_unplaced_hint(app: Application) -> None:
    case = await new_case(app)
    async with app.db.unit() as session:
        found = await session.get(Case, case.id)
        assert found is not None
        found.staff_thread_id, found.card_message_id = 4242, 4243
    app.desk.topic_messages = "replies"
    staff = StaffChat(app, user=STAFF)
    await staff.say("Anh ơi ca này để em xem", thread=4242, reply_to=4242)  # talk in the topic
    assert staff.to("1001") == [] and staff.group_text == ""
    await staff.say("Chào bạn, Tổ công tác đang kiểm tra", thread=4242, reply_to=4243)  # a reply to the card
    [relayed] = staff.to("1001")
    assert "đang kiểm tra" in relayed.reply.text
    app.desk.topic_messages = "all"
    await staff.say("Bạn chờ thêm chút nhé", thread=4242, reply_to=4242)
    assert len(staff.to("1001")) == 1
    # A message in the main chat that replies to nothing: told once, not on every line.
    await staff.say("Mọi người ơi hôm nay họp lúc 3 giờ")
    assert "chưa gửi cho ai" in staff.group_text
    await staff.say("Nhớ mang laptop nhé")
    assert staff.group_text == ""


async def test_webhook_answers_a_stale_press_with_a_pop_up(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=False, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url, webhook=True) as runtime:
            async with runtime.app.db.unit() as session:
                reporter = Reporter(channel="telegram", external_id="501")
                session.add(reporter)
                await session.flush()
                assert reporter.id is not None
                case = Case(
                    code="PA-261207-WHK1",
                    reporter_id=reporter.id,
                    channel="telegram",
                    chat_id="501",
                    status="da_dong",
                    description="Không nộp được lệ phí",
                )
                session.add(case)
                await session.flush()
                case_id = case.id
            url = runtime.webhook_url  # type: ignore[attr-defined]
            press_update = callback_update(STAFF_USER, f"staff:ask:{case_id}", 1, chat_id=STAFF_GROUP_ID)
            result = await post_webhook(url, press_update, secret=WEBHOOK_SECRET)
            body = json.loads(result.text)
            assert result.status == 200 and body["method"] == "answerCallbackQuery"
            assert body["show_alert"] is True and "PA-261207-WHK1 đã đóng" in body["text"]
            assert tg.sent_messages(501) == [] and tg.sent_messages(STAFF_GROUP_ID) == []


async def test_the_card_counts_the_persons_earlier_cases(app: Application) -> None:
    first = await new_case(app, user="1001")
    async with app.db.unit() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "card"))).all()
        assert "phản ánh trước của người này" not in rows[0].payload["text"]
        later = Case(
            code="PA-261208-LATR",
            reporter_id=first.reporter_id,
            channel="telegram",
            chat_id="1001",
            description="Lại không nộp được lệ phí",
            created_at=first.created_at + timedelta(days=1),
        )
        session.add(later)
        await session.flush()
        card = await app.queue.card(session, later)
    assert "🔁 1 phản ánh trước của người này" in card.text


async def test_an_urgent_case_says_so_in_the_card_title_and_topic_name(app: Application) -> None:
    case = await new_case(app)
    async with app.db.unit() as session:
        found = await session.get(Case, case.id)
        assert found is not None
        found.priority = "urgent"
        card = await app.queue.card(session, found)
        topic = app.queue.topic_name(found)
        found.status = "da_dong"
        closed_topic = app.queue.topic_name(found)
    assert card.text.splitlines()[0] == f"🚨 KHẨN · 🆕 PHẢN ÁNH MỚI · {case.code}"
    assert topic.startswith(f"🚨🆕 {case.code} · Xã An Lão")
    assert closed_topic.startswith(f"📁 {case.code}")  # closed: no longer urgent for anyone


async def test_the_card_is_refreshed_when_the_reporter_answers_even_after_a_flush(app: Application) -> None:
    case = await new_case(app)
    await StaffChat(app, user=STAFF).say(f"/chobosung {case.code} Bạn gửi giúp ảnh biên lai nhé")
    async with app.db.unit() as session:
        found = await session.get(Case, case.id)
        reporter = await session.get(Reporter, case.reporter_id)
        assert found is not None and reporter is not None
        await repo.set_status(
            session, found, "dang_xu_ly", actor="reporter", note="Người phản ánh đã bổ sung"
        )
        await session.flush()  # whatever the intake did in between, the change is already written
        out = await app.queue.reporter_message(session, found, reporter, "Đây ạ", [])
    [edit] = [o for o in out if o.purpose == "card_edit"]
    assert "🛠️ ĐANG XỬ LÝ" in edit.reply.text
