"""Evaluation of the matcher (and of a naive baseline) on labelled JSON lines.

A line is {"text": ..., "topic": <id or null>}; null means out of scope. The figures that
matter: top-1 accuracy on in-scope lines, and the share of out-of-scope lines on which the
bot correctly stays silent (no topic and no "did you mean" alternatives).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import process

from faq.knowledge import KnowledgeBase
from faq.matcher import Matcher, MatchResult

BASELINE_CUTOFF = 80.0


@dataclass(frozen=True)
class Labelled:
    text: str
    topic: str | None


def read_labelled(path: Path) -> list[Labelled]:
    items = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{lineno}: không phải JSON hợp lệ ({exc.msg})") from exc
        items.append(Labelled(str(data["text"]), data.get("topic")))
    return items


@dataclass
class Report:
    in_scope: int = 0
    correct: int = 0
    in_scope_abstained: int = 0
    out_of_scope: int = 0
    abstained: int = 0  # out-of-scope lines with topic None
    silent: int = 0  # out-of-scope lines with topic None and no alternatives
    # In scope: the right topic answered, or offered in the pick list (≤ 3, topic None).
    reached: int = 0
    confident_wrong: int = 0  # in scope, answered with another topic
    offered: int = 0  # in scope, no answer but a pick list
    per_topic: dict[str, Counter[str]] = field(default_factory=dict)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    samples: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def abstention(self) -> float:
        return self.silent / self.out_of_scope if self.out_of_scope else 0.0

    @property
    def reach(self) -> float:
        """Right topic answered, or offered among at most 3 when not confident."""
        return self.reached / self.in_scope if self.in_scope else 0.0

    @property
    def out_of_scope_answered(self) -> int:
        return self.out_of_scope - self.abstained

    @property
    def out_of_scope_answered_share(self) -> float:
        return self.out_of_scope_answered / self.out_of_scope if self.out_of_scope else 0.0

    def add(self, item: Labelled, result: MatchResult) -> None:
        gold = item.topic if item.topic is not None else "(ngoài phạm vi)"
        got = result.topic if result.topic is not None else "(không trả lời)"
        row = self.per_topic.setdefault(gold, Counter())
        row["n"] += 1
        if item.topic is None:
            self.out_of_scope += 1
            self.abstained += result.topic is None
            ok = result.topic is None and not result.alternatives
            self.silent += ok
        else:
            self.in_scope += 1
            ok = result.topic == item.topic
            self.correct += ok
            self.in_scope_abstained += result.topic is None
            self.confident_wrong += result.topic is not None and not ok
            offered = [topic for topic, _ in result.alternatives[:3]] if result.topic is None else []
            self.offered += bool(offered)
            self.reached += ok or item.topic in offered
        row["ok"] += ok
        if not ok:
            if item.topic is None and result.topic is None:
                got = "(gợi ý " + ", ".join(t for t, _ in result.alternatives[:2]) + ")"
            self.confusions[(gold, got)] += 1
            self.samples.setdefault((gold, got), item.text)


def evaluate(items: Iterable[Labelled], classify: Callable[[str], MatchResult]) -> Report:
    report = Report()
    for item in items:
        report.add(item, classify(item.text))
    return report


def baseline_classifier(kb: KnowledgeBase, cutoff: float = BASELINE_CUTOFF) -> Callable[[str], MatchResult]:
    """The naive approach: closest raw example (rapidfuzz WRatio, no normalisation), fixed cut-off."""
    choices = [example for topic in kb.topics.values() for example in topic.examples]
    owners = [topic.id for topic in kb.topics.values() for _ in topic.examples]

    def classify(text: str) -> MatchResult:
        found = process.extractOne(text, choices, score_cutoff=cutoff)
        if found is None:
            return MatchResult(None, 0.0, [], "low_score")
        return MatchResult(owners[found[2]], float(found[1]), [])

    return classify


def matcher_classifier(matcher: Matcher) -> Callable[[str], MatchResult]:
    return matcher.match


def format_report(report: Report, title: str, worst: int = 10) -> str:
    lines = [
        f"== {title}",
        f"Trong phạm vi (in scope): {report.in_scope} câu, đúng top-1 {report.correct} = {report.accuracy:.3f}"
        f" (không trả lời {report.in_scope_abstained}, trả lời sai "
        f"{report.in_scope - report.correct - report.in_scope_abstained})",
        f"Trả lời đúng hoặc có trong danh sách gợi ý ≤ 3 (answered or offered among ≤3): "
        f"{report.reached} = {report.reach:.3f} (gợi ý: {report.offered}); "
        f"trả lời sai chắc chắn (confident wrong): {report.confident_wrong}",
        f"Ngoài phạm vi (out of scope): {report.out_of_scope} câu, im lặng đúng {report.silent} = "
        f"{report.abstention:.3f} (không chọn chủ đề: {report.abstained}); "
        f"bị trả lời bằng một chủ đề (out-of-scope answered): {report.out_of_scope_answered} = "
        f"{report.out_of_scope_answered_share:.3f}",
        "",
        f"{'chủ đề':<32} {'số câu':>6} {'đúng':>5} {'tỷ lệ':>6}",
    ]
    for topic, row in sorted(report.per_topic.items(), key=lambda kv: (kv[1]["ok"] / kv[1]["n"], kv[0])):
        lines.append(f"{topic:<32} {row['n']:>6} {row['ok']:>5} {row['ok'] / row['n']:>6.2f}")
    if report.confusions:
        lines += ["", "Nhầm lẫn nhiều nhất (đúng → bot trả lời):"]
        for (gold, got), count in report.confusions.most_common(worst):
            lines.append(f"  {count} × {gold} → {got}: «{report.samples[(gold, got)]}»")
    return "\n".join(lines)


def cross_validate(kb: KnowledgeBase, folds: int = 5) -> Report:
    """K-fold estimate on the knowledge base's own examples (and out-of-scope sentences).

    Every k-th example of every topic is held out, the matcher is rebuilt without it and must
    still find the topic (or stay silent for an out-of-scope sentence). Harsher than real
    messages, which are longer; useful to compare two versions of the data.
    """
    report = Report()
    for k in range(folds):
        topics = {
            tid: replace(t, examples=tuple(e for i, e in enumerate(t.examples) if i % folds != k))
            for tid, t in kb.topics.items()
        }
        negatives = {
            g: tuple(e for i, e in enumerate(ex) if i % folds != k) for g, ex in kb.out_of_scope.items()
        }
        matcher = Matcher(KnowledgeBase(topics, negatives, out_of_scope_keywords=kb.out_of_scope_keywords))
        held = [
            Labelled(e, tid)
            for tid, t in kb.topics.items()
            for i, e in enumerate(t.examples)
            if i % folds == k
        ]
        held += [
            Labelled(e, None) for ex in kb.out_of_scope.values() for i, e in enumerate(ex) if i % folds == k
        ]
        for item in held:
            report.add(item, matcher.match(item.text))
    return report
