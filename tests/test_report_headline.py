"""The headline figures against a hand-computed week, the same in ``/thongke``, ``/baocao`` and the
workbook; the change from the previous week; the per-staff sheet; units folded; the chart's days.

Office hours 07:30–11:30 and 13:30–17:00 (7.5 working hours a day), no holiday in November 2025.
Week 17/11 (Monday) – 23/11 (Sunday), compared with 10/11 – 16/11; working hours per case below.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.app import Application
from bot.jobs import install
from handlers.reports.build import build_report
from handlers.reports.chart import chart_figure
from handlers.reports.figures import headline, previous_period
from handlers.reports.incidents import IncidentRow
from handlers.reports.model import Report
from handlers.reports.quick import build_quick_stats
from handlers.reports.records import ActionRecord, CaseRecord, FaqOutcome, UnitInfo
from handlers.reports.text import format_quick_stats_vi, format_report_text_vi
from handlers.reports.workbook import xlsx_bytes
from handlers.schedule.worktime import VN_TZ, WorkCalendar
from storage.db import Database
from storage.models import Case, CaseEvent, CaseMessage, FaqQuery
from tests.test_jobs_support import make_app, seed_case, staff_says

CAL = WorkCalendar()
START, END = date(2025, 11, 17), date(2025, 11, 23)
PREV_START, PREV_END = date(2025, 11, 10), date(2025, 11, 16)
NOW = datetime(2025, 11, 23, 21, 0, tzinfo=VN_TZ)  # Sunday evening: "this week" is the whole week
ORG = "Sở Khoa học và Công nghệ Hải Phòng — Tổ công tác"
UNITS = [
    UnitInfo("U1", "Phường Lê Chân"),
    UnitInfo("U2", "Xã An Lão"),
    UnitInfo("U3", "Đặc khu Cát Hải"),
    UnitInfo("U4", "Phường Hồng Bàng"),
]


def vn(m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(2025, m, d, hh, mm, tzinfo=VN_TZ)


def week_cases() -> list[CaseRecord]:
    return [
        # first response 08:00→09:00 = 1.0 h; resolved 08:00→15:30 = 3.5 + 2 = 5.5 h; on time
        CaseRecord("A", vn(11, 17, 8), "da_dong", "U1", first_response_at=vn(11, 17, 9),
                   resolved_at=vn(11, 17, 15, 30), resolution_due=vn(11, 19, 8), rating="hai_long",
                   assignee="@lan"),
        # 16:00→(next day) 08:30 = 1 + 1 = 2.0 h; resolved 14:30 = 1 + 4 + 1 = 6.0 h; due 11:00 → late
        CaseRecord("B", vn(11, 17, 16), "da_giai_quyet", "U1", first_response_at=vn(11, 18, 8, 30),
                   resolved_at=vn(11, 18, 14, 30), resolution_due=vn(11, 18, 11), rating="khong_hai_long",
                   assignee="@minh", priority="urgent"),
        # 10:00→10:30 = 0.5 h; resolved next day 10:00 = 1.5 + 3.5 + 2.5 = 7.5 h; on time
        CaseRecord("C", vn(11, 19, 10), "da_dong", "U1", first_response_at=vn(11, 19, 10, 30),
                   resolved_at=vn(11, 20, 10), resolution_due=vn(11, 21, 10), rating="hai_long",
                   assignee="@lan"),
        # 15:00→(Friday) 09:30 = 2 + 2 = 4.0 h; still open past its due → late
        CaseRecord("D", vn(11, 20, 15), "dang_xu_ly", "U2", first_response_at=vn(11, 21, 9, 30),
                   resolution_due=vn(11, 21, 15), assignee="@minh"),
        # Saturday, nobody yet; due Tuesday → not due
        CaseRecord("E", vn(11, 22, 10), "moi", "U2", resolution_due=vn(11, 25, 10)),
        # Sunday night, no unit, no due time
        CaseRecord("F", vn(11, 23, 20), "moi"),
    ]  # fmt: skip


def previous_cases() -> list[CaseRecord]:
    return [
        # 3.0 h; resolved 08:00→16:00 = 3.5 + 2.5 = 6.0 h; on time
        CaseRecord("P1", vn(11, 10, 8), "da_dong", "U1", first_response_at=vn(11, 10, 11),
                   resolved_at=vn(11, 10, 16), resolution_due=vn(11, 12, 8), rating="hai_long"),
        # 1.0 h; resolved next day 09:30 = 2.5 + 3.5 + 2.0 = 8.0 h; due 11/11 17:00 → late
        CaseRecord("P2", vn(11, 11, 9), "da_dong", "U1", first_response_at=vn(11, 11, 10),
                   resolved_at=vn(11, 12, 9, 30), resolution_due=vn(11, 11, 17), rating="hai_long"),
        # 08:00→13:30 = 3.5 h; open past its due → late
        CaseRecord("P3", vn(11, 12, 8), "dang_xu_ly", "U2", first_response_at=vn(11, 12, 13, 30),
                   resolution_due=vn(11, 13, 8)),
        CaseRecord("P4", vn(11, 14, 10), "moi"),
    ]  # fmt: skip


def faq_outcomes() -> list[FaqOutcome]:
    week = [True, True, True, False, None]  # 3 of 4 with feedback → 75%
    before = [True, False]  # 50%
    return [FaqOutcome(vn(11, 18, 9 + i), "otp", s) for i, s in enumerate(week)] + [
        FaqOutcome(vn(11, 11, 9 + i), "otp", s) for i, s in enumerate(before)
    ]


def actions() -> list[ActionRecord]:
    return [
        ActionRecord("A", vn(11, 17, 8, 30), "assigned", "@lan", note="@lan"),
        ActionRecord("A", vn(11, 17, 9), "reply", "@lan"),
        ActionRecord("A", vn(11, 17, 15, 30), "status", "@lan", to_status="da_giai_quyet"),
        ActionRecord("A", vn(11, 17, 16), "status", "reporter", to_status="da_dong"),
        ActionRecord("B", vn(11, 17, 16, 5), "assigned", "@lan", note="@minh"),  # /giao @minh
        ActionRecord("B", vn(11, 18, 8, 30), "reply", "@minh"),
        ActionRecord("B", vn(11, 18, 14, 30), "status", "@minh", to_status="da_giai_quyet"),
        ActionRecord("C", vn(11, 19, 10, 5), "assigned", "@lan", note="@lan"),
        ActionRecord("C", vn(11, 19, 10, 30), "status", "@lan", to_status="cho_nguoi_phan_anh"),
        ActionRecord("C", vn(11, 20, 10), "status", None, to_status="da_giai_quyet"),  # actor lost
        ActionRecord("D", vn(11, 21, 9), "assigned", "@lan", note="@Minh"),  # /giao @Minh: the same person
        ActionRecord("D", vn(11, 21, 9, 30), "reply", "@minh"),
    ]


INCIDENTS = [
    IncidentRow(1, "hệ thống VNeID", "closed", 3, 3, 2, vn(11, 18, 9), vn(11, 18, 11), timedelta(hours=2)),
    IncidentRow(2, "«OTP»", "dismissed", 2, 2, 1, vn(11, 19, 9), vn(11, 19, 10), timedelta(hours=1)),
]

# Hand-computed from the comments above.
WEEK = {
    "received": 6,
    "resolved": 3,  # A, B, C
    "on_time": 0.5,  # A and C of A, B, C, D (E not due yet, F without a due time)
    "first_response": 1.5,  # median of 1.0, 2.0, 0.5, 4.0
    "resolution": 6.0,  # median of 5.5, 6.0, 7.5
    "satisfaction": 2 / 3,
    "faq": 0.75,
    "incidents": 1,  # the dismissed one is not an incident
}
BEFORE = {
    "received": 4,
    "resolved": 2,
    "on_time": 1 / 3,
    "first_response": 3.0,  # median of 3.0, 1.0, 3.5
    "resolution": 7.0,  # median of 6.0, 8.0
    "satisfaction": 1.0,
    "faq": 0.5,
    "incidents": 0,
}
# What a reader sees, the same words in /thongke and /baocao.
LINES = [
    "• Tiếp nhận mới: 6",
    "• Đã giải quyết: 3",
    "• Giải quyết đúng hạn: 2/4 (50%)",
    "• Phản hồi đầu tiên: trung vị 1,5 giờ làm việc",
    "• Giải quyết: trung vị 6,0 giờ làm việc",
    "• Hài lòng: 2/3 lượt đánh giá (67%), không hài lòng 1",
    "• FAQ tự giải đáp: 3/4 câu trả lời (75%)",
]
CHANGES = [
    "; kỳ trước 4 (+2)",
    "; kỳ trước 2 (+1)",
    "; kỳ trước 33% (+17 điểm %)",
    "; kỳ trước 3,0 giờ (-1,5 giờ)",
    "; kỳ trước 7,0 giờ (-1,0 giờ)",
    "; kỳ trước 100% (-33 điểm %)",
    "; kỳ trước 50% (+25 điểm %)",
]


def make_report() -> Report:
    cases = week_cases() + previous_cases()
    previous = headline(cases, faq_outcomes(), PREV_START, PREV_END, CAL, NOW)
    return build_report(
        cases,
        faq_outcomes(),
        UNITS,
        START,
        END,
        CAL,
        now=NOW,
        actions=actions(),
        previous=previous,
        incidents=INCIDENTS,
        organisation=ORG,
    )


def figures_of(h: Any) -> dict[str, Any]:
    return {
        "received": h.received,
        "resolved": h.resolved,
        "on_time": h.on_time_share,
        "first_response": h.first_response.median_hours,
        "resolution": h.resolution.median_hours,
        "satisfaction": h.satisfaction.satisfied_share,
        "faq": h.faq.rate,
        "incidents": h.incidents,
    }


def test_previous_period_is_the_week_or_month_before() -> None:
    assert previous_period(START, END) == (PREV_START, PREV_END)
    assert previous_period(date(2025, 11, 1), date(2025, 11, 30)) == (date(2025, 10, 1), date(2025, 10, 31))
    # A month so far is compared with the same days of the month before.
    assert previous_period(date(2025, 3, 1), date(2025, 3, 30)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert previous_period(date(2025, 11, 5), date(2025, 11, 6)) == (date(2025, 11, 3), date(2025, 11, 4))


def test_headline_figures_match_the_hand_computed_week() -> None:
    report = make_report()
    assert figures_of(report.headline) == pytest.approx(WEEK)
    assert report.previous is not None and figures_of(report.previous) == pytest.approx(BEFORE)


def test_baocao_text_says_each_figure_and_its_change() -> None:
    text = format_report_text_vi(make_report())
    lines = text.splitlines()
    assert lines[:3] == [
        "BÁO CÁO PHẢN ÁNH 17/11/2025 – 23/11/2025",
        ORG,
        "So với kỳ trước: 10/11/2025 – 16/11/2025",
    ]
    assert lines[3:10] == [line + change for line, change in zip(LINES, CHANGES, strict=True)]
    assert "• Sự cố: 1; kỳ trước 0 (+1)" in lines
    # D, E, F open; B resolved late and D open late; P3 and P4 carried over from the week before.
    assert "Đang mở: 3 · quá hạn: 2 · vượt thẩm quyền: 0 · tồn kỳ trước còn mở: 2" in lines
    # C's resolution has no recorded actor: the text says the per-staff figures are short.
    assert "Lưu ý: 1 thao tác không ghi người thực hiện" in text


def test_thongke_text_says_the_same_figures() -> None:
    cases = week_cases() + previous_cases()
    quick = build_quick_stats(cases, faq_outcomes(), NOW, CAL)
    text = format_quick_stats_vi(quick)
    assert figures_of(quick.week) | {"incidents": 1} == pytest.approx(WEEK)
    for line in LINES:
        assert line in text.splitlines(), line
    assert "• Mới hôm nay: 1" in text  # F
    # Open now: D, E, F of this week and P3, P4 of the week before; late: D and P3.
    assert "• Đang mở: 5 (mới 3 · đang xử lý 2), quá hạn: 2" in text


def test_workbook_first_sheet_heading_figures_and_change() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes(make_report())))
    ws = wb.worksheets[0]
    assert ws.title == "Tổng hợp"
    assert ws["A1"].value == ORG and ws["A1"].font.bold
    assert ws["A2"].value == "BÁO CÁO TIẾP NHẬN VÀ XỬ LÝ PHẢN ÁNH"
    assert ws["A3"].value == (
        "Kỳ báo cáo: 17/11/2025 – 23/11/2025 (so với kỳ trước: 10/11/2025 – 16/11/2025)"
    )
    assert [c.value for c in ws[6]] == ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"]
    rows = {r[0]: r[1:4] for r in ws.iter_rows(min_row=7, values_only=True) if r[0]}
    labels = {
        "received": "Phản ánh tiếp nhận",
        "resolved": "Đã giải quyết",
        "on_time": "Tỷ lệ giải quyết đúng hạn",
        "first_response": "Phản hồi đầu tiên – trung vị (giờ làm việc)",
        "resolution": "Giải quyết – trung vị (giờ làm việc)",
        "satisfaction": "Tỷ lệ hài lòng",
        "faq": "Tỷ lệ FAQ tự giải đáp",
        "incidents": "Sự cố",
    }
    for key, label in labels.items():
        now, before, change = rows[label]
        assert (now, before) == (pytest.approx(WEEK[key]), pytest.approx(BEFORE[key])), key
        points = 100 if key in ("on_time", "satisfaction", "faq") else 1
        assert change == pytest.approx((WEEK[key] - BEFORE[key]) * points), key
    # Shares display as percentages, their change in points; hours with one decimal.
    on_time_row = next(r for r in ws.iter_rows(min_row=7) if r[0].value == labels["on_time"])
    assert on_time_row[1].number_format == "0.0%" and "điểm" in on_time_row[3].number_format
    assert rows["Quá hạn giải quyết"][0] == 2


def test_workbook_staff_sheet_and_missing_actors() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes(make_report())))
    rows = list(wb["Theo cán bộ"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Cán bộ", "Nhận xử lý", "Đã giải quyết")
    # name, taken, resolved, on time, late, on-time share, first responses, their median
    assert rows[1] == ("@lan", 2, 1, 1, 0, 1.0, 2, pytest.approx(0.75))  # A 1.0 h, C 0.5 h
    assert rows[2] == ("@minh", 2, 1, 0, 1, 0.0, 2, pytest.approx(3.0))  # B 2.0 h, D 4.0 h
    # C's resolution was recorded without an actor: said, not silently dropped.
    assert rows[3][:5] == ("Không rõ người thực hiện", 0, 1, 1, 0)
    notes = [r[0] for r in rows[4:] if r[0]]
    assert notes[0] == (
        "Lưu ý: 1 thao tác không ghi người thực hiện; 1 phản ánh đã giải quyết không rõ người giải quyết. "
        "Số liệu theo cán bộ có thể thấp hơn thực tế."
    )


def test_workbook_case_list_and_units_folded() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes(make_report())))
    cases = list(wb["Danh sách phản ánh"].iter_rows(values_only=True))
    assert [c[0] for c in cases[1:]] == ["A", "B", "C", "D", "E", "F"]
    head = cases[0]
    b = dict(zip(head, cases[2], strict=True))
    assert b["Tiếp nhận lúc"] == datetime(2025, 11, 17, 16, 0)
    assert b["Phản hồi đầu tiên (giờ làm việc)"] == pytest.approx(2.0)
    assert b["Giải quyết (giờ làm việc)"] == pytest.approx(6.0)
    assert b["Đúng hạn"] == "Trễ hạn" and b["Đánh giá"] == "Không hài lòng" and b["Mức độ"] == "Khẩn"
    assert [dict(zip(head, c, strict=True))["Đúng hạn"] for c in cases[1:]] == [
        "Đúng hạn",
        "Trễ hạn",
        "Đúng hạn",
        "Trễ hạn",
        "Chưa đến hạn",
        "Không có hạn",
    ]
    units = [r[:3] for r in wb["Theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert units == [
        ("U1", "Phường Lê Chân", 3),
        ("U2", "Xã An Lão", 2),
        (None, "Không rõ", 1),  # an empty code cell reads back as None
        ("2 đơn vị", "Các đơn vị khác (0 phản ánh)", 0),
        (None, "Tổng cộng", 6),
    ]


def test_chart_has_no_future_days_and_wrapped_labels() -> None:
    wednesday = vn(11, 19, 12)
    cases = [c for c in week_cases() if c.created_at <= wednesday]
    long_name = "Phường Thủy Nguyên Hòa Bình Lưu Kiếm Lập Lễ Tam Hưng"
    r = build_report(cases, [], [UnitInfo("U1", long_name)], START, END, CAL, now=wednesday)
    assert [d.day for d in r.daily] == [date(2025, 11, 17), date(2025, 11, 18), date(2025, 11, 19)]
    fig = chart_figure(r)
    days, units = fig.axes[0], fig.axes[1]
    assert [t.get_text() for t in days.get_xticklabels()] == ["17/11", "18/11", "19/11"]
    assert fig.texts[0].get_text().endswith("đến 19/11/2025")  # the title stops today too
    [label] = [t.get_text() for t in units.get_yticklabels()]
    assert label.replace("\n", " ").startswith("Phường Thủy Nguyên")
    assert all(len(line) <= 26 for line in label.split("\n")) and label.count("\n") <= 1


# -- the same figures from the database, through the staff group --------------------------------


@pytest.fixture
async def sunday_app(any_db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    """On SQLite and PostgreSQL: the staff-action query joins two tables."""
    application = make_app(any_db, tmp_path)
    install(application, clock=lambda: NOW)
    yield application
    if application.outbox is not None:
        await application.outbox.stop()


async def seed(app: Application) -> None:
    units = {"U1": "11383", "U2": "11629"}  # Phường Lê Chân, Xã An Lão in the official list
    codes: dict[str, str] = {}
    for c in week_cases() + previous_cases():
        stored = await seed_case(
            app,
            c.created_at,
            unit=units.get(c.unit_code or ""),
            status=c.status,
            priority=c.priority,
            first_response_at=c.first_response_at,
            resolved_at=c.resolved_at,
            rating=c.rating,
            assignee_name=c.assignee,
        )
        codes[c.code] = stored.code
        async with app.db.session() as session:
            row = (await session.exec(select(Case).where(Case.code == stored.code))).one()
            row.resolution_due = c.resolution_due
    async with app.db.session() as session:
        for a in actions():
            case = (await session.exec(select(Case).where(Case.code == codes[a.case_code]))).one()
            assert case.id is not None
            cid, at, who, to = case.id, a.at, a.actor, a.to_status
            if a.kind == "reply":
                session.add(CaseMessage(case_id=cid, created_at=at, direction="out", author=who, text="…"))
            else:
                session.add(
                    CaseEvent(case_id=cid, created_at=at, kind=a.kind, actor=who, note=a.note, to_status=to)
                )
        for o in faq_outcomes():
            answer = FaqQuery(channel="telegram", user_id="1", text="?", topic=o.topic, solved=o.solved)
            answer.created_at = o.created_at
            session.add(answer)


async def test_thongke_and_baocao_agree_from_the_database(sunday_app: Application) -> None:
    await seed(sunday_app)
    [stats] = await staff_says(sunday_app, "thongke")
    report = await staff_says(sunday_app, "baocao", "tuan")
    stats_lines = stats.reply.text.splitlines()
    report_lines = report[0].reply.text.splitlines()
    for line, change in zip(LINES, CHANGES, strict=True):
        assert line in stats_lines, line
        assert line + change in report_lines, line
    assert "0.1 giờ" not in stats.reply.text and "trung bình" not in stats.reply.text

    [xlsx] = report[1].reply.attachments
    wb = load_workbook(xlsx.file_ref)
    rows = {r[0]: r[1:3] for r in wb["Tổng hợp"].iter_rows(min_row=7, values_only=True) if r[0]}
    assert rows["Phản hồi đầu tiên – trung vị (giờ làm việc)"] == (pytest.approx(1.5), pytest.approx(3.0))
    assert rows["Tỷ lệ giải quyết đúng hạn"] == (pytest.approx(0.5), pytest.approx(1 / 3))
    staff = {r[0]: r[1:5] for r in wb["Theo cán bộ"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert staff["@lan"] == (2, 1, 1, 0) and staff["@minh"] == (2, 1, 0, 1)
