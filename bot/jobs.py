"""Running the jobs: leadership, idempotency per period, fencing, and the outbox.

:class:`JobRunner` turns the job bodies of :mod:`handlers.schedule.jobs` into runs that are safe with
several instances:

1. only while :attr:`LeaderElector.is_leader` is true;
2. a periodic job computes its period (``Due``) from the time, skips it when its ``JobRun`` row
   exists, builds its messages (and files) in a read-only session, then in **one** transaction
   inserts the ``JobRun`` row (insert-or-skip), re-checks the lease (fencing) and stores the
   messages in the outbox. A second instance, a retry or a new leader after a failover meets
   the row and does nothing, so a digest is sent once per day whatever happens;
3. per-case jobs (reminders, escalation) claim one ``JobRun`` row per case and deadline in the
   same transaction as their messages; auto-close is idempotent by the status it changes.

Missed periods are caught up when an instance becomes leader and on every SLA tick, within a
window per job (``handlers.schedule.jobs.CATCH_UP``). On a database where a job has never run, the
current period is recorded as done instead (``baseline``): a fresh installation, or a test
database, does not post yesterday's digest the moment it starts.

:func:`install` plugs the staff commands (``/baocao``, ``/suco``) and the incident case
listener into an :class:`~bot.app.Application`; bot/scheduler.py adds the timing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.outbox import enqueue
from bot.leader import LeaderElector
from bot.purge import PurgeReport, purge_personal_data
from bot.settings import PROJECT_ROOT, Settings
from handlers.events import Outgoing
from handlers.incidents.desk import IncidentConfig, IncidentDesk
from handlers.incidents.detect import IncidentRule
from handlers.reports.desk import ReportDesk, ReportMaker
from handlers.schedule import jobs as J
from storage.housekeeping import delete_processed_updates

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODIC_JOBS = ("digest", "overdue_list", "weekly_report", "monthly_report")


class LostLeadership(Exception):
    """The lease was not ours any more when the job was about to commit."""


# -- configuration -------------------------------------------------------------------------------


def jobs_config(settings: Settings) -> J.JobsConfig:
    js = settings.jobs
    return J.JobsConfig(
        digest_time=js.digest_time,
        weekly_day=WEEKDAYS.index(js.weekly_report_day),
        weekly_time=js.weekly_report_time,
        monthly_day=js.monthly_report_day,
        monthly_time=js.monthly_report_time,
        overdue_list_time=js.overdue_list_time,
        reminder_lead_hours=js.reminder_lead_hours,
        escalation_margin_hours=js.escalation_margin_hours,
        autoclose_after_days=settings.staff.autoclose_after_days,
    )


def incident_config(settings: Settings) -> IncidentConfig:
    inc = settings.jobs.incidents
    return IncidentConfig(
        enabled=inc.enabled,
        rule=IncidentRule(inc.min_reports, inc.min_units, timedelta(minutes=inc.window_minutes)),
        quiet=timedelta(minutes=inc.quiet_minutes),
        hold=inc.hold_linked,
        edit_every=timedelta(seconds=inc.card_edit_seconds),
    )


def reports_dir(settings: Settings) -> Path:
    path = Path(settings.jobs.reports_dir)
    return path if path.is_absolute() else PROJECT_ROOT / path


# -- commands and listener -----------------------------------------------------------------------


@dataclass
class JobsFeature:
    reports: ReportMaker
    report_desk: ReportDesk
    incidents: IncidentDesk


def install(app: Application, *, clock: Callable[[], datetime] | None = None) -> JobsFeature:
    """Register ``/baocao``, ``/thongke``, ``/suco`` and the incident case listener (once per application)."""
    existing = getattr(app, "_jobs_feature", None)
    if isinstance(existing, JobsFeature):
        return existing
    settings = app.settings
    maker = ReportMaker(app.calendar, reports_dir(settings), faq=app.faq, organisation=settings.organisation)
    feature = JobsFeature(
        reports=maker,
        report_desk=ReportDesk(maker, clock),
        incidents=IncidentDesk(
            app.queue,
            app.faq,
            app.desk,
            incident_config(settings),
            rating_choices=app.engine.rating_request,
            clock=clock,
        ),
    )
    app.desk.register("baocao", feature.report_desk.handle)
    # /thongke by the report's own figures (it takes over the staff desk's built-in one).
    app.desk.register("thongke", feature.report_desk.stats)
    app.desk.register("suco", feature.incidents.command)
    app.desk.register("xem", feature.incidents.show)
    app.engine.intake.case_listeners.append(feature.incidents.case_created)
    app.engine.intake.incident_notice = feature.incidents.notice_for
    app._jobs_feature = feature  # type: ignore[attr-defined]
    return feature


# -- runner -------------------------------------------------------------------------------------


@dataclass
class Produced:
    out: list[Outgoing]
    discard: Callable[[], None] = lambda: None


@dataclass
class PeriodicJob:
    name: str
    due: Callable[[datetime], J.Due | None]
    produce: Callable[[AsyncSession, J.Due, datetime], Awaitable[Produced]]


@dataclass
class RunStats:
    """What each job did in this process (for tests and the log)."""

    ran: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, job: str, outcome: str) -> None:
        table = self.ran if outcome == "ran" else self.skipped
        table[job] = table.get(job, 0) + 1


class JobRunner:
    def __init__(
        self,
        app: Application,
        elector: LeaderElector,
        *,
        clock: Callable[[], datetime] | None = None,
        mentions: J.MentionsFn | None = None,
    ) -> None:
        self.app = app
        self.db = app.db
        self.elector = elector
        self.clock = clock or (lambda: datetime.now(UTC))
        self.config = jobs_config(app.settings)
        self.ctx = J.JobContext(app.queue, app.calendar, self.config, mentions=mentions)
        self.reports = install(app).reports
        self.stats = RunStats()
        calendar = app.calendar
        self.periodic: dict[str, PeriodicJob] = {
            "digest": PeriodicJob(
                "digest", lambda now: J.digest_due(now, calendar, self.config), self._digest
            ),
            "overdue_list": PeriodicJob(
                "overdue_list", lambda now: J.overdue_list_due(now, calendar, self.config), self._overdue_list
            ),
            "weekly_report": PeriodicJob(
                "weekly_report", lambda now: J.weekly_due(now, calendar, self.config), self._report
            ),
            "monthly_report": PeriodicJob(
                "monthly_report", lambda now: J.monthly_due(now, calendar, self.config), self._report
            ),
        }
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def holder(self) -> str:
        return self.elector.holder

    def _lock(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())

    @asynccontextmanager
    async def fenced(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits only if this instance still holds the lease at its end.

        The check is the last statement before the commit; on PostgreSQL it also holds the
        lease row FOR SHARE, so a takeover waits for this commit instead of racing it.
        """
        async with self.db.session() as session:
            yield session
            if not await self.elector.holds_lease(session):
                raise LostLeadership()

    def _wake_outbox(self) -> None:
        if self.app.outbox is not None:
            self.app.outbox.wake()

    # -- periodic ------------------------------------------------------------------------

    async def run_periodic(self, name: str, now: datetime | None = None) -> str:
        """Run job ``name`` for its period due at ``now``; returns what happened:
        ``ran``, ``done`` (already ran), ``not_due``, ``not_leader``."""
        outcome = await self._run_periodic(name, now or self.clock())
        self.stats.count(name, outcome)
        if outcome == "ran":
            log.info("job %s ran", name)
        return outcome

    async def _run_periodic(self, name: str, now: datetime) -> str:
        if not self.elector.is_leader:
            return "not_leader"
        job = self.periodic[name]
        due = job.due(now)
        if due is None:
            return "not_due"
        async with self._lock(name):
            async with self.db.session() as session:
                if await J.has_run(session, name, due.period):
                    return "done"
                produced = await job.produce(session, due, now)
            try:
                async with self.fenced() as session:
                    if not await J.claim_run(session, name, due.period, self.holder, now):
                        raise _AlreadyDone
                    await enqueue(session, produced.out)
            except _AlreadyDone:
                produced.discard()
                return "done"
            except LostLeadership:
                produced.discard()
                return "not_leader"
        self._wake_outbox()
        return "ran"

    async def _digest(self, session: AsyncSession, due: J.Due, now: datetime) -> Produced:
        since = await J.last_run_at(session, "digest", except_period=due.period)
        return Produced(await J.digest(session, self.ctx, now, since))

    async def _overdue_list(self, session: AsyncSession, due: J.Due, now: datetime) -> Produced:
        return Produced(await J.overdue_list(session, self.ctx, now))

    async def _report(self, session: AsyncSession, due: J.Due, now: datetime) -> Produced:
        assert due.start is not None and due.end is not None
        if not self.app.queue.staff_chat_id:
            return Produced([])  # no staff group to post to: do not draw a chart for nobody
        report = await self.reports.build(session, due.start, due.end, now)
        files = await self.reports.render(report)
        out = files.outgoing(lambda reply: self.app.queue.to_group(reply, purpose="report"))
        return Produced(out, files.remove)

    async def sweep(self, now: datetime | None = None) -> dict[str, str]:
        """Run every periodic job whose period is due and not done (catch-up after a failover)."""
        now = now or self.clock()
        return {name: await self.run_periodic(name, now) for name in self.periodic}

    async def baseline(self, now: datetime | None = None) -> list[str]:
        """Jobs that never ran on this database start from the current period (see module doc)."""
        now = now or self.clock()
        marked = []
        try:
            async with self.fenced() as session:
                for name, job in self.periodic.items():
                    if await J.ever_run(session, name):
                        continue
                    await J.claim_run(session, name, "baseline", self.holder, now)
                    due = job.due(now)
                    if due is not None:
                        await J.claim_run(session, name, due.period, f"baseline:{self.holder}", now)
                    marked.append(name)
        except LostLeadership:
            return []
        return marked

    async def on_elected(self) -> None:
        await self.baseline()
        await self.sweep()

    # -- per case ------------------------------------------------------------------------

    async def sla_watch(self, now: datetime | None = None) -> int:
        """Reminders and escalations due now; returns the number of messages stored."""
        return await self._stateful("sla_watch", J.sla_watch, now)

    async def autoclose(self, now: datetime | None = None) -> int:
        async def body(
            session: AsyncSession, ctx: J.JobContext, at: datetime, _holder: str
        ) -> list[Outgoing]:
            return await J.autoclose(session, ctx, at)

        return await self._stateful("autoclose", body, now)

    async def _stateful(
        self,
        name: str,
        body: Callable[[AsyncSession, J.JobContext, datetime, str], Awaitable[list[Outgoing]]],
        now: datetime | None,
    ) -> int:
        if not self.elector.is_leader:
            self.stats.count(name, "not_leader")
            return 0
        now = now or self.clock()
        async with self._lock(name):
            try:
                async with self.fenced() as session:
                    out = await body(session, self.ctx, now, self.holder)
                    await enqueue(session, out)
            except LostLeadership:
                self.stats.count(name, "not_leader")
                return 0
        self.stats.count(name, "ran")
        if out:
            self._wake_outbox()
        return len(out)

    async def purge(self) -> PurgeReport | None:
        """The daily retention purge (Decree 13): only the leader runs it; None when not the leader.
        Idempotent (an erased case is skipped), so a second instance's run would change nothing."""
        if not self.elector.is_leader:
            self.stats.count("purge", "not_leader")
            return None
        async with self._lock("purge"):
            report = await purge_personal_data(self.db, self.app.settings.retention.personal_data_days)
        self.stats.count("purge", "ran")
        log.info("job purge ran: %s", "; ".join(report.lines()))
        return report

    async def cleanup(self, now: datetime | None = None) -> int:
        """Daily: processed-update rows past retention.processed_update_days (storage.housekeeping)."""
        if not self.elector.is_leader:
            return 0
        days = self.app.settings.retention.processed_update_days
        async with self._lock("cleanup"), self.db.session() as session:
            return await delete_processed_updates(session, (now or self.clock()) - timedelta(days=days))

    async def tick(self, now: datetime | None = None) -> None:
        """The frequent job: deadlines, then any periodic run a failover may have missed."""
        now = now or self.clock()
        await self.sla_watch(now)
        await self.sweep(now)


class _AlreadyDone(Exception):
    pass
