"""Typed messages at the menu read as people mean them (handlers.understand, "menu"): a status
question answers with the person's cases, a greeting greets, a question about the new units,
about fees or land, or where to file gets its short answer, a complaint starts a report with it
as the description. Anything else is left to the engine's menu (False).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.citizen.lookup import find_code
from handlers.citizen.reading_texts import reading_texts
from handlers.events import Kind
from handlers.turn import Turn
from handlers.understand import Outcome, Screen, interpret
from handlers.understand.interpret import is_question
from handlers.understand.lexicon import PROBLEM, WITHDRAW
from handlers.understand.menu_reader import wants_report
from handlers.understand.normalize import joined
from storage import repo
from storage.models import Case, CaseMessage

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine


async def show_open_cases(engine: Engine, turn: Turn) -> list[Case]:
    """The status of the person's open cases, and the cases; empty (and told so) when there are none."""
    assert turn.reporter.id is not None
    cases = list(await repo.open_cases_of_reporter(turn.session, turn.reporter.id))
    if not cases:
        turn.say(reading_texts(turn.language)["status_none"])
        return []
    for case in cases[:3]:
        turn.say(await engine.lookup.describe(turn, case))
    return cases


async def read_at_menu(engine: Engine, turn: Turn, text: str) -> bool:
    if turn.event.kind != Kind.TEXT or not text:
        return False
    t = reading_texts(turn.language)
    prompt = engine.menu_prompt(turn)
    reading = interpret(
        text,
        Screen("menu", tuple((c.key, c.label) for c in prompt.choices), turn.language),
        engine.intake.unit_search,
    )
    kind = reading.value
    if (reading.outcome == Outcome.QUESTION and kind == "status") or reading.is_(Outcome.SOCIAL, "waiting"):
        cases = await show_open_cases(engine, turn)
        if cases and kind == "waiting":
            await _remind_staff(engine, turn, text, cases[0])
        else:
            engine.show_menu(turn)
        return True
    if reading.is_(Outcome.SOCIAL, "greeting"):
        engine.show_menu(turn, greeting=True)
        return True
    if reading.is_(Outcome.SOCIAL, "thanks"):
        turn.say(t["thanks"])
        return True
    if reading.outcome == Outcome.QUESTION and kind in ("new_unit", "scope", "where_to_file"):
        turn.say(
            engine.intake.reader.new_unit_answer(turn, text) if kind == "new_unit" else t[kind or "scope"]
        )
        engine.show_menu(turn)
        return True
    if reading.is_(Outcome.COMMAND, "human"):
        turn.say(t["human_menu"])
        engine.show_menu(turn)
        return True
    if reading.is_(Outcome.COMMAND, "language_en") and turn.language != "en":
        if turn.data.get("english_offered"):
            # A second message in English after the offer: they read English, not Vietnamese.
            # It may be a request ("I want to report a problem"), not the question: the English
            # menu, not an FAQ answer to the first message (language_switch).
            turn.set(english_draft=None)
            await engine.switch_language(turn, "en")
            return True
        turn.set(english_offered=True)
        turn.say(t["english_offer"])
        engine.show_menu(turn)
        # Kept for the report it may start, and answered if they then choose English.
        english_text = text[: engine.config.max_text_length]
        turn.set(idle_draft=english_text, english_draft=english_text)
        return True
    if reading.is_(Outcome.ANSWER, "menu:report") and not reading.fields.get("description"):
        # "báo lỗi thanh toán", "em là cán bộ một cửa, cần báo lỗi ký số": a report, not yet its problem.
        await engine.intake.start(turn)
        _tell_first(turn, engine.intake.reader.keep_fields(turn, dict(reading.fields), text))
        return True
    if reading.is_(Outcome.ANSWER, "menu:report") and reading.fields.get("description"):
        assert turn.reporter.id is not None
        if await repo.open_cases_of_reporter(turn.session, turn.reporter.id):
            return False  # a follow-up to their case, or a new report: the engine asks
        # A story with the person's own dossier code or phone is a report: the FAQ answer, if
        # any, comes at the intake's FAQ stage, and nothing they wrote is lost on the way.
        personal = reading.fields.keys() & {"dossier", "phone"}
        asked_to_report = wants_report(text)
        if (
            not personal
            and not asked_to_report
            and len(text) >= 12
            and await engine.browser.answer_if_known(turn, text)
        ):
            return True
        await engine.intake.start(turn, draft=text[: engine.config.max_text_length])
        # What the message also said (the system, a unit, a phone) is kept; the problem itself
        # is the description, not asked for again.
        kept = {k: v for k, v in reading.fields.items() if k != "description"}
        said = engine.intake.reader.keep_fields(turn, kept, text)
        if not is_question(text, joined(text)) and not asked_to_report:
            # A statement of the problem is the description. A question, or a message that asks
            # to report ("bác muốn gửi phản ánh vì làm mãi không được"), is a preface: kept as a
            # draft, offered back at the description question.
            turn.set(given=sorted({*turn.data.get("given", []), "description"}))
            said = "\n".join(filter(None, [said, reading_texts(turn.language)["description_kept"]]))
        _tell_first(turn, said)
        return True
    if reading.outcome in (Outcome.FIELD, Outcome.UNCLEAR) and _sounds_like_trouble(text):
        assert turn.reporter.id is not None
        if await repo.open_cases_of_reporter(turn.session, turn.reporter.id):
            return False  # about their case: the engine relays it
        # "ko vào được": too short to be the description, but trouble: the report starts, with
        # these words offered back at the description question.
        await engine.intake.start(turn, draft=text[: engine.config.max_text_length])
        _tell_first(turn, engine.intake.reader.keep_fields(turn, dict(reading.fields), text))
        return True
    return False


def _tell_first(turn: Turn, said: str) -> None:
    """What was kept of their message ("📝 Mình đã ghi: …"), shown before the first question."""
    if said:
        turn.say(said)
        turn.out.insert(len(turn.out) - 2, turn.out.pop())


def _sounds_like_trouble(text: str) -> bool:
    padded = joined(text)
    return len(padded.split()) >= 2 and any(f" {word} " in padded for word in PROBLEM)


async def _remind_staff(engine: Engine, turn: Turn, text: str, case: Case) -> None:
    """ "Sao mãi không ai trả lời": staff read it in the case's thread; the person is told."""
    assert case.id is not None
    turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
    turn.say(reading_texts(turn.language)["waiting_case"].format(code=case.code))
    turn.send(await engine.queue.reporter_message(turn.session, case, turn.reporter, text, []))


# What staff read in the case's thread when a reporter withdraws it.
WITHDRAW_MARK = "🚫 Người phản ánh đề nghị hủy, dừng xử lý phản ánh này: "


async def withdraw_if_asked(engine: Engine, turn: Turn, text: str, *, asked: bool = False) -> bool:
    """ "hủy phản ánh PA-…", "/huy PA-…", "em làm được rồi, không cần xử lý nữa": the person
    withdraws a filed case. Staff decide (the words reach the case's thread, marked), and the
    person is told so; nothing is closed behind staff's back. `asked`: /huy with arguments."""
    if not asked and not any(f" {p} " in joined(text) for p in WITHDRAW):
        return False
    assert turn.reporter.id is not None
    cases = list(await repo.open_cases_of_reporter(turn.session, turn.reporter.id))
    if not cases:
        return False
    code = find_code(text)
    named = [case for case in cases if case.code == code] if code else []
    case = named[0] if named else cases[0] if len(cases) == 1 and not code else None
    t = reading_texts(turn.language)
    if case is None:
        turn.say(t["withdraw_which"])
        return True
    assert case.id is not None
    note = f"{WITHDRAW_MARK}{'/huy ' if asked else ''}{text}"
    turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=note))
    turn.say(t["withdrawn"].format(code=case.code))
    turn.send(await engine.queue.reporter_message(turn.session, case, turn.reporter, note, []))
    return True
