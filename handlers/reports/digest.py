"""The morning digest for the staff group: new since the last digest, open, overdue, due soon,
escalated, and the load of each assignee (plain text, fits one Telegram message)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from handlers.reports.labels import (
    OPEN_STATUSES,
    STATUS_LABELS_VI,
    STATUSES,
    UNASSIGNED_LABEL,
    UNKNOWN_LABEL,
    Labels,
)
from handlers.reports.numbers import number_vi
from handlers.reports.records import CaseRecord
from handlers.reports.text import fit
from handlers.schedule.worktime import WorkCalendar, format_deadline_vi
from storage.models import aware


@dataclass
class DigestItem:
    code: str
    created_at: datetime
    unit_name: str
    system_label: str
    status_label: str
    assignee: str | None
    resolution_due: datetime | None
    # Working hours past the due time (0 when it passed outside office hours); None if not overdue.
    overdue_hours: float | None
    escalated: bool


@dataclass
class AssigneeLoad:
    assignee: str | None
    label: str
    open: int
    overdue: int


@dataclass
class Digest:
    now: datetime
    since: datetime
    new_cases: list[DigestItem]
    open_count: int
    open_by_status: dict[str, int]
    overdue: list[DigestItem]
    due_soon: list[DigestItem]
    escalated: list[DigestItem]
    by_assignee: list[AssigneeLoad]


def build_digest(
    cases: Iterable[CaseRecord],
    now: datetime,
    calendar: WorkCalendar,
    *,
    since: datetime | None = None,
    soon_hours: float = 7.5,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> Digest:
    """Morning digest as of ``now``.

    ``since`` (what counts as new) defaults to the same clock time on the previous working
    day, so Monday's digest covers the weekend and the day after Tết covers all of Tết. If
    the digest is sent on other days too, pass the time of the previous digest instead.
    ``due_soon`` = open, not yet overdue, due within ``soon_hours`` working hours.
    """
    lab = Labels(labels)
    now_local = calendar.to_local(now)
    if since is None:
        prev = calendar.working_days_ahead(now_local.date(), -1)
        since = datetime.combine(prev, now_local.timetz())
    since = calendar.to_local(since)

    def item(c: CaseRecord) -> DigestItem:
        due = calendar.to_local(c.resolution_due) if c.resolution_due else None
        overdue = due is not None and c.status in OPEN_STATUSES and now_local > due
        return DigestItem(
            code=c.code,
            created_at=calendar.to_local(c.created_at),
            unit_name=c.unit_name or c.unit_code or UNKNOWN_LABEL,
            system_label=lab.system(c.system),
            status_label=lab.status(c.status),
            assignee=c.assignee,
            resolution_due=due,
            overdue_hours=calendar.working_hours_between(due, now_local) if overdue and due else None,
            escalated=c.escalated,
        )

    all_cases = list(cases)
    new = [item(c) for c in all_cases if since <= aware(c.created_at) <= now_local]
    open_items = [item(c) for c in all_cases if c.status in OPEN_STATUSES]
    overdue = sorted(
        (i for i in open_items if i.overdue_hours is not None), key=lambda i: i.resolution_due or now_local
    )
    due_soon = sorted(
        (
            i
            for i in open_items
            if i.overdue_hours is None
            and i.resolution_due is not None
            and calendar.working_hours_between(now_local, i.resolution_due) <= soon_hours
        ),
        key=lambda i: i.resolution_due or now_local,
    )
    loads: dict[str | None, AssigneeLoad] = {}
    for i in open_items:
        load = loads.setdefault(i.assignee, AssigneeLoad(i.assignee, i.assignee or UNASSIGNED_LABEL, 0, 0))
        load.open += 1
        load.overdue += i.overdue_hours is not None
    status_counts = Counter(c.status for c in all_cases if c.status in OPEN_STATUSES)
    return Digest(
        now=now_local,
        since=since,
        new_cases=sorted(new, key=lambda i: i.created_at),
        open_count=len(open_items),
        open_by_status={s: status_counts[s] for s in STATUSES if s in OPEN_STATUSES},
        overdue=overdue,
        due_soon=due_soon,
        escalated=[i for i in open_items if i.escalated],
        # Unassigned first: those are the ones nobody is looking at.
        by_assignee=sorted(loads.values(), key=lambda a: (a.assignee is not None, -a.open, a.label)),
    )


def _item_lines(items: Sequence[DigestItem], kind: str, max_items: int) -> list[str]:
    lines = []
    for i in items[:max_items]:
        if kind == "overdue":
            # A due time passed after closing time is overdue by 0 working hours: say so plainly.
            hours = i.overdue_hours or 0
            tail = f"quá hạn {number_vi(hours)} giờ làm việc" if hours >= 0.05 else "đã quá hạn"
        elif kind == "due":
            tail = f"hạn {format_deadline_vi(i.resolution_due)}" if i.resolution_due else ""
        else:
            tail = i.status_label
        who = f" · {i.assignee}" if i.assignee else ""
        lines.append(f"- {i.code} · {i.unit_name} · {i.system_label}{who} · {tail}")
    if len(items) > max_items:
        lines.append(f"- … và {len(items) - max_items} phản ánh khác")
    return lines


def format_digest_vi(digest: Digest, max_items: int = 10) -> str:
    """Plain-text morning digest for the staff group (fits one Telegram message)."""
    d = digest
    status_part = ", ".join(f"{STATUS_LABELS_VI[s].lower()} {n}" for s, n in d.open_by_status.items() if n)
    lines = [
        f"ĐIỂM TIN SÁNG {d.now:%d/%m/%Y}",
        f"Mới từ {d.since:%H:%M %d/%m}: {len(d.new_cases)}",
        f"Đang mở: {d.open_count}" + (f" ({status_part})" if status_part else ""),
        f"Quá hạn: {len(d.overdue)} · sắp đến hạn: {len(d.due_soon)} · vượt thẩm quyền đang chờ: {len(d.escalated)}",
    ]
    if d.overdue:
        lines += ["", "Quá hạn:", *_item_lines(d.overdue, "overdue", max_items)]
    if d.due_soon:
        lines += ["", "Sắp đến hạn:", *_item_lines(d.due_soon, "due", max_items)]
    if d.new_cases:
        lines += ["", "Mới tiếp nhận:", *_item_lines(d.new_cases, "new", max_items)]
    if d.escalated:
        lines += ["", "Vượt thẩm quyền đang chờ:", *_item_lines(d.escalated, "new", max_items)]
    if d.by_assignee:
        lines += ["", "Theo người xử lý:"]
        lines += [
            f"- {a.label}: {a.open} đang mở" + (f", {a.overdue} quá hạn" if a.overdue else "")
            for a in d.by_assignee
        ]
    if not d.open_count and not d.new_cases:
        lines += ["", "Không có phản ánh nào đang chờ."]
    return fit("\n".join(lines))
