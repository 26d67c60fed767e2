"""The cap on open cases per person (issue #17, point 3): beyond `max_open_cases` a new report is
not started; the person is told which cases are open, and anything they already wrote for the
new report is offered to one of them (the follow-up pick without "new report"), never dropped."""

from __future__ import annotations

from typing import Any

from handlers.events import AttachmentRef, Choice
from handlers.services import CoreConfig
from handlers.textutil import shorten
from handlers.turn import Turn
from storage import repo

AT_CAP = "at_cap"


async def refused(
    config: CoreConfig, turn: Turn, draft: str | None, attachments: list[dict[str, Any]] | None
) -> bool:
    """True (and the person told) when they already have the most open cases one person may have."""
    assert turn.reporter.id is not None
    cases = list(await repo.open_cases_of_reporter(turn.session, turn.reporter.id))
    if len(cases) < config.max_open_cases:
        return False
    t = turn.t
    listed = "\n".join(f"• {c.code} · {shorten(c.description, 50)}" for c in cases[:10])
    text = t.OPEN_CASES_CAP.format(count=len(cases), cases=listed)
    if not draft and not attachments:
        turn.reset("idle")
        turn.say(text)
        return True
    labels = {c.code: shorten(c.description, 40) for c in cases[:6]}
    turn.reset(
        "followup_pick",
        pending_followup=draft or "",
        pending_attachments=[AttachmentRef.from_dict(a).to_dict() for a in attachments or []],
        followup_cases=list(labels),
        followup_labels=labels,
        **{AT_CAP: True},
    )
    choices = [Choice(f"followup:{code}", f"🔖 {code} · {label}") for code, label in labels.items()]
    turn.say(f"{text}\n\n{t.OPEN_CASES_CAP_PICK}", choices)
    return True
