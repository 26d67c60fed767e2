"""Changing language mid-conversation: remember it and ask the question on screen again in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.citizen import erase, followups, menu_level, rating
from handlers.events import Choice
from handlers.turn import Turn
from storage.models import Case

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine


async def switch_language(engine: Engine, turn: Turn, language: str) -> None:
    """ "english", "/en", 🌐 (or "tiếng việt", "/vi"): remember the choice and ask the
    question on screen again, in that language."""
    turn.reporter.language = language
    prefix = turn.t.LANGUAGE_SET
    step = turn.step
    if engine.intake.owns(step):
        engine.intake.ask(turn, prefix=prefix)
    elif step == "resume":
        engine._ask_resume(turn, prefix)
    elif step == "lookup":
        prompt = await engine.lookup.prompt(turn)
        turn.say(f"{prefix}\n\n{prompt.text}", prompt.choices)
    elif engine.browser.owns(step):
        engine.browser.reask(turn, prefix)
    elif step == "rating":
        case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
        if case is None or case.id is None:
            turn.reset("idle")
            menu_level.show_menu(engine, turn, greeting=True)
            return
        turn.say(
            f"{prefix}\n\n{turn.t.RATING_ASK.format(code=case.code)}",
            rating.turn_rating_choices(turn, case.id),
        )
    elif step == "rating_comment":
        turn.say(f"{prefix}\n\n{turn.t.ASK_RATING_COMMENT}", [Choice("comment:skip", turn.t.SKIP)])
    elif step == "followup_pick":
        turn.say(f"{prefix}\n\n{turn.t.FOLLOWUP_WHICH}", followups.followup_choices(engine, turn))
    elif step == erase.STEP:
        await erase.ask(turn)
    else:
        # The question they wrote in English before choosing English is answered now, when the
        # FAQ is sure of it ("… paid with MoMo, the application still says unpaid" → that
        # answer in English); otherwise it waits as the report's description.
        draft = turn.data.get("english_draft")
        turn.set(english_draft=None)  # answered once, not at every later switch
        if language == "en" and draft and await engine.browser.answer_if_known(turn, draft):
            return
        # The menu: greet again, so that someone who could not read the first greeting can now.
        menu_level.show_menu(engine, turn, greeting=True)
