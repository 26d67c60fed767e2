"""The FAQ stage: one confident answer ("did it help?") or a short pick list, recorded for the statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.citizen.intake import details
from handlers.citizen.language import faq_guidance
from handlers.events import Choice
from handlers.services import FaqSuggestion
from handlers.turn import Turn
from storage import repo

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


async def remember_faq(flow: IntakeFlow, turn: Turn, suggestion: FaqSuggestion) -> None:
    query = await repo.record_faq_query(
        turn.session,
        channel=turn.event.channel,
        user_id=turn.event.user_id,
        text=turn.data.get("description", ""),
        topic=suggestion.topic.id if suggestion.topic else None,
        score=suggestion.score,
        solved=None,
        source="intake",
    )
    turn.set(faq_query_id=query.id)


def ask_faq_offer(flow: IntakeFlow, turn: Turn) -> Prompt:
    topic = flow.faq.topic(turn.data.get("faq_topic") or "")
    if topic is None:
        return details.ask_dossier(flow, turn)
    return Prompt(
        _after_notice(turn, faq_guidance(turn.t, topic, offer=True)),
        [Choice("faq:solved", turn.t.FAQ_SOLVED), Choice("faq:not_solved", turn.t.FAQ_NOT_SOLVED)],
    )


def _after_notice(turn: Turn, text: str) -> str:
    """The question, under the notice of an open incident on the same subject, if any."""
    notice = turn.data.get("incident_notice")
    return f"{notice}\n\n{text}" if notice else text


async def on_faq_offer(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    solved = choice == "faq:solved"
    await close_faq_query(flow, turn, solved)
    if solved:
        turn.reset("idle")
        turn.say(turn.t.FAQ_THANKS)
        return
    flow.ask(turn, "dossier")


def ask_faq_pick(flow: IntakeFlow, turn: Turn) -> Prompt:
    choices = []
    for topic_id in turn.data.get("faq_candidates", []):
        topic = flow.faq.topic(topic_id)
        if topic:
            choices.append(Choice(f"faqpick:{topic.id}", f"💡 {topic.title}"))
    choices.append(Choice("faqpick:none", turn.t.FAQ_NONE_OF_THESE))
    return Prompt(_after_notice(turn, turn.t.FAQ_PICK), choices)


async def on_faq_pick(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    assert choice is not None
    picked = choice.split(":", 1)[1]
    if picked == "none":
        await close_faq_query(flow, turn, False)
        flow.ask(turn, "dossier")
        return
    turn.set(faq_topic=picked)
    flow.ask(turn, "faq_offer")


async def close_faq_query(flow: IntakeFlow, turn: Turn, solved: bool) -> None:
    await repo.settle_faq_query(
        turn.session, turn.data.get("faq_query_id"), solved=solved, topic=turn.data.get("faq_topic")
    )
