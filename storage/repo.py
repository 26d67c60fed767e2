"""Repository functions: every query the handlers need, in one place, on an open session."""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    Conversation,
    FaqQuery,
    KeyValue,
    ProcessedUpdate,
    Reporter,
    utcnow,
)

# Crockford-like alphabet without 0/O/1/I/L so codes survive being read aloud or retyped.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _person_lock_key(channel: str, user_id: str) -> int:
    return zlib.crc32(f"{channel}:{user_id}".encode())


async def lock_person(session: AsyncSession, channel: str, user_id: str) -> None:
    """Serialise one person's messages across instances (PostgreSQL transaction advisory lock).

    SQLite has a single writer and the process keeps a per-person asyncio lock, so nothing is needed.
    `record_update` takes the same lock on PostgreSQL; this is for events without an update key.
    """
    if _dialect(session) == "postgresql":
        key = _person_lock_key(channel, user_id)
        await session.exec(select(func.pg_advisory_xact_lock(key)))  # type: ignore[call-overload]


_PROCESSED = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_PROCESSED_COLUMNS = ["channel", "update_key", "user_id", "received_at"]


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


# Built once: these run on every update, and building a statement costs more than running it.
_RECORD_UPDATE_SQLITE = sqlite_insert(_PROCESSED).on_conflict_do_nothing(index_elements=["channel", "update_key"])
_RECORD_UPDATE_POSTGRESQL = _record_and_lock_postgresql()


async def record_update(session: AsyncSession, channel: str, update_key: str, user_id: str | None) -> bool:
    """Remember an update; False when it was already processed (a redelivery).

    On PostgreSQL this also takes the person's lock (`lock_person`) for the transaction."""
    values: dict[str, Any] = {"channel": channel, "update_key": update_key, "user_id": user_id, "received_at": utcnow()}
    if _dialect(session) == "postgresql":
        values["lock_key"] = _person_lock_key(channel, user_id or "")
        statement = _RECORD_UPDATE_POSTGRESQL
    else:
        statement = _RECORD_UPDATE_SQLITE
    result = await (await session.connection()).execute(statement, values)
    return bool(result.rowcount)


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
        reporter = Reporter(
            channel=channel, external_id=external_id, display_name=display_name, username=username
        )
        session.add(reporter)
        await session.flush()
    else:
        _refresh_name(reporter, display_name, username)
    return reporter


def _refresh_name(reporter: Reporter, display_name: str | None, username: str | None) -> None:
    """Keep the messenger name current, unless the person declined consent (then keep nothing new)."""
    if display_name and reporter.display_name != display_name and reporter.consent is not False:
        reporter.display_name = display_name
        reporter.username = username


async def get_conversation(session: AsyncSession, channel: str, user_id: str, chat_id: str) -> Conversation:
    conversation = (
        await session.exec(
            select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
        )
    ).first()
    if conversation is None:
        conversation = Conversation(channel=channel, user_id=user_id, chat_id=chat_id, step="new", data={})
        session.add(conversation)
        await session.flush()
    return conversation


_PERSON = (
    select(Reporter, Conversation)
    .outerjoin(
        Conversation,
        and_(col(Conversation.channel) == Reporter.channel, col(Conversation.user_id) == Reporter.external_id),
    )
    .where(Reporter.channel == bindparam("channel"), Reporter.external_id == bindparam("user_id"))
)


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

    Every private message needs both; reading them together saves a round trip per update."""
    found = (await session.exec(_PERSON, params={"channel": channel, "user_id": user_id})).first()
    if found is None:
        # First contact: both rows are new, written in one flush. Should another instance have
        # just created them, the unique constraints refuse these and the caller's retry reads them.
        # Every defaulted field given: default factories are costly to resolve (storage.models).
        now = utcnow()
        reporter = Reporter(
            channel=channel, external_id=user_id, display_name=display_name, username=username, created_at=now
        )
        conversation = Conversation(
            channel=channel, user_id=user_id, chat_id=chat_id, step="new", data={}, recent=[], updated_at=now
        )
        session.add_all([reporter, conversation])
        await session.flush()
        return reporter, conversation
    reporter, conversation = found
    _refresh_name(reporter, display_name, username)
    if conversation is None:
        conversation = await get_conversation(session, channel, user_id, chat_id)
    return reporter, conversation


_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
_SAVE_CONVERSATION = (
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


async def save_conversation(session: AsyncSession, conversation: Conversation) -> None:
    """Write where the person is now, with one prebuilt UPDATE, and let the session forget it.

    Runs once per message. The ORM's unit of work would do the same write at commit, at several
    times the cost; after this the object is detached, so the session does not write it again.
    (Its JSON fields are written whole, so an in-place change to `data` is saved too.)"""
    if conversation in session:
        session.expunge(conversation)  # first: executing the UPDATE would autoflush it otherwise
    # On the session's connection: a plain Core statement, no ORM bulk-update bookkeeping.
    await (await session.connection()).execute(
        _SAVE_CONVERSATION,
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


async def set_status(session: AsyncSession, case: Case, status: str, *, actor: str | None, note: str | None = None) -> None:
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


async def record_faq_query(
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    text: str,
    topic: str | None,
    score: float | None,
    solved: bool | None,
    source: str,
) -> FaqQuery:
    query = FaqQuery(
        channel=channel, user_id=user_id, text=text, topic=topic, score=score, solved=solved, source=source
    )
    session.add(query)
    await session.flush()
    return query


async def settle_faq_query(session: AsyncSession, query_id: int | None, *, solved: bool, topic: str | None) -> None:
    """Record whether the FAQ answer solved the person's problem (and which topic they finally saw)."""
    query = await session.get(FaqQuery, query_id) if query_id else None
    if query is not None:
        query.solved = solved
        query.topic = topic or query.topic


async def unmatched_faq_queries(session: AsyncSession, limit: int = 5000) -> Sequence[FaqQuery]:
    statement = (
        select(FaqQuery)
        .where(or_(col(FaqQuery.topic).is_(None), col(FaqQuery.solved).is_(False)))
        .order_by(col(FaqQuery.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def kv_get(session: AsyncSession, key: str) -> str | None:
    row = await session.get(KeyValue, key)
    return row.value if row else None


async def kv_set(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
