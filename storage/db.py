"""Database engine and sessions.

`DATABASE_URL` takes the usual SQLAlchemy forms (`sqlite:///path`, `postgresql://user@host/db`);
the async driver (asyncpg, or SQLite run in place: storage.sqlite_inline) is chosen here so
operators never have to know about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import await_
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver import asyncpg_adapter, pin_driver
from storage.sqlite_inline import inline_connector

log = logging.getLogger(__name__)

# How long a statement waits for another process's SQLite write lock (a CLI `purge`, a
# migration) before it fails and its caller retries. Statements run on the event loop's
# thread, so this is also the longest the loop can stall on such a lock.
SQLITE_BUSY_TIMEOUT_MS = 5000

# A pooled PostgreSQL connection that sat unused this long is checked before it is handed out
# (the server may have restarted, a firewall may have cut it). One used a moment ago is not:
# SQLAlchemy's pool_pre_ping checks on every checkout, and on asyncpg a check is three round
# trips (BEGIN, ";", ROLLBACK), more than the rest of an update's transaction put together.
# A connection that breaks while busy fails its statement either way; callers retry that.
IDLE_CHECK_SECONDS = 2.0
# How long that check may take: one round trip, so a frozen connection is given up on quickly
# (the pool then opens a new one, bounded by CONNECT_TIMEOUT_SECONDS).
IDLE_CHECK_TIMEOUT_SECONDS = 1.5

# PostgreSQL timeouts (issue #17): a frozen connection (a dead route, a stuck server) must fail a
# request within seconds, not hang it for minutes; the messenger delivers the update again later.
# * connect: opening a connection (TCP and the start-up exchange).
# * statement: PostgreSQL cancels a statement running longer than this itself (the connection
#   stays usable); the client gives up one second later (asyncpg's command timeout), which is
#   what ends a statement on a connection whose server no longer answers at all; that connection
#   is then closed at once (_drop_if_dead). So a frozen database fails a request after about
#   statement + 1 seconds, or idle check + connect (6.5 s) when it meets a pooled connection that
#   sat idle.
# * pool: waiting for a free pooled connection.
CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 10.0


def async_url(url: str) -> str:
    """Map a plain SQLAlchemy URL to its async-driver form."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database '{backend}': use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class SessionTurns:
    """SQLite sessions of this process take turns: an asyncio lock its holder task may re-enter.

    SQLite has one writer at a time. Without turns, two transactions of this process would meet
    in SQLite's busy handler — and since statements run on the event loop's thread
    (storage.sqlite_inline), one waiting there would block the loop the other needs to commit.
    With turns, a transaction starts only when the previous one has ended, in arrival order.
    PostgreSQL needs none of this: its sessions run concurrently."""

    # Nobody waits forever: past this, a session goes ahead and SQLite's busy handler
    # arbitrates (bounded by SQLITE_BUSY_TIMEOUT_MS), e.g. should a session ever wait on another.
    PATIENCE = 10.0

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        me = asyncio.current_task()
        if me is not None and self.holder is me:
            yield  # already ours: a nested session in the same task
            return
        try:
            if self.lock.locked():
                await asyncio.wait_for(self.lock.acquire(), self.PATIENCE)
            else:
                await self.lock.acquire()  # free: no timer and no task for wait_for to set up
        except TimeoutError:
            log.warning("SQLite session turns: waited %.0f s, going ahead", self.PATIENCE)
            yield
            return
        self.holder = me
        try:
            yield
        finally:
            self.holder = None
            self.lock.release()


class Database:
    """Owns the async engine and hands out sessions."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 20,
        max_overflow: int = 10,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        statement_timeout: float | None = STATEMENT_TIMEOUT_SECONDS,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
    ) -> None:
        """`statement_timeout=None`: no limit on a statement (migrations, an operator's purge);
        the connect timeout still holds."""
        self.url = url
        self.is_sqlite = is_sqlite(url)
        # Statement parameters are what people wrote (names, phone numbers, descriptions): a
        # database error must not carry them into a log line.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            database = make_url(url).database or ":memory:"
            if database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["async_creator"] = inline_connector(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        else:
            kwargs.update(
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=pool_timeout,
                connect_args=postgres_timeouts(connect_timeout, statement_timeout),
            )
        self.engine: AsyncEngine = create_async_engine(async_url(url), **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine.sync_engine, "checkin", _note_idle_since)
            event.listen(self.engine.sync_engine, "checkout", _check_if_idle)
            event.listen(self.engine.sync_engine, "invalidate", _drop_if_dead)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._turns = SessionTurns() if self.is_sqlite else None

    def turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        """This process's turn at the database (SQLite; a no-op on PostgreSQL)."""
        return self._turns.hold() if self._turns is not None else contextlib.nullcontext()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        async with self.turn(), self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """A transaction on a plain connection, with a session on it for whoever needs one.

        For the message intake: most messages need no ORM at all (storage.driver runs their
        statements), and an ORM session that begins, commits and closes a transaction costs
        more CPU than those statements. This session joins the connection's transaction only
        if it is used; whatever it holds is flushed before the transaction commits."""
        async with self.turn(), self.engine.connect() as connection, connection.begin():
            session = AsyncSession(bind=connection, expire_on_commit=False)
            try:
                await pin_driver(session, connection)
                yield session
                await session.flush()
            finally:
                await session.close()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection in a transaction, for Core statements that need no ORM session
        (cheaper per transaction); commits on success, rolls back on error."""
        async with self.turn(), self.engine.begin() as connection:
            yield connection

    async def reachable(self, timeout: float = 3.0) -> bool:
        """Whether the database answers ``SELECT 1`` within `timeout` seconds; on SQLite, whether
        a write could start (another process, a CLI purge, may hold the write lock: reads still
        work then, the updates that wait would not)."""
        from sqlalchemy import text

        # A write that changes nothing still takes SQLite's write lock (waiting up to the busy timeout).
        probe_sql = "DELETE FROM processedupdate WHERE 1 = 0" if self.is_sqlite else "SELECT 1"

        async def probe() -> None:
            async with self.begin() as connection:
                await connection.execute(text(probe_sql))

        try:
            await asyncio.wait_for(probe(), timeout)
        except Exception:
            return False
        return True

    async def create_all(self) -> None:
        """Create tables directly (tests); production uses Alembic migrations."""
        from sqlmodel import SQLModel

        from storage import models  # noqa: F401  (registers the tables)

        async with self.turn(), self.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def postgres_timeouts(connect: float, statement: float | None) -> dict[str, Any]:
    """asyncpg's connect arguments for the timeouts above."""
    args: dict[str, Any] = {"timeout": connect}
    if statement is not None:
        args["command_timeout"] = statement + 1
        args["server_settings"] = {"statement_timeout": str(int(statement * 1000))}
    return args


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _check_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_CHECK_SECONDS:
        return  # new, or in use a moment ago
    try:
        adapter = asyncpg_adapter(dbapi_connection)
        if adapter is not None:
            # One round trip with its own short timeout; SQLAlchemy's ping is three (BEGIN, ";",
            # ROLLBACK), each allowed the whole statement timeout.
            await_(adapter._connection.fetchrow(";", timeout=IDLE_CHECK_TIMEOUT_SECONDS))
        else:
            dbapi_connection.ping()
    except Exception as exc:
        # The pool discards this connection and hands out another (a new one if need be).
        raise DisconnectionError(f"idle connection is gone: {type(exc).__name__}") from exc


def _drop_if_dead(dbapi_connection: Any, _record: Any, exception: BaseException | None) -> None:
    """A connection given up for a timeout or a network error is closed at once: SQLAlchemy
    would first try a graceful close, which on a connection that no longer answers waits two
    more seconds (the request that met it waits with it)."""
    cause = exception.__cause__ if exception is not None and exception.__cause__ is not None else exception
    if not isinstance(cause, (TimeoutError, OSError)) and not isinstance(exception, (TimeoutError, OSError)):
        return
    adapter = asyncpg_adapter(dbapi_connection)
    if adapter is not None:
        with contextlib.suppress(Exception):
            adapter._connection.terminate()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (a CLI report, a second process) read while the bot writes; the busy
    # timeout waits for another process's write lock instead of failing at once; foreign keys
    # are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
