"""The dashboard under test: an Application on a seeded database, /dangnhap sent the way the
staff desk receives it, and the figures the overview must show computed straight from rows."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.app import Application
from bot.dashboard import register_login
from bot.dashboard.overview import periods
from bot.settings import load_settings
from handlers.events import ChatKind, Incoming, Kind, Outgoing
from handlers.services import StaticStaff
from storage.db import Database
from storage.models import Case, CaseStatus, FaqQuery

STAFF, LEADER, CITIZEN = "900", "901", "500001"
LINK = re.compile(r"https?://\S+/vao\?t=[\w-]+")
_updates = itertools.count(1)


def dashboard_app(db: Database, public_url: str = "") -> Application:
    app = Application(load_settings(dashboard={"enabled": True, "public_url": public_url}), db=db)
    app.staff_directory = StaticStaff({STAFF}, {LEADER})
    register_login(app)
    return app


def dangnhap(user: str, *, chat_kind: ChatKind = ChatKind.PRIVATE, channel: str = "telegram") -> Incoming:
    return Incoming(
        channel=channel, user_id=user, chat_id=user if chat_kind == ChatKind.PRIVATE else "-100777",
        kind=Kind.COMMAND, text="/dangnhap", command="dangnhap", username=f"u{user}", display_name=f"Người {user}",
        update_key=f"dn{next(_updates)}", chat_kind=chat_kind,
    )  # fmt: skip


async def send_dangnhap(app: Application, user: str, **kwargs: Any) -> list[Outgoing]:
    """/dangnhap as the staff desk gets it (the engine hands it over, see the lead's hook)."""
    async with app.db.unit() as session:
        return await app.desk.handle(session, dangnhap(user, **kwargs))


def link_in(out: list[Outgoing]) -> str | None:
    for item in out:
        if found := LINK.search(item.reply.text):
            return found.group(0)
    return None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _missed(case: Case) -> bool:
    """The deadline passed unmet: resolved after it, or still open."""
    due, resolved = _aware(case.resolution_due), _aware(case.resolved_at)
    if resolved is not None and due is not None:
        return resolved > due
    return case.status in CaseStatus.OPEN


async def expected_overview(app: Application, now: datetime) -> dict[str, str]:
    """What the overview must show, counted here from the rows without the dashboard's code."""
    async with app.db.session() as session:
        cases = (await session.exec(select(Case))).all()
        faq = (await session.exec(select(FaqQuery))).all()
    figures: dict[str, str] = {}
    open_cases = [c for c in cases if c.status in CaseStatus.OPEN]
    figures["open-now"] = str(len(open_cases))
    overdue = [c for c in open_cases if (due := _aware(c.resolution_due)) is not None and due < now]
    figures["overdue-now"] = str(len(overdue))
    figures["escalated-open"] = str(sum(1 for c in open_cases if c.escalated))
    for p in periods(now, app.calendar):
        lo, hi = p.start.astimezone(UTC), p.end.astimezone(UTC)

        def inside(moment: datetime | None, lo: datetime = lo, hi: datetime = hi) -> bool:
            moment = _aware(moment)
            return moment is not None and lo <= moment < hi

        resolved = [c for c in cases if inside(c.resolved_at)]
        rated = [c for c in resolved if c.rating]
        answered = [q for q in faq if q.topic and inside(q.created_at) and q.solved is not None]
        figures[f"{p.key}-received"] = str(sum(1 for c in cases if inside(c.created_at)))
        figures[f"{p.key}-resolved"] = str(len(resolved))
        figures[f"{p.key}-escalated"] = str(sum(1 for c in cases if inside(c.escalated_at)))
        figures[f"{p.key}-overdue"] = str(len([c for c in cases if inside(c.resolution_due) and _missed(c)]))
        happy = len([c for c in rated if c.rating == "hai_long"])
        solved = len([q for q in answered if q.solved is True])
        figures[f"{p.key}-satisfaction"] = f"{happy / len(rated) * 100:.0f}%" if rated else "–"
        figures[f"{p.key}-deflection"] = f"{solved / len(answered) * 100:.0f}%" if answered else "–"
    return figures


def soon(minutes: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)
