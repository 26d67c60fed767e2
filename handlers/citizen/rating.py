"""The rating of a resolved case: the buttons, the rating, words instead of a rating, the comment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt, resolve_choice
from handlers.citizen.language import texts_for
from handlers.citizen.lookup import RATING_COMMENT_PREFIX
from handlers.events import Choice, Kind
from handlers.textutil import parse_id
from handlers.turn import Turn
from storage import repo
from storage.models import Case, CaseMessage, CaseStatus

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine


def turn_rating_choices(turn: Turn, case_id: int) -> list[Choice]:
    return rating_choices(case_id, turn.language)


def rating_choices(case_id: int, language: str | None = None) -> list[Choice]:
    return [Choice(f"rate:{case_id}:{key}", label) for key, label in texts_for(language).RATINGS.items()]


async def rate(engine: Engine, turn: Turn, choice: str, *, ask_comment: bool = True) -> None:
    """Record a rating; `ask_comment` False when the person already said why (in words)."""
    _, case_id, value = ([*choice.split(":"), "", ""])[:3]
    row_id = parse_id(case_id)
    case = await turn.session.get(Case, row_id) if row_id is not None else None
    if case is None or case.reporter_id != turn.reporter.id or value not in turn.t.RATINGS:
        engine.show_menu(turn)
        return
    if case.rating is not None:
        if case.rating != value or turn.step != "rating_comment":
            turn.say(turn.t.RATING_THANKS)
        return  # the same rating pressed again while its comment is being asked: nothing new
    case.rating = value
    await repo.add_event(turn.session, case, "rated", actor="reporter", note=value)
    if value == "khong_hai_long":
        await repo.set_status(
            turn.session, case, CaseStatus.IN_PROGRESS, actor="reporter", note="Không hài lòng"
        )
        turn.reset("rating_comment", rating_case_id=case.id)
        turn.say(turn.t.RATING_REOPENED.format(code=case.code))
        if ask_comment:
            turn.say(turn.t.ASK_RATING_COMMENT, [Choice("comment:skip", turn.t.SKIP)])
    else:
        if case.status == CaseStatus.RESOLVED:
            await repo.set_status(turn.session, case, CaseStatus.CLOSED, actor="reporter", note="Đã đánh giá")
        turn.reset("rating_comment", rating_case_id=case.id)
        if ask_comment:
            turn.say(turn.t.ASK_RATING_COMMENT, [Choice("comment:skip", turn.t.SKIP)])
    turn.send(await engine.queue.rating_received(turn.session, case, turn.reporter))


async def answer_to_result(engine: Engine, turn: Turn, text: str) -> bool:
    """Words instead of a rating ("vẫn chưa được ạ"): staff must read them, so they go to
    the case thread, and the rating is asked again. False when there is nothing to relay."""
    case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
    event = turn.event
    if case is None or case.reporter_id != turn.reporter.id or case.rating is not None:
        return False
    if event.kind not in (Kind.TEXT, Kind.ATTACHMENT) or not (text or event.attachments):
        return False
    assert case.id is not None
    turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
    case.updated_at = turn.now
    turn.send(
        await engine.queue.reporter_message(turn.session, case, turn.reporter, text, list(event.attachments))
    )
    turn.say(turn.t.RATING_REASK.format(code=case.code), turn_rating_choices(turn, case.id))
    return True


async def rating_comment(engine: Engine, turn: Turn, text: str) -> None:
    resolution = resolve_choice(
        turn.event, Prompt("", [Choice("comment:skip", turn.t.SKIP)], free_text=True), turn.language
    )
    case = await turn.session.get(Case, turn.data.get("rating_case_id", 0))
    turn.reset("idle")
    if resolution.choice is None and text and case is not None:
        case.rating_comment = text[: engine.config.max_text_length]
        assert case.id is not None
        comment = f"{RATING_COMMENT_PREFIX}{text}"
        turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=comment))
        turn.send(await engine.queue.rating_received(turn.session, case, turn.reporter))
    unhappy = case is not None and case.rating == "khong_hai_long"
    commented = resolution.choice is None and bool(text)
    if unhappy:
        turn.say(turn.t.RATING_COMMENT_THANKS_UNHAPPY if commented else turn.t.RATING_UNHAPPY_NOTED)
    else:
        turn.say(turn.t.RATING_THANKS)
