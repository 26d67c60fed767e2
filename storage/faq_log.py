"""The FAQ's question log: every question the FAQ saw, its answer, and whether it helped.

Feeds the deflection figures and the list of questions the FAQ could not answer
(`python -m bot faq-gaps`). Reached as storage.repo.<name> too.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqQuery


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


async def settle_faq_query(
    session: AsyncSession, query_id: int | None, *, solved: bool, topic: str | None
) -> None:
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
