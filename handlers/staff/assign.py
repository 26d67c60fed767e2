"""Handing a case to someone who exists: /giao and the "👤 Giao" picker.

Telegram never tells a bot who an @name is, so the desk keeps a roster of the staff it has
seen write in the group (KeyValue rows "staff_seen:<user id>"). /giao accepts a name from that
roster (or the id of someone the staff directory knows); a typo is refused with a picker of
the people it knows, the closest name first, instead of assigning the case to nobody.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from sqlmodel import col, select

from handlers.events import Choice, Incoming, Outgoing
from handlers.staff import texts as S
from handlers.staff.common import actor_name, handle_of, is_assignee, refuse, say
from handlers.textutil import parse_user_id
from storage import repo
from storage.models import Case, CaseStatus, KeyValue, utcnow

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

ROSTER_PREFIX = "staff_seen:"
# Names on the picker (Telegram shows them as buttons; more would bury the case's thread).
PICKER_SIZE = 12


@dataclass(frozen=True)
class Member:
    user_id: str
    username: str | None
    name: str | None
    seen: str = ""

    @property
    def label(self) -> str:
        return f"@{self.username}" if self.username else (self.name or f"id {self.user_id}")


class Roster:
    """Staff seen in the group: who they are by id, @name and display name."""

    def __init__(self) -> None:
        # What this process last stored per person: most messages need no write.
        self._stored: dict[str, tuple[str | None, str | None, str]] = {}

    async def seen(self, session: AsyncSession, event: Incoming) -> None:
        today = utcnow().date().isoformat()
        current = (event.username, event.display_name, today)
        if self._stored.get(event.user_id) == current:
            return
        value = json.dumps(
            {"username": event.username, "name": event.display_name, "seen": today}, ensure_ascii=False
        )
        await repo.kv_set(session, ROSTER_PREFIX + event.user_id, value)
        self._stored[event.user_id] = current

    async def members(self, session: AsyncSession) -> list[Member]:
        """Everyone seen, the most recently active first."""
        rows = (await session.exec(select(KeyValue).where(col(KeyValue.key).startswith(ROSTER_PREFIX)))).all()
        members = []
        for row in rows:
            try:
                data = json.loads(row.value)
            except ValueError:
                continue
            members.append(
                Member(
                    row.key[len(ROSTER_PREFIX) :],
                    data.get("username"),
                    data.get("name"),
                    data.get("seen", ""),
                )
            )
        return sorted(members, key=lambda m: (m.seen, m.label), reverse=True)

    async def by_handle(self, session: AsyncSession, handle: str) -> Member | None:
        wanted = handle.lstrip("@").lower()
        return next(
            (m for m in await self.members(session) if m.username and m.username.lower() == wanted), None
        )


class Assignment:
    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk
        self.roster = Roster()

    def _may_hand_over(self, case: Case, event: Incoming) -> bool:
        assigned = case.assignee_id is not None or bool(case.assignee_name)
        return not assigned or is_assignee(case, event) or self.desk.directory.is_leader(event.user_id)

    async def command(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, args: str
    ) -> None:
        """/giao @ten (or an id the directory knows); unknown or missing: the picker."""
        if not await self._fits(event, out, case):
            return
        typed = args.split()[0] if args else ""
        member = (
            await self.roster.by_handle(session, typed) if typed and not typed.lstrip("-").isdigit() else None
        )
        if member is None and typed.isdigit() and await self.desk.directory.is_staff(typed):
            member = next(
                (m for m in await self.roster.members(session) if m.user_id == typed),
                Member(typed, None, None),
            )
        if member is not None:
            await self.assign(session, event, out, case, member)
            return
        intro = S.PICK_UNKNOWN.format(handle=handle_of(typed)) if typed else ""
        await self.picker(session, event, out, case, intro=intro, typed=typed)

    async def _fits(self, event: Incoming, out: list[Outgoing], case: Case) -> bool:
        if case.status not in CaseStatus.OPEN:
            state = S.STATE_WORDS.get(case.status, case.status)
            refuse(event, out, S.NOT_NOW["handover"].format(code=case.code, state=state))
            return False
        if not self._may_hand_over(case, event):
            refuse(event, out, S.HANDOVER_REFUSED.format(code=case.code, assignee=case.assignee_name))
            return False
        return True

    async def picker(
        self,
        session: AsyncSession,
        event: Incoming,
        out: list[Outgoing],
        case: Case,
        *,
        intro: str = "",
        typed: str = "",
    ) -> None:
        """A message with one button per known staff member (the closest to a typo first)."""
        members = await self.roster.members(session)
        if not members:
            say(event, out, "\n".join(x for x in (intro, S.PICK_EMPTY) if x), case=case)
            return
        lines = [intro] if intro else []
        if typed:
            names = {m.username: m for m in members if m.username}
            best = process.extractOne(
                typed.lstrip("@").lower(), list(names), scorer=fuzz.ratio, score_cutoff=60
            )
            if best is not None:
                lines.append(S.PICK_SUGGEST.format(handle=f"@{best[0]}"))
                members = [names[best[0]], *(m for m in members if m.username != best[0])]
        lines.append(S.PICK_ASSIGNEE.format(code=case.code))
        choices = [Choice(f"staff:assign:{case.id}:{m.user_id}", m.label) for m in members[:PICKER_SIZE]]
        say(event, out, "\n".join(lines), case=case, choices=choices, columns=2)

    async def picked(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, user_id: str
    ) -> None:
        """A name pressed on the picker: checked again (the picker may be old), then assigned."""
        if not await self._fits(event, out, case):
            return
        member = next((m for m in await self.roster.members(session) if m.user_id == user_id), None)
        if member is None:
            refuse(event, out, S.PICK_STALE.format(code=case.code, state="—"))
            return
        await self.assign(session, event, out, case, member)
        if out and out[-1].purpose == "staff" and event.message_id:
            # The picker itself becomes the confirmation: one message instead of two.
            out[-1].options = {"edit_message_id": event.message_id}

    async def assign(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case, member: Member
    ) -> None:
        actor = actor_name(event)
        case.assignee_name = member.label
        case.assignee_id = parse_user_id(member.user_id)
        await repo.add_event(session, case, "assigned", actor=actor, note=member.label)
        self.desk.touch(case)
        if case.status == CaseStatus.NEW:
            await repo.set_status(session, case, CaseStatus.IN_PROGRESS, actor=actor)
        say(event, out, S.ASSIGNED.format(code=case.code, assignee=member.label, actor=actor), case=case)
