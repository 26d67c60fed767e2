"""xlsx of a filtered case list, formatted as the reports' workbooks are (handlers.reports.reports)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.dashboard.queries import CaseRow

# The reports' table writer: bold frozen header, sized columns, text never read as a formula.
from handlers.reports.reports import _DATETIME, _table

HEADERS = (
    "Mã phản ánh", "Trạng thái", "Ưu tiên", "Hệ thống", "Đơn vị", "Cán bộ xử lý", "Kênh",
    "Số điện thoại", "Thời điểm tiếp nhận", "Hạn giải quyết", "Quá hạn", "Vượt thẩm quyền", "Đánh giá", "Nội dung",
)  # fmt: skip


def cases_xlsx(rows: Sequence[CaseRow]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    values = [
        (
            r.code, r.status_label, r.priority_label, r.system_label, r.unit_label, r.assignee, r.channel_label,
            r.phone_masked, r.created_at, r.due, "Có" if r.overdue else "", "Có" if r.escalated else "",
            r.rating_label, r.summary,
        )
        for r in rows
    ]  # fmt: skip
    _table(wb, "Danh sách phản ánh", HEADERS, values, {9: _DATETIME, 10: _DATETIME})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
