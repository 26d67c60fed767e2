"""/taofaq: a resolved case's answer as a draft FAQ topic, saved for staff to review.

The draft goes outside faq/data/topics (all the knowledge base loads): the bot never answers
from a draft before staff have reviewed it, moved it there and sent /taifaq.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from faq.knowledge import MIN_EXAMPLES
from faq.knowledge import SYSTEMS as FAQ_SYSTEMS
from handlers.citizen import texts as T
from handlers.events import Incoming, Outgoing
from handlers.staff import texts as S
from handlers.staff.common import actor_name, say
from handlers.textutil import CCCD_NUMBER, PHONE_NUMBER, clean_text, shorten
from storage import repo
from storage.models import Case, CaseStatus

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

# Relative to the bot's working directory, beside the default SQLite file (data/ is not in git).
FAQ_DRAFTS_DIR = Path("data") / "faq-drafts"
# Personal data that must not travel from a case into a knowledge-base draft (same shapes the
# log masking in bot/logging_setup.py hides): phone numbers and 12-digit citizen ID numbers.
_PERSONAL_NUMBERS = ((CCCD_NUMBER, "<số CCCD>"), (PHONE_NUMBER, "<số điện thoại>"))


async def faq_draft(
    desk: StaffDesk, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, question: str
) -> None:
    """/taofaq [câu hỏi mẫu]: the case's resolution as a draft FAQ topic, saved for review."""
    if not case.resolution or case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        # A reopened case's resolution did not solve it: not something to teach the bot.
        say(event, out, S.FAQ_DRAFT_NO_RESOLUTION.format(code=case.code))
        return
    actor = actor_name(event)
    body = render_faq_draft(faq_draft_topic(case, question))
    when = datetime.now(UTC).astimezone(desk.tz)
    header = (
        f"# Bản nháp FAQ từ phản ánh {case.code}, {actor} tạo lúc {when:%H:%M %d/%m/%Y}.\n"
        "# Bot không nạp thư mục này. Rà soát, bổ sung câu hỏi mẫu và từ khóa, rồi chuyển mục\n"
        "# dưới đây vào một tệp trong faq/data/topics/ và gõ /taifaq.\n"
    )
    try:
        path = await asyncio.to_thread(save_faq_draft, desk.faq_drafts_dir, case.code, header + body)
    except OSError as exc:
        say(event, out, S.FAQ_DRAFT_FAILED.format(code=case.code, reason=exc.strerror or exc))
        return
    await repo.add_event(session, case, "faq_draft", actor=actor, note=str(path))
    say(
        event,
        out,
        S.FAQ_DRAFT_SAVED.format(
            actor=actor,
            code=case.code,
            path=path,
            draft=shorten_lines(body.strip(), 2500),
            min_examples=MIN_EXAMPLES,
        ),
    )


def scrub_personal(text: str) -> str:
    for pattern, replacement in _PERSONAL_NUMBERS:
        text = pattern.sub(replacement, text)
    return text


def _faq_audience(role: str | None) -> str:
    if role in T.OFFICER_ROLES:
        return "officer"
    return "citizen" if role in ("nguoi_dan", "doanh_nghiep") else "both"


def faq_draft_topic(case: Case, question: str = "") -> dict[str, Any]:
    """A topic entry in the shape of faq/data/topics/*.yaml (faq.knowledge.parse_topic).

    It is a starting point: fewer examples than the knowledge base requires and no keywords,
    so it cannot go live by accident before staff complete it. The reporter's words are
    scrubbed of phone and ID numbers; the resolution is staff's own text (a hotline number
    there is meant to be read) and is kept as written."""
    question = scrub_personal(clean_text(question))
    description = scrub_personal(shorten(case.description, 300))
    examples = list(dict.fromkeys(e for e in (question, description) if e))
    title = shorten(question or description or case.code, 100)
    return {
        "id": "nhap_" + case.code.lower().replace("-", "_"),
        "title": title[:1].upper() + title[1:],
        "audience": _faq_audience(case.reporter_role),
        "system": case.system if case.system in FAQ_SYSTEMS else "chung",
        "answer": (case.resolution or "").strip(),
        "examples": examples,
        "keywords": [],
    }


class _DraftDumper(yaml.SafeDumper):
    """Writes multi-line answers as | blocks, like the hand-written topic files."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_DraftDumper.add_representer(str, _represent_text)


def render_faq_draft(topic: dict[str, Any]) -> str:
    return yaml.dump({"topics": [topic]}, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=110)


def save_faq_draft(directory: Path, code: str, text: str) -> Path:
    """Write the draft as <code>.yaml, or <code>-2.yaml… if one exists: a second /taofaq must
    not overwrite a draft someone may be editing. Exclusive create, so two workers never share a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 100):
        path = directory / (f"{code}.yaml" if attempt == 1 else f"{code}-{attempt}.yaml")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        return path.resolve()
    raise FileExistsError(f"quá nhiều bản nháp cho {code} trong {directory}")


def shorten_lines(text: str, limit: int) -> str:
    """Cut a multi-line text at a line boundary (textutil.shorten would join the lines)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit("\n", 1)[0] + "\n…"
