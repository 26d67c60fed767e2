"""Per-staff figures from the actor recorded on each action (audit events and answers sent).

Over the cases received in the period, as every figure (handlers.reports.figures):

* taken: cases the person was assigned (/nhan, /giao, or answering a case nobody had);
* resolved: cases whose last resolution (/dong, an incident closed) was the person's;
* on time / late: of those, by the case's resolution due time;
* first response: cases whose first staff answer (a reply, /chobosung, /dong) was the person's,
  with the case's first-response time in working hours.

An action whose actor was not recorded cannot be put on anyone: it is counted, and the cases it
leaves without a resolver or first responder go on a "Không rõ người thực hiện" row, so the
sheet says how much of the work it cannot attribute instead of silently undercounting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handlers.reports.figures import due_state, first_response_hours, is_resolved, percentile
from handlers.reports.labels import NON_STAFF_ACTORS, UNKNOWN_ACTOR_LABEL
from handlers.reports.records import ActionRecord, CaseRecord
from handlers.schedule.worktime import WorkCalendar
from storage.models import aware

# Statuses a staff member sets when answering: asking the reporter, resolving.
_ANSWER_STATUSES = frozenset({"cho_nguoi_phan_anh", "da_giai_quyet"})


@dataclass
class StaffRow:
    name: str
    taken: int = 0
    resolved: int = 0
    on_time: int = 0
    late: int = 0
    first_response_hours: list[float] = field(default_factory=list)

    @property
    def on_time_share(self) -> float | None:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def first_responses(self) -> int:
        return len(self.first_response_hours)

    @property
    def first_response_median(self) -> float | None:
        return percentile(self.first_response_hours, 50)

    @property
    def empty(self) -> bool:
        return not (self.taken or self.resolved or self.first_responses)


@dataclass
class StaffFigures:
    rows: list[StaffRow]
    # Cases whose resolver or first responder is not known (no actor recorded).
    unknown: StaffRow
    # Staff actions on the period's cases recorded without an actor.
    actions_without_actor: int

    @property
    def complete(self) -> bool:
        return self.actions_without_actor == 0 and self.unknown.empty


def _staff(actor: str | None) -> str | None:
    """The staff member who acted, or None (not recorded, or the reporter/the bot)."""
    actor = (actor or "").strip()
    return actor if actor and actor.lower() not in NON_STAFF_ACTORS else None


def _missing_actor(action: ActionRecord) -> bool:
    if (action.actor or "").strip():
        return False
    return action.kind in ("assigned", "reply") or action.to_status is not None


def staff_figures(
    period: Sequence[CaseRecord], actions: Iterable[ActionRecord], calendar: WorkCalendar, as_of: datetime
) -> StaffFigures:
    codes = {c.code for c in period}
    by_case: dict[str, list[ActionRecord]] = defaultdict(list)
    for a in actions:
        if a.case_code in codes:
            by_case[a.case_code].append(a)
    rows: dict[str, StaffRow] = {}
    unknown = StaffRow(UNKNOWN_ACTOR_LABEL)

    def row(name: str | None) -> StaffRow:
        # Telegram @names are case-insensitive: "/giao @Lan" and Lan's own "/nhan" are one person.
        return unknown if name is None else rows.setdefault(name.lower(), StaffRow(name))

    missing = 0
    for case in period:
        acts = sorted(by_case.get(case.code, []), key=lambda a: aware(a.at))
        missing += sum(1 for a in acts if _missing_actor(a))
        takers = {
            who.lower(): who for a in acts if a.kind == "assigned" and (who := _staff(a.note or a.actor))
        }
        if not takers and (assignee := _staff(case.assignee)):
            takers = {assignee.lower(): assignee}  # the assignee stored on the case, when no event says more
        for name in takers.values():
            row(name).taken += 1
        if is_resolved(case):
            resolutions = [a for a in acts if a.kind == "status" and a.to_status == "da_giai_quyet"]
            resolver = row(_staff(resolutions[-1].actor) if resolutions else None)
            resolver.resolved += 1
            state = due_state(case, as_of)
            resolver.on_time += state == "on_time"
            resolver.late += state == "late"
        hours = first_response_hours(case, calendar)
        if hours is not None:
            answers = [
                a
                for a in acts
                if a.kind == "reply" or (a.kind == "status" and a.to_status in _ANSWER_STATUSES)
            ]
            row(_staff(answers[0].actor) if answers else None).first_response_hours.append(hours)
    ordered = sorted(rows.values(), key=lambda r: (-r.resolved, -r.taken, r.name.lower()))
    return StaffFigures(ordered, unknown, missing)


def missing_actor_note_vi(figures: StaffFigures) -> str | None:
    """One sentence for the sheet when part of the work cannot be attributed, else None."""
    if figures.complete:
        return None
    parts = []
    if figures.actions_without_actor:
        parts.append(f"{figures.actions_without_actor} thao tác không ghi người thực hiện")
    if figures.unknown.resolved:
        parts.append(f"{figures.unknown.resolved} phản ánh đã giải quyết không rõ người giải quyết")
    if figures.unknown.first_responses:
        parts.append(f"{figures.unknown.first_responses} phản ánh không rõ người phản hồi đầu tiên")
    return "Lưu ý: " + "; ".join(parts) + ". Số liệu theo cán bộ có thể thấp hơn thực tế."
