"""Incidents in practice: detection on every new case, ``/suco`` for staff, notices to reporters.

Life of an incident (``Incident.status``):

* ``detected`` — :func:`handlers.incidents.detect_incidents` found a burst for a key
  (``topic:<faq topic>`` or ``system:<system>``); the group was alerted once and the burst's
  cases were linked (``Case.incident_id``). Later cases of the same burst are linked silently.
  The same key is alerted again only when that incident is closed, or *quiet* (no linked
  report for ``quiet`` minutes): then a new burst is a new incident.
* ``open`` — staff announced it (``/suco mo <thông báo>``): every linked reporter with an open
  case is told at once that the problem is known, and so is everyone who reports the same topic
  (or, for a system-wide incident, the same system) afterwards.
* ``closed`` — ``/suco dong <kết quả>``: every linked reporter is told it is fixed and their open
  cases are resolved (audited with ``repo.set_status``, rating requested as for any resolution).

Reporters learn about an incident only when staff open it: a detection is a suspicion.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import texts as T
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.incidents import (
    IncidentCandidate,
    IncidentRule,
    ReportSignal,
    detect_incidents,
    format_incident_alert_vi,
    incident_key,
)
from handlers.language import case_texts, rating_choices_in
from handlers.lookup import CODE_PATTERN, find_code
from handlers.queue import Queue
from handlers.services import FaqStage
from handlers.staff import StaffDesk, actor_name
from handlers.textutil import fold, parse_id, shorten
from storage import repo
from storage.models import Case, CaseMessage, CaseStatus, Conversation, Incident, Reporter

__all__ = ["IncidentConfig", "IncidentDesk", "case_incident_key"]

log = logging.getLogger(__name__)

DETECTED, OPEN, CLOSED = "detected", "open", "closed"

USAGE = (
    "🚨 Cách dùng /suco:\n"
    "• /suco → các sự cố đang theo dõi\n"
    "• /suco mo <thông báo> (trong chủ đề của một phản ánh) → mở sự cố theo chủ đề/hệ thống của phản ánh đó\n"
    "• /suco mo <mã chủ đề hoặc hệ thống> <thông báo> → ví dụ: /suco mo vneid VNeID đang bảo trì, "
    "dự kiến hoạt động lại lúc 10:00\n"
    "• /suco dong [số sự cố] <kết quả> → đóng sự cố, báo tất cả người phản ánh liên quan\n"
    "Mã hệ thống: " + ", ".join(T.SYSTEMS)
)
NEED_SUBJECT = (
    "Chưa rõ sự cố về chủ đề hay hệ thống nào. Dùng lệnh trong chủ đề của một phản ánh, hoặc ghi mã.\n\n"
    + USAGE
)
NEED_NOTICE = "Bạn ghi kèm thông báo gửi người phản ánh giúp mình: /suco mo {value} <thông báo>"
NEED_RESULT = "Bạn ghi kèm kết quả khắc phục giúp mình: /suco dong {ref}<kết quả>"
ALREADY_OPEN = "Sự cố #{id} về {subject} đang mở (thông báo: {notice}). Đóng bằng: /suco dong {id} <kết quả>"
OPENED = (
    "📢 Đã mở sự cố #{id} về {subject} (bởi {actor}).\n"
    "Đã báo cho {told} người phản ánh; {linked} phản ánh gắn với sự cố. "
    "Ai phản ánh cùng nội dung từ giờ sẽ được báo ngay.\n"
    "Khi khắc phục xong: /suco dong {id} <kết quả>"
)
CLOSED_TEXT = (
    "✅ Đã đóng sự cố #{id} về {subject} (bởi {actor}). Kết quả: {result}\n"
    "{resolved} phản ánh chuyển sang Đã giải quyết; đã báo {told} người phản ánh."
)
NOT_FOUND = "Không tìm thấy sự cố #{id} đang theo dõi."
WHICH = "Đang có nhiều sự cố, bạn ghi số sự cố cần đóng: /suco dong <số> <kết quả>\n\n{listing}"
NONE_OPEN = "Không có sự cố nào đang theo dõi.\n\n" + USAGE
THREAD_LINKED = (
    "🔗 Phản ánh {code} gắn với sự cố #{id} ({subject}) đang mở; đã gửi thông báo chung cho người phản ánh."
)
ALERT_FOOTER = "Sự cố #{id}. Mở sự cố để báo ngay cho người phản ánh: /suco mo {value} <thông báo>"
# What reporters are told (texts.INCIDENT_KNOWN, INCIDENT_FIXED, INCIDENT_FIXED_INFO) is in
# handlers/texts.py and texts_en.py, in the reporter's language.


@dataclass
class IncidentConfig:
    enabled: bool = True
    rule: IncidentRule = field(default_factory=IncidentRule)
    quiet: timedelta = timedelta(minutes=120)


def case_incident_key(case: Case) -> str | None:
    """The detection key of a case: its FAQ topic when it has one, else its system."""
    return incident_key(ReportSignal(case.code, case.created_at, case.unit_code, case.system, case.faq_topic))


def _matches(key: str) -> ColumnElement[bool]:
    """SQL condition: the cases an incident with ``key`` is about.

    A topic incident covers that topic; a system incident covers every report on the system
    (when VNeID is down, people describe it in many ways).
    """
    kind, _, value = key.partition(":")
    return col(Case.faq_topic) == value if kind == "topic" else col(Case.system) == value


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


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
        self.queue = queue
        self.faq = faq
        self.desk = desk
        self.config = config or IncidentConfig()
        self.rating_choices = rating_choices
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- labels --------------------------------------------------------------------------

    def subject(self, key: str, t: ModuleType = T) -> str:
        """What an incident is about, for staff (`t` the reporter's texts, for a reporter)."""
        kind, _, value = key.partition(":")
        if kind == "topic":
            view = self.faq.topic(value)
            return str(t.INCIDENT_SUBJECT_TOPIC.format(title=view.title if view else value))
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

    async def _lock(self, session: AsyncSession, key: str) -> None:
        """One transaction at a time per key on PostgreSQL, so one burst gives one alert.

        SQLite has a single writer: a second transaction that read before the first one wrote
        fails and is retried by the application (Application.receive).
        """
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            lock = zlib.crc32(f"incident:{key}".encode())
            await session.exec(select(func.pg_advisory_xact_lock(lock)))  # type: ignore[call-overload]

    async def _latest(self, session: AsyncSession, key: str, *statuses: str) -> Incident | None:
        statement = (
            select(Incident)
            .where(Incident.key == key, col(Incident.status).in_(statuses))
            .order_by(col(Incident.id).desc())
        )
        return (await session.exec(statement)).first()

    async def _open_incident_for(self, session: AsyncSession, case: Case) -> Incident | None:
        """The open incident a new case belongs to: its topic's first, else its system's."""
        keys = [
            f"topic:{case.faq_topic}" if case.faq_topic else None,
            f"system:{case.system}" if case.system else None,
        ]
        for key in keys:
            if key is not None and (incident := await self._latest(session, key, OPEN)) is not None:
                return incident
        return None

    async def _quiet(self, session: AsyncSession, incident: Incident, now: datetime) -> bool:
        statement = select(func.max(Case.created_at)).where(Case.incident_id == incident.id)
        last = (await session.exec(statement)).first() or incident.detected_at
        return _aware(last) < _aware(now) - self.config.quiet

    async def _signals(self, session: AsyncSession, now: datetime) -> list[ReportSignal]:
        """Recent reports, without those already settled by a closed incident (so closing an
        incident does not set the same reports off again)."""
        since = _aware(now) - self.config.rule.window
        rows = (
            await session.exec(
                select(
                    Case.code, Case.created_at, Case.unit_code, Case.system, Case.faq_topic, Case.incident_id
                ).where(  # type: ignore[call-overload]
                    col(Case.created_at) > since
                )
            )
        ).all()
        linked = {row[5] for row in rows if row[5] is not None}
        closed: set[int] = set()
        if linked:
            statement = select(Incident.id).where(col(Incident.id).in_(linked), Incident.status == CLOSED)
            closed = {i for i in (await session.exec(statement)).all() if i is not None}
        return [
            ReportSignal(code, at, unit, system, topic)
            for code, at, unit, system, topic, inc in rows
            if inc not in closed
        ]

    async def _link_codes(self, session: AsyncSession, incident: Incident, codes: list[str]) -> None:
        await session.exec(
            update(Case)  # type: ignore[call-overload]
            .where(col(Case.code).in_(codes), col(Case.incident_id).is_(None))
            .values(incident_id=incident.id)
        )

    # -- new case ------------------------------------------------------------------------

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        """Case listener: link to an open incident and tell the reporter, or detect a burst.

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
        await self._lock(session, key)
        now = case.created_at
        incident = await self._open_incident_for(session, case)
        if incident is not None:
            return await self._link_and_tell(session, incident, case, actor="bot", in_thread=True)
        if not self.config.enabled:
            return []
        signals = await self._signals(session, now)
        # Reports of concurrent transactions may carry a time a few milliseconds after this
        # one's and still have committed first (PostgreSQL serialises detection per key, not by
        # time): judge the burst as of the latest report visible, so none of them is left out.
        now = max([_aware(now), *(_aware(signal.created_at) for signal in signals)])
        candidate = next((c for c in detect_incidents(signals, now, self.config.rule) if c.key == key), None)
        if candidate is None:
            return []
        detected = await self._latest(session, key, DETECTED)
        if detected is not None and not await self._quiet(session, detected, now):
            await self._link_codes(session, detected, candidate.case_codes)  # the same burst goes on
            return []
        incident = Incident(key=key, status=DETECTED, detected_at=now)
        session.add(incident)
        await session.flush()
        await self._link_codes(session, incident, candidate.case_codes)
        text = format_incident_alert_vi(
            candidate, self._unit_names(candidate.unit_codes), self._topic_labels(candidate), tz=self.queue.tz
        )
        text = f"{text}\n{ALERT_FOOTER.format(id=incident.id, value=candidate.value)}"
        alert = self.queue.to_group(Reply(text), purpose="incident")
        return [alert] if alert else []

    async def _link_and_tell(
        self, session: AsyncSession, incident: Incident, case: Case, *, actor: str, in_thread: bool
    ) -> list[Outgoing]:
        case.incident_id = incident.id
        out: list[Outgoing] = []
        if case.status not in CaseStatus.OPEN:
            return out
        subject = self.subject(incident.key)
        await repo.add_event(
            session, case, "incident", actor=actor, note=f"Sự cố #{incident.id}: {incident.notice or ''}"
        )
        t = await case_texts(session, case)
        text = t.INCIDENT_KNOWN.format(subject=self.subject(incident.key, t), notice=incident.notice or "", code=case.code)
        out.append(self.queue.to_reporter(case, Reply(text, language=t.LANGUAGE), purpose="notice"))
        if in_thread:
            note = self.queue.to_thread(
                case, Reply(THREAD_LINKED.format(code=case.code, id=incident.id, subject=subject))
            )
            if note is not None:
                out.append(note)
        return out

    # -- /suco ---------------------------------------------------------------------------

    async def command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """StaffDesk handler for ``/suco`` (staff authorisation already checked)."""
        args = event.args.strip()
        head, _, rest = args.partition(" ")
        verb = fold(head)
        if verb in ("", "ds", "danhsach"):
            self._say(event, out, await self._listing(session) or NONE_OPEN)
        elif verb == "mo":
            await self._open(session, event, out, rest.strip())
        elif verb == "dong":
            await self._close(session, event, out, rest.strip())
        else:
            self._say(event, out, USAGE)

    def _say(self, event: Incoming, out: list[Outgoing], text: str) -> None:
        out.append(
            Outgoing(event.channel, event.chat_id, Reply(text), thread_id=event.thread_id, purpose="staff")
        )

    def _explicit_key(self, token: str) -> str | None:
        kind, sep, value = token.partition(":")
        if sep and kind in ("topic", "system"):
            token = value
        if token in T.SYSTEMS and kind != "topic":
            return f"system:{token}"
        if self.faq.topic(token) is not None:
            return f"topic:{token}"
        return None

    async def _thread_case(self, session: AsyncSession, event: Incoming, text: str) -> Case | None:
        code = find_code(text)
        if code:
            return await repo.case_by_code(session, code)
        return await self.desk.case_of_thread(session, event)

    async def _open(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        now = self.clock()
        first, _, after = rest.partition(" ")
        key = self._explicit_key(first) if first else None
        case: Case | None = None
        if key is not None:
            notice = after.strip()
        else:
            notice = rest
            case = await self._thread_case(session, event, rest)
            if case is not None:
                notice = CODE_PATTERN.sub("", rest, count=1).strip()
                key = case_incident_key(case)
        if key is None:
            self._say(event, out, NEED_SUBJECT)
            return
        if not notice:
            self._say(event, out, NEED_NOTICE.format(value=key.partition(":")[2]))
            return
        await self._lock(session, key)
        existing = await self._latest(session, key, OPEN)
        if existing is not None:
            self._say(
                event,
                out,
                ALREADY_OPEN.format(
                    id=existing.id, subject=self.subject(key), notice=shorten(existing.notice or "", 300)
                ),
            )
            return
        incident = await self._latest(session, key, DETECTED)
        if incident is None or await self._quiet(session, incident, now):
            incident = Incident(key=key, status=DETECTED, detected_at=now)
            session.add(incident)
            await session.flush()
        actor = actor_name(event)
        incident.status = OPEN
        incident.notice = notice
        incident.opened_by = actor
        incident.opened_at = now
        # The burst already linked to it, and recent open reports of the same kind nobody linked.
        recent = _aware(now) - self.config.quiet
        statement = select(Case).where(
            or_(
                col(Case.incident_id) == incident.id,
                and_(
                    _matches(key),
                    col(Case.incident_id).is_(None),
                    col(Case.created_at) >= recent,
                    col(Case.status).in_(CaseStatus.OPEN),
                ),
            )
        )
        cases = list((await session.exec(statement.order_by(col(Case.created_at)))).all())
        if (
            case is not None
            and case.incident_id in (None, incident.id)
            and all(c.id != case.id for c in cases)
        ):
            cases.append(case)
        told = 0
        for linked in cases:
            sent = await self._link_and_tell(session, incident, linked, actor=actor, in_thread=False)
            told += bool(sent)
            out.extend(sent)
        self._say(
            event,
            out,
            OPENED.format(
                id=incident.id, subject=self.subject(key), actor=actor, told=told, linked=len(cases)
            ),
        )

    async def _close(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        now = self.clock()
        first, _, after = rest.partition(" ")
        incident: Incident | None = None
        ref = ""
        if (incident_id := parse_id(first.lstrip("#"))) is not None:
            incident = await session.get(Incident, incident_id)
            if incident is None or incident.status == CLOSED:
                self._say(event, out, NOT_FOUND.format(id=first.lstrip("#")))
                return
            result, ref = after.strip(), f"{incident.id} "
        elif first and (key := self._explicit_key(first)) is not None:
            incident = await self._latest(session, key, OPEN, DETECTED)
            if incident is None:
                self._say(event, out, NONE_OPEN)
                return
            result, ref = after.strip(), f"{first} "
        else:
            result = rest
            case = await self.desk.case_of_thread(session, event)
            if case is not None:
                if case.incident_id is not None:
                    linked = await session.get(Incident, case.incident_id)
                    incident = linked if linked is not None and linked.status != CLOSED else None
                key = case_incident_key(case)
                if incident is None and key is not None:
                    incident = await self._latest(session, key, OPEN)
            if incident is None:
                active = await self._active(session)
                if not active:
                    self._say(event, out, NONE_OPEN)
                    return
                if len(active) > 1:
                    self._say(event, out, WHICH.format(listing=await self._listing(session)))
                    return
                incident = active[0]
        if not result:
            self._say(event, out, NEED_RESULT.format(ref=ref))
            return
        actor = actor_name(event)
        incident.status = CLOSED
        incident.result = result
        incident.closed_at = now
        subject = self.subject(incident.key)
        cases = (
            await session.exec(
                select(Case).where(Case.incident_id == incident.id).order_by(col(Case.created_at))
            )
        ).all()
        told: set[int] = set()
        resolved = 0
        for case in cases:
            assert case.id is not None
            if case.status in CaseStatus.OPEN:
                await self._resolve(session, case, incident, result, actor, now, subject)
                resolved += 1
                told.add(case.reporter_id)
                t = await case_texts(session, case)
                reply = Reply(
                    t.INCIDENT_FIXED.format(subject=self.subject(incident.key, t), result=result, code=case.code),
                    rating_choices_in(t, self.rating_choices(case)),
                    language=t.LANGUAGE,
                )
                out.append(self.queue.to_reporter(case, reply, purpose="rating_request"))
            elif case.reporter_id not in told:
                told.add(case.reporter_id)
                t = await case_texts(session, case)
                text = t.INCIDENT_FIXED_INFO.format(subject=self.subject(incident.key, t), code=case.code, result=result)
                out.append(self.queue.to_reporter(case, Reply(text, language=t.LANGUAGE), purpose="notice"))
        self._say(
            event,
            out,
            CLOSED_TEXT.format(
                id=incident.id,
                subject=subject,
                actor=actor,
                result=shorten(result, 500),
                resolved=resolved,
                told=len(told),
            ),
        )

    async def _resolve(
        self,
        session: AsyncSession,
        case: Case,
        incident: Incident,
        result: str,
        actor: str,
        now: datetime,
        subject: str,
    ) -> None:
        assert case.id is not None
        case.resolution = result
        case.rating = None
        if case.first_response_at is None:
            case.first_response_at = now
        await repo.set_status(
            session,
            case,
            CaseStatus.RESOLVED,
            actor=actor,
            note=f"Sự cố #{incident.id} đã khắc phục: {result}",
        )
        StaffDesk.touch(case)
        session.add(
            CaseMessage(
                case_id=case.id,
                direction="out",
                author=actor,
                text=f"Sự cố chung về {subject} đã khắc phục: {result}",
            )
        )
        # Text-menu channels (Zalo) answer the rating with "1/2/3": an idle reporter is put on the
        # rating step, as StaffDesk does for a single resolution.
        reporter = await session.get(Reporter, case.reporter_id)
        if reporter is None:
            return
        conversation = (
            await session.exec(
                select(Conversation).where(
                    Conversation.channel == case.channel, Conversation.user_id == reporter.external_id
                )
            )
        ).first()
        if conversation is not None and conversation.step in ("idle", "new"):
            conversation.step = "rating"
            conversation.data = {"rating_case_id": case.id}

    async def _active(self, session: AsyncSession) -> list[Incident]:
        statement = (
            select(Incident).where(col(Incident.status).in_((OPEN, DETECTED))).order_by(col(Incident.id))
        )
        return list((await session.exec(statement)).all())

    async def _listing(self, session: AsyncSession) -> str:
        active = await self._active(session)
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
            since = _aware(incident.opened_at or incident.detected_at).astimezone(self.queue.tz)
            state = (
                f"ĐANG MỞ từ {since:%H:%M %d/%m}"
                if incident.status == OPEN
                else f"PHÁT HIỆN lúc {since:%H:%M %d/%m}, chưa mở"
            )
            linked = counts.get(incident.id, 0)
            line = f"#{incident.id} · {self.subject(incident.key)} · {state} · {linked} phản ánh"
            if incident.notice:
                line += f"\n   Thông báo: {shorten(incident.notice, 200)}"
            lines.append(line)
        return "\n".join(lines)
