"""Floods (issue #17, point 3): past the per-person limit nothing is answered, but nothing typed is lost.

A message over the limit (`flood_messages` in `flood_window_seconds`, files included) gets no
reply (one polite notice per flood) and is kept where it belongs:

* in the middle of a report: its text joins the report's notes (added to the case at submit),
  its files the report's attachments while there is room;
* at the menu with an open case: a message of the newest open case (a CaseMessage, its files as
  attachments), relayed to staff merged (handlers.staff.relay) — never one message each;
* otherwise: a per-person backlog in the conversation, offered as a report afterwards.

The person's next message within the limit gets one short account first (how many were kept,
where; how many files a report could not take), then its own answer. Files beyond a report's
cap are refused once in words and then counted, not answered one by one (200 photos: a handful
of replies). The bookkeeping lives in `conversation.data["flood"]`, which the engine carries
over the resets a turn may do.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from handlers.events import Choice, Kind
from handlers.textutil import clean_text
from handlers.turn import Turn
from storage import repo
from storage.models import Attachment, CaseMessage, CaseStatus

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine

KEY = "flood"
BACKLOG_CHOICE = "flood:report"
# One flood keeps at most this many messages, and a report at most NOTES_MAX notes: a bound on
# what one person can make us store (beyond it the account says how many were not kept).
KEEP_MAX = 100
NOTES_MAX = 200


def state(turn: Turn) -> dict[str, Any]:
    return dict(turn.data.get(KEY) or {})


def over_limit(engine: Engine, turn: Turn) -> bool:
    """Count this message in the person's window; True when it is over the limit.

    The first message over it is told once (per flood) to slow down."""
    config = engine.config
    now = time.time()
    recent = [t for t in turn.conversation.recent if now - t < config.flood_window_seconds]
    recent.append(now)
    turn.conversation.recent = recent[-(config.flood_messages + 2) :]
    if len(recent) <= config.flood_messages:
        return False
    current = state(turn)
    if not current.get("told"):
        turn.say(turn.t.FLOOD)
        turn.set(**{KEY: {**current, "told": True}})
    return True


async def keep(engine: Engine, turn: Turn) -> None:
    """Store a message that came over the limit, without answering it."""
    event = turn.event
    if event.kind not in (Kind.TEXT, Kind.ATTACHMENT, Kind.COMMAND):
        return  # a button press or a sticker: nothing typed
    current = state(turn)
    text = clean_text(event.text)[: engine.config.max_text_length]
    files = [f for f in event.attachments if engine.intake.attachment_problem(f, turn.t) is None]
    if not text and not files:
        return
    if int(current.get("kept", 0)) >= KEEP_MAX:
        current["dropped"] = int(current.get("dropped", 0)) + 1
        turn.set(**{KEY: current})
        return
    if engine.intake.owns(turn.step):
        if not _into_report(engine, turn, current, text, files):
            turn.set(**{KEY: current})
            return  # only files the report has no room for: counted, nothing kept
    else:
        cases = await repo.open_cases_of_reporter(turn.session, turn.reporter.id or 0)
        if cases:
            case = cases[0]
            assert case.id is not None
            turn.session.add(CaseMessage(case_id=case.id, direction="in", author="reporter", text=text))
            for file in files:
                turn.session.add(Attachment.of(case.id, event.channel, file.to_dict()))
            if case.status == CaseStatus.WAITING_REPORTER:
                await repo.set_status(
                    turn.session,
                    case,
                    CaseStatus.IN_PROGRESS,
                    actor="reporter",
                    note="Người phản ánh đã bổ sung",
                )
            case.updated_at = turn.now
            turn.send(await engine.queue.reporter_message(turn.session, case, turn.reporter, text, files))
            current["case"] = case.code
        else:
            backlog = list(current.get("backlog", []))
            if text:
                backlog.append(text)
            kept_files = list(current.get("files", []))
            room = engine.config.max_attachments - len(kept_files)
            kept_files += [f.to_dict() for f in files[: max(room, 0)]]
            current["files_refused"] = int(current.get("files_refused", 0)) + max(
                len(files) - max(room, 0), 0
            )
            current.update(backlog=backlog, files=kept_files)
    current["kept"] = int(current.get("kept", 0)) + 1
    turn.set(**{KEY: current})


def _into_report(engine: Engine, turn: Turn, current: dict[str, Any], text: str, files: list[Any]) -> bool:
    """Text to the report's notes, files to its attachments while there is room; True if anything was kept."""
    notes = list(turn.data.get("notes", []))
    if text and len(notes) >= NOTES_MAX:
        current["dropped"] = int(current.get("dropped", 0)) + 1
        text = ""
    elif text:
        turn.set(notes=[*notes, text])
    attachments = list(turn.data.get("attachments", []))
    room = max(engine.config.max_attachments - len(attachments), 0)
    attachments += [file.to_dict() for file in files[:room]]
    current["files_refused"] = int(current.get("files_refused", 0)) + max(len(files) - room, 0)
    turn.set(attachments=attachments)
    return bool(text or files[:room])


def refuse_files(turn: Turn, count: int) -> bool:
    """Files a report has no room for: counted for the account; True the first time (say why once)."""
    current = state(turn)
    first = not current.get("files_told")
    current["files_refused"] = int(current.get("files_refused", 0)) + count
    current["files_told"] = True
    turn.set(**{KEY: current})
    return first


def account(engine: Engine, turn: Turn) -> None:
    """The first message within the limit after a flood (or after refused files): what was kept."""
    current = state(turn)
    if not current or turn.event.kind == Kind.ATTACHMENT:
        return  # files keep coming: the account waits for words or a button
    backlog = {name: current[name] for name in ("backlog", "files") if current.get(name)}
    if not any(current.get(name) for name in ("kept", "dropped", "files_refused")):
        if current.get("told"):
            turn.set(**{KEY: backlog or None})  # the flood is over: the next one is told again
        return  # already accounted for (a backlog waiting for its button)
    t = turn.t
    lines: list[str] = []
    kept = int(current.get("kept", 0))
    choices: list[Choice] = []
    if kept and current.get("case"):
        lines.append(t.FLOOD_KEPT_CASE.format(count=kept, code=current["case"]))
    elif backlog:
        lines.append(t.FLOOD_KEPT_BACKLOG.format(count=kept))
        choices.append(Choice(BACKLOG_CHOICE, t.FLOOD_BACKLOG_BUTTON))
    elif kept:
        lines.append(t.FLOOD_KEPT_REPORT.format(count=kept))
    if current.get("dropped"):
        lines.append(t.FLOOD_DROPPED.format(count=current["dropped"]))
    if current.get("files_refused"):
        lines.append(
            t.FILES_REFUSED.format(max=engine.config.max_attachments, count=current["files_refused"])
        )
    turn.set(**{KEY: backlog or None})
    if lines:
        turn.say("\n".join(lines), choices)


async def report_from_backlog(engine: Engine, turn: Turn) -> None:
    """ "📝 Gửi thành phản ánh": what was kept during the flood starts a report."""
    current = state(turn)
    draft = "\n".join(current.get("backlog", [])) or None
    files = current.get("files") or None
    turn.set(**{KEY: None})
    await engine.intake.start(
        turn, draft=draft[: engine.config.max_text_length] if draft else None, attachments=files
    )


def carried(before: dict[str, Any] | None, turn: Turn) -> None:
    """A reset during the turn wiped the flood bookkeeping: put it back (it is the person's text)."""
    if before and KEY not in turn.data:
        turn.set(**{KEY: before})
