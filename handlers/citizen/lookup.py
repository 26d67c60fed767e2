"""A reporter looks up their own cases (never anyone else's)."""

from __future__ import annotations

import re
from types import ModuleType
from zoneinfo import ZoneInfo

from handlers.choices import Prompt
from handlers.events import Choice
from handlers.services import FormatTimeFn, UnitDirectory
from handlers.textutil import shorten
from handlers.turn import Turn
from storage import repo
from storage.models import Case

# A rating comment is kept in the case's messages with this prefix (handlers.citizen.engine).
RATING_COMMENT_PREFIX = "Góp ý: "
CODE_PATTERN = re.compile(r"\bPA-?\s?(\d{6})-?\s?([0-9A-Z]{4})\b", re.IGNORECASE)


def find_code(text: str) -> str | None:
    """A case code in what someone typed ("pa-251123-7kq4", "PA 251123 7KQ4")."""
    match = CODE_PATTERN.search(text)
    if not match:
        return None
    return f"PA-{match.group(1)}-{match.group(2).upper()}"


def _reporter_line(text: str, t: ModuleType) -> str:
    """How the person's own message reads in their case history."""
    if text.startswith(RATING_COMMENT_PREFIX):
        return t.LOOKUP_REPORTER_COMMENT.format(text=shorten(text.removeprefix(RATING_COMMENT_PREFIX), 80))
    if not text.strip():
        return str(t.LOOKUP_REPORTER_FILES)
    return t.LOOKUP_REPORTER_ADDED.format(text=shorten(text, 80))


class Lookup:
    def __init__(self, units: UnitDirectory, format_time: FormatTimeFn, timezone: str) -> None:
        self.units = units
        self.format_time = format_time
        self.tz = ZoneInfo(timezone)

    async def prompt(self, turn: Turn) -> Prompt:
        assert turn.reporter.id is not None
        cases = await repo.cases_of_reporter(turn.session, turn.reporter.id, limit=8)
        t = turn.t
        if not cases:
            return Prompt(t.ASK_LOOKUP, free_text=True)
        choices = [
            Choice(
                f"lookup:{case.code}",
                f"{t.STATUS_ICONS.get(case.status, '')} {case.code} · {t.STATUS_LABELS[case.status]}",
            )
            for case in cases
        ]
        return Prompt(t.ASK_LOOKUP_WITH_LIST, choices, free_text=True)

    async def show(self, turn: Turn, raw_code: str) -> bool:
        """Show a case if it is the person's own; False (with a polite reply) otherwise."""
        code = find_code(raw_code) or raw_code.strip().upper()
        case = await repo.case_by_code(turn.session, code) if code else None
        # The same answer whether the code does not exist or belongs to someone else,
        # so codes cannot be probed.
        if case is None or case.reporter_id != turn.reporter.id:
            turn.say(turn.t.LOOKUP_NOT_FOUND.format(code=shorten(raw_code.strip(), 30)))
            return False
        turn.say(await self.describe(turn, case))
        return True

    def _local(self, case_time: object) -> str:
        from datetime import datetime

        assert isinstance(case_time, datetime)
        return case_time.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")

    async def describe(self, turn: Turn, case: Case) -> str:
        assert case.id is not None
        unit = self.units.get(case.unit_code or "")
        t = turn.t
        lines = [
            f"🔖 {case.code} – {t.STATUS_ICONS.get(case.status, '')} {t.STATUS_LABELS[case.status]}",
            t.LOOKUP_SENT_AT.format(when=self._local(case.created_at)),
            f"📍 {unit.full_name if unit else t.LOOKUP_NO_UNIT} · {t.SYSTEMS.get(case.system or '', t.SYSTEMS['khac'])}",
        ]
        if case.status in ("moi", "dang_xu_ly", "cho_nguoi_phan_anh") and case.resolution_due:
            lines.append(t.LOOKUP_DUE.format(due=t.localize_time(self.format_time(case.resolution_due))))
        if case.escalated:
            lines.append(t.LOOKUP_ESCALATED)
        history: list[tuple[object, str]] = []
        for event in await repo.case_events(turn.session, case.id):
            if event.kind == "status" and event.to_status:
                label = t.STATUS_LABELS.get(event.to_status, event.to_status)
            elif event.kind in t.EVENT_LABELS:
                label = t.EVENT_LABELS[event.kind]
            else:
                continue
            history.append((event.created_at, label))
        for message in await repo.case_messages(turn.session, case.id):
            if message.direction == "out":
                history.append(
                    (message.created_at, t.LOOKUP_STAFF_REPLY.format(text=shorten(message.text, 160)))
                )
            elif message.direction == "in":
                history.append((message.created_at, _reporter_line(message.text, t)))
        history.sort(key=lambda item: item[0])  # type: ignore[arg-type,return-value]
        if history:
            lines.append("")
            lines.append(t.LOOKUP_HISTORY)
            lines += [f"• {self._local(when)} – {label}" for when, label in history[-12:]]
        if case.status == "da_giai_quyet" and case.resolution:
            lines += ["", t.LOOKUP_RESULT.format(result=shorten(case.resolution, 800))]
        return "\n".join(lines)
