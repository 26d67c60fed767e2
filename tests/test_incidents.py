from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.incidents.detect import (
    IncidentRule,
    ReportSignal,
    detect_incidents,
    format_incident_alert_vi,
    incident_key,
)
from handlers.schedule.worktime import VN_TZ

NOW = datetime(2025, 11, 24, 9, 30, tzinfo=VN_TZ)


def sig(
    code: str,
    minutes_ago: float,
    unit: str | None,
    system: str | None = "vneid",
    topic: str | None = "dang_nhap_dvc_vneid",
) -> ReportSignal:
    return ReportSignal(code, NOW - timedelta(minutes=minutes_ago), unit, system, topic)


def test_five_reports_from_three_units_in_30_minutes_is_one_incident() -> None:
    signals = [
        sig("A1", 28, "U1"),
        sig("A2", 20, "U2"),
        sig("A3", 15, "U1"),
        sig("A4", 5, "U3"),
        sig("A5", 0, "U2"),
    ]
    found = detect_incidents(signals, NOW, IncidentRule())
    assert len(found) == 1
    c = found[0]
    assert c.key == "topic:dang_nhap_dvc_vneid"
    assert (c.kind, c.value) == ("topic", "dang_nhap_dvc_vneid")
    assert c.case_codes == ["A1", "A2", "A3", "A4", "A5"]
    assert c.unit_codes == ["U1", "U2", "U3"]
    assert c.count == 5
    assert c.first_at == NOW - timedelta(minutes=28)
    assert c.last_at == NOW


def test_five_reports_from_two_units_is_not_an_incident() -> None:
    signals = [sig(f"B{i}", i * 5, "U1" if i % 2 else "U2") for i in range(5)]
    assert detect_incidents(signals, NOW) == []


def test_reports_spread_over_two_hours_are_not_an_incident() -> None:
    signals = [sig(f"C{i}", i * 30, f"U{i}") for i in range(5)]  # 0, 30, 60, 90, 120 min ago
    assert detect_incidents(signals, NOW) == []
    # the same reports seen from 2 hours earlier do not make one either
    assert detect_incidents(signals, NOW - timedelta(hours=1)) == []


def test_window_is_trailing_and_half_open() -> None:
    on_edge = [sig("D0", 30, "U0"), *[sig(f"D{i}", i, f"U{i}") for i in range(1, 5)]]
    assert detect_incidents(on_edge, NOW) == []  # 30 minutes ago is outside (now − window, now]
    just_inside = [sig("D0", 29.9, "U0"), *on_edge[1:]]
    assert len(detect_incidents(just_inside, NOW)) == 1
    future = [*on_edge[1:], sig("D9", -1, "U9")]
    assert detect_incidents(future, NOW) == []  # not yet received at `now`


def test_grouping_by_topic_before_system() -> None:
    # Same topic on different systems: one topic incident.
    mixed_systems = [
        sig(f"E{i}", i, f"U{i}", system=s) for i, s in enumerate(["vneid", "dvc_quoc_gia"] * 2 + ["khac"])
    ]
    [c] = detect_incidents(mixed_systems, NOW)
    assert c.key == "topic:dang_nhap_dvc_vneid"
    # No topic: grouped by system.
    no_topic = [sig(f"F{i}", i, f"U{i}", system="thanh_toan", topic=None) for i in range(5)]
    [c] = detect_incidents(no_topic, NOW)
    assert (c.key, c.kind, c.value) == ("system:thanh_toan", "system", "thanh_toan")
    # Topic reports do not also count toward their system: 3 + 3 is no incident.
    split = [sig(f"G{i}", i, f"U{i}", topic=None) for i in range(3)] + [
        sig(f"H{i}", i, f"U{i}") for i in range(3)
    ]
    assert detect_incidents(split, NOW) == []
    # Two groups at once, largest first.
    both = no_topic + [sig(f"J{i}", i, f"U{i}") for i in range(6)]
    assert [c.key for c in detect_incidents(both, NOW)] == ["topic:dang_nhap_dvc_vneid", "system:thanh_toan"]


def test_duplicates_unknown_units_and_ungroupable_reports() -> None:
    dup = [sig("K1", 1, "U1"), sig("K1", 2, "U1"), sig("K2", 3, "U2"), sig("K3", 4, "U3"), sig("K4", 5, "U3")]
    assert detect_incidents(dup, NOW) == []  # only 4 distinct cases
    no_unit = [sig(f"L{i}", i, None if i > 1 else f"U{i}") for i in range(6)]
    assert detect_incidents(no_unit, NOW) == []  # 6 reports but only 2 known units
    blank = ReportSignal("M1", NOW, "U1", None, None)
    assert incident_key(blank) is None
    assert detect_incidents([blank] * 5, NOW) == []


def test_naive_times_are_utc_and_rule_is_configurable() -> None:
    naive_now = datetime(2025, 11, 24, 2, 30)  # 09:30 in Hải Phòng
    signals = [
        ReportSignal(f"N{i}", datetime(2025, 11, 24, 2, 20 + i), f"U{i}", "vneid", None) for i in range(3)
    ]
    assert detect_incidents(signals, naive_now) == []
    [c] = detect_incidents(
        signals, naive_now, IncidentRule(min_reports=3, min_units=3, window=timedelta(minutes=15))
    )
    assert c.first_at == datetime(2025, 11, 24, 2, 20, tzinfo=UTC)
    assert c.window == timedelta(minutes=15)


def test_alert_text_in_vietnamese() -> None:
    signals = [sig(f"P{i}", 26 - i * 6, f"U{i % 3}") for i in range(5)]
    [c] = detect_incidents(signals, NOW)
    text = format_incident_alert_vi(
        c,
        {"U0": "Phường Lê Chân", "U1": "Xã An Lão", "U2": "Đặc khu Cát Hải"},
        {"dang_nhap_dvc_vneid": "Không đăng nhập được Cổng DVC bằng VNeID"},
    )
    assert text.splitlines() == [
        "CẢNH BÁO NGHI CÓ SỰ CỐ",
        "5 phản ánh về chủ đề «Không đăng nhập được Cổng DVC bằng VNeID» từ 3 đơn vị trong 24 phút "
        "(09:04–09:28 ngày 24/11/2025).",
        "Đơn vị: Phường Lê Chân, Xã An Lão, Đặc khu Cát Hải",
        "Mã phản ánh: P0, P1, P2, P3, P4",
        "Đề nghị kiểm tra hệ thống; khi đã rõ nguyên nhân hoặc đã khắc phục, thông báo chung cho tất cả người phản ánh.",
    ]
    system = detect_incidents([sig(f"Q{i}", i, f"U{i}", topic=None) for i in range(5)], NOW)[0]
    text = format_incident_alert_vi(system, {})
    assert "hệ thống «VNeID/đăng nhập»" in text
    assert "Đơn vị: U4, U3, U2, U1, U0" in text  # arrival order; unknown names fall back to codes
