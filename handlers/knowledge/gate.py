"""The regression gate: before a draft or an edit goes live, the matcher with it is compared with
the matcher without it on the evaluation rows, and publishing is refused if anything breaks.

Rows: every published topic's own examples (Vietnamese and English, labelled with their topic),
the edited topic's examples as they would become, the shipped out-of-scope messages (label None:
the bot must stay silent) and the evaluation rows kept in the database (dev set, blind batches,
messages staff confirmed). Refused when the change
* takes over a message of another topic (answers it with the changed topic),
* turns a right confident answer into a confident wrong one,
* answers an out-of-scope message the bot used to leave alone.
A right answer that becomes a pick list is counted in the figures but does not block.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from faq.evaluate import Labelled
from faq.knowledge import KnowledgeBase
from faq.matcher import Matcher, MatchResult
from handlers.knowledge import texts as K
from handlers.textutil import shorten

MAX_LISTED = 12


@dataclass
class Figures:
    right: int = 0
    in_scope: int = 0
    silent: int = 0
    out_of_scope: int = 0


@dataclass
class GateReport:
    slug: str
    before: Figures
    after: Figures
    own_right: int = 0
    own_total: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def figures(self) -> str:
        return K.FIGURES.format(
            before_right=self.before.right,
            before_total=self.before.in_scope,
            before_silent=self.before.silent,
            before_oos=self.before.out_of_scope,
            after_right=self.after.right,
            after_total=self.after.in_scope,
            after_silent=self.after.silent,
            after_oos=self.after.out_of_scope,
            own_right=self.own_right,
            own_total=self.own_total,
        )

    def listed(self) -> str:
        lines = self.problems[:MAX_LISTED]
        if len(self.problems) > MAX_LISTED:
            lines.append(K.PROBLEMS_MORE.format(count=len(self.problems) - MAX_LISTED))
        return "\n".join(lines)


def _examples(kb: KnowledgeBase, skip: str | None = None) -> list[Labelled]:
    return [
        Labelled(text, topic.id)
        for topic in kb.topics.values()
        if topic.id != skip
        for text in (*topic.examples, *topic.examples_en)
    ]


def gate_rows(
    before: KnowledgeBase, after: KnowledgeBase, slug: str, extra: Iterable[Labelled]
) -> list[Labelled]:
    """The rows to check, each text once; a text another topic already has keeps that topic's
    label (a draft that copies it is taking it over)."""
    rows: dict[str, Labelled] = {}
    for item in _examples(before, skip=slug):
        rows.setdefault(item.text, item)
    changed = after.topics.get(slug)
    if changed is not None:
        for text in (*changed.examples, *changed.examples_en):
            rows.setdefault(text, Labelled(text, slug))
    for texts in before.out_of_scope.values():
        for text in texts:
            rows.setdefault(text, Labelled(text, None))
    known = set(before.topics) | set(after.topics)
    for item in extra:
        if item.topic is None or item.topic in known:
            rows.setdefault(item.text, item)
    return list(rows.values())


def _tally(figures: Figures, item: Labelled, result: MatchResult, kb: KnowledgeBase) -> None:
    if item.topic is None:
        figures.out_of_scope += 1
        figures.silent += result.topic is None
    elif item.topic in kb.topics:
        figures.in_scope += 1
        figures.right += result.topic == item.topic


def _competes(result: MatchResult, slug: str) -> bool:
    return result.topic is None and slug in [topic for topic, _ in result.alternatives[:3]]


def run_gate(
    before: Matcher,
    before_kb: KnowledgeBase,
    after: Matcher,
    after_kb: KnowledgeBase,
    slug: str,
    rows: list[Labelled],
    cache: dict[str, MatchResult] | None = None,
) -> GateReport:
    """Both matchers on every row (slow: call it in a thread). `cache`: the before-matcher's
    results by text, kept by the caller while the published topics stay the same."""
    report = GateReport(slug, Figures(), Figures())
    cache = cache if cache is not None else {}
    for item in rows:
        old = cache.get(item.text)
        if old is None:
            old = cache[item.text] = before.match(item.text)
        new = after.match(item.text)
        _tally(report.before, item, old, before_kb)
        _tally(report.after, item, new, after_kb)
        text = shorten(item.text, 90)
        if item.topic == slug:
            report.own_total += 1
            report.own_right += new.topic == slug
        elif item.topic is not None and (
            new.topic == slug or (old.topic == item.topic and _competes(new, slug))
        ):
            # Answered with the changed topic, or no longer answered because it competes.
            report.problems.append(K.PROBLEM_TAKES.format(text=text, gold=item.topic, slug=slug))
        elif item.topic is not None and old.topic == item.topic and new.topic not in (item.topic, None):
            report.problems.append(K.PROBLEM_WRONG.format(text=text, gold=item.topic, got=new.topic))
        elif item.topic is None and old.topic is None and new.topic is not None:
            report.problems.append(K.PROBLEM_OUT_OF_SCOPE.format(text=text, got=new.topic))
    return report
