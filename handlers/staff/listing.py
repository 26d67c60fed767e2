"""/hangdoi: the open cases, overdue and urgent first, then by deadline, ten to a page.

One line per case: its state, the first words of the problem, who has it, the deadline and a
link that opens its card (in its forum topic). Filters: cuatoi, chuagiao, quahan, khan, a
system or a unit. The page buttons edit the list in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlmodel import col, select

from handlers.citizen import texts as T
from handlers.events import Choice, Incoming, Outgoing
from handlers.staff import texts as S
from handlers.staff.cards import is_urgent
from handlers.staff.common import is_assignee, say
from handlers.textutil import fold, parse_id, shorten
from storage.models import Case, CaseStatus

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

PAGE_SIZE = 10
_WORDS = 7  # the first words of the problem on a case's line


def message_link(chat_id: str | None, message_id: int | None, thread_id: int | None = None) -> str | None:
    """A t.me link to a message of a supergroup (Telegram links only those): tappable in plain text."""
    if not chat_id or not message_id or not chat_id.startswith("-100"):
        return None
    internal = chat_id[4:]
    if thread_id and thread_id != message_id:
        return f"t.me/c/{internal}/{thread_id}/{message_id}"
    return f"t.me/c/{internal}/{message_id}"


def case_link(case: Case) -> str | None:
    return message_link(case.staff_chat_id, case.card_message_id, case.staff_thread_id)


def first_words(text: str, count: int = _WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


class QueueListing:
    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk

    async def command(self, session: AsyncSession, event: Incoming, out: list[Outgoing], args: str) -> None:
        await self.show(session, event, out, args, page=1)

    async def page_button(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str
    ) -> None:
        """ "staff:page:<page>:<filter>": the list message redrawn in place at that page."""
        page_text, _, words = rest.partition(":")
        # show() clamps the page; a tampered "²" or 20-digit page is not an int() crash.
        await self.show(session, event, out, words, page=parse_id(page_text) or 1)
        if out and event.message_id:
            out[-1].options = {"edit_message_id": event.message_id}

    async def show(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], args: str, *, page: int
    ) -> None:
        words = fold(args)
        now = datetime.now(UTC)
        cases = list((await session.exec(select(Case).where(col(Case.status).in_(CaseStatus.OPEN)))).all())
        label = ""
        if words:
            chosen = self._filter(words, cases, event, now)
            if chosen is None:
                say(event, out, S.QUEUE_UNKNOWN_FILTER.format(word=shorten(args, 40)))
                return
            label, cases = chosen
        if not cases:
            say(event, out, S.QUEUE_EMPTY_FILTER.format(label=label) if label else S.QUEUE_EMPTY)
            return
        cases.sort(key=lambda c: self._order(c, now))
        pages = (len(cases) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 1), pages)
        shown = cases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        head = S.QUEUE_HEADER.format(
            label=f" ({label})" if label else "", count=len(cases), page=page, pages=pages
        )
        lines = [head, *(self.line(case, now) for case in shown)]
        choices = []
        key = words[:40].strip()  # Telegram's callback data holds 64 bytes
        if page > 1:
            choices.append(Choice(f"staff:page:{page - 1}:{key}", S.BUTTON_PREV))
        if page < pages:
            choices.append(Choice(f"staff:page:{page + 1}:{key}", S.BUTTON_NEXT))
        say(event, out, "\n".join(lines), choices=choices, columns=2)

    def _order(self, case: Case, now: datetime) -> tuple[int, datetime]:
        rank = 0 if self.desk.queue.cards.overdue(case, now) else 1 if is_urgent(case) else 2
        due = case.resolution_due or datetime.max.replace(tzinfo=UTC)
        return rank, due

    def _filter(
        self, words: str, cases: list[Case], event: Incoming, now: datetime
    ) -> tuple[str, list[Case]] | None:
        """The filter the words name, as (label, matching cases); None when they name nothing."""
        compact = words.replace(" ", "")
        if compact in ("cuatoi", "toi"):
            return S.QUEUE_FILTERS["cuatoi"], [c for c in cases if is_assignee(c, event)]
        if compact in ("chuagiao", "chuaco", "chuanhan"):
            return S.QUEUE_FILTERS["chuagiao"], [
                c for c in cases if not c.assignee_name and c.assignee_id is None
            ]
        if compact in ("quahan", "trehan"):
            return S.QUEUE_FILTERS["quahan"], [c for c in cases if self.desk.queue.cards.overdue(c, now)]
        if compact in ("khan", "gap", "uutien"):
            return S.QUEUE_FILTERS["khan"], [c for c in cases if is_urgent(c)]
        systems = [
            key
            for key, name in T.SYSTEMS.items()
            if words in fold(name) or words == fold(key.replace("_", " "))
        ]
        if systems:
            names = ", ".join(T.SYSTEMS[key] for key in systems)
            return f"hệ thống {names}", [c for c in cases if c.system in systems]
        units = self.desk.queue.units.find(words, limit=3)
        exact = [u for u in units if words in fold(u.full_name)]
        if exact:
            codes = {u.code for u in exact}
            return ", ".join(u.full_name for u in exact), [c for c in cases if c.unit_code in codes]
        return None

    def line(self, case: Case, now: datetime) -> str:
        overdue = self.desk.queue.cards.overdue(case, now)
        marks = ("⚠️" if overdue else "") + ("🚨" if is_urgent(case) else "")
        icon = marks or S.TOPIC_ICONS.get(case.status, "")
        due = f"{case.resolution_due.astimezone(self.desk.tz):%H:%M %d/%m}" if case.resolution_due else "—"
        escalated = S.QUEUE_ESCALATED_TAG if case.escalated else ""
        link = case_link(case)
        parts = [
            f"{icon} {case.code}{escalated}",
            first_words(case.description),
            case.assignee_name or S.QUEUE_NO_ASSIGNEE,
            f"{'QUÁ HẠN' if overdue else 'hạn'} {due}",
        ]
        return " · ".join(parts) + (f"\n   {link}" if link else "")
