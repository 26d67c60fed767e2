"""What the scheduled jobs do, independent of any messenger and of the scheduler.

Every function here works on an open session and returns the replies to store in the outbox;
bot/jobs.py decides when they run, records each run (``JobRun``) and commits. Nothing here
sends or sleeps.

Idempotency records (``JobRun``, unique on ``(job, period)``):

* periodic jobs: ``("digest", "2025-11-24")``, ``("weekly_report", "2025-11-17/2025-11-23")``,
  ``("monthly_report", "2025-10")``, ``("overdue_list", "2025-11-24")``;
* per case and deadline: ``("remind:first", "<case id>@<due UTC>")``, ``("remind:resolution", …)``,
  ``("escalate:first", …)``, ``("escalate:resolution", …)`` — a changed deadline is a new key.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts as T
from handlers.citizen.language import case_texts
from handlers.events import Outgoing, Reply
from handlers.reports.desk import load_digest_records, official_units
from handlers.reports.reports import DigestItem, build_digest, format_digest_vi
from handlers.schedule.due import (  # re-exported: the job runner reads them here
    CATCH_UP,
    Due,
    JobsConfig,
    MentionsFn,
    claim_run,
    digest_due,
    ever_run,
    has_run,
    last_run_at,
    monthly_due,
    overdue_list_due,
    weekly_due,
)
from handlers.schedule.worktime import WorkCalendar, format_deadline_vi
from handlers.staff.queue import Queue
from storage import repo
from storage.models import Case, CaseStatus, JobRun
from storage.repo import dialect

__all__ = [
    "CATCH_UP",
    "Due",
    "JobsConfig",
    "MentionsFn",
    "SlaAction",
    "claim_run",
    "digest_due",
    "ever_run",
    "has_run",
    "last_run_at",
    "monthly_due",
    "overdue_list_due",
    "sla_actions",
    "weekly_due",
]

SLA_JOBS = ("remind:first", "remind:resolution", "escalate:first", "escalate:resolution")

# Statuses in which the task force owes the next step (not "waiting for the reporter").
_STAFF_TURN = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)

# -- SLA: reminders and escalation ---------------------------------------------------------------


@dataclass(frozen=True)
class SlaAction:
    case_id: int
    kind: str  # "first" (first response) | "resolution"
    action: str  # "remind" | "escalate"
    due: datetime  # aware UTC

    @property
    def job(self) -> str:
        return f"{self.action}:{self.kind}"

    @property
    def period(self) -> str:
        return f"{self.case_id}@{self.due.astimezone(UTC):%Y%m%dT%H%M%S}"


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def sla_actions(case: Case, now: datetime, calendar: WorkCalendar, config: JobsConfig) -> list[SlaAction]:
    """Reminders and escalations owed for ``case`` at ``now`` (before checking what was already done).

    * A reminder falls in ``[due - lead, due)``, ``lead`` in working hours and at most half of
      the working time the case had (a 1-hour urgent deadline is reminded after 30 minutes, not
      at once). A reminder missed altogether (the bot was down) is not sent late: the
      escalation covers it.
    * The escalation comes ``escalation_margin_hours`` working hours after the due time.
    * Only while the next step is the task force's: not while waiting for the reporter, not for
      cases sent beyond the task force's authority, not after resolution.
    """
    if case.id is None or case.status not in _STAFF_TURN or case.escalated:
        return []
    now = _aware(now)
    deadlines: list[tuple[str, datetime]] = []
    if case.first_response_at is None and case.first_response_due is not None:
        deadlines.append(("first", _aware(case.first_response_due)))
    if case.resolution_due is not None:
        deadlines.append(("resolution", _aware(case.resolution_due)))
    actions = []
    for kind, due in deadlines:
        if now < due:
            budget = calendar.working_hours_between(case.created_at, due)
            lead = min(config.reminder_lead_hours, budget / 2)
            if lead > 0 and _aware(calendar.add_working_hours(due, -lead)) <= now:
                actions.append(SlaAction(case.id, kind, "remind", due))
        elif _aware(calendar.add_working_hours(due, config.escalation_margin_hours)) <= now:
            actions.append(SlaAction(case.id, kind, "escalate", due))
    return actions


def _hours_vi(hours: float) -> str:
    if hours < 1:
        return f"{max(1, round(hours * 60))} phút làm việc"
    return f"{hours:.1f}".replace(".", ",").removesuffix(",0") + " giờ làm việc"


_KIND_VI = {"first": "phản hồi đầu tiên", "resolution": "giải quyết"}


@dataclass
class JobContext:
    """What the job bodies need from the application."""

    queue: Queue
    calendar: WorkCalendar
    config: JobsConfig
    # "@truong_to", "Nguyễn Văn A": how to call the leaders in (empty: no leaders configured).
    mentions: MentionsFn | None = None

    def unit_name(self, code: str | None) -> str:
        unit = self.queue.units.get(code or "")
        return unit.full_name if unit else "Không rõ đơn vị"

    def when(self, moment: datetime) -> str:
        return format_deadline_vi(moment, self.calendar.tz)

    @functools.cached_property
    def unit_names(self) -> dict[str, str]:
        return {u.code: u.full_name for u in official_units()}


def reminder_text(ctx: JobContext, case: Case, action: SlaAction, now: datetime) -> str:
    left = ctx.calendar.working_hours_between(now, action.due)
    todo = "trả lời người phản ánh" if action.kind == "first" else "giải quyết"
    assignee = case.assignee_name or "chưa có (dùng /nhan để nhận)"
    return (
        f"⏰ Nhắc hạn {_KIND_VI[action.kind]}: phản ánh {case.code} cần được {todo} "
        f"trước {ctx.when(action.due)} (còn {_hours_vi(left)}).\nNgười xử lý: {assignee}."
    )


def escalation_text(
    ctx: JobContext, items: Sequence[tuple[Case, SlaAction]], mentions: Sequence[str], now: datetime
) -> str:
    margin = ctx.config.escalation_margin_hours
    head = "🚨 BÁO CÁO LÃNH ĐẠO TỔ CÔNG TÁC"
    lines = [head]
    if mentions:
        lines.append("Kính gửi: " + ", ".join(mentions))
    lines.append(f"{len(items)} phản ánh đã quá hạn hơn {_hours_vi(margin)}:")
    for case, action in items[:30]:
        late = ctx.calendar.working_hours_between(action.due, now)
        lines.append(
            f"- {case.code} · {ctx.unit_name(case.unit_code)} · {T.SYSTEMS.get(case.system or '', 'Khác')} · "
            f"quá hạn {_KIND_VI[action.kind]} {_hours_vi(late)} (hạn {ctx.when(action.due)}) · "
            f"{case.assignee_name or 'chưa giao'}"
        )
    if len(items) > 30:
        lines.append(f"- … và {len(items) - 30} phản ánh khác")
    lines.append("Đề nghị lãnh đạo chỉ đạo xử lý (/giao @can_bo trong chủ đề của phản ánh).")
    return "\n".join(lines)


async def sla_watch(session: AsyncSession, ctx: JobContext, now: datetime, holder: str) -> list[Outgoing]:
    """Reminders in the case threads and one escalation message for the leaders, each once."""
    statement = select(Case).where(
        col(Case.status).in_(_STAFF_TURN),
        col(Case.escalated).is_(False),
    )
    cases = (await session.exec(statement.order_by(col(Case.created_at)))).all()
    owed = [(case, action) for case in cases for action in sla_actions(case, now, ctx.calendar, ctx.config)]
    # Most owed actions were done on an earlier tick (an overdue case stays overdue): one
    # query finds those, instead of one insert attempt per case and tick.
    done = await _done_runs(session, owed)
    out: list[Outgoing] = []
    escalations: list[tuple[Case, SlaAction]] = []
    for case, action in owed:
        if (action.job, action.period) in done:
            continue
        if not await claim_run(session, action.job, action.period, holder, now):
            continue  # done meanwhile (the claim is the authority, the query only saves work)
        if action.action == "remind":
            message = ctx.queue.to_thread(
                case, Reply(reminder_text(ctx, case, action, now)), purpose="reminder"
            )
            if message is not None:
                out.append(message)
        else:
            escalations.append((case, action))
            await repo.add_event(
                session,
                case,
                "sla_escalation",
                actor="bot",
                note=f"Quá hạn {_KIND_VI[action.kind]} (hạn {ctx.when(action.due)}), đã báo lãnh đạo",
            )
    if escalations:
        mentions = await ctx.mentions() if ctx.mentions is not None else []
        message = ctx.queue.to_group(
            Reply(escalation_text(ctx, escalations, mentions, now)), purpose="escalation"
        )
        if message is not None:
            out.append(message)
    return out


async def _done_runs(session: AsyncSession, owed: Sequence[tuple[Case, SlaAction]]) -> set[tuple[str, str]]:
    done: set[tuple[str, str]] = set()
    periods = sorted({action.period for _case, action in owed})
    for i in range(0, len(periods), 500):  # stay below the bound-parameter limits
        statement = select(JobRun.job, JobRun.period).where(
            col(JobRun.job).in_(SLA_JOBS), col(JobRun.period).in_(periods[i : i + 500])
        )
        done.update((job, period) for job, period in (await session.exec(statement)).all())
    return done


# -- digest and overdue list ---------------------------------------------------------------------


async def digest(
    session: AsyncSession, ctx: JobContext, now: datetime, since: datetime | None
) -> list[Outgoing]:
    """The morning digest: new since the last digest, open, overdue, escalated, by assignee."""
    calendar = ctx.calendar
    if since is None:
        # First digest: what came in since the same time on the previous working day.
        local = calendar.to_local(now)
        since = datetime.combine(calendar.working_days_ahead(local.date(), -1), local.timetz())
    records = await load_digest_records(session, since, ctx.unit_names)
    text = format_digest_vi(build_digest(records, now, calendar, since=since))
    message = ctx.queue.to_group(Reply(text), purpose="digest")
    return [message] if message else []


def overdue_lines(ctx: JobContext, items: Sequence[DigestItem], limit: int = 40) -> list[str]:
    lines = []
    for item in items[:limit]:
        hours = item.overdue_hours or 0
        late = f"quá hạn {_hours_vi(hours)}" if hours >= 0.05 else "vừa quá hạn"
        due = f" (hạn {ctx.when(item.resolution_due)})" if item.resolution_due else ""
        lines.append(
            f"- {item.code} · {item.unit_name} · {item.system_label} · {item.status_label} · "
            f"{item.assignee or 'chưa giao'} · {late}{due}"
        )
    if len(items) > limit:
        lines.append(f"- … và {len(items) - limit} phản ánh khác")
    return lines


async def overdue_list(session: AsyncSession, ctx: JobContext, now: datetime) -> list[Outgoing]:
    """Open cases past their resolution deadline; nothing is posted when there are none."""
    records = await load_digest_records(session, now, ctx.unit_names)
    overdue = build_digest(records, now, ctx.calendar, since=now).overdue
    if not overdue:
        return []
    local = ctx.calendar.to_local(now)
    text = "\n".join(
        [
            f"⚠️ PHẢN ÁNH QUÁ HẠN GIẢI QUYẾT ({local:%H:%M %d/%m/%Y}): {len(overdue)}",
            *overdue_lines(ctx, overdue),
        ]
    )
    message = ctx.queue.to_group(Reply(text), purpose="overdue_list")
    return [message] if message else []


# -- auto-close -----------------------------------------------------------------------------------


async def autoclose(session: AsyncSession, ctx: JobContext, now: datetime) -> list[Outgoing]:
    """Resolved cases nobody rated close themselves after ``autoclose_after_days``; the reporter is told."""
    cutoff = _aware(now) - timedelta(days=ctx.config.autoclose_after_days)
    statement = (
        select(Case)
        .where(Case.status == CaseStatus.RESOLVED, col(Case.rating).is_(None), col(Case.resolved_at) < cutoff)
        .order_by(col(Case.resolved_at))
        .limit(500)
    )
    if dialect(session) == "postgresql":
        # A reporter rating the case right now holds its row: leave that one for next time.
        statement = statement.with_for_update(skip_locked=True)
    out: list[Outgoing] = []
    days = f"{ctx.config.autoclose_after_days:g}".replace(".", ",")
    for case in (await session.exec(statement)).all():
        await repo.set_status(
            session, case, CaseStatus.CLOSED, actor="bot", note=f"Tự đóng sau {days} ngày không có đánh giá"
        )
        t = await case_texts(session, case)
        reply = Reply(t.CASE_CLOSED_AUTO.format(code=case.code), language=t.LANGUAGE)
        out.append(ctx.queue.to_reporter(case, reply, purpose="notice"))
        out.extend(await ctx.queue.card_refresh(session, case))
    return out
