"""The case card in the staff group and its forum topic's name, both following the case.

The card reads top-down as a busy person on a phone needs it: what is wrong (two lines), who
and where, by when, then the state. Its buttons are the actions that fit the status; a press
that no longer fits (an old card, two people at once) is refused by the desk with a pop-up.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.citizen import texts as T
from handlers.events import Choice
from handlers.pictures import same_text
from handlers.services import FaqStage, FormatTimeFn, UnitDirectory
from handlers.staff import texts as S
from handlers.textutil import format_phone, shorten
from storage.models import Case, CaseStatus, Reporter

CHANNEL_NAMES = {"telegram": "Telegram", "zalo_bot": "Zalo", "zalo_oa": "Zalo OA", "console": "Console"}
# About two lines of a phone screen: the problem comes first, the whole text at the end.
EXCERPT = 150
CLOSED_STATES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def is_urgent(case: Case) -> bool:
    return case.priority == "urgent" and case.status in CaseStatus.OPEN


def card_title(case: Case) -> str:
    title = S.CARD_TITLE.get(case.status, "📌")
    if is_urgent(case):
        title = f"{S.CARD_URGENT} · {title}"
    if case.escalated:
        title += f" · {S.CARD_ESCALATED_TAG}"
    return f"{title} · {case.code}"


def card_buttons(case: Case) -> list[Choice]:
    """The actions that fit the status (staff:<action>:<case id>, handled by the desk)."""

    def button(action: str, label: str) -> Choice:
        return Choice(f"staff:{action}:{case.id}", label)

    if case.status in CLOSED_STATES:
        return [button("reopen", S.BUTTON_REOPEN), button("history", S.BUTTON_HISTORY)]
    buttons = []
    if case.assignee_id is None and not case.assignee_name:
        buttons.append(button("take", S.BUTTON_TAKE))
    buttons += [
        button("ask", S.BUTTON_ASK),
        button("close", S.BUTTON_CLOSE),
        button("handover", S.BUTTON_HANDOVER),
    ]
    if case.escalated:
        buttons.append(button("unescalate", S.BUTTON_UNESCALATE))
    buttons.append(button("history", S.BUTTON_HISTORY))
    return buttons


class CardView:
    def __init__(self, units: UnitDirectory, faq: FaqStage, format_time: FormatTimeFn, tz: ZoneInfo) -> None:
        self.units = units
        self.faq = faq
        self.format_time = format_time
        self.tz = tz

    def unit_name(self, case: Case) -> str:
        unit = self.units.get(case.unit_code or "")
        return unit.full_name if unit else "Không rõ đơn vị"

    def topic_name(self, case: Case) -> str:
        """ "🛠️ PA-… · Phường Lê Chân · VNeID": the status icon first, 🚨 for an urgent open case."""
        icon = S.TOPIC_ICONS.get(case.status, "")
        if is_urgent(case):
            icon = "🚨" + icon
        parts = [
            f"{icon} {case.code}".strip(),
            self.unit_name(case),
            T.SYSTEMS.get(case.system or "", "Khác"),
        ]
        return " · ".join(parts)[:128]

    def text(self, case: Case, reporter: Reporter | None, *, previous: int = 0) -> str:
        description = " ".join(case.description.split())
        shown = (case.picture_text or "").splitlines()
        # A screenshot alone: its text was taken as the description; said once, from the picture.
        from_picture = bool(shown) and same_text(case.description, case.picture_text or "")
        what = S.CARD_PICTURE_ONLY if from_picture else shorten(description, EXCERPT)
        lines = [card_title(case), f"📝 {what}"]
        if shown:
            lines += [S.CARD_PICTURE_TEXT, *(f"   {shorten(line, 200)}" for line in shown[:6])]
        lines.append(f"👤 {self._person(case, reporter)}")
        lines.append(f"📍 {self.unit_name(case)} · 🖥️ {T.SYSTEMS.get(case.system or '', 'Khác')}")
        if case.dossier_code or case.procedure_name:
            lines.append(f"🗂️ Mã hồ sơ: {case.dossier_code or '—'} · 📄 Thủ tục: {case.procedure_name or '—'}")
        lines += self._deadlines(case)
        if previous:
            lines.append(S.CARD_PREVIOUS.format(count=previous))
        topic = self.faq.topic(case.faq_topic or "") if case.faq_topic else None
        if topic:
            lines.append(f"💡 FAQ đề xuất: {topic.title} (người phản ánh cho biết chưa giải quyết được)")
        if reporter is not None and reporter.language == "en":
            lines.append(S.CARD_ENGLISH)
        if case.escalated:
            lines.append(self._escalation_line(case))
        lines.append(
            f"📌 Trạng thái: {S.STATUS_LABELS.get(case.status, case.status)} · 🙋 {case.assignee_name or 'chưa giao'}"
        )
        lines.append(
            f"🕐 Gửi lúc {case.created_at.astimezone(self.tz):%H:%M %d/%m/%Y} qua {CHANNEL_NAMES.get(case.channel, case.channel)}"
        )
        if len(description) > EXCERPT and not from_picture:
            lines.append(S.CARD_FULL_TEXT.format(text=shorten(case.description, 2500)))
        lines += ["", S.CARD_FOOTER]
        return "\n".join(lines)

    @staticmethod
    def _person(case: Case, reporter: Reporter | None) -> str:
        who = T.ROLES.get(case.reporter_role or "", "Không rõ")
        if case.anonymous or reporter is None:
            person = "Ẩn danh"
        else:
            person = reporter.display_name or "Không tên"
            if reporter.username:
                person += f" (@{reporter.username})"
        phone = (
            format_phone(case.phone) if case.phone else ("ẩn danh" if case.anonymous else "không để lại số")
        )
        return f"{who} · {person} · 📞 {phone}"

    def _deadlines(self, case: Case) -> list[str]:
        if case.status not in CaseStatus.OPEN:
            return []
        # Short times ("11:30 08/12"): the line must fit a phone; the weekday is in the reminders.
        parts = []
        if case.first_response_due and case.first_response_at is None:
            parts.append(f"Phản hồi trước {self.short_time(case.first_response_due)}")
        if case.resolution_due:
            parts.append(f"Hạn giải quyết {self.short_time(case.resolution_due)}")
        return [f"⏰ {' · '.join(parts)}"] if parts else []

    def short_time(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H:%M %d/%m}"

    def _escalation_line(self, case: Case) -> str:
        """Escalation is a flag beside the status, so the card says it on its own line."""
        when = f"{case.escalated_at.astimezone(self.tz):%H:%M %d/%m/%Y}" if case.escalated_at else "—"
        return S.CARD_ESCALATED.format(when=when, reason=shorten(case.escalation_reason or "—", 500))

    def overdue(self, case: Case, now: datetime) -> bool:
        """Past the resolution deadline, or past the first-response deadline with no response."""
        if case.status not in CaseStatus.OPEN:
            return False
        if case.resolution_due is not None and case.resolution_due < now:
            return True
        return (
            case.first_response_at is None
            and case.first_response_due is not None
            and case.first_response_due < now
        )
