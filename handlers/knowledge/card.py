"""The draft's card in the staff group, and an edit written as a reply ("tiêu đề: …")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from faq.knowledge import AUDIENCES, MIN_EXAMPLES, SYSTEMS
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.knowledge import texts as K
from handlers.knowledge.entries import SLUG, mask_personal
from handlers.staff.drafts import shorten_lines
from handlers.textutil import clean_text, fold, shorten
from storage.faq_models import FaqTopicRecord

BUTTON = "faq"  # staff:faq:<verb>.<id> (StaffDesk.register_button)
CARD = "faq_card"  # outbox purposes "faq_card:<id>" and "faq_edit:<id>": a reply to either edits the draft
PROMPT = "faq_edit"
_SHOWN_EXAMPLES = 40
_CARD_CHARS = 4000

# The first words of an edit ("tiêu đề:", "câu hỏi:"…) folded (no accents, lower case) → field.
FIELDS = {
    "tieu de": "title",
    "cau hoi": "examples",
    "cau hoi mau": "examples",
    "them cau hoi": "examples",
    "vi du": "examples",
    "bo cau hoi": "examples_remove",
    "xoa cau hoi": "examples_remove",
    "tra loi": "answer",
    "cau tra loi": "answer",
    "cau hoi tieng anh": "examples_en",
    "cau hoi en": "examples_en",
    "tra loi tieng anh": "answer_en",
    "tra loi en": "answer_en",
    "tieng anh": "answer_en",
    "answer en": "answer_en",
    "ma": "slug",
    "ma chu de": "slug",
    "id": "slug",
    "he thong": "system",
    "doi tuong": "audience",
    "tu khoa": "keywords",
}


def card(
    event: Incoming,
    row: FaqTopicRecord,
    *,
    code: str | None = None,
    figures: str | None = None,
    target: str | None = None,
    edit: int | None = None,
) -> Outgoing:
    """The draft as staff read it, with ✏️ Sửa, ✅ Duyệt and 🗑 Bỏ while it is a draft.
    `edit`: the card's message, changed in place (one card per draft in the group, not one per edit)."""
    head = K.CARD_EDIT.format(slug=target, id=row.id) if target else K.CARD_NEW.format(id=row.id)
    if code:
        head += K.CARD_FROM_CASE.format(code=code)
    lines = [head, K.CARD_STATE.get(row.status, row.status), ""]
    lines.append(
        K.CARD_FIELDS.format(
            slug=row.slug,
            title=row.title,
            audience=AUDIENCES.get(row.audience, row.audience),
            system=SYSTEMS.get(row.system, row.system),
        )
    )
    lines.append(K.CARD_EXAMPLES.format(count=len(row.examples), minimum=MIN_EXAMPLES))
    # One Telegram message holds 4,096 characters: the examples get what the rest leaves.
    room = _CARD_CHARS - 1500 - 800 - 600 - sum(len(line) + 1 for line in lines)
    shown = 0
    for number, text in enumerate(row.examples[:_SHOWN_EXAMPLES], start=1):
        line = f"{number}. {shorten(text, 150)}"
        if room - len(line) - 1 < 0:
            break
        lines.append(line)
        room -= len(line) + 1
        shown = number
    if len(row.examples) > shown:
        lines.append(f"… (+{len(row.examples) - shown})")
    lines += ["", K.CARD_ANSWER, shorten_lines(row.answer or "—", 1500)]
    if row.answer_en:
        lines += ["", K.CARD_ANSWER_EN, shorten_lines(row.answer_en, 800)]
    if row.examples_en:
        lines.append(K.CARD_EXAMPLES_EN.format(count=len(row.examples_en)))
    if figures:
        lines += ["", K.CARD_FIGURES.format(figures=figures)]
    choices: list[Choice] = []
    if row.status == "draft":
        lines += ["", K.CARD_HOW]
        key = f"staff:{BUTTON}:{{}}.{row.id}"
        choices = [
            Choice(key.format("edit"), K.BUTTON_EDIT),
            Choice(key.format("approve"), K.BUTTON_APPROVE),
            Choice(key.format("drop"), K.BUTTON_DROP),
        ]
        if row.draft_of:
            choices.append(Choice(key.format("retire"), K.BUTTON_RETIRE))
    return Outgoing(
        event.channel,
        event.chat_id,
        Reply("\n".join(lines), choices, columns=3),
        thread_id=event.thread_id,
        reply_to_message_id=None if event.thread_id or edit else event.message_id,
        purpose=f"{CARD}:{row.id}",
        options={"edit_message_id": edit} if edit else {},
    )


def prompt(event: Incoming, row: FaqTopicRecord) -> Outgoing:
    text = K.EDIT_PROMPT.format(id=row.id, systems=" | ".join(SYSTEMS))
    return Outgoing(
        event.channel,
        event.chat_id,
        Reply(text),
        thread_id=event.thread_id,
        reply_to_message_id=None if event.thread_id else event.message_id,
        purpose=f"{PROMPT}:{row.id}",
    )


@dataclass(frozen=True)
class Edit:
    field: str  # a key of FIELDS' values; "" when the reply names no field
    value: str


def read_edit(text: str) -> Edit:
    """ "tiêu đề: …" → Edit("title", "…"); the value goes on over the following lines."""
    text = clean_text(text)
    first, _, rest = text.partition("\n")
    head, sep, value = first.partition(":")
    field = FIELDS.get(fold(head)) if sep else None
    if field is None:
        return Edit("", text)
    return Edit(field, "\n".join(p for p in (value.strip(), rest.strip()) if p))


def _lines(value: str) -> list[str]:
    """One example a line, without the list marks people type ("-", "•", "1.")."""
    items = (re.sub(r"^\s*(?:[-•*+]|\d+[.)])\s*", "", line).strip() for line in value.splitlines())
    return [mask_personal(item) for item in items if item]


def apply_edit(row: FaqTopicRecord, edit: Edit) -> str | None:
    """Change the row; None when done, else what is wrong (the row is unchanged)."""
    value = edit.value
    if edit.field == "title":
        row.title = shorten(" ".join(value.split()), 200)
    elif edit.field == "examples":
        row.examples = list(dict.fromkeys([*row.examples, *_lines(value)]))
    elif edit.field == "examples_en":
        row.examples_en = list(dict.fromkeys([*row.examples_en, *_lines(value)]))
    elif edit.field == "examples_remove":
        numbers = {int(n) for n in re.findall(r"\d+", value) if 1 <= int(n) <= len(row.examples)}
        if not numbers:
            return K.EDIT_BAD_NUMBERS.format(count=len(row.examples))
        row.examples = [e for n, e in enumerate(row.examples, start=1) if n not in numbers]
    elif edit.field == "answer":
        row.answer = value
    elif edit.field == "answer_en":
        row.answer_en = value
    elif edit.field == "slug":
        slug = fold(value).replace(" ", "_")
        if not SLUG.match(slug):
            return K.EDIT_BAD_SLUG
        row.slug = slug
    elif edit.field == "system":
        return _choose(row, "system", value, SYSTEMS)
    elif edit.field == "audience":
        return _choose(row, "audience", value, AUDIENCES)
    elif edit.field == "keywords":
        words = [w.strip() for w in re.split(r"[,;\n]", value) if w.strip()]
        row.keywords = list(dict.fromkeys([*row.keywords, *words]))
    return None


def _choose(row: FaqTopicRecord, name: str, value: str, options: dict[str, str]) -> str | None:
    wanted = fold(value)
    for key, label in options.items():
        if wanted in (fold(key), fold(label)):
            setattr(row, name, key)
            return None
    return f"«{value}» không có trong: {', '.join(options)}"


def copy_fields(source: Any, target: FaqTopicRecord) -> None:
    """A topic's content from one row to another (an edit approved into the live topic)."""
    for name in ("title", "audience", "system", "answer", "answer_en", "examples", "examples_en", "keywords"):
        value = getattr(source, name)
        setattr(target, name, list(value) if isinstance(value, list) else value)
