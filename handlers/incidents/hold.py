"""Incident mode: one card for many reports, held cases, and releasing them (issue #23).

While an incident *holds* (``Incident.holding``), a linked case gets ``Case.incident_held``:
its card and every other message for the staff group are parked by the outbox (status
"held", see bot/delivery/outbox.py) instead of being posted. The incident's own card, in its own forum
topic, counts the reports and lists the latest; it is re-rendered from the database each time
it is sent, and edited at most once per ``edit_every``: an edit is written as an outbox row
"scheduled" for its due time, and one scheduled edit renders everything linked until then.

Releasing a case (staff open it, unlink it, dismiss the incident or turn the mode off) clears
the flag and puts its held rows back to pending, in their order: the card is posted (with its
current status), then whatever followed — nothing is lost, nothing is posted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.events import Choice, Outgoing, Reply
from handlers.incidents import texts as I
from handlers.staff.queue import Queue
from handlers.textutil import shorten
from storage.models import Case, Incident, OutboxMessage, aware

__all__ = ["IncidentBoard", "IncidentOutgoing", "aware", "release_held"]

LATEST_SHOWN = 3
BUTTONS_SHOWN = 4


@dataclass
class IncidentOutgoing(Outgoing):
    """A message about an incident (its card or an edit): the delivery hooks find the incident
    by the id in the payload, as they find a case by ``case_id``."""

    incident_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["incident_id"] = self.incident_id
        return data


async def release_held(session: AsyncSession, cases: Iterable[Case], now: datetime | None = None) -> int:
    """Post held cases as normal cards: their held outbox rows go back to pending, in order.

    Also called when staff act on a held case or a reporter reopens one: whoever works a case
    must see its topic."""
    cases = list(cases)
    ids = [c.id for c in cases if c.incident_held and c.id is not None]
    for case in cases:
        case.incident_held = False
    if not ids:
        return 0
    await session.exec(
        update(OutboxMessage)  # type: ignore[call-overload]
        .where(col(OutboxMessage.case_id).in_(ids), col(OutboxMessage.status) == "held")
        .values(status="pending", next_attempt_at=aware(now or datetime.now(UTC)), claimed_by=None)
    )
    return len(ids)


class IncidentBoard:
    """The incident card and the held cases (no knowledge of detection or commands)."""

    def __init__(
        self,
        queue: Queue,
        subject: Callable[[str], str],
        *,
        edit_every: timedelta = timedelta(minutes=1),
    ) -> None:
        self.queue = queue
        self.subject = subject
        self.edit_every = edit_every

    # -- the card ------------------------------------------------------------------------

    def topic_name(self, incident: Incident) -> str:
        return I.TOPIC_NAME.format(id=incident.id, subject=self.subject(incident.key))[:128]

    def post_card(self, incident: Incident, now: datetime) -> Outgoing | None:
        """The incident's card, in a new topic; rendered when sent (bot/delivery/queue_hooks.py)."""
        if not self.queue.staff_chat_id:
            return None
        # The card shows everything linked when it goes out: the first edit waits a full interval.
        incident.next_edit_at = aware(now)
        return IncidentOutgoing(
            self.queue.staff_channel,
            self.queue.staff_chat_id,
            Reply(self.topic_name(incident)),
            purpose="incident_card",
            incident_id=incident.id,
        )

    async def schedule_edit(self, session: AsyncSession, incident: Incident, now: datetime) -> None:
        """Make sure the card will show the current state, editing it at most once per interval.

        ``next_edit_at`` is when the last card or edit was (or will be) rendered: if it is still
        ahead, that edit will include this change; otherwise one more is scheduled an interval
        after it (or now, when the last one is older than that)."""
        if not self.queue.staff_chat_id or incident.id is None:
            return
        now = aware(now)
        last = aware(incident.next_edit_at) if incident.next_edit_at else None
        if last is not None and last > now:
            return
        due = max(now, last + self.edit_every) if last is not None else now
        incident.next_edit_at = due
        edit = IncidentOutgoing(
            self.queue.staff_channel,
            self.queue.staff_chat_id,
            Reply(""),
            purpose="incident_edit",
            incident_id=incident.id,
        )
        session.add(
            OutboxMessage(
                channel=edit.channel,
                chat_id=edit.chat_id,
                payload=edit.payload(),
                purpose=edit.purpose,
                status="scheduled",
                next_attempt_at=due,
            )
        )

    async def render(self, session: AsyncSession, incident_id: int) -> Reply | None:
        """The card's current text and buttons (None: no such incident)."""
        incident = await session.get(Incident, incident_id)
        if incident is None:
            return None
        cases = list(
            (
                await session.exec(
                    select(Case).where(Case.incident_id == incident_id).order_by(col(Case.created_at))
                )
            ).all()
        )
        tz = self.queue.tz
        subject = self.subject(incident.key)
        lines = [
            I.CARD_TITLE.format(
                id=incident.id, subject=subject, state=I.STATE_LABELS.get(incident.status, incident.status)
            )
        ]
        units = list(dict.fromkeys(c.unit_code for c in cases if c.unit_code))
        held = [c for c in cases if c.incident_held]
        lines.append(
            I.CARD_COUNTS.format(
                count=len(cases),
                reporters=len({c.reporter_id for c in cases}),
                units=len(units),
                held=len(held),
            )
        )
        if cases:
            first = aware(cases[0].created_at).astimezone(tz)
            last = aware(cases[-1].created_at).astimezone(tz)
            lines.append(I.CARD_TIMES.format(first=f"{first:%H:%M:%S}", last=f"{last:%H:%M:%S %d/%m}"))
            names = [self._unit_name(u) for u in units]
            more = f" và {len(names) - 12} đơn vị khác" if len(names) > 12 else ""
            lines.append(I.CARD_UNITS.format(units=", ".join(names[:12]) + more))
            lines.append(I.CARD_LATEST)
            for case in cases[-LATEST_SHOWN:][::-1]:
                lines.append(
                    f"• {case.code} · {self._unit_name(case.unit_code)}: {shorten(case.description, 160)}"
                )
        if incident.notice:
            lines.append(I.CARD_NOTICE.format(notice=shorten(incident.notice, 300)))
        if incident.status == "closed" and incident.result:
            lines.append(I.CARD_RESULT.format(result=shorten(incident.result, 300)))
        if incident.status == "merged" and incident.merged_into:
            lines.append(I.CARD_MERGED.format(id=incident.merged_into))
        elif not incident.holding and incident.status in ("detected", "open"):
            lines.append(I.CARD_MODE_OFF)
        lines += ["", I.CARD_FOOTER.format(id=incident.id)]
        buttons = [
            Choice(f"staff:xem:{c.id}", I.BUTTON_SHOW.format(code=c.code))
            for c in held[-BUTTONS_SHOWN:][::-1]
        ]
        return Reply("\n".join(lines), buttons, columns=2)

    def _unit_name(self, code: str | None) -> str:
        unit = self.queue.units.get(code or "")
        return unit.full_name if unit else "Không rõ đơn vị"

    async def pointer(self, session: AsyncSession, case: Case) -> Outgoing | None:
        """The line in a case's topic saying which incident it belongs to."""
        incident = await session.get(Incident, case.incident_id) if case.incident_id is not None else None
        if incident is None:
            return None
        line = I.THREAD_POINTER.format(
            code=case.code,
            id=incident.id,
            subject=self.subject(incident.key),
            topic=self.topic_name(incident),
        )
        return self.queue.to_thread(case, Reply(line))

    # -- held cases ----------------------------------------------------------------------

    @staticmethod
    def card_posted(case: Case) -> bool:
        """Whether staff can already see the case (its card went out)."""
        return case.card_message_id is not None or case.staff_thread_id is not None

    async def release(self, session: AsyncSession, cases: Iterable[Case], now: datetime) -> int:
        return await release_held(session, cases, now)

    async def held_cases(self, session: AsyncSession, incident_id: int) -> list[Case]:
        statement = select(Case).where(Case.incident_id == incident_id, col(Case.incident_held).is_(True))
        return list((await session.exec(statement.order_by(col(Case.created_at)))).all())
