"""Reports from the database: the report files, and ``/baocao`` and ``/thongke`` in the staff group.

The figures, workbook and chart are the modules beside this one; the rows come from
:mod:`handlers.reports.loading` (only the columns the figures need, never the complaint texts),
and this module writes the files that are sent to the group as uploads.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.events import AttachmentRef, Incoming, Outgoing, Reply
from handlers.reports.build import build_report, real_incidents
from handlers.reports.figures import Headline, headline, previous_period
from handlers.reports.incidents import load_incident_rows
from handlers.reports.labels import DEFAULT_ORGANISATION, SYSTEM_LABELS_VI, Labels
from handlers.reports.loading import (
    load_actions,
    load_case_records,
    load_digest_records,
    load_faq_outcomes,
    official_units,
    period_bounds,
)
from handlers.reports.model import Report
from handlers.reports.quick import load_quick_stats
from handlers.reports.records import UnitInfo
from handlers.reports.text import format_quick_stats_vi, format_report_text_vi
from handlers.reports.workbook import write_xlsx
from handlers.schedule.worktime import WorkCalendar
from handlers.services import FaqStage
from handlers.textutil import fold

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
# gives up on a message long before (delivery.give_up_after_hours, 48 h by default).
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
STATS_FAILED = "⚠️ Chưa lấy được số liệu do lỗi hệ thống. Bạn thử lại sau ít phút giúp mình."


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
        organisation: str = DEFAULT_ORGANISATION,
    ) -> None:
        self.calendar = calendar
        self.reports_dir = Path(reports_dir)
        self.units = list(units) if units is not None else official_units()
        self.unit_names = {u.code: u.full_name for u in self.units}
        self.faq = faq
        self.organisation = organisation

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
        actions = await load_actions(session, start, end, self.calendar)
        lo, hi = period_bounds(start, end, self.calendar)
        incidents = await load_incident_rows(session, lo, hi, self.incident_subject, now)
        labels = self.labels()
        return build_report(
            cases,
            outcomes,
            self.units,
            start,
            end,
            self.calendar,
            labels,
            now=now,
            actions=actions,
            previous=await self.previous(session, start, end, now, labels),
            incidents=incidents,
            organisation=self.organisation,
        )

    async def previous(
        self, session: AsyncSession, start: date, end: date, now: datetime, labels: dict[str, dict[str, str]]
    ) -> Headline:
        """The headline figures of the period compared with, by the same definitions."""
        prev_start, prev_end = previous_period(start, end)
        cases = await load_case_records(session, prev_start, prev_end, self.calendar, self.unit_names)
        outcomes = await load_faq_outcomes(session, prev_start, prev_end, self.calendar)
        lo, hi = period_bounds(prev_start, prev_end, self.calendar)
        incidents = await load_incident_rows(session, lo, hi, self.incident_subject, now)
        return headline(
            cases,
            outcomes,
            prev_start,
            prev_end,
            self.calendar,
            self.calendar.to_local(now),
            topic_label=Labels(labels).topic,
            incidents=real_incidents(incidents),
        )

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
    """``/baocao`` and ``/thongke`` in the staff group (authorisation is checked by StaffDesk before)."""

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

    async def stats(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """``/thongke``: the queue now and the last 7 days, by the report's own definitions."""
        reply = Reply(STATS_FAILED)
        try:
            labels = Labels(self.maker.labels())
            quick = await load_quick_stats(
                session, self.clock(), self.maker.calendar, topic_label=labels.topic
            )
            reply = Reply(format_quick_stats_vi(quick))
        except Exception:
            log.exception("/thongke failed")
        out.append(Outgoing(event.channel, event.chat_id, reply, thread_id=event.thread_id, purpose="staff"))
