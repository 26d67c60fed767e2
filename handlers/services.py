"""What the conversation needs from the rest of the product, as small protocols.

The engine is built with concrete implementations in bot/app.py; tests may pass their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.events import AttachmentRef, Outgoing
from storage.models import Case, Reporter


@dataclass(frozen=True)
class FaqTopicView:
    id: str
    title: str
    answer: str
    system: str
    # The same answer in English, for topics a foreign resident meets; None: use ``answer``.
    answer_en: str | None = None


@dataclass(frozen=True)
class FaqSuggestion:
    """A confident topic, or close candidates to offer, or nothing."""

    topic: FaqTopicView | None
    score: float
    candidates: list[FaqTopicView] = field(default_factory=list)


class FaqStage(Protocol):
    def suggest(self, text: str) -> FaqSuggestion: ...
    def topic(self, topic_id: str) -> FaqTopicView | None: ...
    def topics_by_system(self) -> Mapping[str, list[FaqTopicView]]: ...


class NoFaq:
    """The FAQ stage before a knowledge base is plugged in: it never matches."""

    def suggest(self, text: str) -> FaqSuggestion:
        return FaqSuggestion(topic=None, score=0.0)

    def topic(self, topic_id: str) -> FaqTopicView | None:
        return None

    def topics_by_system(self) -> Mapping[str, list[FaqTopicView]]:
        return {}


@dataclass(frozen=True)
class UnitView:
    code: str
    full_name: str
    former: str | None = None  # e.g. "trước đây thuộc Lê Chân"


class UnitDirectory(Protocol):
    def find(self, text: str, limit: int = 3) -> list[UnitView]: ...
    def get(self, code: str) -> UnitView | None: ...


class CaseHooks(Protocol):
    """The staff queue's side of a case (posting cards, relaying messages)."""

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]: ...

    async def reporter_message(
        self,
        session: AsyncSession,
        case: Case,
        reporter: Reporter,
        text: str,
        attachments: list[AttachmentRef],
    ) -> list[Outgoing]: ...

    async def rating_received(
        self, session: AsyncSession, case: Case, reporter: Reporter
    ) -> list[Outgoing]: ...


class NoQueue:
    """No staff group configured: cases are stored and wait in the database."""

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        return []

    async def reporter_message(
        self,
        session: AsyncSession,
        case: Case,
        reporter: Reporter,
        text: str,
        attachments: list[AttachmentRef],
    ) -> list[Outgoing]:
        return []

    async def rating_received(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        return []


DeadlineFn = Callable[[datetime, str], tuple[datetime, datetime]]
FormatTimeFn = Callable[[datetime], str]


@dataclass
class CoreConfig:
    """The conversation's settings, copied from bot.settings so handlers stay independent of bot/."""

    resume_after_hours: float = 24
    max_text_length: int = 3000
    min_description_length: int = 10
    max_attachments: int = 5
    max_attachment_mb: float = 20
    allowed_mime_types: tuple[str, ...] = (
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    flood_messages: int = 20
    flood_window_seconds: float = 60
    max_open_cases: int = 3
    timezone: str = "Asia/Ho_Chi_Minh"


class StaffDirectory(Protocol):
    """Who may act as task-force staff (group members and the allowlist) and who leads."""

    async def is_staff(self, user_id: str) -> bool: ...

    def is_leader(self, user_id: str) -> bool: ...


class StaticStaff:
    """A fixed list (tests, and deployments without a membership check)."""

    def __init__(self, staff: set[str] | None = None, leaders: set[str] | None = None) -> None:
        self.staff = set(staff or ())
        self.leaders = set(leaders or ())

    async def is_staff(self, user_id: str) -> bool:
        return user_id in self.staff or user_id in self.leaders

    def is_leader(self, user_id: str) -> bool:
        return user_id in self.leaders


# Messengers whose bot API delivers pictures but no documents (the Zalo Bot API maps files to
# "unsupported"): what the bot asks for and explains there says pictures, not files.
IMAGES_ONLY_CHANNELS = frozenset({"zalo_bot"})


def images_only(channel: str) -> bool:
    return channel in IMAGES_ONLY_CHANNELS
