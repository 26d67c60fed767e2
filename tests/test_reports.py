from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.image import imread
from openpyxl import load_workbook

from handlers.reports.chart import FONT_FAMILY, chart_png_bytes, chart_texts, render_chart_png
from handlers.reports.reports import (
    STATUS_LABELS_VI,
    SYSTEM_LABELS_VI,
    CaseRecord,
    FaqOutcome,
    Report,
    UnitInfo,
    build_digest,
    build_report,
    format_digest_vi,
    format_report_text_vi,
    percentile,
    write_xlsx,
    xlsx_bytes,
)
from handlers.schedule.worktime import VN_TZ, WorkCalendar

CAL = WorkCalendar()
START, END = date(2025, 11, 24), date(2025, 11, 30)  # Monday … Sunday
NOW = datetime(2025, 12, 1, 9, 0, tzinfo=VN_TZ)


def vn(m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(2025, m, d, hh, mm, tzinfo=VN_TZ)


UNITS = [
    UnitInfo("U1", "Phường Lê Chân"),
    UnitInfo("U2", "Xã An Lão"),
    UnitInfo("U3", "Đặc khu Cát Hải"),
    UnitInfo("U4", "Phường Hồng Bàng"),  # no case: must still be listed
]
LABELS = {"topics": {"dang_nhap": "Không đăng nhập được", "thanh_toan_loi": "Thanh toán lỗi"}}


def cases() -> list[CaseRecord]:
    """Hand-built week. Working hours noted per case (office 07:30–11:30, 13:30–17:00)."""
    return [
        # response 1 h, resolution 08:00→15:30 = 3.5 + 2 = 5.5 h
        CaseRecord(
            "C1",
            vn(11, 24, 8),
            "da_dong",
            "U1",
            "Phường Lê Chân",
            "dvc_quoc_gia",
            "dang_nhap",
            first_response_at=vn(11, 24, 9),
            resolved_at=vn(11, 24, 15, 30),
            rating="hai_long",
            resolution_due=vn(11, 26, 8),
            assignee="Lan",
            channel="zalo_bot",
        ),
        # response 10:00→14:00 = 2 h, resolution → 25/11 11:00 = 1.5 + 3.5 + 3.5 = 8.5 h
        CaseRecord(
            "C2",
            vn(11, 24, 10),
            "da_giai_quyet",
            "U1",
            "Phường Lê Chân",
            "vneid",
            "dang_nhap",
            first_response_at=vn(11, 24, 14),
            resolved_at=vn(11, 25, 11),
            rating="khong_hai_long",
            channel="telegram",
        ),
        # response 25/11 16:00 → 26/11 09:30 = 1 + 2 = 3 h; open past its due → overdue
        CaseRecord(
            "C3",
            vn(11, 25, 16),
            "dang_xu_ly",
            "U2",
            "Xã An Lão",
            "thanh_toan",
            "thanh_toan_loi",
            first_response_at=vn(11, 26, 9, 30),
            escalated=True,
            escalation_reason="Lỗi cổng thanh toán quốc gia",
            escalated_at=vn(11, 26, 10),
            resolution_due=vn(11, 27, 9),
            assignee="Lan",
        ),
        # weekend: answered on Saturday → 0 working hours
        CaseRecord(
            "C4",
            vn(11, 29, 9),
            "cho_nguoi_phan_anh",
            "U3",
            "Đặc khu Cát Hải",
            "chu_ky_so",
            None,
            first_response_at=vn(11, 29, 10),
        ),
        # naive = UTC: 30/11 13:00 UTC is 20:00 in Hải Phòng, still in the period
        CaseRecord("C5", datetime(2025, 11, 30, 13, 0), "moi", resolution_due=vn(12, 1, 15)),
        # unit code no longer in the official list; resolved late (due 27/11 10:00)
        # response 0.5 h, resolution 26/11 14:00 → 27/11 14:00 = 3 + 4 + 0.5 = 7.5 h
        CaseRecord(
            "C9",
            vn(11, 26, 14),
            "da_giai_quyet",
            "X99",
            "Phường Cũ",
            "khac",
            "dang_nhap",
            first_response_at=vn(11, 26, 14, 30),
            resolved_at=vn(11, 27, 14),
            rating="hai_long",
            escalated=True,
            escalation_reason='=HYPERLINK("http://x","bấm")\x07',
            escalated_at=vn(11, 26, 15),
            resolution_due=vn(11, 27, 10),
        ),
        # before the period: one still open (backlog), one closed
        CaseRecord("C6", vn(11, 20, 9), "dang_xu_ly", "U1", "Phường Lê Chân", "vneid", None, assignee="Lan"),
        CaseRecord("C7", vn(11, 20, 9), "da_dong", "U2", "Xã An Lão", "vneid", None),
        # after the period (local time)
        CaseRecord("C8", vn(12, 1, 0, 10), "moi", "U2", "Xã An Lão", "vneid", None),
    ]


def faq() -> list[FaqOutcome]:
    return [
        FaqOutcome(vn(11, 24, 9), "dang_nhap", True),
        FaqOutcome(vn(11, 24, 10), "dang_nhap", True),
        FaqOutcome(vn(11, 25, 10), "dang_nhap", True),
        FaqOutcome(vn(11, 26, 10), "thanh_toan_loi", True),
        FaqOutcome(vn(11, 26, 11), "thanh_toan_loi", False),
        FaqOutcome(vn(11, 27, 11), None, None),
        FaqOutcome(vn(11, 20, 11), "dang_nhap", False),  # outside the period
    ]


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(cases(), faq(), UNITS, START, END, CAL, LABELS, now=NOW)


# -- figures ---------------------------------------------------------------------------------


def test_summary(report: Report) -> None:
    s = report.summary
    assert (s.total_new, s.open, s.resolved, s.closed, s.escalated) == (6, 3, 2, 1, 2)
    assert s.with_due == 4
    assert s.overdue == 2  # C3 open past due, C9 resolved late
    assert s.open_before_period == 1


def test_every_unit_listed_most_cases_first(report: Report) -> None:
    rows = {r.name: r for r in report.by_unit}
    # Ties keep the official order, then codes no longer listed, then "Không rõ"; zeros last.
    assert [r.name for r in report.by_unit] == [
        "Phường Lê Chân",
        "Xã An Lão",
        "Đặc khu Cát Hải",
        "Phường Cũ",
        "Không rõ",
        "Phường Hồng Bàng",
    ]
    assert (rows["Phường Lê Chân"].total, rows["Phường Lê Chân"].resolved, rows["Phường Lê Chân"].closed) == (
        2,
        1,
        1,
    )
    assert (rows["Xã An Lão"].total, rows["Xã An Lão"].escalated, rows["Xã An Lão"].overdue) == (1, 1, 1)
    assert rows["Phường Hồng Bàng"].total == 0
    assert rows["Không rõ"].total == 1
    assert sum(r.total for r in report.by_unit) == 6


def test_unknown_unit_row_present_even_when_zero() -> None:
    r = build_report([], [], UNITS, START, END, CAL, now=NOW)
    assert [u.name for u in r.by_unit][-1] == "Không rõ"
    assert all(u.total == 0 for u in r.by_unit)
    assert r.summary.overdue is None
    assert r.response_time.median_hours is None


def test_by_system_topic_status(report: Report) -> None:
    systems = {r.key: r.count for r in report.by_system}
    assert systems == {
        "dvc_quoc_gia": 1,
        "he_thong_tthc_thanh_pho": 0,
        "vneid": 1,
        "thanh_toan": 1,
        "chu_ky_so": 1,
        "khac": 1,
        None: 1,
    }
    assert report.by_system[0].label == "Cổng DVC quốc gia"
    assert [(t.label, t.count) for t in report.by_topic] == [
        ("Không đăng nhập được", 3),
        ("Chưa phân loại", 2),
        ("Thanh toán lỗi", 1),
    ]
    assert [(r.label, r.count) for r in report.by_status] == [
        ("Mới", 1),
        ("Đang xử lý", 1),
        ("Chờ người phản ánh", 1),
        ("Đã giải quyết", 2),
        ("Đã đóng", 1),
    ]
    assert report.by_status[3].share == pytest.approx(2 / 6)


def test_times_in_working_hours(report: Report) -> None:
    # response: [0 (C4, Saturday), 0.5, 1, 2, 3]
    rt = report.response_time
    assert rt.count == 5
    assert rt.median_hours == pytest.approx(1.0)
    assert rt.p90_hours == pytest.approx(2.6)  # 2 + 0.6 × (3 − 2)
    assert rt.mean_hours == pytest.approx(1.3)
    # resolution: [5.5, 7.5, 8.5]
    res = report.resolution_time
    assert res.count == 3
    assert res.median_hours == pytest.approx(7.5)
    assert res.p90_hours == pytest.approx(8.3)


def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([], 50) is None
    assert percentile([4.0], 90) == 4.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 0, 5], 100) == 10


def test_satisfaction(report: Report) -> None:
    sat = report.satisfaction
    assert sat.counts == {"hai_long": 2, "binh_thuong": 0, "khong_hai_long": 1}
    assert sat.rated == 3
    assert sat.unrated == 0
    assert sat.satisfied_share == pytest.approx(2 / 3)


def test_escalated_list(report: Report) -> None:
    assert [(e.code, e.unit_name, e.system_label) for e in report.escalated] == [
        ("C3", "Xã An Lão", "Thanh toán trực tuyến"),
        ("C9", "Phường Cũ", "Khác"),
    ]
    assert report.escalated[0].reason == "Lỗi cổng thanh toán quốc gia"
    assert report.escalated[0].status_label == "Đang xử lý"


def test_faq_deflection(report: Report) -> None:
    f = report.faq
    assert (f.solved, f.not_solved, f.no_answer, f.total) == (4, 1, 1, 6)
    assert f.rate == pytest.approx(0.8)
    by = {t.topic: (t.solved, t.not_solved, t.no_answer) for t in f.by_topic}
    assert by == {"dang_nhap": (3, 0, 0), "thanh_toan_loi": (1, 1, 0), None: (0, 0, 1)}


def test_cases_per_day(report: Report) -> None:
    assert [d.day for d in report.daily] == [date(2025, 11, 24 + i) for i in range(7)]
    assert [d.total for d in report.daily] == [2, 1, 1, 0, 0, 1, 1]
    assert report.daily[0].counts["da_dong"] == 1
    assert report.daily[0].counts["da_giai_quyet"] == 1
    assert report.daily[6].counts["moi"] == 1  # the naive-UTC case lands on Sunday


def test_status_and_system_labels() -> None:
    assert list(STATUS_LABELS_VI.values()) == [
        "Mới",
        "Đang xử lý",
        "Chờ người phản ánh",
        "Đã giải quyết",
        "Đã đóng",
    ]
    assert SYSTEM_LABELS_VI["he_thong_tthc_thanh_pho"] == "Hệ thống giải quyết TTHC thành phố"
    assert SYSTEM_LABELS_VI["vneid"] == "VNeID/đăng nhập"


def test_report_text(report: Report) -> None:
    text = format_report_text_vi(report)
    assert text.startswith("BÁO CÁO PHẢN ÁNH 24/11/2025 – 30/11/2025")
    assert "Tiếp nhận mới: 6" in text
    assert "quá hạn: 2" in text
    assert "trung vị 1,0 giờ làm việc" in text
    assert "Hài lòng: 2/3" in text
    assert "FAQ tự giải đáp: 4/5 câu trả lời (80%)" in text
    assert "Phường Lê Chân (2)" in text
    assert "C3, C9" in text
    assert "<" not in text and len(text) < 4096


# -- Excel -----------------------------------------------------------------------------------

SHEETS = [
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


def test_xlsx_round_trip(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    write_xlsx(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        header = int(str(ws.freeze_panes)[1:]) - 1
        assert ws.freeze_panes == ("A7" if ws.title == "Tổng hợp" else "A2"), ws.title
        assert all(c.font.bold for c in ws[header] if c.value is not None), ws.title
        assert ws.column_dimensions["A"].width >= 8, ws.title

    # The summary's table starts under its heading (organisation, title, period, note).
    assert wb["Tổng hợp"].freeze_panes == "A7"
    summary = {row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(min_row=7, values_only=True)}
    assert summary["Phản ánh tiếp nhận"] == 6
    assert summary["Quá hạn giải quyết"] == 2
    assert summary["Tỷ lệ FAQ tự giải đáp"] == pytest.approx(0.8)
    assert "09:00 01/12/2025" in str(wb["Tổng hợp"]["A4"].value)

    units = list(wb["Theo đơn vị"].iter_rows(values_only=True))
    assert units[0][:3] == ("Mã đơn vị", "Đơn vị", "Tổng số")
    assert [u[1] for u in units[1:]] == [
        "Phường Lê Chân",
        "Xã An Lão",
        "Đặc khu Cát Hải",
        "Phường Cũ",
        "Không rõ",
        "Các đơn vị khác (0 phản ánh)",
        "Tổng cộng",
    ]
    assert units[-2] == ("1 đơn vị", "Các đơn vị khác (0 phản ánh)", 0, 0, 0, 0, 0, 0)
    assert units[-1][1:3] == ("Tổng cộng", 6)
    assert wb["Theo đơn vị"].cell(units.__len__(), 2).font.bold

    st = list(wb["Theo trạng thái"].iter_rows(values_only=True))
    assert st[0] == (
        "Ngày tiếp nhận",
        "Mới",
        "Đang xử lý",
        "Chờ người phản ánh",
        "Đã giải quyết",
        "Đã đóng",
        "Tổng số",
    )
    assert st[1] == (datetime(2025, 11, 24), 0, 0, 0, 1, 1, 2)
    assert st[-1] == ("Tổng cộng", 1, 1, 1, 2, 1, 6)

    times = list(wb["Thời gian xử lý"].iter_rows(values_only=True))
    assert times[1][:4] == ("Phản hồi đầu tiên", 5, 1.0, pytest.approx(2.6))
    assert times[2][:4] == ("Giải quyết", 3, 7.5, pytest.approx(8.3))

    esc = wb["Vượt thẩm quyền"]
    assert esc["A2"].value == "C3"
    assert esc["B2"].value == datetime(2025, 11, 25, 16, 0)
    # user text stays text: no formula, control characters stripped
    assert esc["F3"].data_type == "s"
    assert esc["F3"].value == '=HYPERLINK("http://x","bấm")'

    faq_rows = list(wb["FAQ tự giải đáp"].iter_rows(values_only=True))
    assert faq_rows[-1][:5] == ("Tổng cộng", None, 4, 1, 1)  # empty cells read back as None
    sat = list(wb["Mức độ hài lòng"].iter_rows(values_only=True))
    assert sat[1][:2] == ("Hài lòng", 2)

    assert xlsx_bytes(report)[:2] == b"PK"


def test_xlsx_of_an_empty_period(tmp_path: Path) -> None:
    r = build_report([], [], UNITS, START, START, CAL, now=NOW)
    write_xlsx(r, tmp_path / "empty.xlsx")
    assert load_workbook(tmp_path / "empty.xlsx").sheetnames == SHEETS


# -- chart -----------------------------------------------------------------------------------


def _glyph_warnings(w: list[warnings.WarningMessage]) -> list[str]:
    return [str(x.message) for x in w if "missing from font" in str(x.message)]


def test_missing_glyph_detection_is_live() -> None:
    # Guard for the test below: a character DejaVu Sans lacks must be reported.
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fig = Figure()
        fig.text(0.1, 0.5, "中")
        fig.savefig(Path("/dev/null"), format="png")
    assert _glyph_warnings(w)


def test_chart_png(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "bieu-do.png"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        render_chart_png(report, path)
    assert _glyph_warnings(w) == []
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = imread(path)
    h, w_px = img.shape[:2]
    assert 600 <= w_px <= 2000 and 500 <= h <= 1500


def test_chart_texts_are_covered_by_the_font(report: Report) -> None:
    texts = chart_texts(report)
    assert "Đã giải quyết" in texts and "Phường Lê Chân" in texts
    charmap = FT2Font(font_manager.findfont(FONT_FAMILY, fallback_to_default=False)).get_charmap()
    sample = "Ứng dụng Đặc khu Cát Hải ỹ ự ở"
    missing = {c for t in [*texts, sample] for c in t if ord(c) not in charmap and not c.isspace()}
    assert missing == set()


def test_chart_with_decomposed_text_and_empty_period() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Phường Ứng Hoà")
    r = build_report(
        [CaseRecord("Z1", vn(11, 24, 8), "moi", "U9", nfd, None, "x")],
        [],
        [UnitInfo("U9", nfd)],
        START,
        END,
        CAL,
        now=NOW,
    )
    assert unicodedata.normalize("NFC", nfd) in chart_texts(r)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        png = chart_png_bytes(r)
        empty = chart_png_bytes(build_report([], [], [], START, date(2026, 2, 28), CAL, now=NOW))
    assert _glyph_warnings(w) == []
    assert png[:4] == empty[:4] == b"\x89PNG"


# -- digest ----------------------------------------------------------------------------------


def test_morning_digest_on_monday_covers_the_weekend() -> None:
    now = vn(12, 1, 7, 30)
    live = [c for c in cases() if c.code != "C8"]  # C8 arrives after this digest
    d = build_digest(live, now, CAL)
    assert d.since == vn(11, 28, 7, 30)  # previous working day, same clock time
    assert [i.code for i in d.new_cases] == ["C4", "C5"]
    assert d.open_count == 4  # C3, C4, C5, C6
    assert d.open_by_status == {"moi": 1, "dang_xu_ly": 2, "cho_nguoi_phan_anh": 1}
    assert [i.code for i in d.overdue] == ["C3"]
    assert d.overdue[0].overdue_hours == pytest.approx(13.5)  # 27/11 09:00 → 01/12 07:30
    assert [i.code for i in d.due_soon] == ["C5"]  # due 15:00 today
    assert [i.code for i in d.escalated] == ["C3"]
    assert [(a.label, a.open, a.overdue) for a in d.by_assignee] == [("Chưa phân công", 2, 0), ("Lan", 2, 1)]

    text = format_digest_vi(d)
    assert text.startswith("ĐIỂM TIN SÁNG 01/12/2025")
    assert "Mới từ 07:30 28/11: 2" in text
    assert "- C3 · Xã An Lão · Thanh toán trực tuyến · Lan · quá hạn 13,5 giờ làm việc" in text
    assert "hạn 15:00 thứ Hai, 01/12/2025" in text
    assert "- Lan: 2 đang mở, 1 quá hạn" in text


def test_digest_explicit_since_and_long_lists_fit_telegram() -> None:
    many = [CaseRecord(f"K{i:03d}", vn(11, 28, 9), "moi", unit_name="Phường Lê Chân") for i in range(300)]
    d = build_digest(many, vn(11, 28, 16), CAL, since=vn(11, 28, 8))
    assert len(d.new_cases) == 300
    text = format_digest_vi(d)
    assert "… và 290 phản ánh khác" in text
    assert len(text) < 4096


def test_reopened_case_is_judged_by_its_open_status() -> None:
    # Resolved in time, then reopened after an unsatisfied rating; now past its due time.
    reopened = CaseRecord(
        "R1", vn(11, 24, 8), "dang_xu_ly", resolved_at=vn(11, 24, 9), resolution_due=vn(11, 25, 8)
    )
    r = build_report([reopened], [], UNITS, START, END, CAL, now=NOW)
    assert r.summary.overdue == 1
    r = build_report([reopened], [], UNITS, START, END, CAL, now=vn(11, 24, 10))
    assert r.summary.overdue == 0


def test_digest_due_passed_after_closing_time() -> None:
    late = CaseRecord("S1", vn(11, 24, 8), "moi", unit_name="Xã An Lão", resolution_due=vn(11, 24, 17))
    d = build_digest([late], vn(11, 24, 20), CAL)
    assert d.overdue[0].overdue_hours == 0
    assert "- S1 · Xã An Lão · Không rõ · đã quá hạn" in format_digest_vi(d)
