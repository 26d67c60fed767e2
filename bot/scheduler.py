"""APScheduler 3 timing for the jobs, in the configured time zone (Asia/Ho_Chi_Minh).

Every instance runs this scheduler; each job asks the leader election first (bot/leader.py)
and the runner makes each period run once (bot/jobs.py). The triggers:

========================  ===========================================  ==========================
job                        trigger (config ``jobs:``)                   does
========================  ===========================================  ==========================
``tick``                   every ``sla_check_minutes`` minutes          reminders, escalation,
                                                                        catch-up of missed periods
``digest``                 daily at ``digest_time``                     morning digest (working
                                                                        days only)
``overdue_list``           daily at ``overdue_list_time``               overdue list (working
                                                                        days only)
``weekly_report``          ``weekly_report_day`` ``weekly_report_time`` report of the last week
``monthly_report``         day ``monthly_report_day`` at its time       report of the last month
``autoclose``              every ``autoclose_check_minutes`` minutes    close unrated resolved
                                                                        cases
``cleanup``                daily at 03:20                               delete processed-update
                                                                        rows past
                                                                        ``retention.processed_update_days``
``purge``                  daily at ``purge_time``                      erase personal data past
                                                                        ``retention`` (Decree 13)
========================  ===========================================  ==========================

The daily jobs fire every day and the runner skips weekends and holidays, so a make-up
working Saturday gets its digest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs import JobRunner, install
from bot.leader import LeaderElector
from bot.telegram.leader_mentions import TelegramLeaderMentions
from handlers.schedule.jobs import MentionsFn

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from bot.app import Application
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def triggers(app: Application) -> dict[str, BaseTrigger]:
    js = app.settings.jobs
    tz = ZoneInfo(app.settings.timezone)
    every = js.sla_check_minutes
    return {
        "tick": CronTrigger(minute=f"*/{every}" if every < 60 else "0", timezone=tz),
        "digest": CronTrigger(hour=js.digest_time.hour, minute=js.digest_time.minute, timezone=tz),
        "overdue_list": CronTrigger(
            hour=js.overdue_list_time.hour, minute=js.overdue_list_time.minute, timezone=tz
        ),
        "weekly_report": CronTrigger(
            day_of_week=js.weekly_report_day,
            hour=js.weekly_report_time.hour,
            minute=js.weekly_report_time.minute,
            timezone=tz,
        ),
        "monthly_report": CronTrigger(
            day=js.monthly_report_day,
            hour=js.monthly_report_time.hour,
            minute=js.monthly_report_time.minute,
            timezone=tz,
        ),
        "autoclose": IntervalTrigger(minutes=js.autoclose_check_minutes, timezone=tz),
        # Small hours, when nobody writes: processed-update rows past their few days.
        "cleanup": CronTrigger(hour=3, minute=20, timezone=tz),
        "purge": CronTrigger(hour=js.purge_time.hour, minute=js.purge_time.minute, timezone=tz),
    }


class JobScheduler:
    def __init__(
        self,
        app: Application,
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] | None = None,
        mentions: MentionsFn | None = None,
        extra_triggers: dict[str, tuple[BaseTrigger, Callable[[], Any]]] | None = None,
    ) -> None:
        js = app.settings.jobs
        self.app = app
        self.elector = LeaderElector(
            app.db,
            name="scheduler",
            holder=holder,
            ttl=js.lease_seconds,
            renew_every=js.lease_renew_seconds,
            on_elected=self._elected,
        )
        self.runner = JobRunner(app, self.elector, clock=clock, mentions=mentions)
        self.scheduler = AsyncIOScheduler(
            timezone=ZoneInfo(app.settings.timezone),
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        runner = self.runner
        actions: dict[str, Callable[[], Any]] = {
            "tick": runner.tick,
            "digest": lambda: runner.run_periodic("digest"),
            "overdue_list": lambda: runner.run_periodic("overdue_list"),
            "weekly_report": lambda: runner.run_periodic("weekly_report"),
            "monthly_report": lambda: runner.run_periodic("monthly_report"),
            "autoclose": runner.autoclose,
            "cleanup": runner.cleanup,
            "purge": runner.purge,
        }
        for name, trigger in triggers(app).items():
            self._add(name, trigger, actions[name])
        for name, (trigger, action) in (extra_triggers or {}).items():
            self._add(name, trigger, action)
        self._heartbeat: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    def _add(self, name: str, trigger: BaseTrigger, action: Callable[[], Any]) -> None:
        async def job() -> None:
            # The runner checks leadership; this wrapper keeps a failing job from
            # disappearing silently (APScheduler would only log it at its own level).
            try:
                await action()
            except Exception:
                log.exception("scheduled job %s failed", name)

        self.scheduler.add_job(job, trigger, id=name, name=name)

    def _elected(self) -> None:
        # Not awaited in the heartbeat: a catch-up report takes seconds, the lease must not wait.
        task = asyncio.create_task(self.runner.on_elected(), name="jobs-elected")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def next_run_times(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    async def start(self) -> None:
        self.scheduler.start()
        self._heartbeat = asyncio.create_task(self.elector.run(), name="leader-heartbeat")

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._heartbeat  # its finally releases the lease
            self._heartbeat = None
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    def kill_heartbeat(self) -> None:
        """Stop renewing the lease without releasing it: what a crashed or frozen leader does."""
        if self._heartbeat is not None:
            self.elector.release_on_exit = False
            self._heartbeat.cancel()
            self._heartbeat = None

    async def run(self) -> None:
        """Run until cancelled (a runtime task, supervised: bot/supervise.py).

        The lease heartbeat is what lets this instance run jobs: should its task end, this ends
        with an error, so the supervisor logs it and starts the scheduler again."""
        await self.start()
        try:
            heartbeat = self._heartbeat
            assert heartbeat is not None
            await asyncio.wait([heartbeat])
            cause = "cancelled" if heartbeat.cancelled() else repr(heartbeat.exception() or "returned")
            raise RuntimeError(f"the leader heartbeat stopped ({cause})")
        finally:
            await self.stop()


async def attach(runtime: Runtime) -> JobScheduler | None:
    """Called from bot/wiring.extend: staff commands and incident listener, then the scheduler."""
    app = runtime.app
    settings = app.settings
    install(app)
    if not settings.jobs.enabled:
        return None
    mentions: MentionsFn | None = None
    if runtime.telegram_bot is not None and settings.staff_chat_id and settings.staff.leaders:
        mentions = TelegramLeaderMentions(
            runtime.telegram_bot, settings.staff_chat_id, list(settings.staff.leaders)
        )
    scheduler = JobScheduler(app, mentions=mentions)
    runtime.supervise("scheduler", scheduler.run)
    runtime.scheduler = scheduler  # type: ignore[attr-defined]
    return scheduler
