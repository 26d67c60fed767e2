"""Hàng đợi and case lists: filters from the query string, the search, and one row per case.

The same filter builds the page, its xlsx export and a unit's list, so what is exported is
exactly what was on screen (without the page limit).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from multidict import MultiMapping
from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.labels import Labels, mask_phones, scrub_ids
from handlers.citizen.lookup import find_code
from handlers.textutil import normalize_phone, shorten
from storage.models import Case, CaseStatus

PAGE_SIZE = 100
UNASSIGNED = "-"


@dataclass(frozen=True)
class CaseFilter:
    """What the list shows; every field is a query-string parameter of the same name."""

    trang_thai: str = "mo"  # mo (open) | tat_ca | a status code
    he_thong: str = ""
    don_vi: str = ""
    can_bo: str = ""  # assignee name, or "-" for nobody
    qua_han: str = ""  # "1": overdue only
    uu_tien: str = ""
    kenh: str = ""
    q: str = ""
    trang: int = 1

    @classmethod
    def from_query(cls, query: MultiMapping[str]) -> CaseFilter:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = query.get(f.name)
            if raw is None:
                continue
            if f.name == "trang":
                values["trang"] = max(1, int(raw)) if raw.isdigit() and len(raw) < 6 else 1
            else:
                values[f.name] = raw.strip()[:100]
        return cls(**values)

    def query(self, **changes: Any) -> str:
        """This filter as a query string, with some fields changed (page links, export)."""
        changed = replace(self, **changes)
        default = CaseFilter()
        pairs = [
            (f.name, getattr(changed, f.name))
            for f in fields(self)
            if getattr(changed, f.name) != getattr(default, f.name)
        ]
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return self.query(trang=1) != ""


def _filtered(statement: Any, f: CaseFilter, now: datetime) -> Any:
    if f.trang_thai == "mo":
        statement = statement.where(col(Case.status).in_(CaseStatus.OPEN))
    elif f.trang_thai in CaseStatus.ALL:
        statement = statement.where(Case.status == f.trang_thai)
    if f.he_thong:
        statement = statement.where(Case.system == f.he_thong)
    if f.don_vi:
        statement = statement.where(Case.unit_code == f.don_vi)
    if f.can_bo == UNASSIGNED:
        statement = statement.where(col(Case.assignee_name).is_(None))
    elif f.can_bo:
        statement = statement.where(Case.assignee_name == f.can_bo)
    if f.qua_han == "1":
        statement = statement.where(col(Case.status).in_(CaseStatus.OPEN), col(Case.resolution_due) < now)
    if f.uu_tien:
        statement = statement.where(Case.priority == f.uu_tien)
    if f.kenh:
        statement = statement.where(Case.channel == f.kenh)
    if f.q:
        # As /tim does: a case code, else a phone number, else words in the text.
        code, phone = find_code(f.q), normalize_phone(f.q)
        if code:
            statement = statement.where(Case.code == code)
        elif phone:
            statement = statement.where(Case.phone == phone)
        else:
            pattern = f"%{f.q.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Case.description).like(pattern),
                    func.lower(col(Case.procedure_name)).like(pattern),
                    func.lower(col(Case.dossier_code)).like(pattern),
                    func.lower(Case.code).like(pattern),
                )
            )
    return statement


def _ordered(statement: Any) -> Any:
    """By deadline, soonest (most overdue) first; cases without a deadline last, oldest first."""
    return statement.order_by(
        col(Case.resolution_due).is_(None), col(Case.resolution_due), col(Case.created_at), col(Case.id)
    )


@dataclass
class CaseRow:
    id: int
    code: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    system_label: str
    unit_label: str
    unit_code: str | None
    assignee: str
    channel_label: str
    phone_masked: str
    summary: str
    created_at: datetime
    due: datetime | None
    overdue: bool
    escalated: bool
    rating_label: str


_ROW_COLUMNS = (
    Case.id, Case.code, Case.status, Case.priority, Case.system, Case.unit_code, Case.assignee_name,
    Case.channel, Case.phone, Case.description, Case.created_at, Case.resolution_due, Case.escalated,
    Case.rating,
)  # fmt: skip


def _row(values: Any, labels: Labels, now: datetime) -> CaseRow:
    (
        case_id,
        code,
        status,
        priority,
        system,
        unit,
        assignee,
        channel,
        phone,
        description,
        created,
        due,
        escalated,
        rating,
    ) = values
    due = due.replace(tzinfo=UTC) if due is not None and due.tzinfo is None else due
    return CaseRow(
        id=case_id,
        code=code,
        status=status,
        status_label=labels.status(status),
        priority=priority,
        priority_label=labels.priority(priority),
        system_label=labels.system(system),
        unit_label=labels.unit(unit),
        unit_code=unit,
        assignee=assignee or "Chưa giao",
        channel_label=labels.channel(channel),
        phone_masked=labels.masked_phone(phone),
        # Lists never show a phone or ID number, even one typed into the description.
        summary=mask_phones(scrub_ids(shorten(description or "", 140))),
        created_at=labels.local(created),
        due=labels.local(due) if due is not None else None,
        overdue=bool(due is not None and status in CaseStatus.OPEN and due < now),
        escalated=bool(escalated),
        rating_label=labels.rating(rating),
    )


async def list_cases(
    session: AsyncSession, f: CaseFilter, labels: Labels, now: datetime, *, limit: int | None = PAGE_SIZE
) -> tuple[list[CaseRow], int]:
    """One page of the filtered list and the total it was cut from (limit None: everything)."""
    total = (await session.exec(_filtered(select(func.count()).select_from(Case), f, now))).one()
    statement = _ordered(_filtered(select(*_ROW_COLUMNS), f, now))  # type: ignore[call-overload]
    if limit is not None:
        statement = statement.limit(limit).offset((f.trang - 1) * limit)
    rows = (await session.exec(statement)).all()
    return [_row(r, labels, now) for r in rows], int(total)


async def assignees(session: AsyncSession) -> list[str]:
    """Who has open cases (the assignee filter's choices)."""
    statement = (
        select(Case.assignee_name)
        .where(col(Case.status).in_(CaseStatus.OPEN), col(Case.assignee_name).is_not(None))
        .distinct()
        .order_by(col(Case.assignee_name))
    )
    return [name for name in (await session.exec(statement)).all() if name]
