"""Small pieces every part of the staff desk uses: who acted, whose case, saying things back."""

from __future__ import annotations

from handlers.events import Choice, Incoming, Kind, Outgoing, Reply
from handlers.staff import texts as S
from storage.models import Case


def actor_name(event: Incoming) -> str:
    if event.username:
        return f"@{event.username}"
    return event.display_name or f"id {event.user_id}"


def handle_of(name: str) -> str:
    """ "canbo_an" or "@canbo_an" as typed after /giao → "@canbo_an"."""
    return name if name.startswith("@") else f"@{name}"


def is_assignee(case: Case, event: Incoming) -> bool:
    """Whether the sender is who the case is assigned to.

    /nhan and /giao record the Telegram id where it is known; a case assigned by @name only
    (before the roster knew the person) is matched by name. Telegram usernames are
    case-insensitive."""
    if case.assignee_id is not None and str(case.assignee_id) == event.user_id:
        return True
    return bool(
        event.username and case.assignee_name and case.assignee_name.lower() == f"@{event.username}".lower()
    )


def addressed(event: Incoming, text: str) -> str:
    """The text with the person's @name first: Telegram then opens the reply box for them alone
    (a prompt sent with ForceReply, selective)."""
    return f"@{event.username} {text}" if event.username else text


def staff_label(status: str | None) -> str:
    return S.STATUS_LABELS.get(status or "", status or "")


def say(
    event: Incoming,
    out: list[Outgoing],
    text: str,
    *,
    case: Case | None = None,
    choices: list[Choice] | None = None,
    columns: int = 1,
) -> None:
    """Answer where the staff member wrote: in the same topic, or as a reply to their message.

    With `case`, the message is linked to the case (outbox case_id), so a reply to it reaches
    the reporter like a reply to the card; its addressing is left as set here (purpose "staff")."""
    out.append(
        Outgoing(
            event.channel,
            event.chat_id,
            Reply(text, list(choices or []), columns=columns),
            thread_id=event.thread_id,
            reply_to_message_id=None if event.thread_id else event.message_id,
            case_id=case.id if case is not None else None,
            purpose="staff",
        )
    )


def refuse(event: Incoming, out: list[Outgoing], text: str) -> None:
    """A refusal or "nothing to do": a pop-up for the one who pressed a button (Telegram
    answerCallbackQuery show_alert), a message in the thread for a typed command."""
    if event.kind == Kind.CHOICE:
        event.popup = text[:200]
    else:
        say(event, out, text)
