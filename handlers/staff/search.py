"""/tim: a case by its code, the reporter's phone, or words typed with or without accents.

Words are compared folded (handlers.textutil.fold: no accents, đ→d, lower case) against the
description, procedure, dossier code, unit, the reporter's name, every message of the case
(the reporter's, staff replies, internal notes), the text read in its pictures, the resolution
and the escalation reason.
Every word must appear. Newest cases first; the scan reads a batch of cases at a time and stops
once it has a screenful, so a large history costs only as much as the answer needs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlmodel import col, select

from handlers.citizen.lookup import find_code
from handlers.events import Incoming, Outgoing
from handlers.staff import texts as S
from handlers.staff.common import say
from handlers.staff.listing import case_link, first_words
from handlers.textutil import fold, normalize_phone, shorten
from storage.models import Attachment, Case, CaseMessage, Reporter

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

SHOWN = 15
_BATCH = 500


class Search:
    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk

    async def command(self, session: AsyncSession, event: Incoming, out: list[Outgoing], query: str) -> None:
        if not query:
            say(event, out, S.NEED_TEXT.format(command="tim", example="PA-… hoặc số điện thoại hoặc từ khóa"))
            return
        found, total = await self.find(session, query)
        if not found:
            say(event, out, S.SEARCH_EMPTY.format(query=shorten(query, 60)))
            return
        more = S.SEARCH_MORE.format(shown=len(found)) if total > len(found) else ""
        lines = [S.SEARCH_HEADER.format(query=shorten(query, 60), count=total, more=more)]
        for case in found:
            status = S.STATUS_LABELS.get(case.status, case.status)
            when = case.created_at.astimezone(self.desk.queue.tz)
            lines.append(f"{S.TOPIC_ICONS.get(case.status, '')} {case.code} · {status} · {when:%d/%m/%Y}")
            lines.append(f"   {first_words(case.description, 12)}")
            link = case_link(case)
            if link:
                lines.append(f"   {link}")
        say(event, out, "\n".join(lines))

    async def find(self, session: AsyncSession, query: str) -> tuple[list[Case], int]:
        """Up to SHOWN matching cases, newest first, and how many match in all."""
        code = find_code(query)
        phone = normalize_phone(query)
        if code or phone:
            statement = (
                select(Case).where(Case.code == code) if code else select(Case).where(Case.phone == phone)
            )
            cases = list((await session.exec(statement.order_by(col(Case.created_at).desc()))).all())
            return cases[:SHOWN], len(cases)
        words = fold(query).split()
        if not words:
            return [], 0
        found: list[Case] = []
        total = 0
        offset = 0
        while True:
            batch = list(
                (
                    await session.exec(
                        select(Case).order_by(col(Case.created_at).desc()).offset(offset).limit(_BATCH)
                    )
                ).all()
            )
            if not batch:
                break
            offset += len(batch)
            texts = await self._texts(session, batch)
            for case in batch:
                haystack = texts[case.id or 0]
                if all(word in haystack for word in words):
                    total += 1
                    if len(found) < SHOWN:
                        found.append(case)
        return found, total

    async def _texts(self, session: AsyncSession, cases: list[Case]) -> dict[int, str]:
        """Each case's searchable text, folded."""
        ids = [c.id for c in cases if c.id is not None]
        messages: dict[int, list[str]] = defaultdict(list)
        rows = (
            await session.exec(
                select(CaseMessage.case_id, CaseMessage.text).where(col(CaseMessage.case_id).in_(ids))
            )
        ).all()
        for case_id, text in rows:
            messages[case_id].append(text)
        # What was read in their pictures, follow-ups' too (masked when it was read).
        pictures = select(Attachment.case_id, Attachment.text).where(
            col(Attachment.case_id).in_(ids), col(Attachment.text).is_not(None)
        )
        for picture_case, picture_text in (await session.exec(pictures)).all():
            messages[picture_case or 0].append(picture_text or "")
        reporter_ids = {c.reporter_id for c in cases}
        names: dict[int, str] = {}
        for reporter in (
            await session.exec(select(Reporter).where(col(Reporter.id).in_(reporter_ids)))
        ).all():
            if reporter.id is not None:
                names[reporter.id] = f"{reporter.display_name or ''} {reporter.username or ''}"
        texts = {}
        for case in cases:
            unit = self.desk.queue.units.get(case.unit_code or "")
            parts = [
                case.code,
                case.description,
                case.procedure_name or "",
                case.dossier_code or "",
                unit.full_name if unit else "",
                case.resolution or "",
                case.escalation_reason or "",
                case.rating_comment or "",
                "" if case.anonymous else names.get(case.reporter_id, ""),
                *messages.get(case.id or 0, []),
            ]
            texts[case.id or 0] = fold(" ".join(parts))
        return texts
