"""Staff commands through the engine, read as transcripts, and the permission table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from handlers.services import StaticStaff
from storage.db import Database
from storage.models import Case, CaseEvent, CaseMessage
from tests.support.transcript import StaffChat, Transcript

GROUP = "-100777"
STAFF, LEADER, OUTSIDER = "900", "901", "666"


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = Application(load_settings(staff_chat_id=int(GROUP)), db=db)
    application.staff_directory = StaticStaff({STAFF}, {LEADER})
    yield application


async def new_case(app: Application, user: str = "1001") -> Case:
    chat = Transcript(app, user=user)
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("An Lão")
    await chat.tap("Xã An Lão")
    await chat.tap("Thanh toán")
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán, mã giao dịch FT123")
    await chat.tap("Tiếp tục")
    # Whatever the FAQ offer says, its "send to the task force" button declines it.
    if any("gửi Tổ công tác" in label for label in chat.buttons()):
        await chat.tap("gửi Tổ công tác")
    await chat.tap("Bỏ qua")  # dossier code
    await chat.tap("Bỏ qua")  # procedure
    await chat.say("0987654321")
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")
    async with app.db.session() as session:
        case = (await session.exec(select(Case).order_by(Case.id.desc()))).first()  # type: ignore[union-attr]
        assert case is not None
        return case


async def test_new_case_posts_a_card_to_the_staff_group(app: Application) -> None:
    chat = Transcript(app)
    await chat.say("/start")
    case = await new_case(app)
    async with app.db.session() as session:
        from storage.models import OutboxMessage

        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP))).all()
    [card] = [r for r in rows if r.purpose == "card"]
    assert case.code in card.payload["text"] and "0987 654 321" in card.payload["text"]
    assert "Xã An Lão" in card.payload["text"] and "Hạn giải quyết" in card.payload["text"]
    lines = card.payload["text"].splitlines()
    assert (
        lines[0].startswith("🆕 PHẢN ÁNH MỚI") and "Đã nộp lệ phí qua ngân hàng" in lines[1]
    )  # the problem first
    labels = [c[1] for c in card.payload["choices"]]
    assert labels == ["🙋 Nhận xử lý", "❓ Hỏi thêm", "✅ Đóng", "👤 Giao", "📋 Lịch sử"]


async def test_staff_work_a_case_with_commands(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/nhan {case.code}")
    assert "@canbo_an đã nhận xử lý" in staff.group_text
    await staff.say(f"/ghichu {case.code} đã gọi ngân hàng")
    assert "ghi chú nội bộ" in staff.group_text and not staff.to("1001")
    await staff.say(f"/chobosung {case.code} Bạn gửi giúp ảnh biên lai nhé")
    [to_reporter] = staff.to("1001")
    assert "Bạn gửi giúp ảnh biên lai" in to_reporter.reply.text
    reporter = Transcript(app, user="1001")
    await reporter.say("Đây ạ, biên lai số 123")
    reporter.expect("Đã chuyển thông tin bổ sung")
    await staff.say(f"/dong {case.code} Đã đối soát, hồ sơ đã cập nhật đã thanh toán")
    [result] = staff.to("1001")
    assert "đã được giải quyết" in result.reply.text and len(result.reply.choices) == 3
    await reporter.say("1")  # text menus answer the rating by number: 1 = Hài lòng
    reporter.expect("góp ý")
    await reporter.say("Cảm ơn các anh chị")
    reporter.expect("Cảm ơn bạn đã đánh giá")
    async with app.db.session() as session:
        stored = await session.get(Case, case.id)
        assert stored is not None
        assert (
            stored.status == "da_dong"
            and stored.rating == "hai_long"
            and stored.rating_comment == "Cảm ơn các anh chị"
        )
        assert stored.first_response_at is not None and stored.resolved_at is not None
        events = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()
        transitions = [(e.from_status, e.to_status) for e in events if e.kind == "status"]
        assert transitions == [
            ("moi", "dang_xu_ly"),
            ("dang_xu_ly", "cho_nguoi_phan_anh"),
            ("cho_nguoi_phan_anh", "dang_xu_ly"),
            ("dang_xu_ly", "da_giai_quyet"),
            ("da_giai_quyet", "da_dong"),
        ]
        assert all(e.actor for e in events)
        notes = (await session.exec(select(CaseMessage).where(CaseMessage.direction == "note"))).all()
        assert len(notes) == 1


async def test_queue_search_and_stats(app: Application) -> None:
    first = await new_case(app, user="1001")
    second = await new_case(app, user="1002")
    staff = StaffChat(app, user=STAFF)
    await staff.say("/hangdoi")
    text = staff.group_text
    assert text.index(first.code) < text.index(second.code)  # oldest first
    assert "chưa giao" in text and "hạn" in text
    await staff.say("/tim 0987654321")
    assert first.code in staff.group_text and second.code in staff.group_text
    await staff.say("/tim FT123")
    assert first.code in staff.group_text
    await staff.say("/tim khongcogi")
    assert "Không tìm thấy" in staff.group_text
    await staff.say("/thongke")
    assert "Đang mở: 2" in staff.group_text


async def test_escalation_and_leader_only_reopen(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/vuotthamquyen {case.code} Lỗi cổng thanh toán quốc gia, cần Văn phòng Chính phủ xử lý")
    assert "vượt thẩm quyền" in staff.group_text
    [notice] = staff.to("1001")
    assert "vượt thẩm quyền" in notice.reply.text
    await staff.say(f"/dong {case.code} Đã chuyển văn bản")
    await staff.say(f"/molai {case.code}")
    assert "chỉ lãnh đạo" in staff.group_text
    leader = StaffChat(app, user=LEADER, username="truongnhom")
    await leader.say(f"/molai {case.code}")
    assert "@truongnhom đã mở lại" in leader.group_text


COMMANDS = [
    "/nhan",
    "/giao @binh",
    "/dong xong",
    "/molai",
    "/vuotthamquyen lý do",
    "/ghichu abc",
    "/taofaq",
    "/hangdoi",
    "/tim abc",
    "/thongke",
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("who", ["outsider", "staff", "leader"])
async def test_permission_table(app: Application, command: str, who: str) -> None:
    case = await new_case(app)
    user = {"outsider": OUTSIDER, "staff": STAFF, "leader": LEADER}[who]
    if command == "/molai":
        # Reopening an escalated (and resolved) case is for leaders only.
        await StaffChat(app, user=LEADER).say(f"/vuotthamquyen {case.code} cần thành phố")
        await StaffChat(app, user=LEADER).say(f"/dong {case.code} đã chuyển văn bản")
    async with app.db.session() as session:
        before = await session.get(Case, case.id)
        assert before is not None
        snapshot = before.model_dump()
    head, _, rest = command.partition(" ")
    text = f"{head} {case.code} {rest}".strip() if head not in ("/hangdoi", "/tim", "/thongke") else command
    chat = StaffChat(app, user=user)
    await chat.say(text)
    async with app.db.session() as session:
        after = await session.get(Case, case.id)
        assert after is not None
        changed = after.model_dump() != snapshot
    if who == "outsider":
        assert "chỉ dành cho cán bộ" in chat.group_text
        assert not changed
    elif who == "staff" and command == "/molai":
        assert "chỉ lãnh đạo" in chat.group_text and not changed
    else:
        assert "chỉ dành cho cán bộ" not in chat.group_text and "chỉ lãnh đạo" not in chat.group_text


async def test_staff_reload_faq_without_restart(app: Application) -> None:
    staff = StaffChat(app, user=STAFF)
    await staff.say("/taifaq")
    assert "Đã tải lại" in staff.group_text
    outsider = StaffChat(app, user=OUTSIDER)
    await outsider.say("/taifaq")
    assert "chỉ dành cho cán bộ" in outsider.group_text


async def test_reporter_lists_own_cases_from_menu(app: Application) -> None:
    case = await new_case(app, user="1001")
    await new_case(app, user="1002")
    chat = Transcript(app, user="1001")
    await chat.say("/start")
    await chat.tap("Tra cứu phản ánh")
    assert any(case.code in b for b in chat.buttons())
    assert len(chat.buttons()) == 1
