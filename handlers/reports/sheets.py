"""The workbook's detail sheets, after the summary (handlers.reports.workbook)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from handlers.reports.build import fold_units
from handlers.reports.model import Report
from handlers.reports.staffing import missing_actor_note_vi
from handlers.reports.workbook import DATE, DATETIME, HOURS, PCT, table


def staff_sheet(wb: Any, r: Report) -> None:
    f = r.staff
    rows: list[Sequence[Any]] = [
        (
            s.name,
            s.taken,
            s.resolved,
            s.on_time,
            s.late,
            s.on_time_share,
            s.first_responses,
            s.first_response_median,
        )
        for s in [*f.rows, *([] if f.unknown.empty else [f.unknown])]
    ]
    headers = (
        "Cán bộ",
        "Nhận xử lý",
        "Đã giải quyết",
        "Đúng hạn",
        "Trễ hạn",
        "Tỷ lệ đúng hạn",
        "Phản hồi đầu tiên (số phản ánh)",
        "Phản hồi đầu tiên – trung vị (giờ làm việc)",
    )
    ws = table(wb, "Theo cán bộ", headers, rows, {6: PCT, 8: HOURS})
    note = missing_actor_note_vi(f)
    if note:
        ws.append([])
        ws.append([note])
    ws.append([])
    ws.append(["Tính trên các phản ánh tiếp nhận trong kỳ, theo người thực hiện ghi trên từng thao tác."])


def cases_sheet(wb: Any, r: Report) -> None:
    rows = [
        (
            c.code,
            c.received,
            c.priority,
            c.unit,
            c.system,
            c.topic,
            c.status,
            c.assignee,
            c.first_response_at,
            c.first_response_hours,
            c.resolved_at,
            c.resolution_hours,
            c.due,
            c.due_state,
            c.rating,
            "Có" if c.escalated else "",
            c.channel,
        )
        for c in r.cases
    ]
    headers = (
        "Mã phản ánh",
        "Tiếp nhận lúc",
        "Mức độ",
        "Đơn vị",
        "Hệ thống",
        "Chủ đề",
        "Trạng thái",
        "Người xử lý",
        "Phản hồi đầu tiên lúc",
        "Phản hồi đầu tiên (giờ làm việc)",
        "Giải quyết lúc",
        "Giải quyết (giờ làm việc)",
        "Hạn giải quyết",
        "Đúng hạn",
        "Đánh giá",
        "Vượt thẩm quyền",
        "Kênh",
    )
    formats = {2: DATETIME, 9: DATETIME, 10: HOURS, 11: DATETIME, 12: HOURS, 13: DATETIME}
    table(wb, "Danh sách phản ánh", headers, rows, formats)


def units_sheet(wb: Any, r: Report) -> None:
    """Units with cases, most first; the units without any folded into one line."""
    shown, folded = fold_units(r.by_unit)
    rows: list[Sequence[Any]] = [
        (
            u.code or (f"{folded} đơn vị" if u.total == 0 else ""),
            u.name,
            u.total,
            u.open,
            u.resolved,
            u.closed,
            u.escalated,
            u.overdue,
        )
        for u in shown
    ]
    fields = ("total", "open", "resolved", "closed", "escalated", "overdue")
    rows.append(("", "Tổng cộng", *(sum(getattr(u, f) for u in r.by_unit) for f in fields)))
    headers = (
        "Mã đơn vị",
        "Đơn vị",
        "Tổng số",
        "Đang mở",
        "Đã giải quyết",
        "Đã đóng",
        "Vượt thẩm quyền",
        "Quá hạn",
    )
    table(wb, "Theo đơn vị", headers, rows, bold_last=True)


def systems_topics_sheet(wb: Any, r: Report) -> None:
    rows = [("Hệ thống", row.key or "", row.label, row.count, row.share) for row in r.by_system]
    rows += [("Chủ đề", row.key or "", row.label, row.count, row.share) for row in r.by_topic]
    table(wb, "Theo hệ thống và chủ đề", ("Nhóm", "Mã", "Tên", "Số phản ánh", "Tỷ lệ"), rows, {5: PCT})


def status_sheet(wb: Any, r: Report) -> None:
    keys = [row.key for row in r.by_status if row.key is not None]
    rows: list[Sequence[Any]] = [(d.day, *(d.counts.get(k, 0) for k in keys), d.total) for d in r.daily]
    rows.append(("Tỷ lệ", *(row.share for row in r.by_status), 1.0 if r.summary.total_new else 0.0))
    rows.append(("Tổng cộng", *(row.count for row in r.by_status), r.summary.total_new))
    headers = ("Ngày tiếp nhận", *(r.status_labels.get(k, k) for k in keys), "Tổng số")
    ws = table(wb, "Theo trạng thái", headers, rows, {1: DATE}, bold_last=True)
    for cell in ws[ws.max_row - 1][1:]:
        cell.number_format = PCT


def times_sheet(wb: Any, r: Report) -> None:
    rows = [
        (title, st.count, st.median_hours, st.p90_hours, st.mean_hours)
        for title, st in (("Phản hồi đầu tiên", r.response_time), ("Giải quyết", r.resolution_time))
    ]
    headers = ("Chỉ số (giờ làm việc)", "Số phản ánh có dữ liệu", "Trung vị", "Phân vị 90%", "Trung bình")
    table(wb, "Thời gian xử lý", headers, rows, {3: HOURS, 4: HOURS, 5: HOURS})


def satisfaction_sheet(wb: Any, r: Report) -> None:
    sat = r.satisfaction
    rows: list[Sequence[Any]] = [
        (r.rating_labels.get(code, code), n, sat.share(code)) for code, n in sat.counts.items()
    ]
    rows.append(("Tổng số lượt đánh giá", sat.rated, 1.0 if sat.rated else None))
    rows.append(("Đã giải quyết/đóng nhưng chưa đánh giá", sat.unrated, None))
    table(wb, "Mức độ hài lòng", ("Mức độ", "Số lượt", "Tỷ lệ"), rows, {3: PCT})


def escalated_sheet(wb: Any, r: Report) -> None:
    rows = [
        (
            e.code,
            e.created_at,
            e.unit_name,
            e.system_label,
            e.topic_label,
            e.reason,
            e.escalated_at,
            e.status_label,
        )
        for e in r.escalated
    ]
    headers = (
        "Mã phản ánh",
        "Thời điểm tiếp nhận",
        "Đơn vị",
        "Hệ thống",
        "Chủ đề",
        "Lý do vượt thẩm quyền",
        "Thời điểm chuyển",
        "Trạng thái",
    )
    table(wb, "Vượt thẩm quyền", headers, rows, {2: DATETIME, 7: DATETIME})


def faq_sheet(wb: Any, r: Report) -> None:
    f = r.faq
    rows: list[Sequence[Any]] = [
        (t.label, t.topic or "", t.solved, t.not_solved, t.no_answer, t.rate) for t in f.by_topic
    ]
    rows.append(("Tổng cộng", "", f.solved, f.not_solved, f.no_answer, f.rate))
    headers = (
        "Chủ đề",
        "Mã chủ đề",
        "Đã tự giải quyết",
        "Chưa giải quyết",
        "Không phản hồi",
        "Tỷ lệ tự giải đáp",
    )
    table(wb, "FAQ tự giải đáp", headers, rows, {6: PCT}, bold_last=True)


def incidents_sheet(wb: Any, r: Report) -> None:
    if not r.incidents:
        return
    from handlers.reports.incidents import INCIDENT_SHEET_HEADERS, incident_sheet_rows
    from handlers.schedule.worktime import VN_TZ

    table(
        wb,
        "Sự cố",
        INCIDENT_SHEET_HEADERS,
        incident_sheet_rows(r.incidents, VN_TZ),
        {7: DATETIME, 8: DATETIME},
    )


DETAIL_SHEETS: tuple[Callable[[Any, Report], None], ...] = (
    staff_sheet,
    cases_sheet,
    units_sheet,
    systems_topics_sheet,
    status_sheet,
    times_sheet,
    satisfaction_sheet,
    escalated_sheet,
    faq_sheet,
    incidents_sheet,
)
