"""Report figures from a seeded database, the workbook read back, the chart, and ``/baocao``
in the staff group through the engine and the outbox."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from matplotlib.image import imread
from openpyxl import load_workbook

from bot.app import Application
from bot.jobs import install
from handlers.reports.desk import parse_report_period
from handlers.schedule.worktime import VN_TZ
from storage.db import Database
from storage.models import CaseStatus, FaqQuery
from tests.test_jobs_support import STAFF_CHAT, deliver, jobs_app, outbox, seed_case, staff_says

START, END = date(2025, 11, 17), date(2025, 11, 23)  # Monday … Sunday
NOW = datetime(2025, 11, 24, 9, 0, tzinfo=VN_TZ)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def vn(m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(2025, m, d, hh, mm, tzinfo=VN_TZ)


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    async with jobs_app(db, tmp_path, clock=lambda: NOW) as application:
        yield application


async def seed_week(app: Application) -> dict[str, Any]:
    """Known week; working hours per case in the comments (office 07:30–11:30, 13:30–17:00)."""
    c1 = await seed_case(
        app,
        vn(11, 17, 8),
        unit="11383",
        system="dvc_quoc_gia",
        topic="dang_nhap_dvc_vneid",
        status=CaseStatus.CLOSED,
        first_response_at=vn(11, 17, 9),  # 1 h
        resolved_at=vn(11, 17, 15, 30),
        rating="hai_long",
        assignee_name="@lan",
    )  # 5.5 h
    c2 = await seed_case(
        app,
        vn(11, 18, 10),
        unit="11383",
        system="vneid",
        status=CaseStatus.RESOLVED,
        first_response_at=vn(11, 18, 14),  # 1.5 + 0.5 = 2 h
        resolved_at=vn(11, 19, 11),
    )  # 1.5 + 3.5 + 3.5 = 8.5 h
    c3 = await seed_case(
        app,
        vn(11, 19, 9),
        unit="11629",
        system="thanh_toan",
        status=CaseStatus.IN_PROGRESS,
        escalated=True,
        escalation_reason="=Lỗi cổng thanh toán quốc gia",
        escalated_at=vn(11, 19, 10),
    )
    c4 = await seed_case(app, vn(11, 22, 10), unit=None, system=None)  # Saturday, unit unknown
    before = await seed_case(app, vn(11, 16, 10), unit="11383")  # before the period, still open
    after = await seed_case(app, vn(11, 24, 8), unit="11383")  # after the period
    async with app.db.session() as session:
        for at, topic, solved in (
            (vn(11, 18, 9), "dang_nhap_dvc_vneid", True),
            (vn(11, 18, 10), "dang_nhap_dvc_vneid", False),
            (vn(11, 20, 10), "da_tru_tien_chua_cap_nhat", None),
            (vn(11, 20, 11), None, None),  # the matcher abstained: no answer was shown
            (vn(11, 25, 11), "dang_nhap_dvc_vneid", True),  # after the period
        ):
            session.add(
                FaqQuery(channel="telegram", user_id="1", text="?", topic=topic, solved=solved, created_at=at)
            )
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "before": before, "after": after}


def sheet_values(wb: Any, title: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in wb[title].iter_rows(values_only=True)]


def summary_values(wb: Any) -> dict[str, tuple[Any, ...]]:
    """The first sheet's table (under its heading): label → (this period, previous, change)."""
    ws = wb["Tổng hợp"]
    first = int(str(ws.freeze_panes)[1:])
    return {row[0]: tuple(row[1:4]) for row in ws.iter_rows(min_row=first, values_only=True) if row[0]}


async def test_report_figures_from_the_database(app: Application) -> None:
    seeded = await seed_week(app)
    maker = install(app).reports
    async with app.db.session() as session:
        report = await maker.build(session, START, END, NOW)
    s = report.summary
    assert (s.total_new, s.open, s.resolved, s.closed, s.escalated) == (4, 2, 1, 1, 1)
    assert s.open_before_period == 1
    # Every one of Hải Phòng's 114 units and "Không rõ", most cases first.
    assert len(report.by_unit) == 115 and report.by_unit[0].name == "Phường Lê Chân"
    assert [u.total for u in report.by_unit[:3]] == [2, 1, 1] and report.by_unit[3].total == 0
    units = {u.name: u for u in report.by_unit}
    assert (
        units["Phường Lê Chân"].total == 2 and units["Xã An Lão"].total == 1 and units["Không rõ"].total == 1
    )
    assert units["Phường Hồng Bàng"].total == 0
    assert report.response_time.count == 2 and report.response_time.median_hours == pytest.approx(1.5)
    assert report.resolution_time.median_hours == pytest.approx(7.0)
    assert report.resolution_time.p90_hours == pytest.approx(5.5 + 0.9 * 3)
    assert report.satisfaction.rated == 1 and report.satisfaction.unrated == 1
    [escalated] = report.escalated
    assert escalated.code == seeded["c3"].code and escalated.reason == "=Lỗi cổng thanh toán quốc gia"
    assert (report.faq.solved, report.faq.not_solved, report.faq.no_answer) == (1, 1, 1)
    assert report.faq.rate == pytest.approx(0.5)
    # Topic titles come from the knowledge base.
    labels = {row.key: row.label for row in report.by_topic}
    assert labels["dang_nhap_dvc_vneid"] != "dang_nhap_dvc_vneid"
    assert sum(d.total for d in report.daily) == 4 and report.daily[5].total == 1  # Saturday

    files = maker.render_sync(report)
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames == [
        "Tổng hợp",
        "Theo cán bộ",
        "Danh sách phản ánh",
        "Theo đơn vị",
        "Theo hệ thống và chủ đề",
        "Theo trạng thái",
        "Thời gian xử lý",
        "Mức độ hài lòng",
        "Vượt thẩm quyền",
        "FAQ tự giải đáp",
    ]
    summary = summary_values(wb)
    assert summary["Phản ánh tiếp nhận"][0] == 4 and summary["Vượt thẩm quyền"][0] == 1
    assert summary["Tồn từ kỳ trước, còn mở"][0] == 1
    units_sheet = sheet_values(wb, "Theo đơn vị")
    # Header, 3 units with cases, the 112 others folded into one line, the total.
    assert len(units_sheet) == 1 + 3 + 1 + 1 and units_sheet[-1][1] == "Tổng cộng" and units_sheet[-1][2] == 4
    assert units_sheet[-2][:3] == ("112 đơn vị", "Các đơn vị khác (0 phản ánh)", 0)
    [_header, row] = sheet_values(wb, "Vượt thẩm quyền")
    assert row[0] == seeded["c3"].code and row[5] == "=Lỗi cổng thanh toán quốc gia"  # text, not a formula
    times = sheet_values(wb, "Thời gian xử lý")
    assert times[1][2] == pytest.approx(1.5) and times[2][2] == pytest.approx(7.0)

    png = files.png.read_bytes()
    assert png.startswith(PNG_MAGIC)
    height, width, _ = imread(io.BytesIO(png)).shape
    assert width > 1000 and height > 700


async def test_baocao_in_the_staff_group_sends_text_workbook_and_chart(app: Application) -> None:
    await seed_week(app)
    out = await staff_says(app, "baocao", "17/11/2025 23/11/2025", thread=77)
    assert [o.chat_id for o in out] == [str(STAFF_CHAT)] * 3 and all(o.thread_id == 77 for o in out)
    assert out[0].reply.text.startswith("BÁO CÁO PHẢN ÁNH 17/11/2025 – 23/11/2025")
    assert "Tiếp nhận mới: 4" in out[0].reply.text

    sender = await deliver(app)
    sent = sender.to(STAFF_CHAT)
    assert len(sent) == 3
    [(xlsx_name, xlsx)] = sent[1].files
    [(png_name, png)] = sent[2].files
    assert (xlsx_name, png_name) == ("BaoCao_17-11-2025_23-11-2025.xlsx", "BaoCao_17-11-2025_23-11-2025.png")
    wb = load_workbook(io.BytesIO(xlsx))
    assert summary_values(wb)["Phản ánh tiếp nhận"][0] == 4
    assert png.startswith(PNG_MAGIC)
    assert all(s.payload.get("thread_id") == 77 for s in sent)


async def test_baocao_periods_and_mistakes(app: Application) -> None:
    out = await staff_says(app, "baocao", "tuan")  # Monday 24/11: this week so far
    assert out[0].reply.text.startswith("BÁO CÁO PHẢN ÁNH 24/11/2025 – 24/11/2025")
    out = await staff_says(app, "baocao", "tháng trước")
    assert out[0].reply.text.startswith("BÁO CÁO PHẢN ÁNH 01/10/2025 – 31/10/2025")
    for args, answer in (
        ("", "Cách dùng /baocao"),
        ("31/02/2025 01/03/2025", "Ngày không hợp lệ"),
        ("23/11/2025 17/11/2025", "Ngày kết thúc phải sau"),
        ("01/01/2024 01/06/2025", "tối đa 366 ngày"),
    ):
        [reply] = await staff_says(app, "baocao", args)
        assert answer in reply.reply.text, (args, reply.reply.text)
    # Not staff: refused before anything is computed.
    [refused] = await staff_says(app, "baocao", "tuan", user="555")
    assert "chỉ dành cho cán bộ" in refused.reply.text
    assert len(await outbox(app.db, purpose="staff")) == 3 * 2 + 4 + 1


def test_period_words() -> None:
    today = date(2025, 11, 26)  # Wednesday
    assert parse_report_period("tuan", today) == (date(2025, 11, 24), today)
    assert parse_report_period("tuần trước", today) == (date(2025, 11, 17), date(2025, 11, 23))
    assert parse_report_period("thang", today) == (date(2025, 11, 1), today)
    assert parse_report_period("thangtruoc", date(2026, 1, 5)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert parse_report_period("từ 1/11/2025 đến 30/11/2025", today) == (date(2025, 11, 1), today)
