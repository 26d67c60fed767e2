"""The problem in the person's words, then screenshots and files, then the FAQ stage."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers import pictures
from handlers.choices import Prompt
from handlers.citizen.intake import draft, faq_stage, files
from handlers.events import Choice, Kind
from handlers.services import images_only
from handlers.textutil import fold, shorten
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


log = logging.getLogger(__name__)


def ask_description(flow: IntakeFlow, turn: Turn) -> Prompt:
    ask = turn.t.ASK_DESCRIPTION_IMAGES if images_only(turn.event.channel) else turn.t.ASK_DESCRIPTION
    text = ask.format(max=flow.config.max_attachments)
    draft = turn.data.get("draft_description")
    if draft and not turn.data.get("editing"):
        text = turn.t.USE_DRAFT.format(draft=shorten(draft, 300)) + "\n\n" + text
        return Prompt(text, [Choice("description:draft", turn.t.USE_DRAFT_BUTTON)], free_text=True)
    return Prompt(text, free_text=True)


async def on_description(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "description:draft" and turn.data.get("draft_description"):
        text = turn.data["draft_description"]
    if turn.event.kind == Kind.ATTACHMENT:
        if not files.take_attachments(flow, turn):
            return
        if len(text) < flow.config.min_description_length:
            shown = pictures.kept_lines(turn.data)
            if shown:
                # A screenshot with at most a few words ("lỗi này ạ"): those words, or else the
                # error it shows, are the description (the summary shows it back to confirm), and
                # the FAQ stage, which reads the picture too, comes at once.
                turn.set(description=(text or "\n".join(shown))[: flow.config.max_text_length])
                await after_attachments(flow, turn)
                return
            turn.say(turn.t.ATTACHMENT_WAIT_TEXT.format(count=len(turn.data.get("attachments", []))))
            return
    if not text:
        flow.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
        return
    if len(text) > flow.config.max_text_length:
        turn.say(turn.t.TEXT_TOO_LONG.format(length=len(text), max=flow.config.max_text_length))
        return
    if len(text) < flow.config.min_description_length or not fold(text):
        turn.say(turn.t.DESCRIPTION_TOO_SHORT.format(min=flow.config.min_description_length))
        return
    turn.set(description=text)
    if turn.data.get("editing"):
        flow.ask(turn, "confirm")
    elif len(turn.data.get("attachments", [])) >= flow.config.max_attachments:
        await after_attachments(flow, turn)
    else:
        flow.ask(turn, "attachments")


def ask_attachments(flow: IntakeFlow, turn: Turn) -> Prompt:
    count = len(turn.data.get("attachments", []))
    return Prompt(
        (
            turn.t.ASK_MORE_ATTACHMENTS_IMAGES
            if images_only(turn.event.channel)
            else turn.t.ASK_MORE_ATTACHMENTS
        ).format(count=count, max=flow.config.max_attachments),
        [Choice("attach:done", turn.t.CONTINUE)],
        free_text=True,
    )


async def on_attachments(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if turn.event.kind == Kind.ATTACHMENT:
        if not files.take_attachments(flow, turn):
            return
        if text and not draft.add_to_description(flow, turn, text):
            return
        count = len(turn.data.get("attachments", []))
        if count >= flow.config.max_attachments:
            turn.say(turn.t.ATTACHMENT_LIMIT.format(max=flow.config.max_attachments))
            await after_attachments(flow, turn)
        else:
            turn.say(
                turn.t.ATTACHMENT_RECEIVED.format(count=count, max=flow.config.max_attachments),
                [Choice("attach:done", turn.t.CONTINUE)],
            )
        return
    if choice == "attach:done" or fold(text) in {"xong", "tiep", "tiep tuc", "ok", "khong", "ko", "k"}:
        await after_attachments(flow, turn)
        return
    # More words after the description: keep them, people often write in several messages.
    if text:
        if draft.add_to_description(flow, turn, text):
            flow.ask(turn, prefix=turn.t.DESCRIPTION_EXTENDED)
        return
    flow.ask(turn)


async def after_attachments(flow: IntakeFlow, turn: Turn) -> None:
    if turn.data.get("editing"):
        flow.ask(turn, "confirm")
        return
    description = turn.data.get("description", "")
    suggestion = flow.faq.suggest(pictures.faq_text(description, pictures.kept_lines(turn.data)))
    await faq_stage.remember_faq(flow, turn, suggestion)
    if flow.incident_notice is not None:
        # A known outage is said first: "many people report this, the task force is on it".
        # Only a courtesy: if looking it up fails, the report goes on without it (in a savepoint,
        # so a failed statement does not spoil the transaction that will store the case).
        topic_id = suggestion.topic.id if suggestion.topic else None
        notice = None
        try:
            async with turn.session.begin_nested():
                notice = await flow.incident_notice(turn.session, topic_id, turn.data.get("system"), turn.t)
        except Exception:
            log.exception("incident notice lookup failed; the report goes on without it")
        turn.set(incident_notice=notice)
    if suggestion.topic is not None:
        turn.set(faq_topic=suggestion.topic.id, faq_score=suggestion.score)
        flow.ask(turn, "faq_offer")
    elif suggestion.candidates:
        turn.set(faq_candidates=[t.id for t in suggestion.candidates], faq_score=suggestion.score)
        flow.ask(turn, "faq_pick")
    else:
        flow.ask(turn, "dossier", prefix=turn.data.get("incident_notice"))
