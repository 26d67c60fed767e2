"""Files people send: type and size checks, kept by reference, also when sent at another question."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from handlers.citizen import flood
from handlers.citizen import texts as T
from handlers.citizen.intake import draft
from handlers.events import AttachmentRef
from handlers.textutil import clean_text, shorten
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.citizen.intake.flow import IntakeFlow


# The file name must agree with the type the messenger reports: the type is only what the
# sender's device claimed, so "setup.exe" sent as application/pdf is refused.
_EXTENSIONS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"jpg", "jpeg", "jfif"}),
    "image/png": frozenset({"png"}),
    "image/webp": frozenset({"webp"}),
    "image/heic": frozenset({"heic", "heif"}),
    "application/pdf": frozenset({"pdf"}),
    "application/msword": frozenset({"doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.ms-excel": frozenset({"xls"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
}


def _extension_fits(file_name: str | None, mime: str) -> bool:
    """True when the name has no extension, or one that belongs to `mime` (types an operator
    added to the allowed list without a known extension are taken as they come)."""
    if not file_name or "." not in file_name.strip(". "):
        return True
    extension = file_name.rsplit(".", 1)[1].lower()
    known = _EXTENSIONS.get(mime)
    return known is None or extension in known


def take_attachments(flow: IntakeFlow, turn: Turn) -> bool:
    """Store accepted attachments by reference; explain and refuse the others."""
    kept = list(turn.data.get("attachments", []))
    for attachment in turn.event.attachments:
        problem = attachment_problem(flow, attachment, turn.t)
        if problem:
            turn.say(problem)
            return False
        if len(kept) >= flow.config.max_attachments:
            # Said once; later files are counted and mentioned in one line afterwards (flood.account).
            if flood.refuse_files(turn, 1):
                turn.say(turn.t.ATTACHMENT_LIMIT.format(max=flow.config.max_attachments))
            continue
        kept.append(attachment.to_dict())
    turn.set(attachments=kept)
    return True


def keep_late_attachments(flow: IntakeFlow, turn: Turn) -> None:
    """Files sent at another question (a screenshot before describing anything, the
    appointment slip at the dossier question) are kept for the case, with their caption;
    the question on screen still stands, so it is not sent again."""
    if len(turn.data.get("attachments", [])) >= flow.config.max_attachments:
        # Once per report in words; then counted and told in one line later (an album of 200
        # photos must not queue 200 replies).
        if flood.refuse_files(turn, len(turn.event.attachments)):
            turn.say(turn.t.ATTACHMENTS_FULL.format(max=flow.config.max_attachments))
        caption = clean_text(turn.event.text)
        if caption:
            flow.reader.keep_note(turn, caption)  # words sent with a refused file are kept
        return
    if not take_attachments(flow, turn):
        return  # refused, and told why
    caption = clean_text(turn.event.text)
    if caption and turn.data.get("description"):
        if not draft.add_to_description(flow, turn, caption):
            return
    elif caption and not turn.data.get("draft_description"):
        turn.set(draft_description=caption[: flow.config.max_text_length])
    count = len(turn.data.get("attachments", []))
    turn.say(turn.t.ATTACHMENT_KEPT.format(count=count, max=flow.config.max_attachments))


def attachment_problem(flow: IntakeFlow, attachment: AttachmentRef, t: ModuleType = T) -> str | None:
    """Why a file is refused (type, size), in words for the person (texts `t`); None when accepted."""
    name = attachment.file_name or (t.FILE_PHOTO if attachment.kind == "photo" else t.FILE_DOCUMENT)
    if attachment.kind != "photo":
        mime = (attachment.mime_type or "").lower()
        if mime not in flow.config.allowed_mime_types or not _extension_fits(attachment.file_name, mime):
            return t.ATTACHMENT_BAD_TYPE.format(name=shorten(name, 60), mime=mime or t.FILE_TYPE_UNKNOWN)
    if attachment.size and attachment.size > flow.config.max_attachment_mb * 1024 * 1024:
        return t.ATTACHMENT_TOO_BIG.format(name=shorten(name, 60), max=int(flow.config.max_attachment_mb))
    return None
