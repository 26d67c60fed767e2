"""Repository functions: every query the handlers need, in one place, on an open session."""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, func, insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver import StatementSet, driver_for

# The FAQ's question log and the key-value table have their own modules; their functions stay
# reachable as repo.<name>.
from storage.faq_log import record_faq_query as record_faq_query
from storage.faq_log import settle_faq_query as settle_faq_query
from storage.faq_log import unmatched_faq_queries as unmatched_faq_queries
from storage.keyvalue import kv_get as kv_get
from storage.keyvalue import kv_set as kv_set
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    Conversation,
    OutboxMessage,
    ProcessedUpdate,
    Reporter,
    utcnow,
)

# Crockford-like alphabet without 0/O/1/I/L so codes survive being read aloud or retyped.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def dialect(session: AsyncSession) -> str:
    """The database the session talks to ("postgresql" or "sqlite"): a few statements differ."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _person_lock_key(channel: str, user_id: str) -> int:
    return zlib.crc32(f"{channel}:{user_id}".encode())


async def lock_person(session: AsyncSession, channel: str, user_id: str) -> None:
    """Serialise one person's messages across instances (PostgreSQL transaction advisory lock).

    SQLite has a single writer and the process keeps a per-person asyncio lock, so nothing is needed.
    `record_update` takes the same lock on PostgreSQL; this is for events without an update key.
    """
    if dialect(session) == "postgresql":
        key = _person_lock_key(channel, user_id)
        await session.exec(select(func.pg_advisory_xact_lock(key)))  # type: ignore[call-overload]


_PROCESSED = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_PROCESSED_COLUMNS = ["channel", "update_key", "user_id", "received_at"]
_REPORTER = Reporter.__table__  # type: ignore[attr-defined]
_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
_REPORTER_FIELDS = [column.name for column in _REPORTER.c]
_CONVERSATION_FIELDS = [column.name for column in _CONVERSATION.c]
# What a turn may change about a person (the rest is fixed at first contact).
_REPORTER_CHANGES = [
    "display_name",
    "username",
    "phone",
    "consent",
    "consent_at",
    "role",
    "unit_code",
    "language",
]


def _record_and_lock_postgresql() -> Any:
    """INSERT … SELECT from the person's advisory lock: the lock is taken, then the update
    recorded, in one round trip (PostgreSQL round trips are most of an update's cost there)."""
    locked = select(func.pg_advisory_xact_lock(bindparam("lock_key", type_=BigInteger))).subquery()
    row = select(
        *(bindparam(name, type_=_PROCESSED.c[name].type) for name in _PROCESSED_COLUMNS)
    ).select_from(locked)
    return (
        pg_insert(_PROCESSED)
        .from_select(_PROCESSED_COLUMNS, row)
        .on_conflict_do_nothing(index_elements=["channel", "update_key"])
    )


def _per_message_statements(dialect: str) -> dict[str, tuple[Any, list[str] | None]]:
    """The statements every private message runs (storage.driver executes them)."""
    configure_mappers()  # `_loaded` builds objects the way the ORM does: the mappers must be ready
    if dialect == "postgresql":
        record: tuple[Any, list[str] | None] = (_record_and_lock_postgresql(), None)
    else:
        record = (
            sqlite_insert(_PROCESSED).on_conflict_do_nothing(index_elements=["channel", "update_key"]),
            _PROCESSED_COLUMNS,
        )
    person = (
        select(*_REPORTER.c, *_CONVERSATION.c)
        .select_from(
            _REPORTER.outerjoin(
                _CONVERSATION,
                and_(
                    _CONVERSATION.c.channel == _REPORTER.c.channel,
                    _CONVERSATION.c.user_id == _REPORTER.c.external_id,
                ),
            )
        )
        .where(_REPORTER.c.channel == bindparam("channel"), _REPORTER.c.external_id == bindparam("user_id"))
    )
    save = (
        update(_CONVERSATION)
        .where(_CONVERSATION.c.id == bindparam("conversation_id"))
        .values(
            chat_id=bindparam("new_chat_id"),
            step=bindparam("new_step"),
            data=bindparam("new_data", type_=_CONVERSATION.c.data.type),
            updated_at=bindparam("new_updated_at", type_=_CONVERSATION.c.updated_at.type),
            recent=bindparam("new_recent", type_=_CONVERSATION.c.recent.type),
        )
    )
    save_reporter = (
        update(_REPORTER)
        .where(_REPORTER.c.id == bindparam("reporter_id"))
        .values({name: bindparam(f"new_{name}", type_=_REPORTER.c[name].type) for name in _REPORTER_CHANGES})
    )
    return {
        "record_update": record,
        "save_reporter": (save_reporter, None),
        "person": (person, None),
        "new_reporter": (insert(_REPORTER).returning(_REPORTER.c.id), _REPORTER_FIELDS[1:]),
        "new_conversation": (insert(_CONVERSATION).returning(_CONVERSATION.c.id), _CONVERSATION_FIELDS[1:]),
        "save_conversation": (save, None),
    }


_STATEMENTS = StatementSet(_per_message_statements)


async def record_update(session: AsyncSession, channel: str, update_key: str, user_id: str | None) -> bool:
    """Remember an update; False when it was already processed (a redelivery).

    On PostgreSQL this also takes the person's lock (`lock_person`) for the transaction."""
    driver = await driver_for(session)
    values: dict[str, Any] = {
        "channel": channel,
        "update_key": update_key,
        "user_id": user_id,
        "received_at": utcnow(),
    }
    if driver.dialect.name == "postgresql":
        values["lock_key"] = _person_lock_key(channel, user_id or "")
    return bool(await driver.execute(_STATEMENTS.for_dialect(driver.dialect)["record_update"], values))


async def get_reporter(
    session: AsyncSession,
    channel: str,
    external_id: str,
    *,
    display_name: str | None = None,
    username: str | None = None,
) -> Reporter:
    reporter = (
        await session.exec(
            select(Reporter).where(Reporter.channel == channel, Reporter.external_id == external_id)
        )
    ).first()
    if reporter is None:
        # No name before consent (Decree 13), as in get_person.
        reporter = Reporter(channel=channel, external_id=external_id)
        session.add(reporter)
        await session.flush()
    else:
        _refresh_name(reporter, display_name, username)
    return reporter


def _refresh_name(reporter: Reporter, display_name: str | None, username: str | None) -> None:
    """Keep the messenger name current once the person has consented (Decree 13: nothing before)."""
    if not display_name or reporter.consent is not True:
        return
    if reporter.display_name != display_name or (username and reporter.username != username):
        reporter.display_name = display_name
        reporter.username = username or reporter.username  # a button press carries no username


def _loaded(model: type[Any], fields: list[str], values: Sequence[Any]) -> Any:
    """A model object as the ORM builds one from a row: no validation, detached with its
    identity (SQLModel's constructor costs ~50 µs; this, ~15)."""
    instance = sa_inspect(model).class_manager.new_instance()
    instance.__dict__.update(zip(fields, values, strict=True))
    make_transient_to_detached(instance)
    return instance


async def get_person(
    session: AsyncSession,
    channel: str,
    user_id: str,
    chat_id: str,
    *,
    display_name: str | None = None,
    username: str | None = None,
) -> tuple[Reporter, Conversation]:
    """The person and where they are in the dialogue, in one query (created on first contact).

    The reporter joins the session (handlers change it; the session writes the change, and a
    query for the same reporter in this turn returns this object). The conversation stays
    out of it: `save_person` writes it once, at the end of the turn."""
    driver = await driver_for(session)
    statements = _STATEMENTS.for_dialect(driver.dialect)
    found = await driver.fetchone(statements["person"], {"channel": channel, "user_id": user_id})
    width = len(_REPORTER_FIELDS)
    if found is None:
        # First contact. Should another instance have just created the person, the unique
        # constraints refuse these rows and the caller's retry reads them.
        now = utcnow()
        # No name before consent (Decree 13): the greeting reads it from the message itself.
        reporter_values = {
            "channel": channel,
            "external_id": user_id,
            "display_name": None,
            "username": None,
            "phone": None,
            "consent": None,
            "consent_at": None,
            "role": None,
            "unit_code": None,
            "created_at": now,
            "language": None,
        }
        new_id = await driver.fetchone(statements["new_reporter"], reporter_values)
        assert new_id is not None
        reporter = _loaded(Reporter, _REPORTER_FIELDS, [new_id[0], *reporter_values.values()])
        conversation = None
    else:
        reporter = _loaded(Reporter, _REPORTER_FIELDS, found[:width])
        conversation = (
            None if found[width] is None else _loaded(Conversation, _CONVERSATION_FIELDS, found[width:])
        )
        _refresh_name(reporter, display_name, username)
    if conversation is None:
        conversation_values = {
            "channel": channel,
            "user_id": user_id,
            "chat_id": chat_id,
            "step": "new",
            "data": {},
            "updated_at": utcnow(),
            "recent": [],
        }
        new_id = await driver.fetchone(statements["new_conversation"], conversation_values)
        assert new_id is not None
        conversation = _loaded(Conversation, _CONVERSATION_FIELDS, [new_id[0], *conversation_values.values()])
    session.add(reporter)
    return reporter, conversation


async def save_person(session: AsyncSession, reporter: Reporter, conversation: Conversation) -> None:
    """End of a turn: write where the person is now and what they changed about themselves,
    with prebuilt statements on the driver, outside the session's unit of work.

    Runs once per message; the ORM's unit of work would do the same writes at commit, at
    several times the cost. Both objects leave the session, so it does not write them again.
    (JSON fields are written whole: in-place changes to `data` are saved too.)"""
    for written in (reporter, conversation):
        if written in session:
            session.expunge(written)
    driver = await driver_for(session)
    statements = _STATEMENTS.for_dialect(driver.dialect)
    if sa_inspect(reporter).modified:  # unchanged on most messages: no write
        changes = {f"new_{name}": getattr(reporter, name) for name in _REPORTER_CHANGES}
        await driver.execute(statements["save_reporter"], {**changes, "reporter_id": reporter.id})
    await driver.execute(
        statements["save_conversation"],
        {
            "conversation_id": conversation.id,
            "new_chat_id": conversation.chat_id,
            "new_step": conversation.step,
            "new_data": conversation.data,
            "new_updated_at": conversation.updated_at,
            "new_recent": conversation.recent,
        },
    )


def new_case_code(now: datetime) -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
    return f"PA-{now:%y%m%d}-{suffix}"


async def unique_case_code(session: AsyncSession, now: datetime) -> str:
    while True:
        code = new_case_code(now)
        exists = (await session.exec(select(Case.id).where(Case.code == code))).first()
        if exists is None:
            return code


async def add_event(
    session: AsyncSession,
    case: Case,
    kind: str,
    *,
    actor: str | None = None,
    note: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> CaseEvent:
    assert case.id is not None
    event = CaseEvent(
        case_id=case.id, kind=kind, actor=actor, note=note, from_status=from_status, to_status=to_status
    )
    session.add(event)
    return event


async def set_status(
    session: AsyncSession, case: Case, status: str, *, actor: str | None, note: str | None = None
) -> None:
    """Change a case's status and write the audit row in the same transaction."""
    previous = case.status
    if previous == status:
        return
    now = utcnow()
    case.status = status
    case.updated_at = now
    if status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
    elif status in CaseStatus.OPEN and previous in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.resolved_at = None
        case.closed_at = None
    await add_event(session, case, "status", actor=actor, note=note, from_status=previous, to_status=status)


async def case_by_code(session: AsyncSession, code: str) -> Case | None:
    return (await session.exec(select(Case).where(Case.code == code.strip().upper()))).first()


async def cases_of_reporter(session: AsyncSession, reporter_id: int, limit: int = 10) -> Sequence[Case]:
    statement = (
        select(Case).where(Case.reporter_id == reporter_id).order_by(col(Case.created_at).desc()).limit(limit)
    )
    return (await session.exec(statement)).all()


async def last_message_to(session: AsyncSession, channel: str, chat_id: str) -> OutboxMessage | None:
    """The last message the bot sent (or is sending) to a chat: what is on the person's screen."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id)
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def open_cases_of_reporter(session: AsyncSession, reporter_id: int) -> Sequence[Case]:
    statement = (
        select(Case)
        .where(Case.reporter_id == reporter_id, col(Case.status).in_(CaseStatus.OPEN))
        .order_by(col(Case.created_at).desc())
    )
    return (await session.exec(statement)).all()


async def case_events(session: AsyncSession, case_id: int) -> Sequence[CaseEvent]:
    statement = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
    return (await session.exec(statement)).all()


async def case_messages(session: AsyncSession, case_id: int) -> Sequence[CaseMessage]:
    statement = select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(col(CaseMessage.id))
    return (await session.exec(statement)).all()


async def case_attachments(session: AsyncSession, case_id: int) -> Sequence[Attachment]:
    statement = select(Attachment).where(Attachment.case_id == case_id).order_by(col(Attachment.id))
    return (await session.exec(statement)).all()
