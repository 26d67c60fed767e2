"""`GET /healthz`: 200 only when the bot can do its work, else 503 naming what is wrong.

Checked on every call (a load balancer or an uptime monitor asks every few seconds; each check is
one short round trip):

* ``database``: ``SELECT 1`` within `CHECK_SECONDS`.
* ``redis`` (when configured): ``PING`` within `CHECK_SECONDS`. Redis down is reported, although
  updates are still processed without it (bot/redis_fallback.py): several workers then no longer
  share one rate limit, which an operator should fix.
* ``outbox``: the oldest message due to be sent has waited no more than
  ``delivery.health_backlog_minutes`` (a messenger outage, a stuck worker).
* ``tasks``: every supervised background task (bot/supervise.py) is running, none restarting
  after a crash or ended.

The body is JSON: ``{"ok": true|false, "checks": {name: "ok" | what is wrong}, "tasks": {...}}``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import func, select, text

from bot.delivery.patience import UNSENT
from storage.models import OutboxMessage, utcnow

if TYPE_CHECKING:
    from bot.runtime import Runtime

CHECK_SECONDS = 2.0

_OUTBOX: Any = OutboxMessage.__table__  # type: ignore[attr-defined]


async def check(runtime: Runtime) -> dict[str, Any]:
    app = runtime.app
    checks: dict[str, str] = {}
    checks["database"], oldest = await _database(runtime)
    if app.settings.redis_url:
        checks["redis"] = await _redis(app)
    limit = timedelta(minutes=app.settings.delivery.health_backlog_minutes)
    if oldest is not None and oldest > limit:
        checks["outbox"] = f"oldest message due {int(oldest.total_seconds())} s ago is not sent"
    elif checks["database"] == "ok":
        checks["outbox"] = "ok"
    problems = runtime.supervisor.problems()
    checks["tasks"] = "ok" if not problems else "not running: " + ", ".join(sorted(problems))
    ok = all(value == "ok" for value in checks.values())
    return {"ok": ok, "checks": checks, "tasks": runtime.supervisor.report()}


async def _database(runtime: Runtime) -> tuple[str, timedelta | None]:
    """("ok", age of the oldest due unsent message) or (what failed, None)."""
    db = runtime.app.db

    async def probe() -> timedelta | None:
        async with db.begin() as connection:
            await connection.execute(text("SELECT 1"))
            now = utcnow()
            due = await connection.scalar(
                select(func.min(_OUTBOX.c.next_attempt_at)).where(
                    _OUTBOX.c.status.in_(UNSENT), _OUTBOX.c.next_attempt_at <= now
                )
            )
        if due is None:
            return None
        if due.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
            now = now.replace(tzinfo=None)
        age: timedelta = now - due
        return age

    try:
        return "ok", await asyncio.wait_for(probe(), CHECK_SECONDS)
    except TimeoutError:
        return f"no answer within {CHECK_SECONDS:g} s", None
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})", None


async def _redis(app: Any) -> str:
    try:
        client = app._redis_client()
        await asyncio.wait_for(client.ping(), CHECK_SECONDS)
    except TimeoutError:
        return f"no answer within {CHECK_SECONDS:g} s (updates go on with this process's locks and limits)"
    except Exception as exc:
        return f"unreachable ({type(exc).__name__}; updates go on with this process's locks and limits)"
    return "ok"


def handler(runtime: Runtime) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def health(_request: web.Request) -> web.Response:
        body = await check(runtime)
        return web.json_response(body, status=200 if body["ok"] else 503)

    return health
