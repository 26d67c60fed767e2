"""Per-topic figures (/thongke faq) and the unanswered questions that come back to the task force
(the weekly digest, each group with a button that starts a draft from it)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select

from faq.gaps import group_phrasings
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.knowledge import texts as K
from handlers.knowledge.entries import mask_personal
from handlers.textutil import shorten
from storage.models import CaseEvent, FaqQuery

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from faq.knowledge import KnowledgeBase

STATS_DAYS = 30
GAP_DAYS = 7
GAP_GROUPS = 8


async def topic_figures(session: AsyncSession, since: datetime) -> dict[str, Counter[str]]:
    """Per topic: shown (answered or picked), solved, not solved, answered by staff with /traloi."""
    figures: dict[str, Counter[str]] = {}
    queries = (await session.exec(select(FaqQuery).where(col(FaqQuery.created_at) >= since))).all()
    for query in queries:
        if query.topic is None:
            continue
        row = figures.setdefault(query.topic, Counter())
        row["shown"] += 1
        row["solved"] += query.solved is True
        row["not_solved"] += query.solved is False
    events = (
        await session.exec(
            select(CaseEvent).where(CaseEvent.kind == "faq_answer", col(CaseEvent.created_at) >= since)
        )
    ).all()
    for event in events:
        figures.setdefault(event.note or "?", Counter())["traloi"] += 1
    return figures


def format_figures(figures: dict[str, Counter[str]], kb: KnowledgeBase, days: int) -> str:
    if not figures:
        return K.STATS_NONE.format(days=days)
    lines = [K.STATS_HEAD.format(days=days)]
    ranked = sorted(figures.items(), key=lambda item: (-item[1]["shown"] - item[1]["traloi"], item[0]))
    for slug, row in ranked[:30]:
        topic = kb.topics.get(slug)
        title = shorten(topic.title, 60) if topic else slug
        lines.append(
            K.STATS_LINE.format(
                title=title,
                slug=slug,
                shown=row["shown"],
                solved=row["solved"],
                not_solved=row["not_solved"],
                traloi=row["traloi"],
            )
        )
    if len(ranked) > 30:
        lines.append(K.PROBLEMS_MORE.format(count=len(ranked) - 30))
    return "\n".join(lines)


async def gaps(session: AsyncSession, since: datetime, limit: int = GAP_GROUPS) -> list[tuple[FaqQuery, int]]:
    """The most frequent questions the FAQ did not answer or did not help with, grouped by
    similarity (faq.gaps); each group with its most recent question (the draft starts from it)."""
    statement = select(FaqQuery).where(
        col(FaqQuery.created_at) >= since, (col(FaqQuery.topic).is_(None)) | (col(FaqQuery.solved).is_(False))
    )
    queries = [
        q for q in (await session.exec(statement.order_by(col(FaqQuery.id).desc()))).all() if q.text.strip()
    ]
    by_text: dict[str, FaqQuery] = {}
    for query in queries:
        by_text.setdefault(query.text.strip(), query)
    return [(by_text[text], count) for text, count in group_phrasings([q.text for q in queries])[:limit]]


def gaps_message(groups: list[tuple[FaqQuery, int]], days: int) -> Reply | None:
    if not groups:
        return None
    lines = [K.GAPS_HEAD.format(days=days)]
    choices = []
    for number, (query, count) in enumerate(groups, start=1):
        text = shorten(mask_personal(query.text), 120)
        lines.append(K.GAPS_LINE.format(number=number, count=count, text=text))
        choices.append(Choice(f"staff:faq:gap.{query.id}", K.GAPS_BUTTON.format(number=number)))
    lines.append(K.GAPS_HOW)
    return Reply("\n".join(lines), choices, columns=4)


async def stats_command(
    session: AsyncSession, event: Incoming, out: list[Outgoing], kb: KnowledgeBase
) -> None:
    """/thongke faq: the last 30 days per topic, then this week's unanswered questions."""
    now = datetime.now(UTC)
    text = format_figures(await topic_figures(session, now - timedelta(days=STATS_DAYS)), kb, STATS_DAYS)
    out.append(_here(event, Reply(text)))
    reply = gaps_message(await gaps(session, now - timedelta(days=GAP_DAYS)), GAP_DAYS)
    if reply is not None:
        out.append(_here(event, reply))


def _here(event: Incoming, reply: Reply) -> Outgoing:
    return Outgoing(
        event.channel,
        event.chat_id,
        reply,
        thread_id=event.thread_id,
        reply_to_message_id=None if event.thread_id else event.message_id,
        purpose="staff",
    )
