"""✅ Duyệt: a leader publishes a draft, after the regression gate (handlers.knowledge.gate).

The gate runs both matchers over ~1,600 rows (a few seconds, in a thread). A refusal changes
nothing and lists what would break; a publish makes the topic live here at once (the matcher the
gate built is swapped in) and on the other instances at their next check (bot.knowledge).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from faq.evaluate import Labelled
from faq.knowledge import KnowledgeBase
from faq.matcher import Matcher, MatchResult
from handlers.events import Incoming, Outgoing
from handlers.knowledge import texts as K
from handlers.knowledge.card import card, copy_fields
from handlers.knowledge.entries import content_key, entry_of, knowledge_from, problem, required_topics
from handlers.knowledge.gate import GateReport, gate_rows, run_gate
from handlers.staff.common import actor_name, refuse, say
from storage import faq_repo
from storage.faq_models import FaqStatus, FaqTopicRecord

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.knowledge.live import LiveKnowledge
    from handlers.staff.desk import StaffDesk


Token = tuple[int, int, str]  # draft id, its version, the published topics' content key


@dataclass(frozen=True)
class GateInputs:
    slug: str
    before: Matcher
    before_kb: KnowledgeBase
    after_kb: KnowledgeBase
    key: str
    rows: list[Labelled]
    cache: dict[str, MatchResult]


@dataclass(frozen=True)
class Checked:
    inputs: GateInputs
    after: Matcher
    report: GateReport


async def _check(inputs: GateInputs) -> Checked:
    started = time.monotonic()
    after = await asyncio.to_thread(Matcher, inputs.after_kb)
    report = await asyncio.to_thread(
        run_gate,
        inputs.before,
        inputs.before_kb,
        after,
        inputs.after_kb,
        inputs.slug,
        inputs.rows,
        inputs.cache,
    )
    log.info(
        "FAQ gate for %s: %d rows, %d problems, %.1f s",
        inputs.slug,
        len(inputs.rows),
        len(report.problems),
        time.monotonic() - started,
    )
    return Checked(inputs, after, report)


class Publisher:
    def __init__(self, desk: StaffDesk, live: LiveKnowledge) -> None:
        self.desk = desk
        self.live = live
        # Runs an event through the application (bot.knowledge sets Application.receive); None:
        # the gate runs inside the approving transaction.
        self.later: Callable[[Incoming], Awaitable[None]] | None = None
        self._checked: dict[Token, Checked] = {}
        self._running: set[Token] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def approve(
        self,
        session: AsyncSession,
        event: Incoming,
        out: list[Outgoing],
        row: FaqTopicRecord,
        version: int | None = None,
    ) -> None:
        """✅ Duyệt (version None), or the follow-up once the gate ran in the background (the
        draft's version the leader approved: a draft edited meanwhile is not published)."""
        if not self.desk.directory.is_leader(event.user_id):
            refuse(event, out, K.NOT_LEADER)
            return
        if version is not None and version != row.version:
            say(event, out, K.CHANGED_WHILE_CHECKING.format(id=row.id))
            return
        target = await session.get(FaqTopicRecord, row.draft_of) if row.draft_of else None
        entry = faq_repo.as_entry(row)
        if target is not None:
            entry["id"] = target.slug
        trouble = problem(entry)
        if trouble is None and target is None:
            taken = await faq_repo.live_by_slug(session, row.slug)
            if taken is not None and taken.status == FaqStatus.PUBLISHED:
                trouble = K.SLUG_TAKEN.format(slug=row.slug)
        if trouble:
            event.popup = K.INVALID.format(id=row.id, problem=trouble)[:200]
            say(event, out, K.INVALID.format(id=row.id, problem=trouble))
            return
        await self.live.refresh(session)  # the gate compares with what is published now
        token = (row.id or 0, row.version, self.live.key)
        checked = self._checked.pop(token, None)
        if checked is None:
            inputs = await self._inputs(session, entry)
            if self.later is not None and version is None:
                self._start(token, inputs, event, row, out)
                return
            checked = await _check(inputs)  # no background runner, or its result is gone
        if not checked.report.passed:
            report = checked.report
            say(
                event,
                out,
                K.REFUSED.format(
                    id=row.id, count=len(report.problems), figures=report.figures(), problems=report.listed()
                ),
            )
            slug = target.slug if target else None
            out.append(card(event, row, figures=report.figures(), target=slug, edit=event.message_id))
            return
        actor = actor_name(event)
        live = await self._publish(session, row, target, actor)
        await self.live.swap(checked.inputs.after_kb, checked.inputs.key, matcher=checked.after)
        # Checked again against the database at the next refresh: if this transaction does not
        # commit, the topics go back to what is published.
        self.live.revision = -1
        out.append(
            card(
                event,
                row,
                figures=checked.report.figures(),
                target=target.slug if target else None,
                edit=event.message_id,
            )
        )  # the card shows it is live, without buttons
        say(
            event,
            out,
            K.PUBLISHED.format(
                actor=actor,
                title=live.title,
                slug=live.slug,
                version=live.version,
                figures=checked.report.figures(),
            ),
        )

    async def _inputs(self, session: AsyncSession, entry: dict[str, Any]) -> GateInputs:
        slug = entry["id"]
        before_kb = self.live.knowledge
        entries = [entry_of(t) for t in before_kb.topics.values() if t.id != slug] + [entry]
        after_kb, _skipped = knowledge_from(entries, self.live.shipped)
        extra = [Labelled(r.text, r.topic) for r in await faq_repo.eval_rows(session)]
        rows = gate_rows(before_kb, after_kb, slug, extra)
        return GateInputs(
            slug, self.live.matcher, before_kb, after_kb, content_key(entries), rows, self.live.before_cache
        )

    def _start(
        self, token: Token, inputs: GateInputs, event: Incoming, row: FaqTopicRecord, out: list[Outgoing]
    ) -> None:
        """The gate off the transaction (it takes seconds; SQLite would wait for it): this
        transaction only says it started; the follow-up event publishes or refuses."""
        if token in self._running:
            refuse(event, out, K.CHECKING_ALREADY.format(id=row.id))
            return
        self._running.add(token)
        say(event, out, K.CHECKING.format(id=row.id, rows=len(inputs.rows)))
        follow = replace(
            event,
            choice=f"staff:faq:publish.{row.id}-{row.version}",
            popup=None,
            update_key=f"{event.update_key or row.id}/gate{row.version}",
        )
        task = asyncio.create_task(self._check_then_follow(token, inputs, follow))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _check_then_follow(self, token: Token, inputs: GateInputs, follow: Incoming) -> None:
        try:
            self._checked[token] = await _check(inputs)
        except Exception:
            log.exception("FAQ gate for %s failed", inputs.slug)
        finally:
            self._running.discard(token)
        assert self.later is not None
        try:
            await self.later(follow)  # through the application: its own transaction and outbox
        except Exception:
            log.exception("FAQ publish after the gate failed for %s", inputs.slug)

    async def settled(self) -> None:
        """Wait for the gates running in the background (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def retire(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], row: FaqTopicRecord
    ) -> None:
        """🗄 Ngừng dùng on a /suafaq card: the live topic stops answering (kept in the history)."""
        if not self.desk.directory.is_leader(event.user_id):
            refuse(event, out, K.NOT_LEADER_RETIRE)
            return
        target = await session.get(FaqTopicRecord, row.draft_of) if row.draft_of else None
        if target is None or target.status != FaqStatus.PUBLISHED:
            refuse(event, out, K.DRAFT_GONE)
            return
        if target.slug in required_topics():
            say(event, out, K.REQUIRED_TOPIC.format(slug=target.slug))
            return
        actor = actor_name(event)
        before = faq_repo.as_entry(target)
        target.status = FaqStatus.RETIRED
        await faq_repo.record_change(
            session, target, actor=actor, reason=f"ngừng dùng (bản sửa #{row.id})", before=before
        )
        draft = faq_repo.as_entry(row)
        row.status = FaqStatus.RETIRED
        await faq_repo.record_change(session, row, actor=actor, reason="ngừng dùng chủ đề", before=draft)
        entries = [entry_of(t) for t in self.live.knowledge.topics.values() if t.id != target.slug]
        kb, _skipped = knowledge_from(entries, self.live.shipped)
        await self.live.swap(kb, content_key(entries))
        self.live.revision = -1
        say(event, out, K.RETIRED_TOPIC.format(actor=actor, title=target.title, slug=target.slug))

    @staticmethod
    async def _publish(
        session: AsyncSession, row: FaqTopicRecord, target: FaqTopicRecord | None, actor: str
    ) -> FaqTopicRecord:
        before = faq_repo.as_entry(row)
        if target is None:
            row.status = FaqStatus.PUBLISHED
            row.file = row.file or f"{row.system}.yaml"
            await faq_repo.record_change(
                session, row, actor=actor, reason="duyệt, đưa vào dùng", before=before
            )
            return row
        old = faq_repo.as_entry(target)
        copy_fields(row, target)
        await faq_repo.record_change(
            session,
            target,
            actor=actor,
            reason=f"duyệt bản sửa #{row.id} ({row.created_by or 'không rõ'})",
            before=old,
        )
        row.status = FaqStatus.MERGED
        await faq_repo.record_change(
            session, row, actor=actor, reason=f"đã duyệt vào {target.slug}", before=before
        )
        return target
