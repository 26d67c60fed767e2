"""Telegram updates → neutral events (handlers.events.Incoming): messages, edits, button presses,
files, the chat they came from (private, the staff group, another group) and the forum topic."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message, Update

from handlers.events import AttachmentRef, ChatKind, Incoming, Kind

CHANNEL = "telegram"


def _chat_kind(chat_id: int, chat_type: str, staff_chat_id: int | None) -> ChatKind:
    if staff_chat_id is not None and chat_id == staff_chat_id:
        return ChatKind.STAFF
    return ChatKind.PRIVATE if chat_type == "private" else ChatKind.OTHER_GROUP


def _split_command(text: str) -> tuple[str, str, str]:
    """("/tim@hp_bot 0912…") → ("tim", "hp_bot", "0912…"): the command, the bot it names, the rest."""
    head, _, rest = text.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = f"{more}\n{rest}".strip()
    command, _, addressee = head[1:].partition("@")
    return command.lower(), addressee, rest.strip()


def _attachments(message: Message) -> list[AttachmentRef]:
    if message.photo:
        largest = message.photo[-1]
        return [AttachmentRef("photo", largest.file_id, None, "image/jpeg", largest.file_size)]
    media: Any = (
        message.document
        or message.video
        or message.audio
        or message.voice
        or message.animation
        or message.video_note
    )
    if media is None:
        return []
    name = getattr(media, "file_name", None)
    mime = getattr(media, "mime_type", None)
    if message.video_note is not None:
        mime = "video/mp4"
    return [AttachmentRef("document", media.file_id, name, mime, media.file_size)]


def _topic_name(message: Message) -> str | None:
    # In a forum, a topic message carries an implicit reply to the topic's creation message.
    parent = message.reply_to_message
    created = parent.forum_topic_created if parent is not None else None
    return created.name if created is not None else None


def message_to_incoming(
    message: Message, update_key: str, staff_chat_id: int | None, own_username: str | None = None
) -> Incoming | None:
    """`own_username`: this bot's; a command addressed to another bot in a group is not ours."""
    user = message.from_user
    if user is None or user.is_bot:
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(message.chat.id),
        "display_name": user.full_name,
        "username": user.username,
        "update_key": update_key,
        "message_id": message.message_id,
        "chat_kind": _chat_kind(message.chat.id, message.chat.type, staff_chat_id),
        "thread_id": message.message_thread_id if message.is_topic_message else None,
        "reply_to_message_id": message.reply_to_message.message_id if message.reply_to_message else None,
        "topic_name": _topic_name(message),
        "language_code": user.language_code,
    }
    text = message.text or message.caption or ""
    if message.contact is not None:
        own = message.contact.user_id in (None, user.id)
        return Incoming(kind=Kind.CONTACT, phone=message.contact.phone_number, phone_is_own=own, **base)
    attachments = _attachments(message)
    if attachments:
        return Incoming(kind=Kind.ATTACHMENT, text=text, attachments=attachments, **base)
    if message.text is not None:
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            command, addressee, args = _split_command(text)
            if (
                addressee
                and own_username
                and addressee.lower() != own_username.lower()
                and message.chat.type != "private"
            ):
                return None  # "/hangdoi@OtherBot" in a group with several bots
            return Incoming(kind=Kind.COMMAND, text=text, command=command, args=args, **base)
        return Incoming(kind=Kind.TEXT, text=text, **base)
    return Incoming(kind=Kind.UNSUPPORTED, **base)


def update_to_incoming(
    update: Update, staff_chat_id: int | None, own_username: str | None = None
) -> Incoming | None:
    """A Telegram update as a neutral event; None for updates the bot does not act on."""
    key = str(update.update_id)
    if update.message is not None:
        return message_to_incoming(update.message, key, staff_chat_id, own_username)
    edited = update.edited_message
    if edited is not None and staff_chat_id is not None and edited.chat.id == staff_chat_id:
        # Staff correct an answer (sent again to the reporter); a citizen's edit is not a new message.
        event = message_to_incoming(edited, key, staff_chat_id, own_username)
        if event is not None:
            event.edited = True
        return event
    query = update.callback_query
    if query is not None and query.data is not None and query.message is not None:
        chat = query.message.chat
        thread = getattr(query.message, "message_thread_id", None)
        return Incoming(
            channel=CHANNEL,
            user_id=str(query.from_user.id),
            chat_id=str(chat.id),
            kind=Kind.CHOICE,
            choice=query.data,
            display_name=query.from_user.full_name,
            username=query.from_user.username,
            update_key=key,
            message_id=query.message.message_id,
            chat_kind=_chat_kind(chat.id, chat.type, staff_chat_id),
            thread_id=thread,
            language_code=query.from_user.language_code,
        )
    return None
