"""Topics as YAML-shaped entries (the format of faq/data/topics): from a case, checked, and built
into a KnowledgeBase the matcher reads. The out-of-scope groups stay those shipped in faq/data."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from faq.knowledge import (
    DATA_DIR,
    REQUIRED_TOPICS_FILE,
    KnowledgeBase,
    KnowledgeBaseError,
    Topic,
    parse_topic,
)
from handlers.staff.drafts import faq_draft_topic, scrub_personal
from storage import faq_repo

# A case's draft topic and the masking of phone and citizen ID numbers are the file drafts' own
# (/taofaq): one way from a case to the knowledge base, whichever desk starts it.
entry_from_case = faq_draft_topic
mask_personal = scrub_personal
SLUG = re.compile(r"^[a-z0-9][a-z0-9_]{1,58}$")
_WHERE = Path("cơ sở dữ liệu")


def entry_of(topic: Topic) -> dict[str, Any]:
    """A loaded topic back as an entry (the seed from faq/data, and comparisons)."""
    return faq_repo.entry_from(topic.id, topic)


def check(entry: dict[str, Any]) -> Topic:
    """The entry as the knowledge base would load it; KnowledgeBaseError says what is missing."""
    return parse_topic(entry, _WHERE, 0)


def problem(entry: dict[str, Any]) -> str | None:
    try:
        check(entry)
    except KnowledgeBaseError as exc:
        return str(exc).split(": ", 1)[-1]
    return None


def content_key(entries: Iterable[dict[str, Any]]) -> str:
    """Same topics, same key, whatever their order: whether a rebuild of the matcher is needed."""
    canonical = sorted(json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entries)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def knowledge_from(
    entries: Iterable[dict[str, Any]], shipped: KnowledgeBase
) -> tuple[KnowledgeBase, list[str]]:
    """The knowledge base of these topics with the shipped out-of-scope groups; an entry that
    does not load is left out and named (the others still answer)."""
    topics: dict[str, Topic] = {}
    skipped: list[str] = []
    for position, entry in enumerate(entries):
        try:
            topic = parse_topic(entry, _WHERE, position)
        except KnowledgeBaseError as exc:
            skipped.append(str(exc))
            continue
        topics[topic.id] = topic
    kb = KnowledgeBase(
        topics=topics,
        out_of_scope=shipped.out_of_scope,
        source=None,
        out_of_scope_keywords=shipped.out_of_scope_keywords,
    )
    return kb, skipped


def required_topics() -> set[str]:
    """The topics the task force's list says must exist (faq/data/required_topics.txt): never retired."""
    path = DATA_DIR / REQUIRED_TOPICS_FILE
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}
