"""Reports from the database: read-only queries, the report files, and ``/baocao`` in the staff group.

The figures, workbook and chart are :mod:`handlers.reports.reports` and :mod:`handlers.reports.chart`;
this module loads their input rows from storage (only the columns they need, never the
complaint texts) and writes the files that are sent to the group as uploads.

A generated file travels through the outbox as an :class:`AttachmentRef` of kind
``"upload"`` whose ``file_ref`` is the file's absolute path under the reports directory;
the Telegram sender uploads it (aiogram ``FSInputFile``). Files are written once, with a
unique name, and never changed, so a message retried by the outbox sends the same bytes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.events import AttachmentRef, Incoming, Outgoing, Reply
from handlers.reports.incidents import load_incident_rows
from handlers.reports.reports import (
    SYSTEM_LABELS_VI,
    CaseRecord,
    FaqOutcome,
    Report,
    UnitInfo,
    build_report,
    format_report_text_vi,
    write_xlsx,
)
from handlers.schedule.worktime import WorkCalendar
from handlers.services import FaqStage
from handlers.textutil import fold
from storage.models import Case, CaseStatus, FaqQuery

__all__ = [
    "UPLOAD",
    "ReportDesk",
    "ReportFiles",
    "ReportMaker",
    "ReportPeriodError",
    "load_case_records",
    "load_digest_records",
    "load_faq_outcomes",
    "official_units",
    "parse_report_period",
    "previous_month",
    "previous_week",
]

log = logging.getLogger(__name__)

# Attachment kind of a file the bot generated itself (see the module docstring).
UPLOAD = "upload"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG_MIME = "image/png"

# A year is the longest period a report may cover: the chart draws one bar group per day.
MAX_REPORT_DAYS = 366
# Generated files older than this are deleted when a new report is written; the outbox
# gives up on a message long before (max_attempts with backoff of at most 5 minutes).
KEEP_FILES_DAYS = 30

USAGE = (
    "📊 Cách dùng /baocao:\n"
    "• /baocao tuan → tuần này (từ thứ Hai đến hôm nay)\n"
    "• /baocao tuantruoc → tuần trước\n"
    "• /baocao thang → tháng này (từ ngày 1 đến hôm nay)\n"
    "• /baocao thangtruoc → tháng trước\n"
    "• /baocao 01/11/2025 15/11/2025 → từ ngày đến ngày (dd/mm/yyyy)"
)
FAILED = "⚠️ Chưa lập được báo cáo do lỗi hệ thống. Bạn thử lại sau ít phút giúp mình."


# -- repositories (read only) ----------------------------------------------------------------


def official_units() -> list[UnitInfo]:
    """Every xã, phường and đặc khu of Hải Phòng, in the official order."""
    from faq.units import load_units

    return [UnitInfo(u.code, u.full_name) for u in load_units()]


_RECORD_COLUMNS = (
    Case.code,
    Case.created_at,
    Case.status,
    Case.unit_code,
    Case.system,
    Case.faq_topic,
    Case.reporter_role,
    Case.assignee_name,
    Case.first_response_at,
    Case.resolved_at,
    Case.escalated,
    Case.escalation_reason,
    Case.escalated_at,
    Case.rating,
    Case.channel,
    Case.resolution_due,
)


def _record(row: Sequence[object], unit_names: Mapping[str, str]) -> CaseRecord:
    (
        code,
        created,
        status,
        unit,
        system,
        topic,
        role,
        assignee,
        first,
        resolved,
        escalated,
        reason,
        escalated_at,
        rating,
        channel,
        due,
    ) = row
    return CaseRecord(
        code=str(code),
        created_at=created,  # type: ignore[arg-type]
        status=str(status),
        unit_code=unit,  # type: ignore[arg-type]
        unit_name=unit_names.get(str(unit)) if unit else None,
        system=system,  # type: ignore[arg-type]
        faq_topic=topic,  # type: ignore[arg-type]
        reporter_role=role,  # type: ignore[arg-type]
        assignee=assignee,  # type: ignore[arg-type]
        first_response_at=first,  # type: ignore[arg-type]
        resolved_at=resolved,  # type: ignore[arg-type]
        escalated=bool(escalated),
        escalation_reason=reason,  # type: ignore[arg-type]
        escalated_at=escalated_at,  # type: ignore[arg-type]
        rating=rating,  # type: ignore[arg-type]
        channel=str(channel or ""),
        resolution_due=due,  # type: ignore[arg-type]
    )


def period_bounds(start: date, end: date, calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the calendar's zone, as UTC datetimes."""
    lo = datetime.combine(start, time(0), tzinfo=calendar.tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.tz).astimezone(UTC)
    return lo, hi


async def load_case_records(
    session: AsyncSession,
    start: date,
    end: date,
    calendar: WorkCalendar,
    unit_names: Mapping[str, str] | None = None,
) -> list[CaseRecord]:
    """Cases received in the period, plus older ones still open (the backlog figure)."""
    lo, hi = period_bounds(start, end, calendar)
    statement = select(*_RECORD_COLUMNS).where(  # type: ignore[call-overload]
        or_(
            and_(col(Case.created_at) >= lo, col(Case.created_at) < hi),
            and_(col(Case.created_at) < lo, col(Case.status).in_(CaseStatus.OPEN)),
        )
    )
    rows = (await session.exec(statement)).all()
    return [_record(row, unit_names or {}) for row in rows]


async def load_digest_records(
    session: AsyncSession, since: datetime, unit_names: Mapping[str, str] | None = None
) -> list[CaseRecord]:
    """What a digest or the overdue list looks at: every open case and every case since ``since``."""
    statement = select(*_RECORD_COLUMNS).where(  # type: ignore[call-overload]
        or_(col(Case.status).in_(CaseStatus.OPEN), col(Case.created_at) >= since)
    )
    rows = (await session.exec(statement)).all()
    return [_record(row, unit_names or {}) for row in rows]


async def load_faq_outcomes(
    session: AsyncSession, start: date, end: date, calendar: WorkCalendar
) -> list[FaqOutcome]:
    """FAQ answers shown in the period (questions the matcher abstained on are not answers)."""
    lo, hi = period_bounds(start, end, calendar)
    columns = (FaqQuery.created_at, FaqQuery.topic, FaqQuery.solved)
    statement = select(*columns).where(  # type: ignore[call-overload, type-var]
        col(FaqQuery.created_at) >= lo, col(FaqQuery.created_at) < hi, col(FaqQuery.topic).is_not(None)
    )
    rows = (await session.exec(statement)).all()
    return [FaqOutcome(created_at=created, topic=topic, solved=solved) for created, topic, solved in rows]


# -- periods ---------------------------------------------------------------------------------


class ReportPeriodError(ValueError):
    """What the staff member typed is not a period; the message is Vietnamese."""


def previous_week(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


def previous_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return last.replace(day=1), last


_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def parse_report_period(args: str, today: date) -> tuple[date, date]:
    """``tuan | tuantruoc | thang | thangtruoc | dd/mm/yyyy dd/mm/yyyy`` → (start, end)."""
    words = fold(args).replace(" ", "")
    if words in ("tuan", "tuannay"):
        return today - timedelta(days=today.weekday()), today
    if words == "tuantruoc":
        return previous_week(today)
    if words in ("thang", "thangnay"):
        return today.replace(day=1), today
    if words == "thangtruoc":
        return previous_month(today)
    found = _DATE.findall(args)
    if len(found) != 2:
        raise ReportPeriodError(USAGE)
    try:
        start, end = (date(int(y), int(m), int(d)) for d, m, y in found)
    except ValueError as exc:
        raise ReportPeriodError(f"Ngày không hợp lệ ({exc}).\n\n{USAGE}") from None
    if end < start:
        raise ReportPeriodError("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    if start > today:
        raise ReportPeriodError("Ngày bắt đầu ở tương lai: chưa có số liệu.")
    end = min(end, today)
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise ReportPeriodError(f"Mỗi báo cáo tối đa {MAX_REPORT_DAYS} ngày.")
    return start, end


# -- files -----------------------------------------------------------------------------------


@dataclass
class ReportFiles:
    report: Report
    text: str
    xlsx: Path
    png: Path

    def attachments(self) -> list[AttachmentRef]:
        stem = f"BaoCao_{self.report.start:%d-%m-%Y}_{self.report.end:%d-%m-%Y}"
        return [
            AttachmentRef(UPLOAD, str(self.xlsx), f"{stem}.xlsx", XLSX_MIME, self.xlsx.stat().st_size),
            AttachmentRef(UPLOAD, str(self.png), f"{stem}.png", PNG_MIME, self.png.stat().st_size),
        ]

    def remove(self) -> None:
        """Delete the files (the report was not needed after all)."""
        for path in (self.xlsx, self.png):
            path.unlink(missing_ok=True)

    def outgoing(self, address: Callable[[Reply], Outgoing | None]) -> list[Outgoing]:
        """The summary text, then the workbook, then the chart (the outbox keeps a chat's order).

        One file per message: a message that fails half-way is sent again whole, and a
        retried two-file message would post the first file twice.
        """
        replies = [Reply(self.text), *(Reply("", attachments=[a]) for a in self.attachments())]
        return [o for o in map(address, replies) if o is not None]


class ReportMaker:
    """Builds a period report from the database and writes its workbook and chart."""

    def __init__(
        self,
        calendar: WorkCalendar,
        reports_dir: Path,
        *,
        units: Sequence[UnitInfo] | None = None,
        faq: FaqStage | None = None,
    ) -> None:
        self.calendar = calendar
        self.reports_dir = Path(reports_dir)
        self.units = list(units) if units is not None else official_units()
        self.unit_names = {u.code: u.full_name for u in self.units}
        self.faq = faq

    def labels(self) -> dict[str, dict[str, str]]:
        # Asked on every report: the knowledge base can be reloaded while the bot runs.
        if self.faq is None:
            return {}
        topics = {t.id: t.title for views in self.faq.topics_by_system().values() for t in views}
        return {"topics": topics}

    def topic_label(self, topic_id: str) -> str:
        view = self.faq.topic(topic_id) if self.faq is not None else None
        return view.title if view is not None else topic_id

    async def build(self, session: AsyncSession, start: date, end: date, now: datetime) -> Report:
        cases = await load_case_records(session, start, end, self.calendar, self.unit_names)
        outcomes = await load_faq_outcomes(session, start, end, self.calendar)
        report = build_report(cases, outcomes, self.units, start, end, self.calendar, self.labels(), now=now)
        lo, hi = period_bounds(start, end, self.calendar)
        report.incidents = await load_incident_rows(session, lo, hi, self.incident_subject, now)
        return report

    def incident_subject(self, key: str) -> str:
        kind, _, value = key.partition(":")
        if kind == "topic":
            return f"«{self.topic_label(value)}»"
        return f"hệ thống {SYSTEM_LABELS_VI.get(value, value)}"

    async def render(self, report: Report) -> ReportFiles:
        """Write ``.xlsx`` and ``.png`` (in a worker thread: the chart takes about a second)."""
        return await asyncio.to_thread(self.render_sync, report)

    def render_sync(self, report: Report, xlsx: Path | None = None) -> ReportFiles:
        if xlsx is None:
            self.reports_dir.mkdir(parents=True, exist_ok=True)
            self._prune()
            # Unique per run: two instances or two staff members never write the same file.
            stem = (
                f"bao-cao_{report.start:%Y%m%d}-{report.end:%Y%m%d}_{_time.time_ns()}_{secrets.token_hex(3)}"
            )
            xlsx = self.reports_dir / f"{stem}.xlsx"
        png = xlsx.with_suffix(".png")
        write_xlsx(report, xlsx)
        # matplotlib is imported here, when a report is drawn, not when the bot starts: it
        # costs ~25 MB of resident memory and half a second that most days never need.
        from handlers.reports.chart import render_chart_png

        render_chart_png(report, png)
        return ReportFiles(report, format_report_text_vi(report), xlsx.resolve(), png.resolve())

    def _prune(self) -> None:
        cutoff = _time.time() - KEEP_FILES_DAYS * 86400
        for path in self.reports_dir.glob("bao-cao_*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:  # another instance deleted it first
                continue


# -- /baocao ---------------------------------------------------------------------------------


class ReportDesk:
    """``/baocao`` in the staff group (authorisation is checked by StaffDesk before)."""

    def __init__(self, maker: ReportMaker, clock: Callable[[], datetime] | None = None) -> None:
        self.maker = maker
        self.clock = clock or (lambda: datetime.now(UTC))

    async def handle(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        now = self.clock()
        today = self.maker.calendar.to_local(now).date()

        def here(reply: Reply) -> Outgoing:
            return Outgoing(event.channel, event.chat_id, reply, thread_id=event.thread_id, purpose="staff")

        try:
            start, end = parse_report_period(event.args, today)
        except ReportPeriodError as exc:
            out.append(here(Reply(str(exc))))
            return
        try:
            report = await self.maker.build(session, start, end, now)
            files = await self.maker.render(report)
        except Exception:
            log.exception("report %s..%s failed", start, end)
            out.append(here(Reply(FAILED)))
            return
        out.extend(files.outgoing(here))
