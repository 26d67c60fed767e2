"""/taofaq: staff turn a case's resolution into a draft FAQ topic, as transcripts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from bot.app import Application
from bot.settings import load_settings
from faq.knowledge import MIN_EXAMPLES, load_knowledge_base, parse_topic
from handlers.services import StaticStaff
from handlers.staff.desk import faq_draft_topic
from storage.db import Database
from storage.models import Case, CaseEvent
from tests.support.transcript import StaffChat
from tests.test_staff_commands import GROUP, LEADER, OUTSIDER, STAFF, new_case

RESOLUTION = (
    "Giao dịch đã được đối soát với ngân hàng.\n"
    'Bạn tải lại mục "Đã thanh toán" của hồ sơ; nếu vẫn chưa cập nhật, gọi đường dây nóng 0225 3842 455.'
)


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    application = Application(load_settings(staff_chat_id=int(GROUP)), db=db)
    application.staff_directory = StaticStaff({STAFF}, {LEADER})
    application.desk.faq_drafts_dir = tmp_path / "faq-drafts"
    yield application


def drafts(app: Application) -> list[Path]:
    return sorted(app.desk.faq_drafts_dir.glob("*.yaml"))


async def test_staff_turn_a_resolution_into_a_draft_faq(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/dong {case.code} {RESOLUTION}")
    await staff.say(f"/taofaq {case.code} đã chuyển khoản lệ phí mà hồ sơ vẫn chờ thanh toán")
    [path] = drafts(app)
    said = staff.group_text
    assert "@canbo_an đã tạo bản nháp câu hỏi thường gặp từ phản ánh" in said and case.code in said
    assert str(path) in said and "faq/data/topics/" in said and "/taifaq" in said
    assert "đã chuyển khoản lệ phí mà hồ sơ vẫn chờ thanh toán" in said
    # The draft is a topic in the knowledge base's own format: once staff add examples it loads.
    [entry] = yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]
    assert entry["system"] == "thanh_toan" and entry["audience"] == "citizen"
    assert entry["answer"] == RESOLUTION  # staff's own words, line breaks kept
    assert entry["title"] == "Đã chuyển khoản lệ phí mà hồ sơ vẫn chờ thanh toán"
    assert "đã chuyển khoản lệ phí mà hồ sơ vẫn chờ thanh toán" in entry["examples"]
    entry["examples"] += [f"câu hỏi mẫu thêm {i}" for i in range(MIN_EXAMPLES)]
    topic = parse_topic(entry, path, 0)
    assert topic.id not in load_knowledge_base().topics  # the live knowledge base does not load drafts
    async with app.db.session() as session:
        [event] = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "faq_draft"))).all()
    assert event.actor == "@canbo_an" and event.note == str(path)


async def test_a_second_draft_does_not_overwrite_the_first(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/dong {case.code} Đã cập nhật trạng thái thanh toán")
    await staff.say(f"/taofaq {case.code}")
    [first] = drafts(app)
    first.write_text(first.read_text(encoding="utf-8") + "# đang sửa\n", encoding="utf-8")
    await staff.say(f"/taofaq {case.code}")
    assert len(drafts(app)) == 2 and first.read_text(encoding="utf-8").endswith("# đang sửa\n")


async def test_no_draft_before_the_case_is_resolved(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/taofaq {case.code}")
    assert "chưa có kết quả giải quyết" in staff.group_text and "/dong" in staff.group_text
    assert not drafts(app)


async def test_only_staff_create_drafts(app: Application) -> None:
    case = await new_case(app)
    await StaffChat(app, user=STAFF).say(f"/dong {case.code} Đã cập nhật trạng thái thanh toán")
    outsider = StaffChat(app, user=OUTSIDER, username="nguoila")
    await outsider.say(f"/taofaq {case.code}")
    assert "chỉ dành cho cán bộ" in outsider.group_text
    assert not drafts(app)


async def test_help_lists_taofaq(app: Application) -> None:
    staff = StaffChat(app, user=STAFF)
    await staff.say("/trogiup")
    assert "/taofaq" in staff.group_text


def test_a_draft_keeps_the_reporters_phone_and_id_numbers_out() -> None:
    case = Case(
        code="PA-251205-AB12",
        reporter_id=1,
        channel="telegram",
        chat_id="1001",
        reporter_role="can_bo_xa",
        system="khac",
        resolution="Đã cấp lại quyền.",
        description="Tài khoản một cửa bị khóa, gọi em 0987 654 321, CCCD 031234567890",
    )
    topic = faq_draft_topic(case, "tài khoản một cửa bị khóa")
    assert topic["examples"][1] == "Tài khoản một cửa bị khóa, gọi em <số điện thoại>, CCCD <số CCCD>"
    assert (
        topic["audience"] == "officer" and topic["system"] == "chung" and topic["id"] == "nhap_pa_251205_ab12"
    )
