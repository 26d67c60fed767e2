"""Audit findings on the staff side of the queue, each read as a transcript.

What staff and the reporter send, what the bot answers in the group (and on the card).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import Application
from bot.settings import load_settings
from handlers.citizen import texts as T
from handlers.services import StaticStaff
from storage import repo
from storage.db import Database
from storage.models import Case
from tests.support.transcript import StaffChat, Transcript
from tests.test_staff_commands import GROUP, LEADER, STAFF, new_case

OTHER_STAFF = "902"
THIRD_STAFF = "903"


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = Application(load_settings(staff_chat_id=int(GROUP)), db=db)
    application.staff_directory = StaticStaff({STAFF, OTHER_STAFF, THIRD_STAFF}, {LEADER})
    yield application


def card_of(staff: StaffChat) -> str:
    """The card as refreshed by the staff action just sent."""
    [card] = [o.reply.text for o in staff.outgoing if o.purpose == "card_edit"]
    return card


async def open_topic(app: Application, case: Case, thread: int = 4242) -> int:
    """What the delivery hooks do once the forum topic exists: remember its thread id."""
    async with app.db.unit() as session:
        stored = await session.get(Case, case.id)
        assert stored is not None
        stored.staff_thread_id = thread
    return thread


async def seen(app: Application, user: str, username: str) -> StaffChat:
    """A staff member who has written in the group (the bot assigns cases only to people it has seen)."""
    chat = StaffChat(app, user=user, username=username)
    await chat.say("Chào cả nhà")
    return chat


async def test_the_assignee_can_hand_a_case_over(app: Application) -> None:
    case = await new_case(app)
    await seen(app, OTHER_STAFF, "canbo_binh")
    await seen(app, THIRD_STAFF, "canbo_chi")
    an = StaffChat(app, user=STAFF, username="canbo_an")
    await an.say(f"/nhan {case.code}")
    await an.say(f"/giao {case.code} @canbo_binh")
    assert "đã giao cho @canbo_binh (bởi @canbo_an)" in an.group_text
    # @canbo_binh is known to the bot from the group, so the case is theirs by id too.
    binh = StaffChat(app, user=OTHER_STAFF, username="canbo_binh")
    await binh.say(f"/giao {case.code} canbo_chi")
    assert "đã giao cho @canbo_chi (bởi @canbo_binh)" in binh.group_text


async def test_only_the_assignee_or_a_leader_can_reassign(app: Application) -> None:
    case = await new_case(app)
    await seen(app, OTHER_STAFF, "canbo_binh")
    await StaffChat(app, user=STAFF, username="canbo_an").say(f"/nhan {case.code}")
    binh = StaffChat(app, user=OTHER_STAFF, username="canbo_binh")
    await binh.say(f"/giao {case.code} @canbo_binh")
    assert "đang do @canbo_an xử lý. Chỉ @canbo_an hoặc lãnh đạo" in binh.group_text
    leader = StaffChat(app, user=LEADER, username="truongnhom")
    await leader.say(f"/giao {case.code} @canbo_binh")
    assert "đã giao cho @canbo_binh (bởi @truongnhom)" in leader.group_text


async def test_a_case_given_to_someone_by_name_is_not_taken_by_another(app: Application) -> None:
    case = await new_case(app)
    await seen(app, OTHER_STAFF, "canbo_binh")
    leader = StaffChat(app, user=LEADER, username="truongnhom")
    await leader.say(f"/giao {case.code} @canbo_binh")
    an = StaffChat(app, user=STAFF, username="canbo_an")
    await an.say(f"/nhan {case.code}")
    assert "đang do @canbo_binh xử lý" in an.group_text
    binh = StaffChat(app, user=OTHER_STAFF, username="canbo_binh")
    await binh.say(f"/nhan {case.code}")
    assert "đang xử lý phản ánh" in binh.group_text  # it is theirs already: nothing to take
    async with app.db.session() as session:
        stored = await session.get(Case, case.id)
    assert stored is not None and stored.assignee_id == int(OTHER_STAFF)


async def test_a_forged_button_with_an_impossible_case_id_changes_nothing(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    for forged in ("staff:take:99999999999999999999", "staff:take:²"):  # beyond any integer; not a digit
        assert await staff.press(forged) == []
    async with app.db.session() as session:
        stored = await session.get(Case, case.id)
    assert stored is not None and stored.status == "moi" and stored.assignee_name is None


async def test_a_second_rating_does_not_show_the_first_ratings_comment(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    reporter = Transcript(app, user="1001")
    await staff.say(f"/dong {case.code} Đã đối soát với ngân hàng")
    await reporter.tap_key(f"rate:{case.id}:khong_hai_long")
    await reporter.say("Vẫn báo chưa thanh toán")
    assert "Vẫn báo chưa thanh toán" in "\n".join(
        o.reply.text for o in reporter.outgoing if o.chat_id == GROUP
    )
    await staff.say(f"/dong {case.code} Đã cập nhật trạng thái thanh toán")
    await reporter.tap_key(f"rate:{case.id}:hai_long")
    to_group = "\n".join(o.reply.text for o in reporter.outgoing if o.chat_id == GROUP)
    assert "😊 Hài lòng" in to_group
    assert "Góp ý" not in to_group and "Vẫn báo chưa thanh toán" not in to_group


async def test_staff_views_use_staff_wording_for_waiting_cases(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/chobosung {case.code} Bạn gửi giúp ảnh biên lai nhé")
    assert "Trạng thái: Chờ người phản ánh bổ sung" in card_of(staff)
    [to_reporter] = staff.to("1001")
    assert "Bạn gửi giúp ảnh biên lai" in to_reporter.reply.text
    await staff.say("/thongke")
    assert "• Chờ người phản ánh bổ sung: 1" in staff.group_text
    await staff.press(f"staff:history:{case.id}")
    assert "Mới tiếp nhận → Chờ người phản ánh bổ sung" in staff.group_text
    assert "Chờ bạn" not in staff.group_text
    # The reporter still reads the wording addressed to them.
    reporter = Transcript(app, user="1001")
    await reporter.say(f"/tracuu {case.code}")
    reporter.expect(T.STATUS_LABELS["cho_nguoi_phan_anh"])


async def test_the_card_and_queue_show_an_escalation(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/vuotthamquyen {case.code} Lỗi cổng thanh toán quốc gia, cần Văn phòng Chính phủ xử lý")
    card = card_of(staff)
    assert "VƯỢT THẨM QUYỀN" in card.splitlines()[0]
    assert "Lỗi cổng thanh toán quốc gia, cần Văn phòng Chính phủ xử lý" in card
    await staff.say("/hangdoi")
    [line] = [li for li in staff.group_text.splitlines() if case.code in li]
    assert "vượt thẩm quyền" in line


async def test_a_staff_reply_to_an_untaken_case_makes_them_the_assignee(app: Application) -> None:
    case = await new_case(app)
    thread = await open_topic(app, case)
    staff = StaffChat(app, user=STAFF, username="canbo_an")
    await staff.say("Chào bạn, Tổ công tác đang kiểm tra giao dịch FT123", thread=thread)
    [to_reporter] = staff.to("1001")
    assert "đang kiểm tra giao dịch FT123" in to_reporter.reply.text
    assert "🙋 @canbo_an" in card_of(staff)
    await staff.say("/hangdoi")
    [line] = [li for li in staff.group_text.splitlines() if case.code in li]
    assert "@canbo_an" in line and "chưa giao" not in line
    # A later reply by someone else does not take the case away from the first.
    binh = StaffChat(app, user=OTHER_STAFF, username="canbo_binh")
    await binh.say("Bổ sung: ngân hàng đã xác nhận", thread=thread)
    assert case.id is not None
    async with app.db.session() as session:
        stored = await session.get(Case, case.id)
        assert stored is not None and stored.assignee_name == "@canbo_an" and stored.assignee_id == int(STAFF)
        assigned = [e for e in await repo.case_events(session, case.id) if e.kind == "assigned"]
    assert [(e.actor, e.note) for e in assigned] == [("@canbo_an", "@canbo_an")]
