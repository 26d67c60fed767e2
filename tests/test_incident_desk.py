"""Incidents as transcripts: citizens report through the real intake, staff answer with /suco in
the group, everything goes through the engine and the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import Application
from bot.delivery.outbox import enqueue
from bot.jobs import install
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, Incident, Reporter
from tests.support.transcript import Transcript
from tests.test_jobs_support import (
    STAFF_CHAT,
    deliver,
    jobs_app,
    make_app,
    outbox,
    seed_case,
    staff_says,
    texts,
)

VNEID_DOWN = "Không đăng nhập được VNeID trên cổng dịch vụ công, báo lỗi hệ thống, thử nhiều lần vẫn vậy"
UNITS = {
    "le chan": "Phường Lê Chân",
    "an lao": "Xã An Lão",
    "cat hai": "Đặc khu Cát Hải",
    "hong bang": "Phường Hồng Bàng",
}


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    async with jobs_app(db, tmp_path) as application:
        yield application


async def report(
    app: Application, user: int, unit: str, *, system: str = "VNeID", text: str = VNEID_DOWN
) -> Transcript:
    """One citizen's whole intake; the chat's last answer is what the bot said on submission."""
    chat = Transcript(app, user=str(user), name=f"Dân {user}")
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say(unit)
    await chat.tap(UNITS[unit])
    await chat.tap(system)
    await chat.say(text)
    await chat.tap("Tiếp tục")
    if "Có phải bạn gặp" in chat.text or "giống một trong" in chat.text:
        await chat.tap("gửi Tổ công tác")
    await chat.tap("Bỏ qua")  # dossier code
    await chat.tap("Bỏ qua")  # procedure
    await chat.contact(f"+8491234{user:04d}")
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")
    return chat


async def case_of(app: Application, chat: Transcript) -> Case:
    async with app.db.session() as session:
        reporter = (await session.exec(select(Reporter).where(Reporter.external_id == chat.user))).one()
        return (await session.exec(select(Case).where(Case.reporter_id == reporter.id))).one()


async def incidents(app: Application) -> list[Incident]:
    async with app.db.session() as session:
        return list((await session.exec(select(Incident).order_by(col(Incident.id)))).all())


async def test_burst_alert_notice_and_closure(app: Application) -> None:
    # Four reports from two units: not (yet) an incident.
    chats = [
        await report(app, 2001 + i, unit) for i, unit in enumerate(["le chan", "an lao", "le chan", "an lao"])
    ]
    assert await outbox(app.db, purpose="incident") == []
    # The fifth, from a third unit, makes it one: the group is alerted once, with the list.
    chats.append(await report(app, 2005, "cat hai"))
    [alert] = texts(await outbox(app.db, purpose="incident"))
    codes = [(await case_of(app, c)).code for c in chats]
    assert "CẢNH BÁO NGHI CÓ SỰ CỐ" in alert and "5 phản ánh" in alert and "từ 3 đơn vị" in alert
    assert all(code in alert for code in codes) and "Đặc khu Cát Hải" in alert
    assert "/suco mo " in alert
    # Everyone in the burst is told at once, truthfully: many report it, the task force checks.
    suspected = await outbox(app.db, purpose="notice")
    assert sorted(r.chat_id for r in suspected) == sorted(c.user for c in chats)
    assert all("Nhiều người đang phản ánh" in t and "đang kiểm tra" in t for t in texts(suspected))
    # A sixth report of the same burst: linked and held, no second alert, its reporter told.
    chats.append(await report(app, 2006, "hong bang"))
    chats[-1].expect("Đã tiếp nhận")
    assert len(await outbox(app.db, purpose="incident")) == 1
    [incident] = await incidents(app)
    assert incident.status == "detected" and incident.holding
    linked = [await case_of(app, c) for c in chats]
    assert {c.incident_id for c in linked} == {incident.id} and all(c.incident_held for c in linked)
    assert len(await outbox(app.db, purpose="notice")) == 6

    # Incident mode: the group gets the alert and the incident card, not six case cards.
    sender = await deliver(app)
    group = [s.text for s in sender.to(str(STAFF_CHAT))]
    assert len(group) == 2 and "CẢNH BÁO" in group[0] and f"SỰ CỐ #{incident.id}" in group[1]
    assert "6 phản ánh" in group[1] and "6 đang gộp" in group[1]
    assert {r.status for r in await outbox(app.db, purpose="card")} == {"held"}
    [incident] = await incidents(app)
    thread = incident.thread_id
    assert thread is not None and incident.card_message_id is not None
    # Staff open the incident from its own topic.
    notice = "Hệ thống VNeID đang bảo trì, dự kiến hoạt động lại lúc 10:00. Bạn vui lòng thử lại sau giờ đó."
    out = await staff_says(app, "suco", f"mo {notice}", thread=thread)
    told = [o for o in out if o.purpose == "notice"]
    assert sorted(o.chat_id for o in told) == sorted(c.user for c in chats)
    assert all(notice in o.reply.text and "đã ghi nhận sự cố chung" in o.reply.text for o in told)
    [group_reply] = [o for o in out if o.chat_id == str(STAFF_CHAT)]
    assert (
        f"Đã mở sự cố #{incident.id}" in group_reply.reply.text
        and "Đã báo cho 6 người phản ánh" in group_reply.reply.text
    )
    assert group_reply.thread_id == thread

    # Someone reporting it afterwards is told at once, in the same answer as the case code.
    late = await report(app, 2007, "le chan")
    late.expect("Đã tiếp nhận", "đã ghi nhận sự cố chung", notice)
    late_case = await case_of(app, late)
    assert late_case.incident_id == incident.id
    # A different system is not part of it.
    other = await report(
        app, 2008, "an lao", system="Thanh toán", text="Đã thanh toán lệ phí nhưng hồ sơ vẫn báo chưa nộp phí"
    )
    other.expect_not("sự cố chung")
    assert (await case_of(app, other)).incident_id is None

    listing = (await staff_says(app, "suco"))[0].reply.text
    assert f"#{incident.id}" in listing and "ĐANG MỞ" in listing and "7 phản ánh" in listing

    # Closing it: first what will be resolved, then the confirmation; every linked reporter is
    # told it is fixed (with the rating buttons) and their cases are resolved with an audit record.
    [preview] = await staff_says(app, "suco", "dong Đã khắc phục xong, mời bạn đăng nhập lại")
    assert "Sẽ chuyển sang Đã giải quyết 7 phản ánh" in preview.reply.text
    assert preview.reply.choices and preview.reply.choices[0].key == f"staff:sucodong:{incident.id}"
    assert await outbox(app.db, purpose="rating_request") == []
    out = await staff_says(app, "suco", f"xacnhan {incident.id}")
    fixed = [o for o in out if o.purpose == "rating_request"]
    assert sorted(o.chat_id for o in fixed) == sorted([c.user for c in chats] + [late.user])
    assert all("đã được khắc phục" in o.reply.text and o.reply.choices for o in fixed)
    [closed_msg] = [o for o in out if o.purpose == "staff"]
    assert len([o for o in out if o.purpose == "card_edit"]) == 7  # every card shows its new status
    assert (
        "Đã đóng sự cố" in closed_msg.reply.text
        and "7 phản ánh chuyển sang Đã giải quyết" in closed_msg.reply.text
    )
    async with app.db.session() as session:
        cases = (await session.exec(select(Case).where(Case.incident_id == incident.id))).all()
        assert len(cases) == 7 and {c.status for c in cases} == {CaseStatus.RESOLVED}
        assert all(c.resolution == "Đã khắc phục xong, mời bạn đăng nhập lại" for c in cases)
        events = (
            await session.exec(select(CaseEvent).where(CaseEvent.to_status == CaseStatus.RESOLVED))
        ).all()
        assert len(events) == 7 and {e.actor for e in events} == {"@canbo900"}
        assert all(f"Sự cố #{incident.id}" in (e.note or "") for e in events)
    [closed] = await incidents(app)
    assert closed.status == "closed" and closed.result and closed.closed_at

    # The reporter rates the resolution like any other.
    satisfied = next(o for o in fixed if o.chat_id == chats[0].user).reply.choices[0]
    assert satisfied.key.endswith(":hai_long")
    await chats[0].tap_key(satisfied.key)
    assert (await case_of(app, chats[0])).status == CaseStatus.CLOSED

    # After the closure, one more report of the same kind: no notice, no new alert.
    again = await report(app, 2009, "cat hai")
    again.expect_not("sự cố chung")
    assert len(await outbox(app.db, purpose="incident")) == 1

    # Everything above reached the reporters and the group through the outbox.
    sender = await deliver(app)
    assert any("đã được khắc phục" in s.text for s in sender.to(chats[-1].user))


async def test_manual_incident_by_system_and_mistakes(app: Application) -> None:
    now = datetime.now(UTC)
    earlier = await seed_case(
        app, now - timedelta(minutes=40), unit="11383", system="vneid", topic="khong_nhan_otp"
    )
    old = await seed_case(
        app, now - timedelta(hours=5), unit="11383", system="vneid"
    )  # before the notice window
    payment = await seed_case(app, now - timedelta(minutes=10), unit="11383", system="thanh_toan")

    [reply] = await staff_says(app, "suco", "mo VNeID chậm")  # no case thread, no known code
    assert "Chưa rõ sự cố về chủ đề hay hệ thống nào" in reply.reply.text
    [reply] = await staff_says(app, "suco", "mo vneid")
    assert "ghi kèm thông báo" in reply.reply.text
    [reply] = await staff_says(app, "suco", "mo vneid VNeID bảo trì", user="555")
    assert "chỉ dành cho cán bộ" in reply.reply.text
    assert await incidents(app) == []

    out = await staff_says(app, "suco", "mo vneid VNeID đang bảo trì toàn quốc đến 11:00")
    [incident] = await incidents(app)
    assert (incident.key, incident.status, incident.opened_by) == ("system:vneid", "open", "@canbo900")
    assert [o.chat_id for o in out if o.purpose == "notice"] == [earlier.chat_id]
    [reply] = await staff_says(app, "suco", "mo vneid lần nữa")
    assert f"Sự cố #{incident.id}" in reply.reply.text and "đang mở" in reply.reply.text

    # A system-wide incident covers every report on that system, whatever the FAQ topic.
    chat = await report(app, 3001, "an lao")
    chat.expect("VNeID đang bảo trì toàn quốc đến 11:00")
    async with app.db.session() as session:
        linked = (await session.exec(select(Case).where(Case.incident_id == incident.id))).all()
        assert {c.id for c in linked} == {earlier.id, (await case_of(app, chat)).id}
        assert old.id not in {c.id for c in linked} and payment.id not in {c.id for c in linked}

    [reply] = await staff_says(app, "suco", "dong 99 xong")
    assert "Không tìm thấy sự cố #99" in reply.reply.text
    [reply] = await staff_says(app, "suco", f"dong {incident.id}")
    assert "ghi kèm kết quả" in reply.reply.text
    await staff_says(app, "suco", f"dong {incident.id} VNeID đã hoạt động lại")
    out = await staff_says(app, "suco", f"xacnhan {incident.id}")
    assert len([o for o in out if o.purpose == "rating_request"]) == 2
    assert "Không có sự cố nào" in (await staff_says(app, "suco"))[0].reply.text


async def test_quiet_incident_is_alerted_again_and_a_continuing_burst_is_not(app: Application) -> None:
    feature = install(app)

    async def arrive(at: datetime, unit: str) -> list[str]:
        case = await seed_case(app, at, unit=unit, system="he_thong_tthc_thanh_pho")
        async with app.db.session() as session:
            fresh = await session.get(Case, case.id)
            reporter = await session.get(Reporter, case.reporter_id)
            assert fresh is not None and reporter is not None
            out = await feature.incidents.case_created(session, fresh, reporter)
            await enqueue(session, out)
        return [o.reply.text for o in out if o.purpose == "incident"]

    start = datetime(2025, 11, 24, 2, 0, tzinfo=UTC)  # 09:00 in Hải Phòng
    units = ["11383", "11629", "11914", "11383", "11629"]
    alerts = [a for i, u in enumerate(units) for a in await arrive(start + timedelta(minutes=4 * i), u)]
    assert len(alerts) == 1 and "hệ thống «Hệ thống giải quyết TTHC thành phố»" in alerts[0]
    # Still coming in 40 minutes later (a new window full of reports): the same incident.
    later = start + timedelta(minutes=40)
    assert [a for i, u in enumerate(units) for a in await arrive(later + timedelta(minutes=3 * i), u)] == []
    assert len(await incidents(app)) == 1
    # Three quiet hours, then a new burst: a new alert for a new incident.
    again = start + timedelta(hours=4)
    alerts = [a for i, u in enumerate(units) for a in await arrive(again + timedelta(minutes=2 * i), u)]
    assert len(alerts) == 1
    first, second = await incidents(app)
    assert first.status == second.status == "detected" and second.id != first.id


async def test_simultaneous_reports_give_exactly_one_alert(any_db: Database, tmp_path: Path) -> None:
    """Eight reports committed at the same moment by concurrent transactions (on PostgreSQL: a
    per-key advisory lock serialises the detection, so the last one sees all the others)."""
    app = make_app(any_db, tmp_path)
    feature = install(app)
    now = datetime.now(UTC)
    units = ["11383", "11629", "11914", "11311"]

    async def arrive(i: int) -> list[str]:
        case = Case(
            code=f"PA-261123-C{i:03d}",
            reporter_id=0,
            channel="telegram",
            chat_id=str(7000 + i),
            unit_code=units[i % 4],
            system="vneid",
            # Later arrivals carry earlier times: the last transaction to detect is not the
            # latest report, as happens when commits and clocks disagree by a few milliseconds.
            created_at=now - timedelta(milliseconds=i),
        )
        async with any_db.session() as session:
            reporter = Reporter(channel="telegram", external_id=str(7000 + i))
            session.add(reporter)
            await session.flush()
            assert reporter.id is not None
            case.reporter_id = reporter.id
            session.add(case)
            await session.flush()
            out = await feature.incidents.case_created(session, case, reporter)
            await enqueue(session, out)
        return [o.reply.text for o in out if o.purpose == "incident"]

    results = await asyncio.gather(*(arrive(i) for i in range(8)))
    assert sum(len(r) for r in results) == 1
    [incident] = await incidents(app)
    async with any_db.session() as session:
        linked = (await session.exec(select(Case).where(Case.incident_id == incident.id))).all()
    assert len(linked) >= 5


async def test_a_failing_incident_check_never_loses_the_complaint(
    any_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(any_db, tmp_path)
    install(app)
    await staff_says(app, "suco", "mo vneid VNeID bảo trì")

    def broken(self: object, key: str) -> str:
        raise RuntimeError("label lookup failed")

    monkeypatch.setattr("handlers.incidents.desk.IncidentDesk.subject", broken)
    chat = await report(app, 4001, "le chan")
    chat.expect("Đã tiếp nhận", "Mã phản ánh: PA-")
    case = await case_of(app, chat)
    assert case.status == CaseStatus.NEW and case.incident_id is None  # the link was rolled back
    assert [r.chat_id for r in await outbox(any_db, purpose="card")] == [str(STAFF_CHAT)]
