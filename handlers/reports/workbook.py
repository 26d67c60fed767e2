"""The report workbook (openpyxl): a first sheet a director reads — the organisation, the period
and the headline figures beside the previous period's — then the detail sheets
(handlers.reports.sheets).

openpyxl is imported inside the functions so that importing the figures stays light.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any

from handlers.reports.figures import HEADLINE_FIGURES
from handlers.reports.model import Report
from handlers.reports.numbers import (
    XL_CHANGE_COUNT,
    XL_CHANGE_HOURS,
    XL_CHANGE_POINTS,
    XL_COUNT,
    XL_HOURS,
    XL_SHARE,
)

PCT = XL_SHARE
HOURS = XL_HOURS
DATETIME = "dd/mm/yyyy hh:mm"
DATE = "dd/mm/yyyy"
SUMMARY_SHEET = "Tổng hợp"
SUMMARY_HEADERS = ("Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi")
_VALUE_FORMATS = {"count": XL_COUNT, "share": XL_SHARE, "hours": XL_HOURS}
_CHANGE_FORMATS = {"count": XL_CHANGE_COUNT, "share": XL_CHANGE_POINTS, "hours": XL_CHANGE_HOURS}


def cell_value(value: Any) -> Any:
    """Excel-safe value: local naive datetimes (Excel has no time zones) and strings without
    control characters (openpyxl refuses them; they come in with pasted user text)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def table(
    wb: Any,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: Mapping[int, str] | None = None,
    bold_last: bool = False,
    heading: Sequence[str] = (),
) -> Any:
    """A sheet with a bold, frozen header row and sized columns; ``heading`` lines (bold first)
    go above the table, separated by an empty row."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, line in enumerate(heading):
        cell = ws.cell(row=i + 1, column=1, value=cell_value(line))
        cell.font = Font(bold=True, size=14) if i == 0 else Font(bold=i == 1)
    top = len(heading) + 2 if heading else 1
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=top, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [len(h) for h in headers]
    n = top
    for row in rows:
        n += 1
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=n, column=col, value=cell_value(value))
            if isinstance(value, str):
                # A reason typed by a person may start with "="; keep it text, never a formula.
                cell.data_type = "s"
            fmt = (formats or {}).get(col)
            if fmt and isinstance(value, (int, float, datetime, date)):
                cell.number_format = fmt
            if isinstance(value, datetime):
                shown = value.strftime("%d/%m/%Y %H:%M")
            elif isinstance(value, float):
                shown = f"{value:.1f}"  # displayed with 1 decimal or as a percentage
            else:
                shown = str(value)
            widths[col - 1] = max(widths[col - 1], len(shown) if value is not None else 0)
    if bold_last and n > top:
        for cell in ws[n]:
            cell.font = Font(bold=True)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = f"A{top + 1}"
    return ws


def write_xlsx(report: Report, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the report workbook: the summary first, then one sheet per breakdown."""
    from openpyxl import Workbook

    from handlers.reports.sheets import DETAIL_SHEETS

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    summary_sheet(wb, report)
    for sheet in DETAIL_SHEETS:
        sheet(wb, report)
    wb.save(path)  # type: ignore[arg-type]


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as bytes, for sending as a document without a temporary file."""
    buf = io.BytesIO()
    write_xlsx(report, buf)
    return buf.getvalue()


def summary_heading(r: Report) -> list[str]:
    period = f"Kỳ báo cáo: {r.start:%d/%m/%Y} – {r.end:%d/%m/%Y}"
    if r.previous is not None:
        period += f" (so với kỳ trước: {r.previous.start:%d/%m/%Y} – {r.previous.end:%d/%m/%Y})"
    return [
        r.organisation,
        "BÁO CÁO TIẾP NHẬN VÀ XỬ LÝ PHẢN ÁNH",
        period,
        f"Số liệu tính đến {r.as_of:%H:%M %d/%m/%Y}; thời gian tính theo giờ làm việc, "
        "trên các phản ánh tiếp nhận trong kỳ.",
    ]


def summary_sheet(wb: Any, r: Report) -> Any:
    """Heading, then the headline figures (this period, previous, change), then the counts a
    director asks next (open, overdue, escalated, backlog)."""
    s = r.summary
    head, prev = r.headline, r.previous
    rows: list[tuple[Any, ...]] = []
    formats: list[tuple[str, str]] = []
    for fig in HEADLINE_FIGURES:
        now = fig.value(head)
        before = fig.value(prev) if prev is not None else None
        rows.append((fig.label, now, before, fig.change(head, prev)))
        formats.append((_VALUE_FORMATS[fig.kind], _CHANGE_FORMATS[fig.kind]))
    extra: list[tuple[str, Any]] = [
        ("Đang mở (mới, đang xử lý, chờ người phản ánh)", s.open),
        ("Quá hạn giải quyết", s.overdue if s.overdue is not None else "không có dữ liệu hạn"),
        ("Vượt thẩm quyền", s.escalated),
        ("Tồn từ kỳ trước, còn mở", s.open_before_period),
        ("Đã giải quyết, chờ đánh giá", s.resolved),
        ("Đã đóng", s.closed),
        ("Câu hỏi FAQ tự giải đáp (đã giải quyết)", r.faq.solved),
    ]
    rows += [(label, value, None, None) for label, value in extra]
    formats += [(XL_COUNT, XL_CHANGE_COUNT)] * len(extra)
    ws = table(wb, SUMMARY_SHEET, SUMMARY_HEADERS, rows, heading=summary_heading(r))
    first = int(str(ws.freeze_panes)[1:])
    for i, (value_fmt, change_fmt) in enumerate(formats):
        row = first + i
        for col in (2, 3):
            cell = ws.cell(row=row, column=col)
            if cell.value is None and (col == 2 or prev is not None) and i < len(HEADLINE_FIGURES):
                cell.value = "–"  # nothing to divide or no data: say so rather than leave a hole
            elif isinstance(cell.value, (int, float)):
                cell.number_format = value_fmt
        change = ws.cell(row=row, column=4)
        if isinstance(change.value, (int, float)):
            change.number_format = change_fmt
    # Wide enough for "+16,7 điểm %": a number that does not fit shows as "####" in Excel.
    for column, width in (("A", 48), ("B", 12), ("C", 12), ("D", 18)):
        ws.column_dimensions[column].width = width
    return ws
