"""Personal-data retention: `python -m bot purge --older-than DAYS`.

Decree 13/2023/NĐ-CP: personal data is kept only as long as the purpose needs it. A case that
has been closed for longer than DAYS (default `retention.personal_data_days`) loses everything
that identifies or describes a person:

* the case: description, dossier code, phone, rating comment, resolution and escalation texts;
* its thread: every message text; its attachments: the file references and names;
* its audit trail: free-text notes (kind, status change, actor and time stay);
* the reporter's name, username and phone, once none of their cases still needs them
  (no open case, no case closed within the retention window) and they have not written
  within the window — people who never filed anything included;
* stored outbound messages of those cases (they quote the person), and of anybody, older than
  the window; the FAQ questions people typed, older than the window; conversation drafts
  untouched for longer than the window; the processed-update log older than the window.

What the statistics need stays: unit, system, FAQ topic, priority, role, status, every time
stamp, rating, assignee, escalation flag. The case is marked `personal_data_erased`, so a
second run skips it and the reports can say how many cases were erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.erasure import ERASED, FINISHED, anonymise, erase_cases
from storage.models import (
    Case,
    CaseStatus,
    Conversation,
    FaqQuery,
    OutboxMessage,
    ProcessedUpdate,
    Reporter,
    utcnow,
)

__all__ = ["ERASED", "PurgeReport", "purge_personal_data"]
_FINISHED = FINISHED


@dataclass
class PurgeReport:
    cases: int = 0
    messages: int = 0
    attachments: int = 0
    reporters: int = 0
    outbox: int = 0
    faq_queries: int = 0
    conversations: int = 0
    processed_updates: int = 0

    def lines(self) -> list[str]:
        return [
            f"cases erased: {self.cases}",
            f"case messages cleared: {self.messages}",
            f"attachment references cleared: {self.attachments}",
            f"reporters anonymised: {self.reporters}",
            f"stored outbound messages cleared: {self.outbox}",
            f"FAQ questions cleared: {self.faq_queries}",
            f"stale conversation drafts cleared: {self.conversations}",
            f"processed-update log rows deleted: {self.processed_updates}",
        ]


async def purge_personal_data(
    db: Database, older_than_days: float, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Erase the personal data of cases closed more than `older_than_days` ago (one transaction)."""
    if older_than_days <= 0:
        raise ValueError("older_than_days must be positive")
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    report = PurgeReport()
    async with db.session() as session:
        cases = (
            await session.exec(
                select(Case).where(
                    Case.status == CaseStatus.CLOSED,
                    col(Case.closed_at).is_not(None),
                    col(Case.closed_at) < cutoff,
                    col(Case.personal_data_erased).is_(False),
                )
            )
        ).all()
        erased = await erase_cases(session, cases)
        report.cases, report.messages = erased.cases, erased.messages
        report.attachments, report.outbox = erased.attachments, erased.outbox
        report.reporters = await _anonymise_reporters(session, cases, cutoff)
        report.reporters += await _anonymise_idle_people(session, cutoff)
        result = await session.exec(
            update(OutboxMessage)  # type: ignore[call-overload]
            .where(
                col(OutboxMessage.created_at) < cutoff,
                col(OutboxMessage.status).in_(_FINISHED),
                col(OutboxMessage.case_id).is_(None),
            )
            .values(payload={"text": ERASED})
        )
        report.outbox += int(result.rowcount or 0)
        result = await session.exec(
            update(FaqQuery)  # type: ignore[call-overload]
            .where(col(FaqQuery.created_at) < cutoff, col(FaqQuery.text) != ERASED)
            .values(text=ERASED)
        )
        report.faq_queries = int(result.rowcount or 0)
        stale = (await session.exec(select(Conversation).where(col(Conversation.updated_at) < cutoff))).all()
        for conversation in stale:
            if conversation.data or conversation.step not in ("idle", "new"):
                conversation.data = {}
                conversation.recent = []
                conversation.step = "idle"
                report.conversations += 1
        # Redeliveries come within a day; a row older than the window only remembers who wrote.
        table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
        deleted = await session.exec(table.delete().where(table.c.received_at < cutoff))
        report.processed_updates = int(deleted.rowcount or 0)  # type: ignore[attr-defined]
        if dry_run:
            await session.rollback()
    return report


async def _anonymise_reporters(session: AsyncSession, cases: Sequence[Case], cutoff: datetime) -> int:
    reporter_ids = {c.reporter_id for c in cases}
    count = 0
    for reporter_id in reporter_ids:
        still_needed = (
            await session.exec(
                select(Case.id).where(
                    Case.reporter_id == reporter_id,
                    col(Case.personal_data_erased).is_(False),
                )
            )
        ).first()
        if still_needed is not None:
            continue  # an open or recently closed case still needs a name and a phone
        reporter = await session.get(Reporter, reporter_id)
        if reporter is None:
            continue
        active = (
            await session.exec(
                select(Conversation.id).where(
                    Conversation.channel == reporter.channel,
                    Conversation.user_id == reporter.external_id,
                    col(Conversation.updated_at) >= cutoff,
                )
            )
        ).first()
        if active is not None:
            continue  # they are talking to the bot again: their name is in current use
        if anonymise(reporter):
            count += 1
    return count


async def _anonymise_idle_people(session: AsyncSession, cutoff: datetime) -> int:
    """People who filed nothing still needed (no case, or only erased ones) and have not written
    for longer than the window: their name, username and phone serve no purpose any more."""
    has_live_case = (
        select(Case.id)
        .where(Case.reporter_id == Reporter.id, col(Case.personal_data_erased).is_(False))
        .exists()
    )
    recent_talk = (
        select(Conversation.id)
        .where(
            Conversation.channel == Reporter.channel,
            Conversation.user_id == Reporter.external_id,
            col(Conversation.updated_at) >= cutoff,
        )
        .exists()
    )
    named = or_(
        col(Reporter.display_name).is_not(None),
        col(Reporter.username).is_not(None),
        col(Reporter.phone).is_not(None),
    )
    people = (
        await session.exec(
            select(Reporter).where(named, col(Reporter.created_at) < cutoff, ~has_live_case, ~recent_talk)
        )
    ).all()
    return sum(anonymise(person) for person in people)
