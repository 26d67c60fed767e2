"""Starting while the database is not there yet (a reboot where the bot comes up first, a
database restarting): one clear line, and the bot waits and tries again, instead of a long
traceback and an exit that a service manager turns into a restart loop."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database

log = logging.getLogger("bot")

MAX_DELAY_SECONDS = 30.0


async def wait_for_database(
    url: str, *, first_delay: float = 1.0, max_delay: float = MAX_DELAY_SECONDS
) -> int:
    """Return once ``SELECT 1`` succeeds on `url`; the number of failed tries before that.

    Every failure is one ERROR line naming the database (password hidden) and the cause; the
    wait doubles from `first_delay` to `max_delay`. SQLite is a local file: not waited for."""
    db = Database(url, connect_timeout=5, statement_timeout=5)
    if db.is_sqlite:
        await db.dispose()
        return 0
    where = make_url(url).render_as_string(hide_password=True)
    delay = first_delay
    failures = 0
    try:
        while True:
            try:
                async with db.begin() as connection:
                    await connection.execute(text("SELECT 1"))
            except Exception as exc:
                failures += 1
                log.error(
                    "database %s unreachable (%s); trying again in %.0f s",
                    where,
                    _cause(exc),
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay)
                continue
            if failures:
                log.info("database %s reachable after %d failed tries", where, failures)
            return failures
    finally:
        await db.dispose()


def _cause(exc: BaseException) -> str:
    """A short cause: the exception's name and its first line (no statement, no parameters)."""
    inner = getattr(exc, "orig", None) or exc
    first = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    name = type(inner).__name__
    return f"{name}: {first[:160]}" if first else name
