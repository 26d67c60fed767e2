"""Report figures, the Excel workbook and the Telegram texts of the weekly/monthly report and
the morning digest (DESIGN §6).

Pure: the integrator loads plain :class:`CaseRecord` / :class:`FaqOutcome` / :class:`UnitInfo`
rows from storage and sends the results. Figures are computed over the cases **received in the
period** (created_at within [start, end], dates in the calendar's zone) with their status as
stored when the report is built; "open before the period" is the only figure about older cases.
Durations are in working hours of the given :class:`WorkCalendar`.

All texts are plain (no HTML/Markdown): send them without a parse mode, so user-supplied
strings (escalation reasons, unit names) need no escaping.
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import IO, Any

from handlers.schedule.worktime import VN_TZ, WorkCalendar, format_deadline_vi

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "RATING_LABELS_VI",
    "STATUSES",
    "STATUS_LABELS_VI",
    "SYSTEM_LABELS_VI",
    "UNKNOWN_LABEL",
    "AssigneeLoad",
    "CaseRecord",
    "CountRow",
    "DailyStatusCount",
    "Digest",
    "DigestItem",
    "DurationStats",
    "EscalatedCase",
    "FaqDeflection",
    "FaqOutcome",
    "FaqTopicRow",
    "Report",
    "Satisfaction",
    "Summary",
    "UnitInfo",
    "UnitRow",
    "build_digest",
    "build_report",
    "format_digest_vi",
    "format_report_text_vi",
    "percentile",
    "write_xlsx",
    "xlsx_bytes",
]

# -- labels --------------------------------------------------------------------------------

STATUS_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {
        "moi": "Mới",
        "dang_xu_ly": "Đang xử lý",
        "cho_nguoi_phan_anh": "Chờ người phản ánh",
        "da_giai_quyet": "Đã giải quyết",
        "da_dong": "Đã đóng",
    }
)
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS_VI)
OPEN_STATUSES: frozenset[str] = frozenset({"moi", "dang_xu_ly", "cho_nguoi_phan_anh"})
FINAL_STATUSES: frozenset[str] = frozenset({"da_giai_quyet", "da_dong"})

SYSTEM_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {
        "dvc_quoc_gia": "Cổng DVC quốc gia",
        "he_thong_tthc_thanh_pho": "Hệ thống giải quyết TTHC thành phố",
        "vneid": "VNeID/đăng nhập",
        "thanh_toan": "Thanh toán trực tuyến",
        "chu_ky_so": "Chữ ký số",
        "khac": "Khác",
    }
)

RATING_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {"hai_long": "Hài lòng", "binh_thuong": "Bình thường", "khong_hai_long": "Không hài lòng"}
)

UNKNOWN_LABEL = "Không rõ"
UNCLASSIFIED_TOPIC_LABEL = "Chưa phân loại"
UNASSIGNED_LABEL = "Chưa phân công"

# Telegram refuses messages longer than 4096 characters; stay well below.
_TELEGRAM_LIMIT = 3900

# -- input records ---------------------------------------------------------------------------


@dataclass
class CaseRecord:
    code: str
    created_at: datetime
    status: str  # one of STATUSES
    unit_code: str | None = None
    unit_name: str | None = None
    system: str | None = None
    faq_topic: str | None = None
    reporter_role: str | None = None
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    escalated_at: datetime | None = None
    rating: str | None = None  # "hai_long" | "binh_thuong" | "khong_hai_long"
    channel: str = ""
    resolution_due: datetime | None = None


@dataclass
class FaqOutcome:
    """One FAQ answer shown without a case being created; ``solved`` None = no feedback."""

    created_at: datetime
    topic: str | None
    solved: bool | None


@dataclass
class UnitInfo:
    code: str
    full_name: str


# -- report model ----------------------------------------------------------------------------


@dataclass
class Summary:
    total_new: int
    open: int
    resolved: int
    closed: int
    escalated: int
    # None when no case of the period carries a resolution_due.
    overdue: int | None
    with_due: int
    # Cases received before the period that are still open (the backlog carried over).
    open_before_period: int


@dataclass
class CountRow:
    key: str | None
    label: str
    count: int
    share: float  # of the period's cases (0..1)


@dataclass
class UnitRow:
    code: str | None
    name: str
    total: int = 0
    open: int = 0
    resolved: int = 0
    closed: int = 0
    escalated: int = 0
    overdue: int = 0


@dataclass
class DurationStats:
    count: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None


@dataclass
class Satisfaction:
    counts: dict[str, int]  # rating code → number, every code of RATING_LABELS_VI present
    rated: int
    # Cases resolved or closed without a rating.
    unrated: int

    def share(self, rating: str) -> float | None:
        return self.counts.get(rating, 0) / self.rated if self.rated else None

    @property
    def satisfied_share(self) -> float | None:
        return self.share("hai_long")


@dataclass
class EscalatedCase:
    code: str
    created_at: datetime
    unit_name: str
    system_label: str
    topic_label: str
    reason: str
    escalated_at: datetime | None
    status_label: str


class _FaqOutcomes:
    """Totals shared by a topic's row and the whole period: answers nobody gave feedback on
    count in the total but not in the rate (solved / (solved + not solved))."""

    solved: int
    not_solved: int
    no_answer: int

    @property
    def total(self) -> int:
        return self.solved + self.not_solved + self.no_answer

    @property
    def rate(self) -> float | None:
        answered = self.solved + self.not_solved
        return self.solved / answered if answered else None


@dataclass
class FaqTopicRow(_FaqOutcomes):
    topic: str | None
    label: str
    solved: int = 0
    not_solved: int = 0
    no_answer: int = 0


@dataclass
class FaqDeflection(_FaqOutcomes):
    """FAQ answers accepted without a case. ``rate`` = solved / (solved + not solved):
    answers nobody gave feedback on are reported but left out of the rate."""

    solved: int
    not_solved: int
    no_answer: int
    by_topic: list[FaqTopicRow]


@dataclass
class DailyStatusCount:
    day: date
    counts: dict[str, int]  # status code → cases received that day now in that status

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Report:
    start: date
    end: date
    as_of: datetime
    summary: Summary
    by_unit: list[UnitRow]
    by_system: list[CountRow]
    by_topic: list[CountRow]
    by_status: list[CountRow]
    response_time: DurationStats
    resolution_time: DurationStats
    satisfaction: Satisfaction
    escalated: list[EscalatedCase]
    faq: FaqDeflection
    daily: list[DailyStatusCount]
    status_labels: dict[str, str] = field(default_factory=lambda: dict(STATUS_LABELS_VI))
    rating_labels: dict[str, str] = field(default_factory=lambda: dict(RATING_LABELS_VI))
    # Outages of the period (handlers.reports.incidents.IncidentRow), filled by the report desk.
    incidents: list[Any] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------


class _Labels:
    """Code → label lookups; ``overrides`` is ``{"statuses"|"systems"|"topics"|"ratings": {code: label}}``."""

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None) -> None:
        o = overrides or {}
        self.statuses = {**STATUS_LABELS_VI, **o.get("statuses", {})}
        self.systems = {**SYSTEM_LABELS_VI, **o.get("systems", {})}
        self.topics = dict(o.get("topics", {}))
        self.ratings = {**RATING_LABELS_VI, **o.get("ratings", {})}

    def status(self, code: str) -> str:
        return self.statuses.get(code, code)

    def system(self, code: str | None) -> str:
        return UNKNOWN_LABEL if code is None else self.systems.get(code, code)

    def topic(self, code: str | None) -> str:
        return UNCLASSIFIED_TOPIC_LABEL if code is None else self.topics.get(code, code)


def percentile(values: Sequence[float], q: float) -> float | None:
    """``q``-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _duration_stats(values: Sequence[float]) -> DurationStats:
    return DurationStats(
        count=len(values),
        median_hours=percentile(values, 50),
        p90_hours=percentile(values, 90),
        mean_hours=sum(values) / len(values) if values else None,
    )


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _is_overdue(case: CaseRecord, as_of: datetime) -> bool:
    """Still open past the due time, or resolved after it. An open case is judged by its
    status first, so a case reopened after a resolution is overdue again once ``as_of``
    passes the due time. A case closed without a resolution time (duplicate, spam)
    cannot be judged and is not counted."""
    if case.resolution_due is None:
        return False
    due = _aware(case.resolution_due)
    if case.status in OPEN_STATUSES:
        return _aware(as_of) > due
    return case.resolved_at is not None and _aware(case.resolved_at) > due


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def _num_vi(x: float, digits: int = 1) -> str:
    """Vietnamese decimal comma: 2.5 → "2,5"."""
    return f"{x:.{digits}f}".replace(".", ",")


def _pct_vi(x: float | None) -> str:
    return "–" if x is None else f"{_num_vi(x * 100, 0)}%"


# -- build_report ----------------------------------------------------------------------------


def build_report(
    cases: Iterable[CaseRecord],
    faq_outcomes: Iterable[FaqOutcome],
    units: Sequence[UnitInfo],
    start: date,
    end: date,
    calendar: WorkCalendar,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    *,
    now: datetime | None = None,
) -> Report:
    """Figures for the cases received from ``start`` to ``end`` (inclusive, calendar zone).

    ``now`` (default: the current time) decides which open cases are overdue.
    ``labels`` may override or add names: ``{"topics": {"dang_nhap_dvc_vneid": "Không đăng
    nhập được…"}, "systems": {...}, "statuses": {...}, "ratings": {...}}``.
    """
    if end < start:
        raise ValueError("end must not be before start")
    lab = _Labels(labels)
    as_of = calendar.to_local(now or datetime.now(UTC))
    period_start = datetime.combine(start, time(0), tzinfo=calendar.tz)
    period_end = datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.tz)

    def in_period(dt: datetime) -> bool:
        return period_start <= _aware(dt) < period_end

    all_cases = list(cases)
    period = sorted((c for c in all_cases if in_period(c.created_at)), key=lambda c: _aware(c.created_at))
    total = len(period)
    status_counts = Counter(c.status for c in period)
    with_due = [c for c in period if c.resolution_due is not None]

    summary = Summary(
        total_new=total,
        open=sum(status_counts[s] for s in OPEN_STATUSES),
        resolved=status_counts["da_giai_quyet"],
        closed=status_counts["da_dong"],
        escalated=sum(1 for c in period if c.escalated),
        overdue=sum(1 for c in with_due if _is_overdue(c, as_of)) if with_due else None,
        with_due=len(with_due),
        open_before_period=sum(
            1 for c in all_cases if _aware(c.created_at) < period_start and c.status in OPEN_STATUSES
        ),
    )

    by_status = [
        CountRow(s, lab.status(s), status_counts[s], _share(status_counts[s], total)) for s in STATUSES
    ]
    # Statuses outside the life cycle should not exist, but must not vanish from the totals.
    by_status += [
        CountRow(s, lab.status(s), n, _share(n, total))
        for s, n in status_counts.items()
        if s not in STATUS_LABELS_VI
    ]

    system_counts = Counter(c.system for c in period)
    system_keys: list[str | None] = list(SYSTEM_LABELS_VI)
    system_keys += sorted(k for k in system_counts if k is not None and k not in SYSTEM_LABELS_VI)
    if system_counts[None]:
        system_keys.append(None)
    by_system = [
        CountRow(k, lab.system(k), system_counts[k], _share(system_counts[k], total)) for k in system_keys
    ]

    topic_counts = Counter(c.faq_topic for c in period)
    by_topic = [
        CountRow(k, lab.topic(k), n, _share(n, total))
        for k, n in sorted(topic_counts.items(), key=lambda kv: (-kv[1], lab.topic(kv[0])))
    ]

    response = [
        calendar.working_hours_between(c.created_at, c.first_response_at)
        for c in period
        if c.first_response_at is not None
    ]
    resolution = [
        calendar.working_hours_between(c.created_at, c.resolved_at)
        for c in period
        if c.resolved_at is not None
    ]

    ratings = Counter(c.rating for c in period if c.rating is not None)
    satisfaction = Satisfaction(
        counts={r: ratings[r] for r in RATING_LABELS_VI}
        | {r: n for r, n in ratings.items() if r not in RATING_LABELS_VI},
        rated=sum(ratings.values()),
        unrated=sum(1 for c in period if c.rating is None and c.status in FINAL_STATUSES),
    )

    unit_names = {u.code: u.full_name for u in units}
    escalated = [
        EscalatedCase(
            code=c.code,
            created_at=calendar.to_local(c.created_at),
            unit_name=_unit_name(c, unit_names),
            system_label=lab.system(c.system),
            topic_label=lab.topic(c.faq_topic),
            reason=c.escalation_reason or "",
            escalated_at=calendar.to_local(c.escalated_at) if c.escalated_at else None,
            status_label=lab.status(c.status),
        )
        for c in sorted(
            (c for c in period if c.escalated), key=lambda c: _aware(c.escalated_at or c.created_at)
        )
    ]

    days = (end - start).days + 1
    daily = [DailyStatusCount(start + timedelta(days=i), dict.fromkeys(STATUSES, 0)) for i in range(days)]
    for c in period:
        row = daily[(calendar.to_local(c.created_at).date() - start).days]
        row.counts[c.status] = row.counts.get(c.status, 0) + 1

    return Report(
        start=start,
        end=end,
        as_of=as_of,
        summary=summary,
        by_unit=_by_unit(period, units, as_of),
        by_system=by_system,
        by_topic=by_topic,
        by_status=by_status,
        response_time=_duration_stats(response),
        resolution_time=_duration_stats(resolution),
        satisfaction=satisfaction,
        escalated=escalated,
        faq=_faq_deflection([o for o in faq_outcomes if in_period(o.created_at)], lab),
        daily=daily,
        status_labels=dict(lab.statuses),
        rating_labels=dict(lab.ratings),
    )


def _unit_name(case: CaseRecord, unit_names: Mapping[str, str]) -> str:
    if case.unit_code is not None and case.unit_code in unit_names:
        return unit_names[case.unit_code]
    return case.unit_name or case.unit_code or UNKNOWN_LABEL


def _by_unit(period: Sequence[CaseRecord], units: Sequence[UnitInfo], as_of: datetime) -> list[UnitRow]:
    """Every official unit (zeros included, official order), then codes that are not in the
    list any more (kept under the name stored with the case, so nothing disappears), then
    "Không rõ" for cases without a unit."""
    rows: dict[str | None, UnitRow] = {u.code: UnitRow(u.code, u.full_name) for u in units}
    extra: dict[str, UnitRow] = {}
    unknown = UnitRow(None, UNKNOWN_LABEL)
    for c in period:
        if c.unit_code is None:
            row = unknown
        elif c.unit_code in rows:
            row = rows[c.unit_code]
        else:
            row = extra.setdefault(c.unit_code, UnitRow(c.unit_code, c.unit_name or c.unit_code))
        row.total += 1
        row.open += c.status in OPEN_STATUSES
        row.resolved += c.status == "da_giai_quyet"
        row.closed += c.status == "da_dong"
        row.escalated += c.escalated
        row.overdue += _is_overdue(c, as_of)
    return [*rows.values(), *sorted(extra.values(), key=lambda r: r.name), unknown]


def _faq_deflection(outcomes: Sequence[FaqOutcome], lab: _Labels) -> FaqDeflection:
    topics: dict[str | None, FaqTopicRow] = {}
    for o in outcomes:
        row = topics.setdefault(o.topic, FaqTopicRow(o.topic, lab.topic(o.topic)))
        if o.solved is True:
            row.solved += 1
        elif o.solved is False:
            row.not_solved += 1
        else:
            row.no_answer += 1
    by_topic = sorted(topics.values(), key=lambda r: (-r.total, r.label))
    return FaqDeflection(
        solved=sum(r.solved for r in by_topic),
        not_solved=sum(r.not_solved for r in by_topic),
        no_answer=sum(r.no_answer for r in by_topic),
        by_topic=by_topic,
    )


# -- Telegram text ---------------------------------------------------------------------------


def _top(rows: Iterable[tuple[str, int]], n: int) -> str:
    items = [f"{label} ({count})" for label, count in sorted(rows, key=lambda r: -r[1]) if count > 0][:n]
    return ", ".join(items) if items else "–"


def format_report_text_vi(report: Report, top: int = 5) -> str:
    """Short plain-text summary for the staff group; the details go in the workbook."""
    s = report.summary
    lines = [
        f"BÁO CÁO PHẢN ÁNH {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}",
        f"Tiếp nhận mới: {s.total_new} · đang mở: {s.open} · đã giải quyết: {s.resolved} · đã đóng: {s.closed}",
    ]
    extra = f"Vượt thẩm quyền: {s.escalated}"
    if s.overdue is not None:
        extra += f" · quá hạn: {s.overdue}"
    if s.open_before_period:
        extra += f" · tồn kỳ trước còn mở: {s.open_before_period}"
    lines.append(extra)
    for title, st in (("Phản hồi đầu tiên", report.response_time), ("Giải quyết", report.resolution_time)):
        if st.count and st.median_hours is not None and st.p90_hours is not None:
            lines.append(
                f"{title}: trung vị {_num_vi(st.median_hours)} giờ làm việc, "
                f"90% trong {_num_vi(st.p90_hours)} giờ ({st.count} phản ánh)"
            )
    sat = report.satisfaction
    if sat.rated:
        lines.append(
            f"Hài lòng: {sat.counts.get('hai_long', 0)}/{sat.rated} lượt đánh giá ({_pct_vi(sat.satisfied_share)}), "
            f"không hài lòng: {sat.counts.get('khong_hai_long', 0)}"
        )
    faq = report.faq
    if faq.total:
        lines.append(
            f"FAQ tự giải đáp: {faq.solved} đã giải quyết, {faq.not_solved} chưa giải quyết"
            f" (tỷ lệ {_pct_vi(faq.rate)})"
        )
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
    return _fit("\n".join(lines))


def _fit(text: str, limit: int = _TELEGRAM_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- Excel -----------------------------------------------------------------------------------


def write_xlsx(report: Report, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the report workbook (8 sheets, bold frozen header row, sized columns)."""
    # Imported here so that importing the figures (e.g. from the incident module) stays light.
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    _sheet_summary(wb, report)
    _sheet_units(wb, report)
    _sheet_systems_topics(wb, report)
    _sheet_status(wb, report)
    _sheet_times(wb, report)
    _sheet_satisfaction(wb, report)
    _sheet_escalated(wb, report)
    _sheet_faq(wb, report)
    if report.incidents:
        from handlers.reports.incidents import INCIDENT_SHEET_HEADERS, incident_sheet_rows

        rows = incident_sheet_rows(report.incidents, VN_TZ)
        _table(wb, "Sự cố", INCIDENT_SHEET_HEADERS, rows, {7: _DATETIME, 8: _DATETIME})
    wb.save(path)  # type: ignore[arg-type]


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as bytes, for sending as a document without a temporary file."""
    buf = io.BytesIO()
    write_xlsx(report, buf)
    return buf.getvalue()


_PCT = "0.0%"
_HOURS = "0.0"
_DATETIME = "dd/mm/yyyy hh:mm"
_DATE = "dd/mm/yyyy"


def _cell_value(value: Any) -> Any:
    """Excel-safe value: local naive datetimes (Excel has no time zones) and strings without
    control characters (openpyxl refuses them; they come in with pasted user text)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _table(
    wb: Any,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: Mapping[int, str] | None = None,
    bold_last: bool = False,
) -> Any:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    widths = [len(h) for h in headers]
    n = 1
    for row in rows:
        n += 1
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=n, column=col, value=_cell_value(value))
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
    if bold_last and n > 1:
        for cell in ws[n]:
            cell.font = Font(bold=True)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    return ws


def _sheet_summary(wb: Any, r: Report) -> None:
    s = r.summary
    rows: list[tuple[str, Any]] = [
        ("Kỳ báo cáo", f"{r.start:%d/%m/%Y} – {r.end:%d/%m/%Y}"),
        ("Số liệu tính đến", r.as_of),
        ("Phản ánh tiếp nhận trong kỳ", s.total_new),
        ("Đang mở (mới, đang xử lý, chờ người phản ánh)", s.open),
        ("Đã giải quyết", s.resolved),
        ("Đã đóng", s.closed),
        ("Vượt thẩm quyền", s.escalated),
        ("Quá hạn giải quyết", s.overdue if s.overdue is not None else "không có dữ liệu hạn"),
        ("Tồn từ kỳ trước, còn mở", s.open_before_period),
        ("Phản hồi đầu tiên – trung vị (giờ làm việc)", r.response_time.median_hours),
        ("Giải quyết – trung vị (giờ làm việc)", r.resolution_time.median_hours),
        ("Tỷ lệ hài lòng", r.satisfaction.satisfied_share),
        ("Câu hỏi FAQ tự giải đáp (đã giải quyết)", r.faq.solved),
        ("Tỷ lệ FAQ tự giải đáp", r.faq.rate),
    ]
    ws = _table(wb, "Tổng hợp", ("Chỉ tiêu", "Giá trị"), rows)
    # Per-row formats: column B mixes counts, hours, shares and a date.
    for i, (label, value) in enumerate(rows, start=2):
        cell = ws.cell(row=i, column=2)
        if value is None:
            cell.value = "–"
        elif isinstance(value, datetime):
            cell.number_format = _DATETIME
        elif "Tỷ lệ" in label:
            cell.number_format = _PCT
        elif "giờ làm việc" in label:
            cell.number_format = _HOURS


def _sheet_units(wb: Any, r: Report) -> None:
    rows: list[Sequence[Any]] = [
        (u.code or "", u.name, u.total, u.open, u.resolved, u.closed, u.escalated, u.overdue)
        for u in r.by_unit
    ]
    rows.append(
        (
            "",
            "Tổng cộng",
            *(
                sum(getattr(u, f) for u in r.by_unit)
                for f in ("total", "open", "resolved", "closed", "escalated", "overdue")
            ),
        )
    )
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
    _table(wb, "Theo đơn vị", headers, rows, bold_last=True)


def _sheet_systems_topics(wb: Any, r: Report) -> None:
    rows = [("Hệ thống", row.key or "", row.label, row.count, row.share) for row in r.by_system]
    rows += [("Chủ đề", row.key or "", row.label, row.count, row.share) for row in r.by_topic]
    _table(wb, "Theo hệ thống và chủ đề", ("Nhóm", "Mã", "Tên", "Số phản ánh", "Tỷ lệ"), rows, {5: _PCT})


def _sheet_status(wb: Any, r: Report) -> None:
    keys = [row.key for row in r.by_status if row.key is not None]
    rows: list[Sequence[Any]] = [(d.day, *(d.counts.get(k, 0) for k in keys), d.total) for d in r.daily]
    rows.append(("Tỷ lệ", *(row.share for row in r.by_status), 1.0 if r.summary.total_new else 0.0))
    rows.append(("Tổng cộng", *(row.count for row in r.by_status), r.summary.total_new))
    headers = ("Ngày tiếp nhận", *(r.status_labels.get(k, k) for k in keys), "Tổng số")
    ws = _table(wb, "Theo trạng thái", headers, rows, {1: _DATE}, bold_last=True)
    for cell in ws[ws.max_row - 1][1:]:
        cell.number_format = _PCT


def _sheet_times(wb: Any, r: Report) -> None:
    rows = [
        (title, st.count, st.median_hours, st.p90_hours, st.mean_hours)
        for title, st in (("Phản hồi đầu tiên", r.response_time), ("Giải quyết", r.resolution_time))
    ]
    headers = (
        "Chỉ số (giờ làm việc)",
        "Số phản ánh có dữ liệu",
        "Trung vị",
        "Phân vị 90%",
        "Trung bình",
    )
    _table(wb, "Thời gian xử lý", headers, rows, {3: _HOURS, 4: _HOURS, 5: _HOURS})


def _sheet_satisfaction(wb: Any, r: Report) -> None:
    sat = r.satisfaction
    rows: list[Sequence[Any]] = [
        (r.rating_labels.get(code, code), n, sat.share(code)) for code, n in sat.counts.items()
    ]
    rows.append(("Tổng số lượt đánh giá", sat.rated, 1.0 if sat.rated else None))
    rows.append(("Đã giải quyết/đóng nhưng chưa đánh giá", sat.unrated, None))
    _table(wb, "Mức độ hài lòng", ("Mức độ", "Số lượt", "Tỷ lệ"), rows, {3: _PCT})


def _sheet_escalated(wb: Any, r: Report) -> None:
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
    _table(wb, "Vượt thẩm quyền", headers, rows, {2: _DATETIME, 7: _DATETIME})


def _sheet_faq(wb: Any, r: Report) -> None:
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
    _table(wb, "FAQ tự giải đáp", headers, rows, {6: _PCT}, bold_last=True)


# -- morning digest --------------------------------------------------------------------------


@dataclass
class DigestItem:
    code: str
    created_at: datetime
    unit_name: str
    system_label: str
    status_label: str
    assignee: str | None
    resolution_due: datetime | None
    # Working hours past the due time (0 when it passed outside office hours); None if not overdue.
    overdue_hours: float | None
    escalated: bool


@dataclass
class AssigneeLoad:
    assignee: str | None
    label: str
    open: int
    overdue: int


@dataclass
class Digest:
    now: datetime
    since: datetime
    new_cases: list[DigestItem]
    open_count: int
    open_by_status: dict[str, int]
    overdue: list[DigestItem]
    due_soon: list[DigestItem]
    escalated: list[DigestItem]
    by_assignee: list[AssigneeLoad]


def build_digest(
    cases: Iterable[CaseRecord],
    now: datetime,
    calendar: WorkCalendar,
    *,
    since: datetime | None = None,
    soon_hours: float = 7.5,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> Digest:
    """Morning digest as of ``now``.

    ``since`` (what counts as new) defaults to the same clock time on the previous working
    day, so Monday's digest covers the weekend and the day after Tết covers all of Tết. If
    the digest is sent on other days too, pass the time of the previous digest instead.
    ``due_soon`` = open, not yet overdue, due within ``soon_hours`` working hours.
    """
    lab = _Labels(labels)
    now_local = calendar.to_local(now)
    if since is None:
        prev = calendar.working_days_ahead(now_local.date(), -1)
        since = datetime.combine(prev, now_local.timetz())
    since = calendar.to_local(since)

    def item(c: CaseRecord) -> DigestItem:
        due = calendar.to_local(c.resolution_due) if c.resolution_due else None
        overdue = due is not None and c.status in OPEN_STATUSES and now_local > due
        return DigestItem(
            code=c.code,
            created_at=calendar.to_local(c.created_at),
            unit_name=c.unit_name or c.unit_code or UNKNOWN_LABEL,
            system_label=lab.system(c.system),
            status_label=lab.status(c.status),
            assignee=c.assignee,
            resolution_due=due,
            overdue_hours=calendar.working_hours_between(due, now_local) if overdue and due else None,
            escalated=c.escalated,
        )

    all_cases = list(cases)
    new = [item(c) for c in all_cases if since <= _aware(c.created_at) <= now_local]
    open_items = [item(c) for c in all_cases if c.status in OPEN_STATUSES]
    overdue = sorted(
        (i for i in open_items if i.overdue_hours is not None), key=lambda i: i.resolution_due or now_local
    )
    due_soon = sorted(
        (
            i
            for i in open_items
            if i.overdue_hours is None
            and i.resolution_due is not None
            and calendar.working_hours_between(now_local, i.resolution_due) <= soon_hours
        ),
        key=lambda i: i.resolution_due or now_local,
    )
    loads: dict[str | None, AssigneeLoad] = {}
    for i in open_items:
        load = loads.setdefault(i.assignee, AssigneeLoad(i.assignee, i.assignee or UNASSIGNED_LABEL, 0, 0))
        load.open += 1
        load.overdue += i.overdue_hours is not None
    status_counts = Counter(c.status for c in all_cases if c.status in OPEN_STATUSES)
    return Digest(
        now=now_local,
        since=since,
        new_cases=sorted(new, key=lambda i: i.created_at),
        open_count=len(open_items),
        open_by_status={s: status_counts[s] for s in STATUSES if s in OPEN_STATUSES},
        overdue=overdue,
        due_soon=due_soon,
        escalated=[i for i in open_items if i.escalated],
        # Unassigned first: those are the ones nobody is looking at.
        by_assignee=sorted(loads.values(), key=lambda a: (a.assignee is not None, -a.open, a.label)),
    )


def _item_lines(items: Sequence[DigestItem], kind: str, max_items: int) -> list[str]:
    lines = []
    for i in items[:max_items]:
        if kind == "overdue":
            # A due time passed after closing time is overdue by 0 working hours: say so plainly.
            hours = i.overdue_hours or 0
            tail = f"quá hạn {_num_vi(hours)} giờ làm việc" if hours >= 0.05 else "đã quá hạn"
        elif kind == "due":
            tail = f"hạn {format_deadline_vi(i.resolution_due)}" if i.resolution_due else ""
        else:
            tail = i.status_label
        who = f" · {i.assignee}" if i.assignee else ""
        lines.append(f"- {i.code} · {i.unit_name} · {i.system_label}{who} · {tail}")
    if len(items) > max_items:
        lines.append(f"- … và {len(items) - max_items} phản ánh khác")
    return lines


def format_digest_vi(digest: Digest, max_items: int = 10) -> str:
    """Plain-text morning digest for the staff group (fits one Telegram message)."""
    d = digest
    status_part = ", ".join(f"{STATUS_LABELS_VI[s].lower()} {n}" for s, n in d.open_by_status.items() if n)
    lines = [
        f"ĐIỂM TIN SÁNG {d.now:%d/%m/%Y}",
        f"Mới từ {d.since:%H:%M %d/%m}: {len(d.new_cases)}",
        f"Đang mở: {d.open_count}" + (f" ({status_part})" if status_part else ""),
        f"Quá hạn: {len(d.overdue)} · sắp đến hạn: {len(d.due_soon)} · vượt thẩm quyền đang chờ: {len(d.escalated)}",
    ]
    if d.overdue:
        lines += ["", "Quá hạn:", *_item_lines(d.overdue, "overdue", max_items)]
    if d.due_soon:
        lines += ["", "Sắp đến hạn:", *_item_lines(d.due_soon, "due", max_items)]
    if d.new_cases:
        lines += ["", "Mới tiếp nhận:", *_item_lines(d.new_cases, "new", max_items)]
    if d.escalated:
        lines += ["", "Vượt thẩm quyền đang chờ:", *_item_lines(d.escalated, "new", max_items)]
    if d.by_assignee:
        lines += ["", "Theo người xử lý:"]
        lines += [
            f"- {a.label}: {a.open} đang mở" + (f", {a.overdue} quá hạn" if a.overdue else "")
            for a in d.by_assignee
        ]
    if not d.open_count and not d.new_cases:
        lines += ["", "Không có phản ánh nào đang chờ."]
    return _fit("\n".join(lines))
