"""The few statements every message runs, executed on the database driver itself.

Each private message runs the same four statements: record the update, read the person,
save where they are in the dialogue, store the replies. Through SQLAlchemy's
`Connection.execute` each costs about 0.25 ms of CPU — statement cache lookup, execution
context, result object — several times what the database needs for these one-row
statements (benchmarks/README.md has the measurements). Under a burst that overhead, not
the database, decided how many messages a worker could take.

So these statements are still SQLAlchemy constructs, compiled once per dialect with
SQLAlchemy's own type conversions, but they run on the driver of the session's connection,
inside the session's transaction: they commit or roll back with everything else the turn
did, and errors come back as SQLAlchemy's exceptions (`DBAPIError` and its subclasses),
with a broken connection handled by SQLAlchemy itself.

* SQLite: on the `sqlite3` connection directly (statements already run on the event loop's
  thread, storage.sqlite_inline). sqlite3 opens the transaction before the first write, as
  it does for SQLAlchemy's own statements.
* PostgreSQL: on the asyncpg connection itself, inside the transaction of SQLAlchemy's
  asyncpg adapter (begun by the first statement, as the adapter's own cursor does), so that
  the ORM session of the same turn runs in that transaction too. The adapter's cursor would
  cost a greenlet switch, a lock and a result copy per statement: ≈ 40 µs of CPU each, and
  its lazy BEGIN and its COMMIT as much again (benchmarks/README.md). This uses four
  members of the adapter that are not public API (`_connection`, `_transaction`,
  `_start_transaction`, `_handle_exception`); `asyncpg_adapter` checks they are there and
  falls back to the adapter's cursor otherwise, and a test fails if the fast path is lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import ClauseElement, Select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sqlite_inline import InlineConnection

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled for one dialect: SQL text, parameter order, type conversions."""

    sql: str
    names: tuple[str, ...]
    bind: tuple[Processor, ...]
    result: tuple[Processor, ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip((values[name] for name in self.names), self.bind, strict=True)
        )

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(raw, self.result, strict=True)
        )


def compile_for(
    statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
) -> DriverStatement:
    """Compile `statement` once for `dialect` (positional parameters, as the driver takes them)."""
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
    names = tuple(compiled.positiontup or ())
    bind = tuple(_bind_processor(compiled.binds[name].type, dialect) for name in names)
    result = tuple(_result_processor(type_, dialect) for type_ in _result_types(statement))
    return DriverStatement(compiled.string, names, bind, result)


def _result_types(statement: Any) -> Iterable[Any]:
    """The types of the columns a statement returns: a SELECT's, or an INSERT … RETURNING's."""
    if isinstance(statement, Select):
        return [column.type for column in statement.selected_columns]
    return [description["type"] for description in getattr(statement, "returning_column_descriptions", ())]


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    processor: Processor = type_.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _result_processor(type_: Any, dialect: Dialect) -> Processor:
    processor: Processor = type_.dialect_impl(dialect).result_processor(dialect, None)
    return processor


class StatementSet:
    """Statements compiled lazily, once per dialect, from a builder of SQLAlchemy constructs."""

    def __init__(
        self, build: Callable[[str], Mapping[str, tuple[ClauseElement, Sequence[str] | None]]]
    ) -> None:
        self._build = build
        self._compiled: dict[str, dict[str, DriverStatement]] = {}

    def for_dialect(self, dialect: Dialect) -> dict[str, DriverStatement]:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = {
                name: compile_for(statement, dialect, keys)
                for name, (statement, keys) in self._build(dialect.name).items()
            }
            self._compiled[dialect.name] = compiled
        return compiled


class Driver(Protocol):
    dialect: Dialect

    async def execute(self, statement: DriverStatement, values: Mapping[str, Any]) -> int:
        """Run one statement; the number of rows it touched."""
        ...

    async def fetchone(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run one statement; its first row, converted, or None."""
        ...

    async def executemany(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None: ...


async def driver_for(session: AsyncSession) -> Driver:
    """The driver of `session`'s connection, in the session's transaction.

    Kept on the session for as long as its transaction lasts: a turn asks for it several
    times, and looking the connection up again costs two greenlet hops each time."""
    pinned: Driver | None = session.info.get(_PINNED_KEY)
    if pinned is not None:
        return pinned
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_DRIVER_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        driver: Driver = cached[1]
        return driver
    driver = await _driver_of(await session.connection())
    session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), driver)
    return driver


async def pin_driver(session: AsyncSession, connection: AsyncConnection) -> None:
    """`session` is bound to `connection` for its whole life (storage.db.Database.unit):
    its driver is known before the session ever begins."""
    session.info[_PINNED_KEY] = await _driver_of(connection)


async def _driver_of(connection: AsyncConnection) -> Driver:
    raw = await connection.get_raw_connection()
    if connection.dialect.name == "sqlite":
        inline = raw.driver_connection
        if isinstance(inline, InlineConnection) and inline.sqlite is not None:
            return SQLiteDriver(inline.sqlite, connection.dialect)
    adapter = asyncpg_adapter(raw.dbapi_connection)
    if adapter is not None:
        return AsyncpgDriver(connection, adapter)
    return DBAPIDriver(connection, raw.dbapi_connection)


_ADAPTER_MEMBERS = ("_connection", "_transaction", "_start_transaction", "_handle_exception")


def asyncpg_adapter(dbapi_connection: Any) -> Any | None:
    """SQLAlchemy's asyncpg adapter of a pooled connection, when it has the members the direct
    path uses (None otherwise: another driver, or a SQLAlchemy that changed them)."""
    if type(dbapi_connection).__name__ != "AsyncAdapt_asyncpg_connection":
        return None
    if not all(hasattr(dbapi_connection, name) for name in _ADAPTER_MEMBERS):
        return None
    return dbapi_connection


_DRIVER_KEY = "storage.driver"
_PINNED_KEY = "storage.driver.pinned"


class SQLiteDriver:
    """Statements on the sqlite3 connection, on the loop's thread (as every statement here)."""

    def __init__(self, connection: sqlite3.Connection, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    async def execute(self, statement: DriverStatement, values: Mapping[str, Any]) -> int:
        parameters = statement.parameters(values)
        try:
            return self.connection.execute(statement.sql, parameters).rowcount
        except sqlite3.Error as exc:
            raise _wrapped(statement.sql, parameters, exc, sqlite3.Error) from exc

    async def fetchone(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        parameters = statement.parameters(values)
        try:
            cursor = self.connection.execute(statement.sql, parameters)
            raw = cursor.fetchone()
            cursor.close()  # an INSERT … RETURNING completes only when its cursor is done
        except sqlite3.Error as exc:
            raise _wrapped(statement.sql, parameters, exc, sqlite3.Error) from exc
        return None if raw is None else statement.row(raw)

    async def executemany(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        parameters = [statement.parameters(values) for values in rows]
        try:
            self.connection.executemany(statement.sql, parameters)
        except sqlite3.Error as exc:
            raise _wrapped(statement.sql, parameters, exc, sqlite3.Error) from exc


class DBAPIDriver:
    """Statements on the DBAPI cursor of SQLAlchemy's connection (its async adapters run
    them in the connection's greenlet, which `run_sync` provides)."""

    def __init__(self, connection: AsyncConnection, dbapi_connection: Any) -> None:
        self.connection = connection
        self.dbapi_connection = dbapi_connection
        self.dialect = connection.dialect

    async def execute(self, statement: DriverStatement, values: Mapping[str, Any]) -> int:
        rowcount, _row = await self._run(statement, statement.parameters(values), many=False)
        return rowcount

    async def fetchone(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        _rowcount, raw = await self._run(statement, statement.parameters(values), many=False)
        return None if raw is None else statement.row(raw)

    async def executemany(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        await self._run(statement, [statement.parameters(values) for values in rows], many=True)

    async def _run(self, statement: DriverStatement, parameters: Any, *, many: bool) -> tuple[int, Any]:
        try:
            return await self.connection.run_sync(
                _cursor_run, self.dbapi_connection, statement.sql, parameters, many
            )
        except self.dialect.loaded_dbapi.Error as exc:
            if self.dialect.is_disconnect(exc, self.dbapi_connection, None):
                # Let SQLAlchemy meet the broken connection itself: it invalidates it, and every
                # pooled connection opened before now (a server restart cut them all), and
                # raises its DBAPIError with connection_invalidated set.
                await self.connection.exec_driver_sql("SELECT 1")
            raise _wrapped(statement.sql, parameters, exc, self.dialect.loaded_dbapi.Error) from exc


class AsyncpgDriver:
    """Statements on the asyncpg connection, in the transaction SQLAlchemy's adapter tracks.

    The adapter begins its transaction lazily, on a connection's first statement; this does
    what its cursor does at that point (`_start_transaction`), so SQLAlchemy commits or rolls
    back everything the turn did, whichever of the two ran the first statement. asyncpg keeps
    the statements prepared (its own statement cache), with the type codecs the adapter set up
    on the connection (JSON as SQLAlchemy serialises it)."""

    def __init__(self, connection: AsyncConnection, adapter: Any) -> None:
        self.connection = connection
        self.adapter = adapter
        self.dialect = connection.dialect

    async def execute(self, statement: DriverStatement, values: Mapping[str, Any]) -> int:
        parameters = statement.parameters(values)
        try:
            await self._begin()
            status: str = await self.adapter._connection.execute(statement.sql, *parameters)
        except Exception as exc:
            raise await self._translated(statement.sql, parameters, exc) from exc
        # "INSERT 0 1", "UPDATE 3": the last word is the number of rows.
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else -1

    async def fetchone(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        parameters = statement.parameters(values)
        try:
            await self._begin()
            raw = await self.adapter._connection.fetchrow(statement.sql, *parameters)
        except Exception as exc:
            raise await self._translated(statement.sql, parameters, exc) from exc
        return None if raw is None else statement.row(raw)

    async def executemany(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        parameters = [statement.parameters(values) for values in rows]
        try:
            await self._begin()
            await self.adapter._connection.executemany(statement.sql, parameters)
        except Exception as exc:
            raise await self._translated(statement.sql, parameters, exc) from exc

    async def _begin(self) -> None:
        if self.adapter._transaction is None:
            await self.adapter._start_transaction()

    async def _translated(self, sql: str, parameters: Any, exc: Exception) -> Exception:
        """The exception SQLAlchemy would raise for `exc`. A broken connection is shown to
        SQLAlchemy first, as DBAPIDriver does: it invalidates it and raises its own error."""
        dbapi_error = self.dialect.loaded_dbapi.Error
        if not isinstance(exc, dbapi_error):
            try:
                self.adapter._handle_exception(exc)  # raises asyncpg's error as the adapter's DBAPI error
            except dbapi_error as translated:
                exc = translated
            except Exception:
                return exc  # not a database error (cancellation is BaseException and never lands here)
        if self.dialect.is_disconnect(cast(Any, exc), self.adapter, None):
            await self.connection.exec_driver_sql("SELECT 1")
        return _wrapped(sql, parameters, exc, dbapi_error)


def _cursor_run(
    _connection: Connection, dbapi_connection: Any, sql: str, parameters: Any, many: bool
) -> tuple[int, Any]:
    cursor = dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
            return cursor.rowcount, None
        cursor.execute(sql, parameters)
        return cursor.rowcount, cursor.fetchone() if cursor.description else None
    finally:
        cursor.close()


def _wrapped(sql: str, parameters: Any, exc: Exception, base: type[Exception]) -> DBAPIError:
    """The exception SQLAlchemy itself would raise (OperationalError, IntegrityError, …), with
    the parameters hidden as the engine hides them (storage.db): they are what people wrote."""
    wrapped = DBAPIError.instance(sql, parameters, exc, base, hide_parameters=True)
    assert isinstance(wrapped, DBAPIError)  # always, for an error of the driver's own classes
    return wrapped
