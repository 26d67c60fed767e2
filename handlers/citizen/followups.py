"""Messages about a case already filed: relayed to its thread (or, with several open cases, to the one
the person picks), /bosung, and a follow-up that is really a new report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt, resolve_choice
from handlers.citizen.lookup import CODE_PATTERN, find_code
from handlers.citizen.open_cap import AT_CAP
from handlers.events import AttachmentRef, Choice
from handlers.textutil import shorten
from handlers.turn import Turn
from storage import repo
from storage.models import Attachment, Case, CaseMessage, CaseStatus

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine


async def followup(engine: Engine, turn: Turn, text: str) -> bool:
    """Relay a message to the person's open case; False when they have none."""
    assert turn.reporter.id is not None
    cases = await repo.open_cases_of_reporter(turn.session, turn.reporter.id)
    if not cases:
        return False
    turn.set(
        pending_followup=text,
        pending_attachments=[a.to_dict() for a in turn.event.attachments],
        followup_cases=[c.code for c in cases[:6]],
        # Codes alone do not say which case is which: a few words of each description.
        followup_labels={c.code: shorten(c.description, 40) for c in cases[:6]},
    )
    if len(cases) == 1:
        # Relayed at once (staff see it while the person waits), with a way out for an
        # officer whose message was really a new problem: "new" starts a report from it.
        await append(engine, turn, cases[0], text, new_report_choice=True)
        return True
    turn.go("followup_pick")
    turn.say(turn.t.FOLLOWUP_WHICH, followup_choices(engine, turn))
    return True


def followup_choices(engine: Engine, turn: Turn) -> list[Choice]:
    labels = turn.data.get("followup_labels", {})
    choices = [
        Choice(f"followup:{code}", f"🔖 {code} · {labels[code]}" if labels.get(code) else f"🔖 {code}")
        for code in turn.data.get("followup_cases", [])
    ]
    if not turn.data.get(AT_CAP):  # at the cap on open cases no new report can start
        choices.append(Choice("followup:new", turn.t.FOLLOWUP_NEW))
    return choices


async def new_report_from_followup(engine: Engine, turn: Turn) -> None:
    """ "📝 Đây là phản ánh mới" under a relayed follow-up: what they wrote starts a report."""
    pending = turn.data.get("pending_followup") or None
    files = turn.data.get("pending_attachments") or None
    await engine.intake.start(turn, draft=pending, attachments=files)


async def followup_pick(engine: Engine, turn: Turn, text: str) -> None:
    resolution = resolve_choice(turn.event, Prompt("", followup_choices(engine, turn)), turn.language)
    if resolution.choice is None:
        turn.say(turn.t.NOT_UNDERSTOOD_CHOICE.format(text=shorten(text, 60)), followup_choices(engine, turn))
        return
    pending = turn.data.get("pending_followup", "")
    pending_files = turn.data.get("pending_attachments", [])
    attachments = [AttachmentRef.from_dict(a) for a in pending_files]
    turn.reset("idle")
    if resolution.choice == "followup:new":
        # What they just wrote (and sent) is the start of the new report: keep it.
        await engine.intake.start(turn, draft=pending or None, attachments=pending_files)
        return
    case = await repo.case_by_code(turn.session, resolution.choice.split(":", 1)[1])
    if case is None or case.reporter_id != turn.reporter.id:
        return
    await append(engine, turn, case, pending, attachments)


async def append(
    engine: Engine,
    turn: Turn,
    case: Case,
    text: str,
    attachments: list | None = None,
    *,
    new_report_choice: bool = False,
) -> None:
    assert case.id is not None
    files = attachments if attachments is not None else list(turn.event.attachments)
    problem = next(filter(None, (engine.intake.attachment_problem(file, turn.t) for file in files)), None)
    if problem:
        turn.say(problem)  # the same checks as during the intake: nothing is relayed
        return
    turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
    for file in files:
        turn.session.add(Attachment.of(case.id, turn.event.channel, file.to_dict()))
    if case.status == CaseStatus.WAITING_REPORTER:
        await repo.set_status(
            turn.session, case, CaseStatus.IN_PROGRESS, actor="reporter", note="Người phản ánh đã bổ sung"
        )
    case.updated_at = turn.now
    if new_report_choice:
        turn.say(
            turn.t.FOLLOWUP_FORWARDED.format(code=case.code) + "\n" + turn.t.FOLLOWUP_IF_NEW,
            [Choice("followup:new", turn.t.FOLLOWUP_NEW)],
        )
    else:
        turn.say(turn.t.FOLLOWUP_FORWARDED.format(code=case.code))
    turn.send(await engine.queue.reporter_message(turn.session, case, turn.reporter, text, files))


async def bosung(engine: Engine, turn: Turn, args: str) -> None:
    code = find_code(args)
    if not code:
        turn.say(turn.t.BOSUNG_USAGE)
        return
    case = await repo.case_by_code(turn.session, code)
    if case is None or case.reporter_id != turn.reporter.id:
        turn.say(turn.t.LOOKUP_NOT_FOUND.format(code=code))
        return
    # Keep the person's own casing: cut the code out of what they typed.
    rest = CODE_PATTERN.sub("", args, count=1).strip()
    if not rest and not turn.event.attachments:
        turn.say(turn.t.BOSUNG_USAGE)
        return
    await append(engine, turn, case, rest)
