"""Incidents in practice: detection on every new case, incident mode, notices to reporters.

Life of an incident (``Incident.status``):

* ``detected`` — :func:`handlers.incidents.detect.detect_incidents` found a burst for a key
  (``topic:<faq topic>`` or ``system:<system>``, never the catch-all "Khác"); the group was
  alerted once and got the incident's card in its own topic. The burst's cases were linked
  (``Case.incident_id``); from then on, matching reports are linked and, in incident mode
  (``Incident.holding``), not posted as their own card (handlers.incidents.hold). Reporters
  are told at once, truthfully: many people report it, the task force knows and is checking.
  The same key is alerted again only when that incident is over (closed, dismissed) or
  *quiet* (no linked report for ``quiet`` minutes): then a new burst is a new incident.
* ``open`` — staff announced it (``/suco mo <thông báo>``): every linked reporter with an open
  case gets the official notice, and so does everyone who reports the same thing afterwards.
* ``closed`` — ``/suco dong`` then confirmation: the still-linked open cases nobody is handling
  are resolved, their reporters told (handlers.incidents.commands).
* ``dismissed`` (``/suco bo``) — not an incident: held cases are posted as normal cards;
  ``merged`` (``/suco gop``) — its cases moved to another incident.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts as T
from handlers.citizen.language import case_texts
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.incidents import records
from handlers.incidents import texts as I
from handlers.incidents.detect import (
    CATCH_ALL_SYSTEMS,
    IncidentCandidate,
    IncidentRule,
    detect_incidents,
    format_incident_alert_vi,
)
from handlers.incidents.hold import IncidentBoard
from handlers.incidents.records import DETECTED, OPEN, case_incident_key
from handlers.services import FaqStage
from handlers.staff.desk import StaffDesk
from handlers.staff.queue import Queue
from storage import repo
from storage.models import Case, CaseStatus, Incident, Reporter, aware

__all__ = ["IncidentConfig", "IncidentDesk", "case_incident_key"]

log = logging.getLogger(__name__)

# Re-exported for callers of the former single module.
USAGE, NONE_OPEN = I.USAGE, I.NONE_OPEN


@dataclass
class IncidentConfig:
    enabled: bool = True
    rule: IncidentRule = field(default_factory=IncidentRule)
    quiet: timedelta = timedelta(minutes=120)
    # Incident mode: linked reports are held back from the group (one incident card instead).
    hold: bool = True
    # The incident card is edited at most this often (Telegram: 20 messages a minute per group).
    edit_every: timedelta = timedelta(minutes=1)


def handled(case: Case) -> bool:
    """Someone on the task force is working the case (it is theirs to close, not the incident's)."""
    return case.assignee_id is not None or bool(case.assignee_name)


class IncidentDesk:
    def __init__(
        self,
        queue: Queue,
        faq: FaqStage,
        desk: StaffDesk,
        config: IncidentConfig | None = None,
        *,
        rating_choices: Callable[[Case], list[Choice]],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from handlers.incidents.commands import IncidentCommands

        self.queue = queue
        self.faq = faq
        self.desk = desk
        self.config = config or IncidentConfig()
        self.rating_choices = rating_choices
        self.clock = clock or (lambda: datetime.now(UTC))
        self.board = IncidentBoard(queue, self.subject, edit_every=self.config.edit_every)
        # The delivery hooks render the incident card through the queue (bot/delivery/queue_hooks.py).
        queue.incident_cards = self.board
        self.commands = IncidentCommands(self)

    # -- labels --------------------------------------------------------------------------

    def subject(self, key: str, t: ModuleType = T) -> str:
        """What an incident is about, for staff (`t` the reporter's texts, for a reporter)."""
        kind, _, value = key.partition(":")
        if kind == "topic":
            view = self.faq.topic(value)
            return str(t.INCIDENT_SUBJECT_TOPIC.format(title=view.title if view else value))
        if kind == "error":  # the error message read in the screenshots, folded
            return str(t.INCIDENT_SUBJECT_TOPIC.format(title=value))
        return str(t.INCIDENT_SUBJECT_SYSTEM.format(system=t.SYSTEMS.get(value, value)))

    def _unit_names(self, codes: list[str]) -> dict[str, str]:
        names = {}
        for code in codes:
            unit = self.queue.units.get(code)
            names[code] = unit.full_name if unit else code
        return names

    def _topic_labels(self, candidate: IncidentCandidate) -> dict[str, str]:
        view = self.faq.topic(candidate.value) if candidate.kind == "topic" else None
        return {candidate.value: view.title} if view else {}

    # -- queries -------------------------------------------------------------------------

    async def lock(self, session: AsyncSession, key: str) -> None:
        """One transaction at a time per key on PostgreSQL, so one burst gives one alert.

        SQLite has a single writer: a second transaction that read before the first one wrote
        fails and is retried by the application (Application.receive).
        """
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            lock = zlib.crc32(f"incident:{key}".encode())
            await session.exec(select(func.pg_advisory_xact_lock(lock)))  # type: ignore[call-overload]

    async def latest(self, session: AsyncSession, key: str, *statuses: str) -> Incident | None:
        return await records.latest(session, key, *statuses)

    async def quiet(self, session: AsyncSession, incident: Incident, now: datetime) -> bool:
        return await records.quiet(session, incident, now, self.config.quiet)

    async def active(self, session: AsyncSession) -> list[Incident]:
        return await records.active(session)

    # -- new case ------------------------------------------------------------------------

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        """Case listener: link to a current incident (held, reporter told), or detect a burst.

        Runs in the transaction that stores the complaint, inside a savepoint: whatever goes
        wrong here is undone and logged, and the complaint is stored all the same (DESIGN §7).
        """
        code = case.code
        try:
            async with session.begin_nested():
                return await self._case_created(session, case)
        except Exception:
            log.exception("incident check failed for case %s", code)
            # Rolling the savepoint back expired what it had changed; reload it here, where
            # loading may await, so the intake can still read the case afterwards.
            await session.refresh(case)
            return []

    async def _case_created(self, session: AsyncSession, case: Case) -> list[Outgoing]:
        key = case_incident_key(case)
        if case.id is None or key is None:
            return []
        await self.lock(session, key)
        now = case.created_at
        incident = await records.current_for(session, case, now, self.config.quiet)
        if incident is not None:
            out = await self.link(session, incident, case, actor="bot", now=now)
            await self.board.schedule_edit(session, incident, now)
            return out
        if not self.config.enabled or await records.dismissed_lately(session, key, now, self.config.quiet):
            return []
        signals = await records.recent_signals(session, now, self.config.rule.window)
        # Reports of concurrent transactions may carry a time a few milliseconds after this
        # one's and still have committed first (PostgreSQL serialises detection per key, not by
        # time): judge the burst as of the latest report visible, so none of them is left out.
        now = max([aware(now), *(aware(signal.created_at) for signal in signals)])
        candidate = next((c for c in detect_incidents(signals, now, self.config.rule) if c.key == key), None)
        if candidate is None:
            return []
        return await self._detected(session, candidate, now)

    async def _detected(
        self, session: AsyncSession, candidate: IncidentCandidate, now: datetime
    ) -> list[Outgoing]:
        """A new burst: one alert, the incident card, and every case of the burst linked."""
        incident = Incident(key=candidate.key, status=DETECTED, detected_at=now, holding=self.config.hold)
        session.add(incident)
        await session.flush()
        text = format_incident_alert_vi(
            candidate, self._unit_names(candidate.unit_codes), self._topic_labels(candidate), tz=self.queue.tz
        )
        text = f"{text}\n{I.ALERT_FOOTER.format(id=incident.id, value=candidate.value)}"
        out = [o for o in (self.queue.to_group(Reply(text), purpose="incident"),) if o is not None]
        card = self.board.post_card(incident, now)
        if card is not None:
            out.append(card)
        statement = select(Case).where(
            col(Case.code).in_(candidate.case_codes), col(Case.incident_id).is_(None)
        )
        for linked in (await session.exec(statement.order_by(col(Case.created_at)))).all():
            out += await self.link(session, incident, linked, actor="bot", now=now)
        return out

    async def link(
        self, session: AsyncSession, incident: Incident, case: Case, *, actor: str, now: datetime
    ) -> list[Outgoing]:
        """Link a case: hold it (incident mode, card not out yet) or point its topic to the
        incident; tell its reporter what is known. Cases someone handles are linked, not held,
        and their reporter hears from that person."""
        case.incident_id = incident.id
        out: list[Outgoing] = []
        if case.status not in CaseStatus.OPEN:
            return out
        if incident.holding and not handled(case) and not self.board.card_posted(case):
            case.incident_held = True
        else:
            # Its card is (or will be) in the group: one line there says where the rest is.
            pointer = await self.board.pointer(session, case)
            out += [pointer] if pointer is not None else []
        if handled(case):
            return out
        out.append(await self.tell(session, incident, case, actor=actor))
        return out

    async def tell(self, session: AsyncSession, incident: Incident, case: Case, *, actor: str) -> Outgoing:
        """What the reporter hears: the official notice once staff opened the incident, before
        that that many people report it and the task force is checking (no promise of a cause)."""
        t = await case_texts(session, case)
        subject = self.subject(incident.key, t)
        if incident.status == OPEN and incident.notice:
            await repo.add_event(
                session, case, "incident", actor=actor, note=f"Sự cố #{incident.id}: {incident.notice}"
            )
            text = t.INCIDENT_KNOWN.format(subject=subject, notice=incident.notice, code=case.code)
        else:
            await repo.add_event(
                session, case, "incident", actor=actor, note=f"Sự cố #{incident.id} (phát hiện)"
            )
            text = t.INCIDENT_SUSPECTED.format(subject=subject, code=case.code)
        return self.queue.to_reporter(case, Reply(text, language=t.LANGUAGE), purpose="notice")

    async def move_cases(
        self, session: AsyncSession, source: Incident, target: Incident, now: datetime
    ) -> int:
        """Merge: every case of ``source`` now belongs to ``target``; held only if it holds."""
        moved = list((await session.exec(select(Case).where(Case.incident_id == source.id))).all())
        await session.exec(
            update(Case).where(col(Case.incident_id) == source.id).values(incident_id=target.id)  # type: ignore[call-overload]
        )
        if not target.holding:
            await self.board.release(session, moved, now)
        return len(moved)

    async def notice_for(
        self, session: AsyncSession, topic: str | None, system: str | None, t: ModuleType = T
    ) -> str | None:
        """The notice of an incident staff opened for this FAQ topic (or system), in the
        reporter's language — for the FAQ stage to say first (hook for handlers/intake)."""
        keys = [f"topic:{topic}" if topic else None]
        if system and system not in CATCH_ALL_SYSTEMS:
            keys.append(f"system:{system}")
        for key in keys:
            if key is not None and (incident := await self.latest(session, key, OPEN)) is not None:
                subject = self.subject(key, t)
                return str(t.INCIDENT_OPEN_FAQ.format(subject=subject, notice=incident.notice or ""))
        return None

    # -- /suco and /xem ----------------------------------------------------------------

    async def command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """StaffDesk handler for ``/suco`` (staff authorisation already checked)."""
        await self.commands.suco(session, event, out)

    async def show(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """StaffDesk handler for ``/xem MÃ``."""
        await self.commands.show_command(session, event, out)
