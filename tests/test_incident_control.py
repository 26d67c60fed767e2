"""Incident mode in detail (issue #23): only real outages, distinct reporters, closing with a
preview that spares cases someone handles, and the group queue's order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import Application
from bot.delivery.outbox import enqueue
from bot.jobs import install
from handlers.events import Outgoing, Reply
from handlers.incidents.detect import IncidentRule, ReportSignal, detect_incidents
from storage.db import Database
from storage.models import Case, CaseStatus, Incident, OutboxMessage, Reporter
from tests.support.transcript import Transcript
from tests.test_incident_desk import report
from tests.test_jobs_support import (
    STAFF_CHAT,
    deliver,
    jobs_app,
    outbox,
    seed_case,
    staff_says,
    texts,
)

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    async with jobs_app(db, tmp_path) as application:
        yield application


def test_the_catch_all_system_is_never_an_incident() -> None:
    """Five unrelated questions (office hours, marriage papers…) filed under "Khác"."""
    signals = [ReportSignal(f"K{i}", NOW - timedelta(minutes=i), f"U{i}", "khac", None, i) for i in range(6)]
    assert detect_incidents(signals, NOW, IncidentRule()) == []


def test_one_person_reporting_again_and_again_is_no_burst() -> None:
    units = ["U1", "U2", "U3", "U1", "U2", "U3"]
    same = [
        ReportSignal(f"S{i}", NOW - timedelta(minutes=i), u, "vneid", None, 42) for i, u in enumerate(units)
    ]
    assert detect_incidents(same, NOW, IncidentRule()) == []
    two = [
        ReportSignal(f"T{i}", NOW - timedelta(minutes=i), u, "vneid", None, i % 2)
        for i, u in enumerate(units)
    ]
    assert detect_incidents(two, NOW, IncidentRule()) == []
    five = [
        ReportSignal(f"F{i}", NOW - timedelta(minutes=i), u, "vneid", None, i % 5)
        for i, u in enumerate(units)
    ]
    [candidate] = detect_incidents(five, NOW, IncidentRule())
    assert candidate.count == 6  # every report counts once there are enough people


async def test_manual_incident_on_khac_is_refused(app: Application) -> None:
    [reply] = await staff_says(app, "suco", "mo khac Hệ thống đang lỗi")
    assert "Khác" in reply.reply.text and "không mở sự cố" in reply.reply.text
    async with app.db.session() as session:
        assert (await session.exec(select(Incident))).all() == []


async def test_closing_previews_and_spares_a_case_someone_handles(app: Application) -> None:
    chats = [
        await report(app, 5101 + i, u)
        for i, u in enumerate(["le chan", "an lao", "cat hai", "hong bang", "le chan"])
    ]
    async with app.db.session() as session:
        [incident] = (await session.exec(select(Incident))).all()
        cases = list((await session.exec(select(Case).order_by(col(Case.id)))).all())
    assert len(cases) == 5 and {c.incident_id for c in cases} == {incident.id}
    # Staff open one case from the card and take it: it is theirs now.
    await staff_says(app, "xem", cases[0].code)
    await deliver(app)
    async with app.db.session() as session:
        taken = await session.get(Case, cases[0].id)
        assert taken is not None and taken.staff_thread_id is not None and not taken.incident_held
    await staff_says(app, "nhan", user="901", thread=taken.staff_thread_id)
    # Another turns out not to be part of it.
    [unlinked] = await staff_says(app, "suco", f"tach {cases[1].code}")
    assert "Đã tách" in unlinked.reply.text

    [preview] = await staff_says(app, "suco", f"dong {incident.id} VNeID đã hoạt động lại")
    text = preview.reply.text
    assert (
        "Sẽ chuyển sang Đã giải quyết 3 phản ánh" in text
        and cases[1].code not in text.split("Không tự đóng")[0]
    )
    assert "Không tự đóng 1 phản ánh" in text and cases[0].code in text
    out = await staff_says(app, "suco", f"xacnhan {incident.id}")
    resolved = [o.chat_id for o in out if o.purpose == "rating_request"]
    assert sorted(resolved) == sorted(c.user for c in chats[2:])
    # The handled case's reporter hears the outage is fixed; its assignee gets a line; it stays open.
    info = [o for o in out if o.purpose == "notice"]
    assert [o.chat_id for o in info] == [chats[0].user]
    lines = [o.reply.text for o in out if o.case_id == cases[0].id and o.chat_id == str(STAFF_CHAT)]
    assert any("chưa tự đóng" in t for t in lines)
    async with app.db.session() as session:
        fresh = {c.id: c for c in (await session.exec(select(Case))).all()}
    assert fresh[cases[0].id].status == CaseStatus.IN_PROGRESS
    assert fresh[cases[1].id].status == CaseStatus.NEW and fresh[cases[1].id].incident_id is None
    assert {fresh[c.id].status for c in cases[2:]} == {CaseStatus.RESOLVED}


async def test_group_queue_puts_new_cards_and_incident_messages_before_follow_ups(app: Application) -> None:
    """Forty follow-ups are waiting for the group when a new, unrelated case arrives."""
    case = await seed_case(app, datetime.now(UTC), unit="11383", thread=77)
    other = await seed_case(app, datetime.now(UTC), unit="11629")
    async with app.db.session() as session:
        follow_ups = [
            Outgoing(
                "telegram", str(STAFF_CHAT), Reply(f"bổ sung {i}"), case_id=case.id, purpose="case_thread"
            )
            for i in range(40)
        ]
        await enqueue(session, follow_ups)
        reporter = await session.get(Reporter, other.reporter_id)
        fresh = await session.get(Case, other.id)
        assert reporter is not None and fresh is not None
        await enqueue(session, await app.queue.case_created(session, fresh, reporter))
        await enqueue(session, [Outgoing("telegram", str(STAFF_CHAT), Reply("CẢNH BÁO"), purpose="incident")])
    sender = await deliver(app)
    group = [s.payload.get("text", "") for s in sender.to(STAFF_CHAT)]
    assert other.code in group[0] and group[1] == "CẢNH BÁO"  # neither waited behind forty follow-ups
    assert group[2:] == [f"bổ sung {i}" for i in range(40)]  # which kept their own order


async def test_a_held_case_keeps_its_follow_ups_until_it_is_opened(app: Application) -> None:
    chats = [
        await report(app, 5201 + i, u)
        for i, u in enumerate(["le chan", "an lao", "cat hai", "hong bang", "le chan"])
    ]
    await deliver(app)
    await chats[0].say("Mình thử lại lúc 9h vẫn không đăng nhập được")
    sender = await deliver(app)
    assert not any("9h vẫn không" in str(s.payload.get("text")) for s in sender.to(STAFF_CHAT))
    async with app.db.session() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
    assert case is not None and case.incident_held
    held = [r for r in await outbox(app.db, chat_id=STAFF_CHAT) if r.case_id == case.id]
    assert {r.status for r in held} == {"held"} and len(held) >= 2
    await staff_says(app, "xem", case.code)
    sender = await deliver(app)
    mine = [
        str(s.payload.get("text")) for s in sender.to(STAFF_CHAT) if case.code in str(s.payload.get("text"))
    ]
    assert any("Trạng thái:" in t for t in mine) and any("9h vẫn không" in t for t in mine)
    assert texts([r for r in await outbox(app.db, purpose="card") if r.case_id == case.id])
    rows = await outbox(app.db, chat_id=STAFF_CHAT)
    assert not [r for r in rows if r.case_id == case.id and r.status != "sent"]
    async with app.db.session() as session:
        assert (await session.exec(select(OutboxMessage).where(OutboxMessage.status == "held"))).all()


async def test_report_and_dashboard_show_incidents_with_counts_and_durations(
    app: Application, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from bot.dashboard import pages
    from bot.dashboard.labels import Labels

    for i, unit in enumerate(["le chan", "an lao", "cat hai", "hong bang", "le chan", "an lao"]):
        await report(app, 5301 + i, unit)
    async with app.db.session() as session:
        [incident] = (await session.exec(select(Incident))).all()
    await staff_says(app, "suco", f"dong {incident.id} VNeID hoạt động lại")
    await staff_says(app, "suco", f"xacnhan {incident.id}")
    feature = install(app)
    today = datetime.now(UTC).astimezone(app.queue.tz).date()
    async with app.db.session() as session:
        built = await feature.reports.build(session, today.replace(day=1), today, datetime.now(UTC))
        views = await pages.incidents(session, Labels(app.settings.timezone, app.faq))
    files = feature.reports.render_sync(built, tmp_path / "r.xlsx")
    assert "Sự cố: 1 (6 phản ánh gộp)" in files.text
    assert (
        f"#{incident.id} hệ thống VNeID/đăng nhập: 6 phản ánh, 4 đơn vị" in files.text
        and "kéo dài 1 phút" in files.text
    )
    sheet = load_workbook(files.xlsx)["Sự cố"]
    assert [c.value for c in sheet[2]][:6] == [
        incident.id,
        "hệ thống VNeID/đăng nhập",
        "đã khắc phục",
        6,
        6,
        4,
    ]
    [view] = views
    assert len(view.cases) == 6 and view.held == 6 and view.duration == "1 phút" and not view.ongoing


async def test_a_held_case_staff_take_or_a_reporter_reopens_is_posted(app: Application) -> None:
    chats = [
        await report(app, 5401 + i, u)
        for i, u in enumerate(["le chan", "an lao", "cat hai", "hong bang", "le chan"])
    ]
    async with app.db.session() as session:
        cases = list((await session.exec(select(Case).order_by(col(Case.id)))).all())
        [incident] = (await session.exec(select(Incident))).all()
    assert all(c.incident_held for c in cases)
    # Taken by its code from the group's general topic: someone works it, so its card goes out.
    await staff_says(app, "nhan", cases[0].code)
    sender = await deliver(app)
    assert any(
        cases[0].code in str(s.payload.get("text")) and "Trạng thái" in str(s.payload.get("text"))
        for s in sender.to(STAFF_CHAT)
    )
    # Closed with the incident while held, then the reporter is not satisfied: it is reopened
    # and posted, so staff see it.
    await staff_says(app, "suco", f"dong {incident.id} Đã khắc phục")
    out = await staff_says(app, "suco", f"xacnhan {incident.id}")
    await deliver(app)
    unhappy = next(c for c in chats if c.user == cases[1].chat_id)
    [request] = [o for o in out if o.purpose == "rating_request" and o.chat_id == unhappy.user]
    await unhappy.tap_key(next(c.key for c in request.reply.choices if c.key.endswith(":khong_hai_long")))
    sender = await deliver(app)
    async with app.db.session() as session:
        reopened = await session.get(Case, cases[1].id)
    assert reopened is not None and reopened.status == CaseStatus.IN_PROGRESS and not reopened.incident_held
    assert reopened.staff_thread_id is not None
    assert any("KHÔNG HÀI LÒNG" in str(s.payload.get("text")) for s in sender.to(STAFF_CHAT))


async def test_the_notice_of_an_open_incident_for_the_faq_stage(app: Application) -> None:
    feature = install(app)
    async with app.db.session() as session:
        assert await feature.incidents.notice_for(session, None, "vneid") is None
    await staff_says(app, "suco", "mo vneid VNeID đang bảo trì đến 10:00")
    async with app.db.session() as session:
        notice = await feature.incidents.notice_for(session, "khong_nhan_otp", "vneid")
        assert notice is not None and "VNeID đang bảo trì đến 10:00" in notice
        assert await feature.incidents.notice_for(session, None, "khac") is None


async def test_closing_by_subject_and_mistakes(app: Application) -> None:
    await staff_says(app, "suco", "mo vneid VNeID bảo trì")
    [reply] = await staff_says(app, "suco", "dong chu_ky_so Đã xong")
    assert "Không có sự cố nào" in reply.reply.text
    [reply] = await staff_says(app, "suco", "dong vneid")
    assert "ghi kèm kết quả" in reply.reply.text
    [preview] = await staff_says(app, "suco", "dong vneid VNeID hoạt động lại")
    assert "VNeID hoạt động lại" in preview.reply.text and preview.reply.choices
    [reply] = await staff_says(app, "suco", "xacnhan 99")
    assert "Không tìm thấy sự cố #99" in reply.reply.text
    [reply] = await staff_says(app, "suco", "gop 1")
    assert "Cách gộp" in reply.reply.text
    [reply] = await staff_says(app, "xem")
    assert "mã phản ánh" in reply.reply.text


async def test_after_a_dismissal_the_same_reports_are_normal_cases(app: Application) -> None:
    units = ["le chan", "an lao", "cat hai", "hong bang", "le chan"]
    for i, unit in enumerate(units):
        await report(app, 5501 + i, unit)
    [reply] = await staff_says(app, "suco", "bo")
    assert "Đã bỏ sự cố" in reply.reply.text and "5 phản ánh được đăng" in reply.reply.text
    for i, unit in enumerate(units):
        await report(app, 5511 + i, unit)
    assert len(await outbox(app.db, purpose="notice")) == 5  # only the first five were told
    async with app.db.session() as session:
        [incident] = (await session.exec(select(Incident))).all()
        cases = (await session.exec(select(Case))).all()
    assert incident.status == "dismissed" and not incident.holding
    assert len(cases) == 10 and all(c.incident_id is None and not c.incident_held for c in cases)
    sender = await deliver(app)
    assert len([s for s in sender.to(STAFF_CHAT) if "Trạng thái:" in str(s.payload.get("text"))]) == 10
    assert len(await outbox(app.db, purpose="incident")) == 1


async def test_a_report_on_an_open_incident_hears_its_notice_first(app: Application) -> None:
    await staff_says(app, "suco", "mo vneid VNeID đang bảo trì đến 10:00")
    chat = Transcript(app, user="6601")
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("le chan")
    await chat.tap("Phường Lê Chân")
    await chat.tap("VNeID")
    await chat.say("em không nhận được mã OTP khi đăng nhập VNeID từ sáng đến giờ")
    await chat.tap("Tiếp tục")
    # Whatever the FAQ stage asks next, the known outage comes first, in the same message.
    first = chat.replies[0].text
    assert first.startswith("📢 Tổ công tác đang xử lý sự cố chung") and "bảo trì đến 10:00" in first, first
