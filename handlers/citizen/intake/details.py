"""The optional details: dossier code, procedure, contact phone."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers.choices import Prompt
from handlers.events import Choice, Kind
from handlers.textutil import fold, format_phone, normalize_phone, shorten
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


_DOSSIER = re.compile(r"^[\w.\-/ ]{3,80}$")


def ask_dossier(flow: IntakeFlow, turn: Turn) -> Prompt:
    return Prompt(turn.t.ASK_DOSSIER, [Choice("dossier:skip", turn.t.SKIP)], free_text=True)


async def on_dossier(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "dossier:skip" or fold(text) in {"bo qua", "khong co", "chua co", "ko co", "khong"}:
        turn.set(dossier_code=None)
    elif turn.event.kind == Kind.TEXT and _DOSSIER.match(text) and any(ch.isdigit() for ch in text):
        turn.set(dossier_code=text.strip())
    else:
        flow.ask(turn, prefix=turn.t.DOSSIER_INVALID)
        return
    flow.ask(turn, flow.next_after(turn, "procedure"))


def ask_procedure(flow: IntakeFlow, turn: Turn) -> Prompt:
    return Prompt(turn.t.ASK_PROCEDURE, [Choice("procedure:skip", turn.t.SKIP)], free_text=True)


async def on_procedure(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "procedure:skip" or fold(text) in {"bo qua", "khong ro", "khong biet", "ko ro"}:
        turn.set(procedure_name=None)
    elif turn.event.kind == Kind.TEXT and text:
        if len(text) > 300:
            turn.say(turn.t.TEXT_TOO_LONG.format(length=len(text), max=300))
            return
        turn.set(procedure_name=text)
    else:
        flow.ask(turn, prefix=turn.t.EMPTY_MESSAGE)
        return
    if turn.data.get("editing"):
        flow.ask(turn, "confirm")
    elif turn.reporter.consent:
        flow.ask(turn, "phone")
    else:
        flow.ask(turn, "confirm")


def ask_phone(flow: IntakeFlow, turn: Turn) -> Prompt:
    choices = []
    if turn.reporter.phone:
        choices.append(
            Choice("phone:known", turn.t.USE_KNOWN_PHONE.format(phone=format_phone(turn.reporter.phone)))
        )
    choices.append(Choice("phone:skip", turn.t.SKIP))
    text = turn.t.ASK_PHONE if turn.event.channel == "telegram" else turn.t.ASK_PHONE_TEXT_ONLY
    return Prompt(text, choices, request_contact=True, free_text=True)


async def on_phone(flow: IntakeFlow, turn: Turn, choice: str | None, text: str) -> None:
    if choice == "phone:known":
        turn.set(phone=turn.reporter.phone)
    elif choice == "phone:skip" or fold(text) in {"bo qua", "khong", "ko"}:
        turn.set(phone=None)
    else:
        raw = turn.event.phone if turn.event.kind == Kind.CONTACT else text
        phone = normalize_phone(raw or "")
        if phone is None:
            flow.ask(turn, prefix=turn.t.PHONE_INVALID.format(text=shorten(raw or "", 30)))
            return
        # Remembered as the person's own number (offered next time) only when the report is
        # sent (intake/submit.py): a report cancelled keeps no phone (Decree 13). Someone
        # else's contact card (a relative, the citizen at the desk) is for this case only.
        turn.set(phone=phone, phone_own=turn.event.kind != Kind.CONTACT or turn.event.phone_is_own)
    flow.ask(turn, "confirm")
