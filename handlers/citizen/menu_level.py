"""The menu level of the conversation (outside a report): the menu itself, what a message there
answers (the last message the person got decides), the case look-up, and the FAQ screens."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from handlers import pictures
from handlers.choices import Prompt, Resolution, resolve_choice, typed_number
from handlers.citizen import followups, rating
from handlers.citizen.language import wants_hint
from handlers.citizen.lookup import find_code
from handlers.citizen.menu_reading import read_at_menu, withdraw_if_asked
from handlers.events import Choice, Kind
from handlers.textutil import clean_text, fold, shorten
from handlers.turn import Turn
from handlers.understand import Outcome, Screen, interpret
from storage import repo
from storage.models import Case, CaseStatus

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine

# A message at the menu this long is taken for a problem, kept for the report it may start.
_PROBLEM_WORDS = 4
# Typed alone, these ask for the menu (not a follow-up to relay to staff).
_MENU_WORDS = frozenset({"menu", "trang chu", "danh muc", "bat dau", "main menu", "start"})
# Longest message read as a request for a menu item (handlers.citizen.texts.MENU_INTENTS).
_INTENT_WORDS = 7
# Typed at the look-up question or in the FAQ screens to leave them.
_LEAVE_WORDS = frozenset(
    {
        "huy",
        "thoi",
        "thoat",
        "quay lai",
        "tro lai",
        "menu",
        "khong",
        "ko",
        "bo qua",
        "cancel",
        "exit",
        "quit",
        "back",
        "no",
    }
)


def menu_prompt(engine: Engine, turn: Turn, greeting: bool = False, name: str | None = None) -> Prompt:
    t = turn.t
    text = t.GREETING.format(name=f" {name}" if name else "") if greeting else t.MENU_AGAIN
    if (
        greeting
        and turn.first_contact
        and turn.reporter.language is None
        and wants_hint(turn.event.language_code)
    ):
        text += "\n\n" + t.LANGUAGE_HINT  # in Vietnamese still: the person decides
    return Prompt(
        text,
        [
            Choice("menu:report", t.MENU_REPORT),
            Choice("menu:lookup", t.MENU_LOOKUP),
            Choice("menu:faq", t.MENU_FAQ),
            Choice("menu:help", t.MENU_HELP),
            Choice(f"lang:{t.OTHER_LANGUAGE}", t.MENU_LANGUAGE),
        ],
        free_text=True,
        columns=2,
    )


def show_menu(engine: Engine, turn: Turn, greeting: bool = False) -> None:
    # The stored name (kept only after consent) or, before consent, the one on this message.
    name = (
        (turn.reporter.display_name or turn.event.display_name)
        if turn.reporter.consent is not False
        else None
    )
    prompt = menu_prompt(engine, turn, greeting, name)
    turn.say(prompt.text, prompt.choices, columns=prompt.columns)


async def open_lookup(engine: Engine, turn: Turn) -> None:
    turn.reset("lookup")
    prompt = await engine.lookup.prompt(turn)
    turn.say(prompt.text, prompt.choices)


async def menu_level(engine: Engine, turn: Turn) -> None:
    """Steps outside the intake: menu, lookup, FAQ browsing, rating, follow-ups, resume."""
    step = turn.step
    text = clean_text(turn.event.text)
    screen = None
    if turn.event.kind in (Kind.TEXT, Kind.ATTACHMENT) and step != "resume":
        screen = await read_against_screen(engine, turn, text)
        if screen == "handled":
            return
        text = clean_text(turn.event.text)
    event = turn.event
    if step == "resume":
        resolution = resolve_choice(event, Prompt("", engine.resume_choices(turn)), turn.language)
        if event.kind == Kind.TEXT:
            reading = interpret(
                text, _screen("resume", engine.resume_choices(turn), turn.language), engine.intake.unit_search
            )
            if reading.outcome == Outcome.ANSWER:
                resolution = Resolution(reading.value)
            if reading.is_(Outcome.ANSWER, "resume:restart") and reading.fields.get("description"):
                await engine.intake.start(turn, draft=text)  # "lần này lỗi khác, …": the new problem kept
                return
        if resolution.choice == "resume:continue":
            engine.intake.ask(turn, turn.data.get("resume_step", "role"))
        elif resolution.choice == "resume:restart":
            await engine.intake.start(turn)
        else:
            turn.say(
                turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)),
                engine.resume_choices(turn),
                columns=2,
            )
        return
    if step == "lookup":
        if await lookup_step(engine, turn, text):
            return
        step = turn.step  # they left the look-up for the menu: handle this message there
    if step in ("rating_comment",):
        await rating.rating_comment(engine, turn, text)
        return
    if step == "rating":
        choices = rating.turn_rating_choices(turn, turn.data.get("rating_case_id", 0))
        if await rate_in_words(engine, turn, text, choices):
            return
        if await rating.answer_to_result(engine, turn, text):
            return
        turn.reset("idle")  # they moved on: treat the message normally
    if step == "followup_pick":
        await followups.followup_pick(engine, turn, text)
        return
    if engine.browser.owns(step):
        prompt = engine.browser.prompt(turn)
        resolution = resolve_choice(event, prompt, turn.language)
        if resolution.stale and event.choice and event.choice.startswith("menu:"):
            resolution = resolve_choice(event, menu_prompt(engine, turn), turn.language)
        if resolution.choice is None and event.kind == Kind.TEXT:
            # "menu", "thoát" leave the FAQ; "gửi phản ánh" files what they asked about.
            if fold(text) in _LEAVE_WORDS:
                turn.reset("idle")
                show_menu(engine, turn)
                return
            if menu_intent(turn, text) == "menu:report":
                await engine.intake.start(turn, draft=turn.data.get("faq_question"))
                return
            if step == "faq_answered" and await answer_after_faq(engine, turn, text):
                return
        outcome = await engine.browser.handle(
            turn, resolution.choice, text if event.kind == Kind.TEXT else ""
        )
        if outcome == "report":
            await engine.intake.start(turn, draft=turn.data.get("faq_question"))
        elif outcome == "done":
            turn.reset("idle")
            turn.say(turn.t.FAQ_THANKS)
        return
    # Idle: the menu, or a follow-up to an open case.
    if event.kind == Kind.CHOICE and event.choice == "followup:new":
        await followups.new_report_from_followup(engine, turn)
        return
    menu = menu_prompt(engine, turn)
    # A bare number under a message without choices (a staff reply, an acknowledgement) is
    # not a pick from the main menu, which is not on screen.
    resolution = (
        Resolution(None) if screen == "number_off_screen" else resolve_choice(event, menu, turn.language)
    )
    if resolution.choice is None and event.kind == Kind.TEXT:
        resolution = Resolution(menu_intent(turn, text))
    if resolution.choice and resolution.choice.startswith("lang:"):
        await engine.switch_language(turn, resolution.choice.split(":", 1)[1])
    elif resolution.choice == "menu:report":
        await engine.intake.start(turn, draft=turn.data.get("idle_draft"))
    elif resolution.choice == "menu:lookup":
        await open_lookup(engine, turn)
    elif resolution.choice == "menu:faq":
        engine.browser.open(turn)
    elif resolution.choice == "menu:help":
        turn.say(turn.t.HELP)
    elif event.kind == Kind.TEXT and fold(text) in _MENU_WORDS:
        show_menu(engine, turn)
    elif event.kind in (Kind.TEXT, Kind.ATTACHMENT) and (text or event.attachments):
        found = find_code(text)
        if event.kind == Kind.TEXT and await withdraw_if_asked(engine, turn, text):
            return
        if found and await engine.lookup.show(turn, found):
            return
        if await read_at_menu(engine, turn, text):
            return
        if await followups.followup(engine, turn, text):
            return
        # Many people open with their problem: answer from the FAQ when it is sure. A screenshot
        # says it too: the error read in it (handlers.pictures), after its caption.
        shown = pictures.event_lines(event) if event.kind == Kind.ATTACHMENT else []
        asked = pictures.faq_text(text, shown) if shown else text if event.kind == Kind.TEXT else ""
        if len(fold(asked)) >= 12 and await engine.browser.answer_if_known(turn, asked):
            return
        if len(fold(text).split()) >= _PROBLEM_WORDS:
            # Kept: "📝 Gửi phản ánh" next offers it as the description.
            turn.set(idle_draft=text[: engine.config.max_text_length])
        if step == "new":
            show_menu(engine, turn, greeting=True)
        else:
            prompt = menu_prompt(engine, turn)
            turn.say(turn.t.MENU_NOT_UNDERSTOOD, prompt.choices, columns=prompt.columns)
    else:
        show_menu(engine, turn, greeting=step == "new")


async def read_against_screen(engine: Engine, turn: Turn, text: str) -> str | None:
    """What a message at the menu level answers is the last message the person got, and that
    is not always the bot's own last question: staff may have asked something, or sent the
    result to rate, since.

    Returns "handled" when the message was dealt with here (relayed to the case staff wrote
    about, or taken as a rating); "number_off_screen" for a bare number under a message that
    showed no choices; otherwise None, having turned a number that names one of the shown
    choices into the press of that choice ("2" under a numbered menu)."""
    event = turn.event
    last = await repo.last_message_to(turn.session, event.channel, event.chat_id)
    if last is None:
        return None
    shown = [Choice(key, label) for key, label in (last.payload or {}).get("choices", [])]
    number = typed_number(fold(text))
    case = await turn.session.get(Case, last.case_id) if last.case_id is not None else None
    if case is not None and case.reporter_id == turn.reporter.id:
        if last.purpose == "rating_request" and case.rating is None and case.id is not None:
            if await rate_in_words(engine, turn, text, shown):
                return "handled"
            turn.reset("rating", rating_case_id=case.id)
            return "handled" if await rating.answer_to_result(engine, turn, text) else None
        if (
            last.purpose in ("relay", "notice")
            and case.status in CaseStatus.OPEN
            and answers_staff(engine, turn, text, number)
        ):
            turn.reset("idle")
            await followups.append(engine, turn, case, text)
            return "handled"
    if number is None:
        return None
    if not shown:
        return "number_off_screen"
    picked = resolve_choice(event, Prompt("", shown), turn.language).choice
    if picked is not None:
        turn.event = dataclasses.replace(event, kind=Kind.CHOICE, choice=picked, text="")
    return None


def menu_intent(turn: Turn, text: str) -> str | None:
    """A menu item asked for in a short sentence ("tôi muốn phản ánh", "muốn tra cứu"):
    only these unambiguous phrases, so a short problem is not taken for a menu item."""
    folded = fold(text)
    if len(folded.split()) > _INTENT_WORDS:
        return None
    padded = f" {folded} "
    for key, phrases in turn.t.MENU_INTENTS.items():
        if any(f" {fold(phrase)} " in padded for phrase in phrases):
            return str(key)
    return None


def answers_staff(engine: Engine, turn: Turn, text: str, number: int | None) -> bool:
    """After staff wrote, a message is an answer to them unless it clearly asks for something
    else: a case code to look up, or a menu item by its words ("gửi phản ánh")."""
    if find_code(text):
        return False
    if number is None and resolve_choice(turn.event, menu_prompt(engine, turn), turn.language).choice:
        return False
    return bool(text or turn.event.attachments)


async def lookup_step(engine: Engine, turn: Turn, text: str) -> bool:
    """A code typed or a case pressed at the look-up question. False when the person chose
    something from the menu instead (the caller handles it at the menu)."""
    event = turn.event
    prompt = await engine.lookup.prompt(turn)
    resolution = resolve_choice(event, prompt, turn.language)
    menu_choice = resolve_choice(event, menu_prompt(engine, turn), turn.language).choice
    if resolution.choice is None and (menu_choice or fold(text) in _LEAVE_WORDS):
        turn.reset("idle")
        if menu_choice:
            return False
        show_menu(engine, turn)
        return True
    code = resolution.choice.split(":", 1)[1] if resolution.choice else text
    if not code:
        turn.say(prompt.text, prompt.choices)
        return True
    found = await engine.lookup.show(turn, code)
    # Found or not, the look-up is over: a second wrong code should not keep them here.
    turn.reset("idle")
    if not found:
        menu = menu_prompt(engine, turn)
        turn.say(turn.t.LOOKUP_GIVE_UP, menu.choices, columns=menu.columns)
    return True


async def answer_after_faq(engine: Engine, turn: Turn, text: str) -> bool:
    """Under an FAQ answer, "vào được rồi, cảm ơn" is "it helped" and "làm rồi mà vẫn báo thế" is
    "it did not": read as at the intake's FAQ question, not as a new question."""
    shown = tuple((c.key, c.label) for c in engine.browser.prompt(turn).choices)
    reading = interpret(text, Screen("faq_offer", shown, turn.language), engine.intake.unit_search)
    if reading.is_(Outcome.ANSWER, "faq:solved") or reading.is_(Outcome.SOCIAL, "thanks"):
        outcome = await engine.browser.handle(turn, "faqafter:ok", "")
    elif reading.is_(Outcome.ANSWER, "faq:not_solved"):
        question = turn.data.get("faq_question") or ""
        draft = f"{question}\n{text}".strip() if reading.fields.get("description") else question or text
        await engine.intake.start(turn, draft=draft[: engine.config.max_text_length])
        return True
    else:
        return False
    if outcome == "done":
        turn.reset("idle")
        turn.say(turn.t.FAQ_THANKS)
    return True


def _screen(question: str, choices: list[Choice], language: str) -> Screen:
    return Screen(question, tuple((c.key, c.label) for c in choices), language)


async def rate_in_words(engine: Engine, turn: Turn, text: str, choices: list[Choice]) -> bool:
    """A rating pressed, or typed ("5 sao", "ko hài lòng, vẫn lỗi"): rated, and words that say
    why are kept as the rating's comment. False when the message is not a rating."""
    event = turn.event
    if event.kind == Kind.CHOICE:
        choice = resolve_choice(event, Prompt("", choices), turn.language).choice
        if choice:
            await rating.rate(engine, turn, choice)
        return choice is not None
    if event.kind != Kind.TEXT or not text:
        return False
    reading = interpret(text, _screen("rating", choices, turn.language), engine.intake.unit_search)
    if reading.outcome != Outcome.ANSWER or not reading.value:
        return False
    said_why = bool(reading.fields.get("description"))
    await rating.rate(engine, turn, reading.value, ask_comment=not said_why)
    if said_why and turn.step == "rating_comment":
        await rating.rating_comment(engine, turn, text)  # "ko hài lòng, vẫn lỗi": the why is the comment
    return True
