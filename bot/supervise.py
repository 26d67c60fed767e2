"""Background tasks that cannot die silently: pollers, the outbox, the scheduler, token upkeep.

A bare ``asyncio.create_task`` that raises just ends: the process keeps running with a channel
dead and, at best, "Task exception was never retrieved" at garbage collection. Every background
task of the runtime runs under a `Supervisor` instead: a crash is logged at ERROR with its
traceback, the task is started again after a backoff (1 s, doubling to a minute; back to 1 s once
it has run a minute without crashing), and `/healthz` reports a task that is restarting or gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

State = Literal["running", "restarting", "finished", "stopped"]

Factory = Callable[[], Awaitable[Any]]


@dataclass
class TaskStatus:
    name: str
    state: State = "running"
    restarts: int = 0
    last_error: str | None = None
    since: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "for_seconds": round(time.monotonic() - self.since, 1),
        }


class Supervisor:
    """Starts named tasks and keeps them running until `stop()`."""

    def __init__(
        self, *, min_backoff: float = 1.0, max_backoff: float = 60.0, healthy_after: float = 60.0
    ) -> None:
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        # A task that ran this long before crashing starts again after min_backoff.
        self.healthy_after = healthy_after
        self.status: dict[str, TaskStatus] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.stopping = False

    def start(self, name: str, factory: Factory) -> asyncio.Task[None]:
        """Run ``factory()`` as task ``name``; again after each crash. A task that returns has
        finished its work (it was asked to stop) and is not started again."""
        status = self.status[name] = TaskStatus(name)
        task = asyncio.create_task(self._keep(status, factory), name=name)
        self.tasks.append(task)
        return task

    async def _keep(self, status: TaskStatus, factory: Factory) -> None:
        try:
            await self._run(status, factory)
        except asyncio.CancelledError:
            status.state, status.since = "stopped", time.monotonic()
            raise

    async def _run(self, status: TaskStatus, factory: Factory) -> None:
        delay = self.min_backoff
        while True:
            status.state, status.since = "running", time.monotonic()
            try:
                await factory()
            except Exception as exc:
                if time.monotonic() - status.since >= self.healthy_after:
                    delay = self.min_backoff
                status.restarts += 1
                status.last_error = f"{type(exc).__name__}: {exc}"[:300]
                status.state, status.since = "restarting", time.monotonic()
                log.error(
                    "background task %s crashed (restart %d in %.0f s)",
                    status.name,
                    status.restarts,
                    delay,
                    exc_info=True,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                log.warning("background task %s: starting again", status.name)
                continue
            status.state, status.since = "finished", time.monotonic()
            if not self.stopping:
                log.error("background task %s ended while the bot runs", status.name)
            return

    def problems(self) -> dict[str, dict[str, Any]]:
        """Tasks that are not doing their work: restarting after a crash, or ended early."""
        if self.stopping:
            return {}
        return {name: s.as_dict() for name, s in self.status.items() if s.state != "running"}

    def report(self) -> dict[str, dict[str, Any]]:
        return {name: s.as_dict() for name, s in self.status.items()}

    async def stop(self, timeout: float = 10.0) -> None:
        self.stopping = True
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), timeout)
