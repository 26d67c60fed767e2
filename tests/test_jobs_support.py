"""Helpers shared by the job, scheduler, incident and report tests (no tests here)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bot.app import Application
from bot.delivery.channel import SendResult
from bot.delivery.ratelimit import Limit
from bot.jobs import install
from bot.settings import load_settings
from handlers.events import ChatKind, Incoming, Kind, Outgoing, Reply
from storage.db import Database
from storage.models import Case, CaseStatus, OutboxMessage, Reporter

STAFF_CHAT = -1001234567890
STAFF_USER = "900"
LEADER_USER = "901"

_ids = itertools.count(1)


def make_app(db: Database, tmp_path: Path | None = None, **jobs: Any) -> Application:
    """The real application on ``db`` with a staff group, one staff member and one leader."""
    overrides: dict[str, Any] = dict(jobs)
    if tmp_path is not None:
        overrides.setdefault("reports_dir", str(tmp_path / "reports"))
    settings = load_settings(
        staff_chat_id=STAFF_CHAT,
        staff={"allowlist": [int(STAFF_USER)], "leaders": [int(LEADER_USER)], "autoclose_after_days": 3},
        jobs=overrides,
    )
    return Application(settings, db=db)


@asynccontextmanager
async def jobs_app(
    db: Database, tmp_path: Path, *, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[Application]:
    """``make_app`` with the jobs and the incident listener installed; its outbox stopped afterwards."""
    application = make_app(db, tmp_path)
    install(application, clock=clock)
    yield application
    if application.outbox is not None:
        await application.outbox.stop()


async def seed_case(
    app: Application,
    created: datetime,
    *,
    unit: str | None = None,
    system: str | None = "vneid",
    topic: str | None = None,
    status: str = CaseStatus.NEW,
    priority: str = "normal",
    thread: int | None = None,
    **fields: Any,
) -> Case:
    """A case as the intake would store it: deadlines from the app's calendar and SLA."""
    n = next(_ids)
    first_due, resolution_due = app.engine.intake.deadline(created, priority)
    async with app.db.session() as session:
        reporter = Reporter(channel="telegram", external_id=str(100000 + n), display_name=f"Người {n}")
        session.add(reporter)
        await session.flush()
        assert reporter.id is not None
        case = Case(
            code=f"PA-251124-{n:04d}"[:14] if n < 10000 else f"PA-X-{n}",
            reporter_id=reporter.id,
            channel="telegram",
            chat_id=str(100000 + n),
            status=status,
            priority=priority,
            unit_code=unit,
            system=system,
            faq_topic=topic,
            description="mô tả",
            created_at=created,
            updated_at=created,
            first_response_due=first_due,
            resolution_due=resolution_due,
            staff_chat_id=str(STAFF_CHAT),
            staff_thread_id=thread,
            **fields,
        )
        session.add(case)
    return case


async def outbox(
    db: Database, chat_id: int | str | None = None, purpose: str | None = None
) -> list[OutboxMessage]:
    async with db.session() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if chat_id is not None:
            statement = statement.where(OutboxMessage.chat_id == str(chat_id))
        if purpose is not None:
            statement = statement.where(OutboxMessage.purpose == purpose)
        return list((await session.exec(statement)).all())


def texts(rows: list[OutboxMessage]) -> list[str]:
    return [str(r.payload.get("text", "")) for r in rows]


@dataclass
class Sent:
    chat_id: str
    payload: dict[str, Any]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.payload.get("text", ""))


class RecordingSender:
    """A Telegram stand-in for the outbox: records what would be sent; reads uploads from disk
    the way the Telegram sender does with FSInputFile."""

    channel = "telegram"

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._ids = itertools.count(1000)

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        reply = Reply.from_dict(payload)
        files = [
            (a.file_name or "", Path(a.file_ref).read_bytes())
            for a in reply.attachments
            if a.kind == "upload"
        ]
        self.sent.append(Sent(chat_id, payload, files))
        thread = payload.get("thread_id")
        if thread is None and payload.get("create_topic"):
            thread = next(self._ids)  # a forum group: the card opens the case's topic
        return SendResult(message_id=str(next(self._ids)), thread_id=thread)

    def to(self, chat_id: int | str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == str(chat_id)]


async def deliver(app: Application) -> RecordingSender:
    """Send everything in the outbox through the real worker and queue hooks."""
    sender = app.senders.get("telegram")
    if not isinstance(sender, RecordingSender):
        sender = RecordingSender()
        app.add_sender(sender)
    worker = app.outbox or app.start_outbox()
    await worker.drain(timeout=20)
    return sender


def staff_event(
    command: str, args: str = "", *, user: str = STAFF_USER, thread: int | None = None
) -> Incoming:
    return Incoming(
        channel="telegram",
        user_id=user,
        chat_id=str(STAFF_CHAT),
        kind=Kind.COMMAND,
        text=f"/{command} {args}".strip(),
        command=command,
        args=args,
        username=f"canbo{user}",
        update_key=f"s{next(_ids)}",
        message_id=next(_ids),
        chat_kind=ChatKind.STAFF,
        thread_id=thread,
    )


async def staff_says(app: Application, command: str, args: str = "", **kw: Any) -> list[Outgoing]:
    """A staff command in the group through the engine (authorisation included), stored in the outbox."""
    from bot.delivery.outbox import enqueue

    async with app.db.session() as session:
        out = await app.engine.handle(session, staff_event(command, args, **kw))
        await enqueue(session, out)
    return out
