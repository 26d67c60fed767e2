"""Filing the case: a code, deadlines in working hours, the card to staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.citizen.urgency import classify_priority
from handlers.pictures import error_signature, kept_lines
from handlers.turn import Turn
from storage import repo
from storage.models import Attachment, Case

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


async def submit(flow: IntakeFlow, turn: Turn) -> Case:
    data = turn.data
    reporter = turn.reporter
    assert reporter.id is not None
    notes = data.get("notes") or []
    description = data.get("description", "")
    if notes:
        # Messages that fit no question, kept for staff instead of dropped.
        description = f"{description}\n\n{turn.t.SUMMARY_NOTES}\n" + "\n".join(f"• {note}" for note in notes)
    priority = classify_priority(data.get("role"), data.get("system"), description, data.get("faq_topic"))
    first_due, resolution_due = flow.deadline(turn.now, priority)
    case = Case(
        code=await repo.unique_case_code(turn.session, turn.now.astimezone(flow.tz)),
        reporter_id=reporter.id,
        channel=turn.event.channel,
        chat_id=turn.event.chat_id,
        priority=priority,
        reporter_role=data.get("role"),
        unit_code=data.get("unit_code"),
        system=data.get("system"),
        description=description,
        faq_topic=data.get("faq_topic"),
        faq_score=data.get("faq_score"),
        picture_text="\n".join(kept_lines(data)) or None,
        picture_error=error_signature(kept_lines(data)),
        dossier_code=data.get("dossier_code"),
        procedure_name=data.get("procedure_name"),
        phone=data.get("phone") if reporter.consent else None,
        anonymous=not reporter.consent,
        created_at=turn.now,
        updated_at=turn.now,
        first_response_due=first_due,
        resolution_due=resolution_due,
    )
    if reporter.consent and case.phone and data.get("phone_own"):
        reporter.phone = case.phone  # offered again next time; stored only now a report is sent
    turn.session.add(case)
    await turn.session.flush()
    assert case.id is not None
    for item in data.get("attachments", []):
        turn.session.add(Attachment.of(case.id, turn.event.channel, item))
    await repo.add_event(turn.session, case, "created", actor="reporter", to_status=case.status)
    await turn.session.flush()
    turn.reset("idle")
    turn.say(
        turn.t.CASE_CREATED.format(code=case.code, due=turn.t.localize_time(flow.format_time(resolution_due)))
    )
    turn.send(await flow.queue.case_created(turn.session, case, reporter))
    for listener in flow.case_listeners:
        turn.send(await listener(turn.session, case, reporter))
    return case
