"""The product's own facts plugged into the conversation: Hải Phòng's units and the FAQ."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.matcher import Matcher
from faq.units import Unit, find_units, get_unit, load_units
from handlers.services import FaqSuggestion, FaqTopicView, UnitView
from handlers.textutil import fold


def _former(unit: object) -> str | None:
    district = getattr(unit, "former_district", None)
    province = getattr(unit, "former_province", None)
    if district:
        return f"trước thuộc {district}"
    if province and province != "Hải Phòng":
        return f"trước thuộc {province}"
    return None


def _glued(text: str) -> list[tuple[Unit, float]]:
    """A unit name typed without spaces, with or without its kind ("phuongbachdang", "anlao")."""
    key = fold(text).replace(" ", "")
    if len(key) < 4 or " " in fold(text).strip():
        return []
    for unit in load_units():
        name = fold(unit.full_name).replace(" ", "")
        short = fold(unit.name).replace(" ", "")
        if key in (name, short):
            return [(unit, 95.0)]
    return []


def _initials(text: str) -> list[tuple[Unit, float]]:
    """A name typed as its initials in chat ("lc" Lê Chân, "nq" Ngô Quyền; "hb" names three): below
    the clear score (90), so it is always offered back to confirm, never set by itself."""
    key = fold(text).replace(" ", "").replace(".", "")
    if not (2 <= len(key) <= 3 and key.isalpha()):
        return []
    return [(u, 85.0) for u in _by_initials().get(key, [])[:3]]


@lru_cache(maxsize=1)
def _by_initials() -> dict[str, list[Unit]]:
    table: dict[str, list[Unit]] = {}
    for unit in load_units():
        table.setdefault("".join(w[0] for w in fold(unit.name).split()), []).append(unit)
    return table


class OfficialUnits:
    """The 114 xã, phường and đặc khu of Hải Phòng (from 1 July 2025)."""

    def find(self, text: str, limit: int = 3) -> list[UnitView]:
        return [UnitView(u.code, u.full_name, _former(u)) for u, _score in find_units(text, limit=limit)]

    def scored(self, text: str, limit: int = 3) -> list[tuple[UnitView, float]]:
        """Candidates with the search's score (0–100), for reading units out of free text."""
        found = find_units(text, limit=limit)
        if not found:
            found = _glued(text) or _initials(text)  # "phuongbachdang"; "lc" for Lê Chân
        return [(UnitView(u.code, u.full_name, _former(u)), score) for u, score in found]

    def get(self, code: str) -> UnitView | None:
        unit = get_unit(code) if code else None
        return UnitView(unit.code, unit.full_name, _former(unit)) if unit else None


class KnowledgeBaseFaq:
    """FAQ stage backed by faq/: confident answers, close candidates, or silence."""

    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        self.reload(knowledge)

    def reload(self, knowledge: KnowledgeBase | None = None, matcher: Matcher | None = None) -> None:
        """Load `knowledge` (default: faq/data); `matcher`, when given, is already built from it."""
        kb = knowledge or load_knowledge_base()
        matcher = matcher or Matcher(kb)
        views = {
            topic.id: FaqTopicView(topic.id, topic.title, topic.answer.strip(), topic.system, topic.answer_en)
            for topic in kb.topics.values()
        }
        by_system: dict[str, list[FaqTopicView]] = {}
        for view in views.values():
            by_system.setdefault(view.system, []).append(view)
        # Swap all three at once so a concurrent reader never sees a half-reloaded base.
        self._matcher, self._views, self._by_system = matcher, views, by_system

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._matcher.knowledge_base

    def suggest(self, text: str) -> FaqSuggestion:
        result = self._matcher.match(text)
        if result.topic is not None:
            return FaqSuggestion(self._views.get(result.topic), result.score)
        # The matcher offers only plausible topics (best first, ≤ 3), a single one included:
        # "Có phải bạn gặp lỗi này?" with "Không phải — gửi Tổ công tác" beats silence.
        candidates = [self._views[t] for t, _ in result.alternatives[:3] if t in self._views]
        return FaqSuggestion(None, result.score, candidates)

    def topic(self, topic_id: str) -> FaqTopicView | None:
        return self._views.get(topic_id)

    def topics_by_system(self) -> Mapping[str, list[FaqTopicView]]:
        return self._by_system
