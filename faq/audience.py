"""Who is writing: an officer's message should not be answered with a citizen's topic.

Officers write in their own shorthand ("pm mc", "ht tthc", "cb", "shoa") and about their own
work (digitising, roles, the one-stop software); a citizen topic that shares the generic
part ("không vào được", "kết quả ... không thấy") could out-score the officer topic that owns
the specific part ("pm tthc", "số hóa"). Two signals, both from data: the officer
abbreviations of data/abbreviations.tsv (note "cán bộ"), and the weight of the message's
features that only officer topics use. Either one marks the message as an officer's, and
then topics meant for citizens only count ``Audience.penalty`` less: they can still answer
when clearly ahead, but no longer win on the shared frame.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from faq.index import Index
from faq.knowledge import KnowledgeBase
from faq.normalize import ABBREVIATIONS_FILE, fold

_OFFICER_NOTE = "cán bộ"


def officer_abbreviations() -> frozenset[str]:
    """Folded abbreviations the table marks as officers' shorthand."""
    found = set()
    for raw in ABBREVIATIONS_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        parts = raw.split("\t")
        if len(parts) > 2 and parts[2].strip().lower().startswith(_OFFICER_NOTE):
            found.add(fold(unicodedata.normalize("NFC", parts[0].strip())))
    return frozenset(found)


@dataclass(frozen=True)
class Audience:
    """The officer signal of one index; see the module docstring."""

    officer_features: Mapping[str, float]  # feature -> idf, for features only officer topics use
    citizen_topics: frozenset[str]
    shorthand: frozenset[str]
    officer_topics: frozenset[str] = frozenset()
    # Weight of officer-only features (idf sum) that marks an officer. On the shipped sets the
    # citizens' lines reach at most 8.2 (chance pairs such as "vẫn ghi"), officers' mostly 10–40.
    threshold: float = 10.0
    penalty: float = 5.0
    english_penalty: float = 5.0

    def is_officer(self, text: str, features: set[str]) -> bool:
        words = fold(text).replace(".", " ").split()
        if any(word in self.shorthand for word in words):
            return True
        return sum(self.officer_features.get(f, 0.0) for f in features) >= self.threshold

    def concerns(self, ranked: list[tuple[str, float]]) -> bool:
        """Whether the writer matters: a citizen-only topic among the first three (cheap test first)."""
        return any(label in self.citizen_topics for label, _ in ranked[:3])

    def adjust(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """An officer's ranking: citizen-only topics count ``penalty`` less."""
        out = [
            (label, round(s - self.penalty, 1) if label in self.citizen_topics else s) for label, s in ranked
        ]
        return sorted(out, key=lambda item: item[1], reverse=True)

    def resident(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """An English writer's ranking: officer-only topics count ``english_penalty`` less.

        Commune officers write in Vietnamese; English comes from foreign residents and their
        employers, whose "one-stop desk", "old district office" or "digital signature" is a
        citizen's question, not the officers' topic that shares those words."""
        out = [
            (label, round(s - self.english_penalty, 1) if label in self.officer_topics else s)
            for label, s in ranked
        ]
        return sorted(out, key=lambda item: item[1], reverse=True)


def build_audience(kb: KnowledgeBase, index: Index) -> Audience:
    """The officer signal over an index's labels."""
    audiences = {topic.id: topic.audience for topic in kb.topics.values()}
    officer = {i for i, label in enumerate(index.labels) if audiences.get(label) == "officer"}
    topics = {i for i, label in enumerate(index.labels) if label in audiences}
    features = {}
    for feature, where in index.postings.items():
        users = {i for i in where.tolist() if i in topics}
        if users and users <= officer:
            features[feature] = index.idf[feature]
    citizens = frozenset(label for label in index.labels if audiences.get(label) == "citizen")
    officers = frozenset(index.labels[i] for i in officer)
    return Audience(features, citizens, officer_abbreviations(), officers)
