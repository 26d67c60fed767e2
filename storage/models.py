"""SQLModel tables.

Times are aware UTC datetimes (SQLModel's UTCDateTime stores them in UTC on SQLite and
PostgreSQL alike); presentation converts to Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A datetime read back from the database, in UTC: SQLite returns naive ones (they were
    stored as UTC); PostgreSQL returns them with their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# Default factories are plain functions, not the `dict`/`list` builtins: pydantic inspects a
# factory's signature on every construction, and a builtin's costs ~0.2 ms to parse (a new
# person's first message paid that twice). See pydantic issue #13376.
def empty_dict() -> dict[str, Any]:
    return {}


def empty_list() -> list[Any]:
    return []


class CaseStatus:
    """Life cycle: mới → đang xử lý ⇄ chờ người phản ánh → đã giải quyết → đã đóng."""

    NEW = "moi"
    IN_PROGRESS = "dang_xu_ly"
    WAITING_REPORTER = "cho_nguoi_phan_anh"
    RESOLVED = "da_giai_quyet"
    CLOSED = "da_dong"

    OPEN = (NEW, IN_PROGRESS, WAITING_REPORTER)
    ALL = (NEW, IN_PROGRESS, WAITING_REPORTER, RESOLVED, CLOSED)


class Reporter(SQLModel, table=True):
    """A person on one messenger channel (a Telegram user, a Zalo bot user, an OA follower)."""

    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_reporter_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    consent: bool | None = None
    consent_at: datetime | None = None
    role: str | None = Field(default=None, max_length=30)
    unit_code: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    # The language the person chose ("vi", "en"); None: never chose, Vietnamese (handlers.citizen.language).
    language: str | None = Field(default=None, max_length=5)


class Conversation(SQLModel, table=True):
    """Where one person is in the dialogue; every answer so far lives in `data`."""

    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversation_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    user_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    step: str = Field(default="idle", max_length=40)
    data: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    # Message timestamps of the flood window (a short list, trimmed on every message).
    recent: list[float] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))


class Case(SQLModel, table=True):
    __table_args__ = (
        Index("ix_case_status_created", "status", "created_at"),
        Index("ix_case_reporter", "reporter_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True, index=True)
    reporter_id: int = Field(foreign_key="reporter.id")
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    status: str = Field(default=CaseStatus.NEW, max_length=30)
    priority: str = Field(default="normal", max_length=10)
    reporter_role: str | None = Field(default=None, max_length=30)
    unit_code: str | None = Field(default=None, max_length=10)
    system: str | None = Field(default=None, max_length=40)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    faq_topic: str | None = Field(default=None, max_length=60)
    faq_score: float | None = None
    # The error lines read in the report's screenshots (bot.ocr; CCCD and phone numbers masked),
    # shown on the staff card, and their folded first words (handlers.pictures.error_signature):
    # reports the FAQ could not place are grouped into an incident by the same message.
    picture_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    picture_error: str | None = Field(default=None, max_length=90)
    dossier_code: str | None = Field(default=None, max_length=80)
    procedure_name: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=20)
    anonymous: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    assignee_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    assignee_name: str | None = Field(default=None, max_length=100)
    escalated: bool = False
    escalation_reason: str | None = Field(default=None, sa_column=Column(Text))
    escalated_at: datetime | None = None
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    rating: str | None = Field(default=None, max_length=20)
    rating_comment: str | None = Field(default=None, sa_column=Column(Text))
    # Where the case lives in the staff group: a forum topic, or the card's reply thread.
    staff_chat_id: str | None = Field(default=None, max_length=64)
    staff_thread_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    card_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    incident_id: int | None = None
    # Incident mode: the case's messages to the staff group are held (outbox status "held")
    # until staff open it from the incident, unlink it, or the incident is dismissed/turned off.
    incident_held: bool = False
    personal_data_erased: bool = False


class CaseMessage(SQLModel, table=True):
    """A message in a case thread: from the reporter, from staff to the reporter, or an internal note."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    direction: str = Field(max_length=10)  # "in" (reporter), "out" (staff → reporter), "note"
    author: str | None = Field(default=None, max_length=100)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    staff_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))


class Attachment(SQLModel, table=True):
    """A screenshot or file, kept by reference (the messenger's file id or URL), never copied."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    channel: str = Field(max_length=20)
    kind: str = Field(max_length=20)  # photo | document
    file_ref: str = Field(sa_column=Column(Text, nullable=False))
    file_name: str | None = Field(default=None, max_length=255)
    mime_type: str | None = Field(default=None, max_length=120)
    size: int | None = None
    # The error lines read in the picture (bot.ocr), CCCD and phone numbers masked; the picture
    # itself is not kept. None: not a picture, or not read (no Tesseract, unreadable).
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def of(cls, case_id: int, channel: str, item: dict[str, Any]) -> Attachment:
        """From an attachment as kept in the conversation (handlers.events.AttachmentRef.to_dict)."""
        return cls(
            case_id=case_id,
            channel=channel,
            kind=item["kind"],
            file_ref=item["file_ref"],
            # Names come from the messenger as the person's device set them: cut to the column.
            file_name=_clipped(item.get("file_name"), 255),
            mime_type=_clipped(item.get("mime_type"), 120),
            size=item.get("size"),
            text=item.get("text") or None,
        )


def _clipped(value: Any, length: int) -> str | None:
    return str(value)[:length] if value else None


class CaseEvent(SQLModel, table=True):
    """Audit trail: every status change and staff action, with actor and time."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str | None = Field(default=None, max_length=30)
    actor: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class ProcessedUpdate(SQLModel, table=True):
    """Every incoming update, recorded in the same transaction as its effects.

    The unique key makes a redelivered update a no-op.
    """

    __table_args__ = (UniqueConstraint("channel", "update_key", name="uq_processed_update"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    update_key: str = Field(max_length=100)
    user_id: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """An outbound message, stored before it is sent and delivered by the outbox worker."""

    __table_args__ = (
        Index("ix_outbox_pending", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    case_id: int | None = None
    purpose: str = Field(default="reply", max_length=30)
    status: str = Field(default="pending", max_length=12)  # pending | sending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_message_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class FaqQuery(SQLModel, table=True):
    """Every FAQ question and its outcome (feeds deflection figures and `python -m bot faq-gaps`)."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    user_id: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    topic: str | None = Field(default=None, max_length=60)
    score: float | None = None
    solved: bool | None = None
    source: str = Field(default="intake", max_length=20)  # intake | browse
    created_at: datetime = Field(default_factory=utcnow)


class KeyValue(SQLModel, table=True):
    """Small durable state: refreshed OA tokens, job run markers, leader lease."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class Incident(SQLModel, table=True):
    """A widespread problem: detected automatically (alerted once) and/or opened by staff."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, index=True)  # "topic:<id>" or "system:<id>"
    status: str = Field(default="detected", max_length=12)  # detected | open | closed | dismissed | merged
    notice: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, sa_column=Column(Text))
    opened_by: str | None = Field(default=None, max_length=100)
    detected_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    # Incident mode: linked reports are held back from the staff group (one card instead).
    holding: bool = True
    # The incident's own forum topic and card (edited in place, at most once a minute).
    thread_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    card_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    next_edit_at: datetime | None = None
    merged_into: int | None = None


class JobRun(SQLModel, table=True):
    """One row per job and period: a job that finds its row already there does not run again."""

    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    period: str = Field(max_length=60)
    holder: str | None = Field(default=None, max_length=100)
    ran_at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    """Leader election for scheduled jobs: the holder renews `expires_at` by heartbeat."""

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(default_factory=utcnow)


class DashboardAudit(SQLModel, table=True):
    """Who did what on the web dashboard: every login (and refused link) and every case page view."""

    __table_args__ = (Index("ix_dashboard_audit_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: str = Field(max_length=64)
    user_name: str | None = Field(default=None, max_length=100)
    action: str = Field(max_length=30)  # link | login | link_refused | view_case | export | logout
    case_id: int | None = Field(default=None, index=True)
    detail: str | None = Field(default=None, sa_column=Column(Text))


# The FAQ knowledge base's tables live in their own module (this one stays under 400 lines);
# imported here so create_all, Alembic and the column limits below see them.
from storage.faq_models import FaqEvalRow, FaqTopicRecord, FaqTopicVersion  # noqa: E402, F401

# -- column limits ---------------------------------------------------------------------------


class ClippedString(TypeDecorator[str]):
    """A VARCHAR(n) that cuts an overlong value to n characters instead of failing.

    What people and messengers send (a 120-character Telegram name, a 150-character handle
    after /giao, a file name) must never fail an update on PostgreSQL, which refuses a value
    longer than its column (SQLite keeps it, so tests on SQLite never saw it): the update
    would be retried, answered 500 and sent again by Telegram forever. Cut here, in the bind
    step every statement shares (ORM, Core, storage.driver), every varchar column is safe at
    once. Values are cut by characters, as PostgreSQL counts them."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        length = getattr(self.impl_instance, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            return value[:length]
        return value


def _clip_varchars() -> None:
    """Every VARCHAR(n) column of every table becomes a ClippedString(n) (same DDL)."""
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if (
                length
                and isinstance(column.type, String | AutoString)
                and not isinstance(column.type, ClippedString)
            ):
                column.type = ClippedString(length)


_clip_varchars()
