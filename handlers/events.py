"""Channel-neutral events in and replies out.

Adapters translate a messenger's updates into `Incoming` and render `Reply` back; nothing in
handlers/ knows which messenger it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a button press (Telegram callback); text menus resolve to choices too
    CONTACT = "contact"  # a shared phone number
    ATTACHMENT = "attachment"  # photos and files, possibly with a caption in `text`
    COMMAND = "command"  # "/huy", "/tracuu PA-…"
    UNSUPPORTED = "unsupported"  # stickers, voice, locations, protected content


class ChatKind(StrEnum):
    PRIVATE = "private"
    STAFF = "staff"  # the task force's group
    OTHER_GROUP = "other_group"


@dataclass(frozen=True)
class AttachmentRef:
    kind: str  # "photo" | "document"
    file_ref: str  # messenger file id, or URL for Zalo
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    # The error lines read in a picture (bot.ocr), CCCD and phone numbers masked; None: not read.
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "file_ref": self.file_ref,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": self.size,
        }
        if self.text:
            data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttachmentRef:
        return cls(
            kind=data["kind"],
            file_ref=data["file_ref"],
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
            size=data.get("size"),
            text=data.get("text"),
        )


@dataclass
class Incoming:
    channel: str  # "telegram", "zalo_bot", "zalo_oa", "console"
    user_id: str
    chat_id: str
    kind: Kind
    text: str = ""
    choice: str | None = None
    command: str | None = None  # without the slash, lower case
    args: str = ""
    phone: str | None = None
    phone_is_own: bool = True
    attachments: list[AttachmentRef] = field(default_factory=list)
    display_name: str | None = None
    username: str | None = None
    update_key: str | None = None  # unique per channel; a repeat is ignored
    message_id: int | None = None
    chat_kind: ChatKind = ChatKind.PRIVATE
    thread_id: int | None = None  # forum topic in the staff group
    reply_to_message_id: int | None = None
    # Name of the forum topic the message is in, when the messenger tells it (used to find
    # the case even before the topic's id has been stored).
    topic_name: str | None = None
    # The language of the person's messenger app, when the messenger tells it (Telegram's
    # from_user.language_code, e.g. "en", "vi"): only a hint, the bot never switches by it.
    language_code: str | None = None
    # The person changed a message they had sent (Telegram edited_message): `message_id` is
    # that message's, `text` its new text. Only the staff group's edits reach the handlers.
    edited: bool = False
    # Set by the handlers: a short answer the messenger shows only to the person who pressed a
    # button (Telegram answerCallbackQuery with show_alert), e.g. why the press changed nothing.
    popup: str | None = None


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass
class Reply:
    """What the bot says: plain text (never parsed as markup), optional choices or contact request."""

    text: str
    choices: list[Choice] = field(default_factory=list)
    request_contact: bool = False
    attachments: list[AttachmentRef] = field(default_factory=list)
    # Choices shown side by side on one row where the messenger has buttons.
    columns: int = 1
    # The reader's language ("vi" or "en"): the words adapters add (numbered-menu hint,
    # share-contact button) follow it.
    language: str = "vi"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "choices": [[c.key, c.label] for c in self.choices],
            "request_contact": self.request_contact,
            "attachments": [a.to_dict() for a in self.attachments],
            "columns": self.columns,
        }
        if self.language != "vi":
            data["language"] = self.language
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text", ""),
            choices=[Choice(key, label) for key, label in data.get("choices", [])],
            request_contact=bool(data.get("request_contact")),
            attachments=[AttachmentRef.from_dict(a) for a in data.get("attachments", [])],
            columns=int(data.get("columns", 1)),
            language=str(data.get("language") or "vi"),
        )


@dataclass
class Outgoing:
    """A reply addressed to a chat; `thread_id` targets a forum topic in the staff group."""

    channel: str
    chat_id: str
    reply: Reply
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    case_id: int | None = None
    purpose: str = "reply"  # reply | card | relay | notice | report
    # Instructions for the adapter beside the reply: "edit_message_id" (replace that message
    # instead of sending a new one), "topic_name" / "topic_closed" (the case's forum topic).
    options: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        data = self.reply.to_dict()
        data["thread_id"] = self.thread_id
        data["reply_to_message_id"] = self.reply_to_message_id
        data.update(self.options)
        return data


# Text menus (no buttons): the choices sit under a rule and carry keycap numbers ("1️⃣"), so
# they cannot be taken for an answer's own numbered steps ("1. …"); people still answer "1", "2".
MENU_RULE = "━━━━━━━━━━"
_KEYCAP = "\ufe0f\u20e3"  # "1" + VS16 + COMBINING ENCLOSING KEYCAP = "1️⃣"


def keycap(number: int) -> str:
    """``number`` in keycap emoji, digit by digit ("1️⃣", "1️⃣2️⃣")."""
    return "".join(digit + _KEYCAP for digit in str(number))


def render_numbered(reply: Reply) -> str:
    """Text-only rendering of choices for messengers without buttons (Zalo, console)."""
    if not reply.choices:
        return reply.text
    lines = [reply.text, "", MENU_RULE] if reply.text else [MENU_RULE]
    lines += [f"{keycap(number)} {choice.label}" for number, choice in enumerate(reply.choices, start=1)]
    numbers = [str(n) for n in range(1, len(reply.choices) + 1)]
    if reply.language == "en":
        hint = "Reply 1" if len(numbers) == 1 else "Reply " + ", ".join(numbers[:-1]) + " or " + numbers[-1]
        lines.append(f"👉 {hint} (or type your choice).")
        return "\n".join(lines)
    hint = "Trả lời 1" if len(numbers) == 1 else "Trả lời " + ", ".join(numbers[:-1]) + " hoặc " + numbers[-1]
    lines.append(f"👉 {hint} (hoặc gõ nội dung lựa chọn).")
    return "\n".join(lines)
