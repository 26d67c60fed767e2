"""Queries of the FAQ knowledge base tables (storage.faq_models): no behaviour, only rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.faq_models import FaqEvalRow, FaqStatus, FaqTopicRecord, FaqTopicVersion, _now

# The fields of a topic as in faq/data/topics/*.yaml, in the order an export writes them.
ENTRY_FIELDS = (
    "id",
    "title",
    "audience",
    "system",
    "answer",
    "answer_en",
    "examples_en",
    "examples",
    "keywords",
)


def as_entry(row: FaqTopicRecord) -> dict[str, Any]:
    """The row as a YAML entry (faq.knowledge.parse_topic reads it); optional fields only when set."""
    return entry_from(row.slug, row)


def entry_from(slug: str, topic: Any) -> dict[str, Any]:
    """A YAML entry from anything with a topic's fields (a row here, a loaded faq Topic in
    handlers.knowledge.entries.entry_of): optional fields only when set."""
    entry: dict[str, Any] = {
        "id": slug,
        "title": topic.title,
        "audience": topic.audience,
        "system": topic.system,
        "answer": topic.answer,
    }
    if topic.answer_en:
        entry["answer_en"] = topic.answer_en
    if topic.examples_en:
        entry["examples_en"] = list(topic.examples_en)
    entry["examples"] = list(topic.examples)
    entry["keywords"] = list(topic.keywords)
    return entry


def diff_entries(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """What changed, one line a field, for the history (who changed what)."""
    if before is None:
        return "tạo mới"
    lines = []
    for name in ENTRY_FIELDS:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            added = [x for x in new or [] if x not in (old or [])]
            removed = [x for x in old or [] if x not in (new or [])]
            parts = [f"+ {x}" for x in added] + [f"- {x}" for x in removed]
            lines.append(f"{name}: " + "; ".join(parts))
        else:
            lines.append(f"{name}: {old!r} → {new!r}")
    return "\n".join(lines) or "không đổi nội dung"


async def record_change(
    session: AsyncSession,
    row: FaqTopicRecord,
    *,
    actor: str | None,
    reason: str,
    before: dict[str, Any] | None = None,
    bump: bool = True,
) -> FaqTopicVersion:
    """Save the row and write its version row (bump=False: the row's first version)."""
    if bump and before is not None:
        row.version += 1
    row.updated_at = _now()
    session.add(row)
    await session.flush()
    assert row.id is not None
    entry = as_entry(row)
    version = FaqTopicVersion(
        topic_id=row.id,
        slug=row.slug,
        version=row.version,
        status=row.status,
        changed_by=actor,
        reason=reason,
        diff=diff_entries(before, entry),
        snapshot={**entry, "status": row.status},
    )
    session.add(version)
    await session.flush()
    return version


async def revision(session: AsyncSession) -> int:
    """Grows with every change of any topic: the cheap check whether the matcher is stale."""
    value = (await session.exec(select(func.max(FaqTopicVersion.id)))).one()  # type: ignore[call-overload]
    return int(value or 0)


async def topic_count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(FaqTopicRecord))).one())  # type: ignore[call-overload]


async def published(session: AsyncSession) -> list[FaqTopicRecord]:
    statement = select(FaqTopicRecord).where(FaqTopicRecord.status == FaqStatus.PUBLISHED)
    return list((await session.exec(statement.order_by(col(FaqTopicRecord.id)))).all())


async def live_by_slug(session: AsyncSession, slug: str) -> FaqTopicRecord | None:
    """The published topic called `slug` (or, failing that, a retired one)."""
    rows = (
        await session.exec(
            select(FaqTopicRecord).where(
                FaqTopicRecord.slug == slug,
                col(FaqTopicRecord.status).in_((FaqStatus.PUBLISHED, FaqStatus.RETIRED)),
            )
        )
    ).all()
    return next((r for r in rows if r.status == FaqStatus.PUBLISHED), rows[0] if rows else None)


async def history(session: AsyncSession, topic_id: int, limit: int = 20) -> list[FaqTopicVersion]:
    statement = (
        select(FaqTopicVersion)
        .where(FaqTopicVersion.topic_id == topic_id)
        .order_by(col(FaqTopicVersion.version).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def eval_rows(session: AsyncSession) -> list[FaqEvalRow]:
    return list((await session.exec(select(FaqEvalRow).order_by(col(FaqEvalRow.id)))).all())
