"""The knowledge base this process answers from, kept equal to the published topics in the database.

`refresh` is the cheap check every instance runs every few seconds (bot.knowledge): one
``SELECT max(id)`` of the change history; only when it moved are the published rows read, and
only when their content differs from what is loaded is the matcher rebuilt (in a thread) and
swapped in. An empty table (before the first seed) or an unreadable one leaves the shipped
faq/data answering.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.matcher import Matcher, MatchResult
from handlers.directory import KnowledgeBaseFaq
from handlers.knowledge.entries import content_key, entry_of, knowledge_from
from storage import faq_repo

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)


@dataclass
class LiveKnowledge:
    stage: KnowledgeBaseFaq
    shipped: KnowledgeBase = field(default_factory=load_knowledge_base)
    revision: int = -1  # the history's max id last seen; -1: not checked yet
    key: str = ""  # content of the topics the stage answers from
    # The current matcher's answers by text, for the gate's "before" side (same topics, same answers).
    before_cache: dict[str, MatchResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = content_key(entry_of(t) for t in self.stage.knowledge.topics.values())

    @property
    def matcher(self) -> Matcher:
        return self.stage.matcher

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.stage.knowledge

    async def refresh(self, session: AsyncSession, *, force: bool = False) -> bool:
        """Load the published topics if they changed since the last check; True if it reloaded."""
        revision = await faq_repo.revision(session)
        if revision == self.revision and not force:
            return False
        self.revision = revision
        if revision == 0:
            return False  # nothing in the database yet: the shipped topics answer
        entries = [faq_repo.as_entry(row) for row in await faq_repo.published(session)]
        key = content_key(entries)
        if key == self.key:
            return False
        kb, skipped = knowledge_from(entries, self.shipped)
        for reason in skipped:
            log.warning("FAQ topic left out of the knowledge base: %s", reason)
        if not kb.topics:
            return False
        await self.swap(kb, key)
        log.info("FAQ knowledge base reloaded from the database: %d topics", len(kb.topics))
        return True

    async def swap(self, kb: KnowledgeBase, key: str | None = None, matcher: Matcher | None = None) -> None:
        """Answer from `kb` from now on (the matcher is built off the event loop)."""
        matcher = matcher or await asyncio.to_thread(Matcher, kb)
        self.stage.reload(kb, matcher)
        self.key = key or content_key(entry_of(t) for t in kb.topics.values())
        self.before_cache = {}
