"""The FAQ knowledge base in the database (issue #20): topics, every change of them, evaluation rows.

faq/data/topics/*.yaml seeds the tables on first start (bot.knowledge) and `python -m bot faq
export` writes them back as the same YAML. The app's matcher is built from the published rows.
Imported by storage.models, so create_all and Alembic see these tables with the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


def _empty_list() -> list[Any]:
    return []


class FaqStatus:
    DRAFT = "draft"  # staff are writing it; never answers anyone
    PUBLISHED = "published"  # live: the matcher answers from it
    RETIRED = "retired"  # taken out of the knowledge base, kept for history
    MERGED = "merged"  # a draft edit of a published topic, approved into it


class FaqTopicRecord(SQLModel, table=True):
    """One topic, in the shape of an entry of faq/data/topics/*.yaml.

    A new topic starts as a draft (slug ``nhap_...`` from /taofaq); an edit of a published topic
    (/suafaq) is a separate draft row pointing at it (``draft_of``), so the live topic answers as
    before until a leader approves the edit. ``version`` counts this row's changes."""

    __tablename__ = "faqtopic"
    __table_args__ = (Index("ix_faqtopic_slug", "slug"), Index("ix_faqtopic_status", "status"))

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60)
    title: str = Field(max_length=200)
    audience: str = Field(default="both", max_length=10)
    system: str = Field(default="chung", max_length=40)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False))
    answer_en: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    examples: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    examples_en: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    keywords: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=FaqStatus.DRAFT, max_length=10)
    version: int = 1
    # The YAML file of faq/data/topics the topic is exported to (kept from the seed).
    file: str | None = Field(default=None, max_length=60)
    draft_of: int | None = None  # a draft edit: the published topic's id
    case_id: int | None = None  # a draft from /taofaq: the resolved case it came from
    created_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class FaqTopicVersion(SQLModel, table=True):
    """Every change of a topic row: who, when, why, what changed, and the row as it became."""

    __tablename__ = "faqtopicversion"
    __table_args__ = (UniqueConstraint("topic_id", "version", name="uq_faqtopicversion_topic_version"),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(index=True)
    slug: str = Field(max_length=60)
    version: int
    status: str = Field(max_length=10)
    changed_by: str | None = Field(default=None, max_length=100)
    changed_at: datetime = Field(default_factory=_now)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    diff: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FaqEvalRow(SQLModel, table=True):
    """A labelled message the publish gate checks besides the topics' own examples: the dev set,
    blind batches, messages staff confirmed (topic None: out of scope, the bot must stay silent)."""

    __tablename__ = "faqevalrow"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    topic: str | None = Field(default=None, max_length=60)
    source: str = Field(default="", max_length=120)
    added_at: datetime = Field(default_factory=_now)
