"""The summary to confirm, and editing one field from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.citizen.intake import submit
from handlers.events import Choice
from handlers.textutil import format_phone, shorten
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


def summary(flow: IntakeFlow, turn: Turn) -> str:
    data = turn.data
    t = turn.t
    dash = "—"
    lines = [
        t.SUMMARY_ROLE.format(value=t.ROLES.get(data.get("role") or "", dash)),
        t.SUMMARY_UNIT.format(value=data.get("unit_name") or t.UNIT_UNKNOWN),
        t.SUMMARY_SYSTEM.format(value=t.SYSTEMS.get(data.get("system") or "", dash)),
        t.SUMMARY_DESCRIPTION.format(value=shorten(data.get("description", ""), 500)),
        t.SUMMARY_ATTACHMENTS.format(count=len(data.get("attachments", []))),
        t.SUMMARY_DOSSIER.format(value=data.get("dossier_code") or dash),
        t.SUMMARY_PROCEDURE.format(value=data.get("procedure_name") or dash),
    ]
    if turn.reporter.consent:
        phone = data.get("phone")
        lines.append(t.SUMMARY_PHONE.format(value=format_phone(phone) if phone else dash))
    else:
        lines.append(t.SUMMARY_ANONYMOUS)
    topic = flow.faq.topic(data.get("faq_topic") or "")
    if topic:
        lines.append(t.SUMMARY_FAQ.format(title=topic.title))
    return "\n".join(lines)


def ask_confirm(flow: IntakeFlow, turn: Turn) -> Prompt:
    return Prompt(
        turn.t.SUMMARY.format(body=summary(flow, turn)),
        [
            Choice("confirm:submit", turn.t.SUBMIT),
            Choice("confirm:edit", turn.t.EDIT),
            Choice("confirm:cancel", turn.t.CANCEL),
        ],
    )


async def on_confirm(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "confirm:edit":
        flow.ask(turn, "edit")
    elif choice == "confirm:cancel":
        turn.reset("idle")
        turn.say(turn.t.CANCELLED)
    else:
        await submit.submit(flow, turn)


def ask_edit(flow: IntakeFlow, turn: Turn) -> Prompt:
    fields = dict(turn.t.EDIT_FIELDS)
    if not turn.reporter.consent:
        # Anonymous so far: leaving a phone number means agreeing to its processing first.
        fields["phone"] = turn.t.EDIT_GIVE_PHONE
    choices = [Choice(f"edit:{key}", label) for key, label in fields.items()]
    choices.append(Choice("edit:back", turn.t.BACK))
    return Prompt(turn.t.ASK_EDIT, choices, columns=2)


async def on_edit(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    assert choice is not None
    target = choice.split(":", 1)[1]
    if target == "back":
        flow.ask(turn, "confirm")
        return
    turn.set(editing=True)
    if target == "phone" and not turn.reporter.consent:
        flow.ask(turn, "consent")
        return
    flow.ask(turn, target)
