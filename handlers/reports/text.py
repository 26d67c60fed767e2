"""Telegram texts of the period report and of ``/thongke`` (plain text, no parse mode: unit names
and escalation reasons typed by people need no escaping)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from handlers.reports.figures import FIGURES_BY_KEY, Figure, Headline
from handlers.reports.model import Report
from handlers.reports.numbers import count_vi, number_vi, pct_vi, signed_vi
from handlers.reports.staffing import missing_actor_note_vi
from handlers.schedule.worktime import VN_TZ

# Telegram refuses messages longer than 4096 characters; stay well below.
TELEGRAM_LIMIT = 3900


def fit(text: str, limit: int = TELEGRAM_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure_vi(figure: Figure, value: float | None) -> str:
    if value is None:
        return "–"
    if figure.kind == "share":
        return pct_vi(value)
    if figure.kind == "hours":
        return f"{number_vi(value)} giờ"
    return count_vi(int(value))


def change_vi(figure: Figure, current: Headline, previous: Headline | None) -> str:
    """The tail "; kỳ trước 4 (+2)"; nothing when there is no previous figure to compare with."""
    if previous is None:
        return ""
    before = figure.value(previous)
    delta = figure.change(current, previous)
    if before is None or delta is None:
        return ""
    if figure.kind == "share":
        moved = f"{signed_vi(delta)} điểm %"
    elif figure.kind == "hours":
        moved = f"{signed_vi(delta, 1)} giờ"
    else:
        moved = signed_vi(delta)
    return f"; kỳ trước {figure_vi(figure, before)} ({moved})"


def headline_lines_vi(h: Headline, previous: Headline | None = None) -> list[str]:
    """The headline figures, one short line each, as /thongke and /baocao both say them."""

    def fig(key: str) -> tuple[str, str]:
        f = FIGURES_BY_KEY[key]
        return figure_vi(f, f.value(h)), change_vi(f, h, previous)

    value, change = fig("received")
    lines = [f"• Tiếp nhận mới: {value}{change}"]
    value, change = fig("resolved")
    lines.append(f"• Đã giải quyết: {value}{change}")
    if h.judged:
        value, change = fig("on_time")
        lines.append(f"• Giải quyết đúng hạn: {h.on_time}/{h.judged} ({value}){change}")
    if h.first_response.count:
        value, change = fig("first_response")
        lines.append(f"• Phản hồi đầu tiên: trung vị {value} làm việc{change}")
    if h.resolution.count:
        value, change = fig("resolution")
        lines.append(f"• Giải quyết: trung vị {value} làm việc{change}")
    sat = h.satisfaction
    if sat.rated:
        value, change = fig("satisfaction")
        unhappy = sat.counts.get("khong_hai_long", 0)
        lines.append(
            f"• Hài lòng: {sat.counts.get('hai_long', 0)}/{sat.rated} lượt đánh giá ({value}), "
            f"không hài lòng {unhappy}{change}"
        )
    answered = h.faq.solved + h.faq.not_solved
    if answered:
        value, change = fig("faq")
        lines.append(f"• FAQ tự giải đáp: {h.faq.solved}/{answered} câu trả lời ({value}){change}")
    if h.incidents or (previous is not None and previous.incidents):
        value, change = fig("incidents")
        lines.append(f"• Sự cố: {value}{change}")
    return lines


def _top(rows: Iterable[tuple[str, int]], n: int) -> str:
    items = [f"{label} ({count})" for label, count in sorted(rows, key=lambda r: -r[1]) if count > 0][:n]
    return ", ".join(items) if items else "–"


def _day(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def format_report_text_vi(report: Report, top: int = 5) -> str:
    """Short plain-text summary for the staff group; the details go in the workbook."""
    s = report.summary
    lines = [f"BÁO CÁO PHẢN ÁNH {_day(report.start)} – {_day(report.end)}", report.organisation]
    if report.previous is not None:
        lines.append(f"So với kỳ trước: {_day(report.previous.start)} – {_day(report.previous.end)}")
    lines += headline_lines_vi(report.headline, report.previous)
    state = f"Đang mở: {s.open}"
    if s.overdue is not None:
        state += f" · quá hạn: {s.overdue}"
    state += f" · vượt thẩm quyền: {s.escalated}"
    if s.open_before_period:
        state += f" · tồn kỳ trước còn mở: {s.open_before_period}"
    lines.append(state)
    missing = missing_actor_note_vi(report.staff)
    if missing:
        lines.append(missing)
    lines.append("Đơn vị nhiều phản ánh nhất: " + _top(((r.name, r.total) for r in report.by_unit), top))
    lines.append("Theo hệ thống: " + _top(((r.label, r.count) for r in report.by_system), top))
    lines.append("Chủ đề nổi bật: " + _top(((r.label, r.count) for r in report.by_topic), top))
    if report.escalated:
        codes = ", ".join(e.code for e in report.escalated[:10])
        more = f" và {len(report.escalated) - 10} phản ánh khác" if len(report.escalated) > 10 else ""
        lines.append(f"Vượt thẩm quyền: {codes}{more}")
    from handlers.reports.incidents import incident_lines_vi

    lines += incident_lines_vi(report.incidents, VN_TZ)
    lines.append("Chi tiết trong tệp Excel và biểu đồ kèm theo.")
    return fit("\n".join(lines))


# -- /thongke -------------------------------------------------------------------------------------


@dataclass
class QuickStats:
    now: datetime  # local
    new_today: int
    open: int
    open_by_status: dict[str, int]  # label → number, in the life-cycle order
    overdue: int
    escalated_open: int
    week: Headline


def format_quick_stats_vi(q: QuickStats) -> str:
    status = " · ".join(f"{label.lower()} {n}" for label, n in q.open_by_status.items() if n)
    lines = [
        f"📊 Thống kê nhanh lúc {q.now:%H:%M %d/%m/%Y}",
        f"• Mới hôm nay: {q.new_today}",
        f"• Đang mở: {q.open}" + (f" ({status})" if status else "") + f", quá hạn: {q.overdue}",
        f"• Vượt thẩm quyền đang mở: {q.escalated_open}",
        "",
        f"7 ngày qua ({q.week.start:%d/%m} – {q.week.end:%d/%m}):",
        *headline_lines_vi(q.week),
        "",
        "Báo cáo đầy đủ kèm tệp Excel: /baocao tuan",
    ]
    return fit("\n".join(lines))
