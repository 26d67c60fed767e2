"""``/suco`` and ``/xem``: staff stay in control of an incident (issue #23).

Verbs: list, ``mo`` (open: official notice to everyone linked), ``dong`` (preview of what will be
resolved, then ``xacnhan`` or the button), ``bo`` (dismiss: held cases posted as normal cards),
``tach`` (unlink one case), ``gop`` (merge two incidents), ``tat``/``bat`` (incident mode off/on).
``/xem MÃ`` or the card's button opens a held case: its topic is created then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts as T
from handlers.citizen.lookup import CODE_PATTERN, find_code
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.incidents import records
from handlers.incidents import texts as I
from handlers.incidents.close import CLOSE_BUTTON, IncidentClosing
from handlers.incidents.records import case_incident_key
from handlers.staff.desk import actor_name
from handlers.textutil import fold, parse_id, shorten
from storage import repo
from storage.models import Case, CaseStatus, Incident, aware

if TYPE_CHECKING:
    from handlers.incidents.desk import IncidentDesk

SHOW_BUTTON = "xem"


class IncidentCommands:
    """The staff command /suco with its subcommands (mo, dong, bo, tach, gop, tat, bat) and /xem.

    Size: about 260 lines — one command whose subcommands share the parsing of a subject (a key,
    a case code, the thread) and the pick list when it is missing; split, they would pass that
    state around.
    """

    def __init__(self, desk: IncidentDesk) -> None:
        self.d = desk
        desk.desk.register_button(SHOW_BUTTON, self.show_button)
        self.closing = IncidentClosing(self)
        desk.desk.register_button(CLOSE_BUTTON, self.closing.button)

    def say(
        self, event: Incoming, out: list[Outgoing], text: str, choices: list[Choice] | None = None
    ) -> None:
        reply = Reply(text, choices or [])
        out.append(Outgoing(event.channel, event.chat_id, reply, thread_id=event.thread_id, purpose="staff"))

    async def suco(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        head, _, rest = event.args.strip().partition(" ")
        verb, rest = fold(head), rest.strip()
        if verb in ("", "ds", "danhsach"):
            self.say(event, out, await active_listing(self.d, session) or I.NONE_OPEN)
        elif verb == "mo":
            await self._open(session, event, out, rest)
        elif verb == "dong":
            await self.closing.preview(session, event, out, rest)
        elif verb == "xacnhan":
            incident = await self.pick(session, event, out, rest.split(" ")[0], "xacnhan")
            if incident is not None:
                await self.closing.close(session, event, out, incident)
        elif verb in ("bo", "tach", "gop", "tat", "bat"):
            await getattr(self, f"_{verb}")(session, event, out, rest)
        else:
            self.say(event, out, I.USAGE)

    # -- helpers -------------------------------------------------------------------------

    def explicit_key(self, token: str) -> str | None:
        kind, sep, value = token.partition(":")
        if sep and kind in ("topic", "system"):
            token = value
        if token in T.SYSTEMS and kind != "topic":
            return f"system:{token}"
        if self.d.faq.topic(token) is not None:
            return f"topic:{token}"
        return None

    async def _thread_case(self, session: AsyncSession, event: Incoming, text: str) -> Case | None:
        code = find_code(text)
        if code:
            return await repo.case_by_code(session, code)
        return await self.d.desk.case_of_thread(session, event)

    async def pick(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], token: str, verb: str
    ) -> Incident | None:
        """The incident a verb is about: its number or subject (vneid, a topic id), the case
        thread's incident, the incident topic's, or the only one going on."""
        if token and parse_id(token.lstrip("#")) is None and (key := self.explicit_key(token)) is not None:
            found = await self.d.latest(session, key, "open", "detected")
            if found is None:
                self.say(event, out, I.NONE_OPEN)
            return found
        if (incident_id := parse_id(token.lstrip("#"))) is not None:
            incident = await session.get(Incident, incident_id)
            if incident is None or incident.status not in ("detected", "open"):
                self.say(event, out, I.NOT_FOUND.format(id=incident_id))
                return None
            return incident
        case = await self.d.desk.case_of_thread(session, event)
        if case is not None and case.incident_id is not None:
            incident = await session.get(Incident, case.incident_id)
            if incident is not None and incident.status in ("detected", "open"):
                return incident
        if event.thread_id:
            by_topic = select(Incident).where(Incident.thread_id == event.thread_id)
            incident = (await session.exec(by_topic)).first()
            if incident is not None and incident.status in ("detected", "open"):
                return incident
        active = await self.d.active(session)
        if len(active) == 1:
            return active[0]
        if not active:
            self.say(event, out, I.NONE_OPEN)
        else:
            self.say(event, out, I.WHICH.format(verb=verb, listing=await active_listing(self.d, session)))
        return None

    # -- /suco mo ------------------------------------------------------------------------

    async def _open(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        d, now = self.d, self.d.clock()
        first, _, after = rest.partition(" ")
        key = self.explicit_key(first) if first else None
        case: Case | None = None
        if key is not None:
            notice = after.strip()
        else:
            notice = rest
            case = await self._thread_case(session, event, rest)
            if case is not None:
                notice = CODE_PATTERN.sub("", rest, count=1).strip()
                key = case_incident_key(case)
            elif event.thread_id:
                # Typed in the incident's own topic.
                by_topic = select(Incident).where(Incident.thread_id == event.thread_id)
                own = (await session.exec(by_topic)).first()
                key = own.key if own is not None else None
        if key == "system:khac" or (key is None and case is not None and case.system == "khac"):
            self.say(event, out, I.CATCH_ALL)
            return
        if key is None:
            self.say(event, out, I.NEED_SUBJECT)
            return
        if not notice:
            self.say(event, out, I.NEED_NOTICE.format(value=key.partition(":")[2]))
            return
        await d.lock(session, key)
        existing = await d.latest(session, key, "open")
        if existing is not None:
            self.say(
                event,
                out,
                I.ALREADY_OPEN.format(
                    id=existing.id, subject=d.subject(key), notice=shorten(existing.notice or "", 300)
                ),
            )
            return
        incident = await d.latest(session, key, "detected")
        new = incident is None or await d.quiet(session, incident, now)
        if incident is None or new:
            # Opened by hand: announced, not held (staff chose to see every report), card posted.
            incident = Incident(key=key, status="detected", detected_at=now, holding=False)
            session.add(incident)
            await session.flush()
            card = d.board.post_card(incident, now)
            out += [card] if card is not None else []
        actor = actor_name(event)
        incident.status, incident.notice, incident.opened_by, incident.opened_at = "open", notice, actor, now
        cases = await records.cases_to_announce(session, incident, case, since=aware(now) - d.config.quiet)
        told = 0
        for linked in cases:
            linked.incident_id = incident.id
            if linked.status in CaseStatus.OPEN:
                out.append(await d.tell(session, incident, linked, actor=actor))
                told += 1
        await d.board.schedule_edit(session, incident, now)
        self.say(
            event,
            out,
            I.OPENED.format(
                id=incident.id, subject=d.subject(key), actor=actor, told=told, linked=len(cases)
            ),
        )

    async def linked(self, session: AsyncSession, incident: Incident) -> list[Case]:
        statement = select(Case).where(Case.incident_id == incident.id).order_by(col(Case.created_at))
        return list((await session.exec(statement)).all())

    # -- staff stay in control -------------------------------------------------------------

    async def _bo(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        """Not an incident: the held cases are posted as normal cards and unlinked."""
        incident = await self.pick(session, event, out, rest.split(" ")[0], "bo")
        if incident is None:
            return
        now = self.d.clock()
        incident.status, incident.closed_at, incident.holding = "dismissed", now, False
        cases = await self.linked(session, incident)
        released = await self.d.board.release(session, cases, now)
        for case in cases:
            case.incident_id = None
            await repo.add_event(
                session, case, "incident", actor=actor_name(event), note=f"Bỏ sự cố #{incident.id}"
            )
        await self.d.board.schedule_edit(session, incident, now)
        self.say(event, out, I.DISMISSED.format(id=incident.id, actor=actor_name(event), released=released))

    async def _tach(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        case = await self._thread_case(session, event, rest)
        if case is None:
            self.say(event, out, I.NEED_CODE.format(command="suco tach"))
            return
        incident = await session.get(Incident, case.incident_id) if case.incident_id is not None else None
        if incident is None or incident.status not in ("detected", "open"):
            self.say(event, out, I.NOT_LINKED.format(code=case.code))
            return
        now = self.d.clock()
        await self.d.board.release(session, [case], now)
        case.incident_id = None
        await repo.add_event(
            session, case, "incident", actor=actor_name(event), note=f"Tách khỏi sự cố #{incident.id}"
        )
        await self.d.board.schedule_edit(session, incident, now)
        self.say(event, out, I.UNLINKED.format(code=case.code, id=incident.id, actor=actor_name(event)))

    async def _gop(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        ids = [parse_id(token.lstrip("#")) for token in rest.split()[:2]]
        if len(ids) != 2 or None in ids or ids[0] == ids[1]:
            self.say(event, out, I.MERGE_USAGE)
            return
        target, source = [await session.get(Incident, i) for i in ids]
        for incident, number in ((target, ids[0]), (source, ids[1])):
            if incident is None or incident.status not in ("detected", "open"):
                self.say(event, out, I.NOT_FOUND.format(id=number))
                return
        assert target is not None and source is not None
        now = self.d.clock()
        moved = await self.d.move_cases(session, source, target, now)
        source.status, source.merged_into, source.closed_at, source.holding = "merged", target.id, now, False
        for incident in (target, source):
            await self.d.board.schedule_edit(session, incident, now)
        self.say(
            event, out, I.MERGED.format(id=target.id, other=source.id, actor=actor_name(event), moved=moved)
        )

    async def _tat(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        incident = await self.pick(session, event, out, rest.split(" ")[0], "tat")
        if incident is None:
            return
        now = self.d.clock()
        incident.holding = False
        released = await self.d.board.release(
            session, await self.d.board.held_cases(session, incident.id or 0), now
        )
        await self.d.board.schedule_edit(session, incident, now)
        self.say(event, out, I.MODE_OFF.format(id=incident.id, actor=actor_name(event), released=released))

    async def _bat(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        incident = await self.pick(session, event, out, rest.split(" ")[0], "bat")
        if incident is None:
            return
        incident.holding = True
        await self.d.board.schedule_edit(session, incident, self.d.clock())
        self.say(event, out, I.MODE_ON.format(id=incident.id, actor=actor_name(event)))

    # -- /xem and the card's buttons ------------------------------------------------------

    async def show_command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        code = find_code(event.args)
        if not code:
            self.say(event, out, I.NEED_CODE.format(command="xem"))
            return
        case = await repo.case_by_code(session, code)
        if case is None:
            self.say(event, out, I.CASE_NOT_FOUND.format(code=code))
            return
        await self._show(session, event, out, case)

    async def show_button(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], arg: str
    ) -> None:
        case_id = parse_id(arg)
        case = await session.get(Case, case_id) if case_id is not None else None
        if case is not None:
            await self._show(session, event, out, case)

    async def _show(self, session: AsyncSession, event: Incoming, out: list[Outgoing], case: Case) -> None:
        """Open a held case: its card (and what followed) is posted now; it stays linked."""
        if not case.incident_held:
            self.say(event, out, I.SHOWN_ALREADY.format(code=case.code))
            return
        now = self.d.clock()
        await self.d.board.release(session, [case], now)
        await repo.add_event(session, case, "incident", actor=actor_name(event), note="Mở từ thẻ sự cố")
        incident = await session.get(Incident, case.incident_id) if case.incident_id is not None else None
        if incident is not None:
            await self.d.board.schedule_edit(session, incident, now)
        self.say(event, out, I.SHOWN.format(code=case.code, id=case.incident_id))


async def active_listing(desk: IncidentDesk, session: AsyncSession) -> str:
    """The incidents being followed, one line each (for /suco and when a subcommand needs a pick)."""
    active = await desk.active(session)
    if not active:
        return ""
    counts = dict(
        (
            await session.exec(
                select(Case.incident_id, func.count())  # type: ignore[call-overload]
                .where(col(Case.incident_id).in_([i.id for i in active]))
                .group_by(col(Case.incident_id))
            )
        ).all()
    )
    lines = ["🚨 Sự cố đang theo dõi:"]
    for incident in active:
        since = aware(incident.opened_at or incident.detected_at).astimezone(desk.queue.tz)
        state = (
            f"ĐANG MỞ từ {since:%H:%M %d/%m}"
            if incident.status == "open"
            else f"PHÁT HIỆN lúc {since:%H:%M %d/%m}, chưa mở"
        )
        line = (
            f"#{incident.id} · {desk.subject(incident.key)} · {state} · {counts.get(incident.id, 0)} phản ánh"
        )
        if incident.notice:
            line += f"\n   Thông báo: {shorten(incident.notice, 200)}"
        lines.append(line)
    return "\n".join(lines)
