"""The menu's "Câu hỏi thường gặp": browse topics by system, or ask a free question.

Topics (titles and answers) are the knowledge base's, in Vietnamese; for people who chose
English the screens around them are in English and an answer comes with a short English lead-in.
"""

from __future__ import annotations

from types import ModuleType

from handlers.choices import Prompt
from handlers.citizen.language import faq_guidance
from handlers.events import Choice
from handlers.services import FaqStage, FaqSuggestion, FaqTopicView
from handlers.turn import Turn
from storage import repo

_SYSTEM_ORDER = ["vneid", "dvc_quoc_gia", "he_thong_tthc_thanh_pho", "thanh_toan", "chu_ky_so", "chung"]


def _system_label(system: str, t: ModuleType) -> str:
    return t.FAQ_SYSTEM_GENERAL if system == "chung" else t.SYSTEMS.get(system, system)


class FaqBrowser:
    def __init__(self, faq: FaqStage, max_text_length: int) -> None:
        self.faq = faq
        self.max_text_length = max_text_length

    def owns(self, step: str) -> bool:
        return step in ("faq_browse", "faq_topics", "faq_answered")

    def prompt(self, turn: Turn) -> Prompt:
        """The question on screen, with exactly the choices shown (so "1" means what the
        person saw as 1, whichever way the screen was reached)."""
        built = self._build(turn)
        shown = turn.data.get("faq_choices")
        if shown is not None:
            return Prompt(built.text, [Choice(key, label) for key, label in shown], free_text=True)
        return built

    def _build(self, turn: Turn) -> Prompt:
        if turn.step == "faq_topics":
            system = turn.data.get("faq_system", "")
            topics = self.faq.topics_by_system().get(system, [])
            choices = [Choice(f"faqtopic:{t.id}", t.title) for t in topics]
            choices.append(Choice("faqtopic:back", turn.t.BACK))
            return Prompt(turn.t.FAQ_BROWSE_TOPICS, choices, free_text=True)
        if turn.step == "faq_answered":
            return Prompt(turn.t.MENU_AGAIN, self._after_answer_choices(turn), free_text=True)
        groups = self.faq.topics_by_system()
        choices = [Choice(f"faqsys:{s}", _system_label(s, turn.t)) for s in _SYSTEM_ORDER if groups.get(s)]
        choices += [Choice(f"faqsys:{s}", _system_label(s, turn.t)) for s in groups if s not in _SYSTEM_ORDER]
        return Prompt(turn.t.FAQ_BROWSE, choices, free_text=True)

    def _after_answer_choices(self, turn: Turn) -> list[Choice]:
        return [
            Choice("faqafter:ok", turn.t.FAQ_HELPFUL),
            Choice("faqafter:report", turn.t.FAQ_REPORT),
            Choice("faqafter:more", turn.t.FAQ_MORE),
        ]

    def _labels(self, turn: Turn) -> dict[str, str]:
        """The label of every fixed choice of these screens, in the person's language."""
        t = turn.t
        labels = {choice.key: choice.label for choice in self._after_answer_choices(turn)}
        labels["faqtopic:back"] = t.BACK
        labels.update({f"faqsys:{s}": _system_label(s, t) for s in self.faq.topics_by_system()})
        return labels

    def reask(self, turn: Turn, prefix: str) -> None:
        """The screen on show again, after the person changed language: the same choices (so
        "2" still means what it meant), their labels in the new language."""
        shown = turn.data.get("faq_choices")
        if shown is None:
            self._ask(turn, prefix)
            return
        labels = self._labels(turn)
        choices = [Choice(key, labels.get(key, label)) for key, label in shown]
        text = self._build(turn).text
        topic = self.faq.topic(turn.data.get("faq_last_topic") or "")
        if turn.step == "faq_topics" and not turn.data.get("faq_system"):
            text = turn.t.FAQ_PICK  # candidates for a typed question
        elif turn.step == "faq_answered" and all(key != "faqafter:ok" for key, _ in shown):
            text = turn.t.FAQ_NO_MATCH
        elif turn.step == "faq_answered" and topic is not None:
            text = faq_guidance(turn.t, topic, offer=False)
        self._show(turn, f"{prefix}\n\n{text}", choices)

    def open(self, turn: Turn) -> None:
        turn.reset("faq_browse")
        self._ask(turn)

    def _ask(self, turn: Turn, prefix: str | None = None) -> None:
        prompt = self._build(turn)
        text = f"{prefix}\n\n{prompt.text}" if prefix else prompt.text
        self._show(turn, text, prompt.choices)

    def _show(self, turn: Turn, text: str, choices: list[Choice]) -> None:
        turn.set(faq_choices=[[choice.key, choice.label] for choice in choices])
        turn.say(text, choices)

    async def handle(self, turn: Turn, choice: str | None, text: str) -> str | None:
        """Returns "report" when the person wants to file a complaint, "done" to leave the FAQ."""
        if choice and choice.startswith("faqsys:"):
            turn.set(faq_system=choice.split(":", 1)[1])
            turn.go("faq_topics")
            self._ask(turn)
            return None
        if choice == "faqtopic:back" or choice == "faqafter:more":
            turn.go("faq_browse")
            self._ask(turn)
            return None
        if choice and choice.startswith("faqtopic:"):
            topic = self.faq.topic(choice.split(":", 1)[1])
            if topic:
                self._answer(turn, topic)
            return None
        if choice == "faqafter:report":
            return "report"
        if choice == "faqafter:ok":
            await self._mark_last(turn, True)
            return "done"
        if not text:
            self._ask(turn)
            return None
        if len(text) > self.max_text_length:
            turn.say(turn.t.TEXT_TOO_LONG.format(length=len(text), max=self.max_text_length))
            return None
        await self.answer_question(turn, text)
        return None

    async def answer_if_known(self, turn: Turn, text: str) -> bool:
        """From the menu: answer a question the FAQ is sure about; False leaves the turn untouched."""
        suggestion = self.faq.suggest(text)
        if suggestion.topic is None:
            return False
        await self.answer_question(turn, text, suggestion)
        return True

    async def answer_question(self, turn: Turn, text: str, suggestion: FaqSuggestion | None = None) -> None:
        suggestion = suggestion or self.faq.suggest(text)
        turn.set(faq_question=text)
        query = await repo.record_faq_query(
            turn.session,
            channel=turn.event.channel,
            user_id=turn.event.user_id,
            text=text,
            topic=suggestion.topic.id if suggestion.topic else None,
            score=suggestion.score,
            solved=None,
            source="browse",
        )
        turn.set(faq_query_id=query.id)
        if suggestion.topic:
            self._answer(turn, suggestion.topic)
        elif suggestion.candidates:
            turn.go("faq_topics")
            choices = [Choice(f"faqtopic:{t.id}", t.title) for t in suggestion.candidates]
            choices.append(Choice("faqafter:report", turn.t.FAQ_REPORT))
            self._show(turn, turn.t.FAQ_PICK, choices)
        else:
            turn.go("faq_answered")
            self._show(
                turn,
                turn.t.FAQ_NO_MATCH,
                [Choice("faqafter:report", turn.t.FAQ_REPORT), Choice("faqafter:more", turn.t.FAQ_MORE)],
            )

    def _answer(self, turn: Turn, topic: FaqTopicView) -> None:
        turn.set(faq_last_topic=topic.id)
        turn.go("faq_answered")
        # Long answers are split by the channel adapter; the answer's line breaks are kept.
        self._show(turn, faq_guidance(turn.t, topic, offer=False), self._after_answer_choices(turn))

    async def _mark_last(self, turn: Turn, solved: bool) -> None:
        from storage.models import FaqQuery

        query_id = turn.data.get("faq_query_id")
        query = await turn.session.get(FaqQuery, query_id) if query_id else None
        if query is not None:
            # The topic the person last read counts only when the question itself matched nothing.
            await repo.settle_faq_query(
                turn.session, query_id, solved=solved, topic=query.topic or turn.data.get("faq_last_topic")
            )
