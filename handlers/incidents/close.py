"""``/suco dong``: what closing an incident will resolve is shown first, then confirmed (issue #23).

Only the cases still linked when staff confirm are resolved, and a case someone is handling
only when the person confirming is its assignee (they agree); the others get a line in their
topic and their reporter hears the incident is fixed. Each resolved case's topic gets a line.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen.language import case_texts, rating_choices_in
from handlers.events import Choice, Incoming, Outgoing, Reply
from handlers.incidents import texts as I
from handlers.staff.desk import StaffDesk, actor_name, is_assignee
from handlers.textutil import parse_id, shorten
from storage import repo
from storage.models import Case, CaseMessage, CaseStatus, Incident

if TYPE_CHECKING:
    from handlers.incidents.commands import IncidentCommands

CLOSE_BUTTON = "sucodong"


def listed(items: list[str], limit: int = 30) -> str:
    if not items:
        return "—"
    more = f" và {len(items) - limit} phản ánh khác" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


class IncidentClosing:
    def __init__(self, commands: IncidentCommands) -> None:
        self.c = commands
        self.d = commands.d

    # -- /suco dong: preview, then confirmation ----------------------------------------------

    async def preview(self, session: AsyncSession, event: Incoming, out: list[Outgoing], rest: str) -> None:
        first, _, after = rest.partition(" ")
        # "/suco dong 3 <kết quả>" or "/suco dong vneid <kết quả>"; else the result is all of it.
        numbered = parse_id(first.lstrip("#")) is not None or self.c.explicit_key(first) is not None
        incident = await self.c.pick(session, event, out, first if numbered else "", "dong")
        if incident is None:
            return
        result = after.strip() if numbered else rest
        if not result:
            self.c.say(event, out, I.NEED_RESULT.format(ref=f"{incident.id} "))
            return
        incident.result = result  # the draft the confirmation will use
        cases = [c for c in await self.c.linked(session, incident) if c.status in CaseStatus.OPEN]
        from handlers.incidents.desk import handled

        free = [c.code for c in cases if not handled(c)]
        kept = [f"{c.code} ({c.assignee_name or 'đã nhận'})" for c in cases if handled(c)]
        text = I.CLOSE_PREVIEW.format(
            id=incident.id,
            subject=self.d.subject(incident.key),
            result=shorten(result, 500),
            count=len(free),
            codes=listed(free),
            handled=I.CLOSE_HANDLED.format(count=len(kept), codes=listed(kept)) if kept else "",
        )
        button = Choice(f"staff:{CLOSE_BUTTON}:{incident.id}", I.BUTTON_CONFIRM_CLOSE.format(id=incident.id))
        self.c.say(event, out, text, [button])

    async def button(self, session: AsyncSession, event: Incoming, out: list[Outgoing], arg: str) -> None:
        incident = await self.c.pick(session, event, out, arg, "xacnhan")
        if incident is not None:
            await self.close(session, event, out, incident)

    async def close(
        self, session: AsyncSession, event: Incoming, out: list[Outgoing], incident: Incident
    ) -> None:
        """Resolve the cases still linked now; a case someone handles only if it is the confirmer's."""
        from handlers.incidents.desk import handled

        d, now, actor = self.d, self.d.clock(), actor_name(event)
        result = incident.result
        if not result:
            self.c.say(event, out, I.NO_PREVIEW.format(id=incident.id))
            return
        incident.status, incident.closed_at = "closed", now
        subject = d.subject(incident.key)
        told: set[int] = set()
        resolved, kept = 0, []
        for case in await self.c.linked(session, incident):
            t = await case_texts(session, case)
            fixed_subject = d.subject(incident.key, t)
            if case.status in CaseStatus.OPEN and (not handled(case) or is_assignee(case, event)):
                await self._resolve(session, case, incident, result, actor, now, subject)
                resolved += 1
                told.add(case.reporter_id)
                reply = Reply(
                    t.INCIDENT_FIXED.format(subject=fixed_subject, result=result, code=case.code),
                    rating_choices_in(t, d.rating_choices(case)),
                    language=t.LANGUAGE,
                )
                out.append(d.queue.to_reporter(case, reply, purpose="rating_request"))
                line = I.THREAD_RESOLVED.format(code=case.code, id=incident.id, result=shorten(result, 300))
            elif case.status in CaseStatus.OPEN:
                kept.append(case.code)
                line = I.THREAD_KEPT.format(
                    id=incident.id,
                    result=shorten(result, 300),
                    code=case.code,
                    assignee=case.assignee_name or "người khác",
                )
            else:
                line = ""
            if line and not case.incident_held:
                note = d.queue.to_thread(case, Reply(line))
                out += [note] if note is not None else []
            if case.reporter_id not in told:  # kept or already settled: told once, nothing resolved
                told.add(case.reporter_id)
                info = t.INCIDENT_FIXED_INFO.format(subject=fixed_subject, code=case.code, result=result)
                out.append(d.queue.to_reporter(case, Reply(info, language=t.LANGUAGE), purpose="notice"))
        await d.board.schedule_edit(session, incident, now)
        text = I.CLOSED_TEXT.format(
            id=incident.id,
            subject=subject,
            actor=actor,
            result=shorten(result, 500),
            resolved=resolved,
            told=len(told),
        )
        self.c.say(
            event, out, text + (I.CLOSED_KEPT.format(count=len(kept), codes=listed(kept)) if kept else "")
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
            case.first_response_at = self.d.clock()
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
        # Text-menu channels (Zalo) answer the rating with "1/2/3", as after a single resolution.
        await self.d.desk.expect_rating(session, case)
