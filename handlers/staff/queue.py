"""The task-force queue's side of a case: the card in the staff group and the case thread.

Messages for the staff group carry the case id; where exactly they land (a forum topic,
or replies to the card) is decided at send time by the delivery hooks, because the topic
or card may not exist yet when the message is queued. Flow diagram: handlers/FLOWS.md.
"""

from __future__ import annotations

from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen import texts as T
from handlers.events import AttachmentRef, Choice, Outgoing, Reply
from handlers.services import FaqStage, FormatTimeFn, UnitDirectory
from handlers.staff import texts as S
from handlers.staff.relay import relay
from handlers.textutil import format_phone, shorten
from storage import repo
from storage.models import Case, Incident, Reporter


class IncidentCards(Protocol):
    """The incident card, rendered when it is sent (handlers.incidents.hold.IncidentBoard)."""

    async def render(self, session: AsyncSession, incident_id: int) -> Reply | None: ...

    def topic_name(self, incident: Incident) -> str: ...

    async def pointer(self, session: AsyncSession, case: Case) -> Outgoing | None: ...


CHANNEL_NAMES = {"telegram": "Telegram", "zalo_bot": "Zalo", "zalo_oa": "Zalo OA", "console": "Console"}


class Queue:
    def __init__(
        self,
        *,
        staff_channel: str,
        staff_chat_id: str | None,
        units: UnitDirectory,
        faq: FaqStage,
        format_time: FormatTimeFn,
        timezone: str,
    ) -> None:
        self.staff_channel = staff_channel
        self.staff_chat_id = staff_chat_id
        self.units = units
        self.faq = faq
        self.format_time = format_time
        self.tz = ZoneInfo(timezone)
        # Follow-ups of one person relayed one by one per minute; the rest merged (settings).
        self.relays_per_minute = 3
        self.digest_seconds = 60.0
        # Set by the incident desk when incidents are on (bot/jobs.install).
        self.incident_cards: IncidentCards | None = None

    # -- addressing ----------------------------------------------------------------------

    def to_thread(self, case: Case, reply: Reply, purpose: str = "case_thread") -> Outgoing | None:
        if not self.staff_chat_id:
            return None
        return Outgoing(self.staff_channel, self.staff_chat_id, reply, case_id=case.id, purpose=purpose)

    def to_group(self, reply: Reply, purpose: str = "staff") -> Outgoing | None:
        if not self.staff_chat_id:
            return None
        return Outgoing(self.staff_channel, self.staff_chat_id, reply, purpose=purpose)

    def to_reporter(self, case: Case, reply: Reply, purpose: str = "relay") -> Outgoing:
        return Outgoing(case.channel, case.chat_id, reply, case_id=case.id, purpose=purpose)

    # -- the card ------------------------------------------------------------------------

    def topic_name(self, case: Case) -> str:
        unit = self.units.get(case.unit_code or "")
        parts = [case.code, unit.full_name if unit else "Không rõ đơn vị", T.SYSTEMS.get(case.system or "", "Khác")]
        return " · ".join(parts)[:128]

    def card_text(self, case: Case, reporter: Reporter | None) -> str:
        unit = self.units.get(case.unit_code or "")
        topic = self.faq.topic(case.faq_topic or "") if case.faq_topic else None
        who = T.ROLES.get(case.reporter_role or "", "Không rõ")
        if case.anonymous or reporter is None:
            person = "Ẩn danh"
        else:
            person = reporter.display_name or "Không tên"
            if reporter.username:
                person += f" (@{reporter.username})"
        title = S.CARD_TITLE.get(case.status, "📌")
        if case.escalated:
            title += f" · {S.CARD_ESCALATED_TAG}"
        lines = [
            f"{title} · {case.code}",
            f"🕐 {case.created_at.astimezone(self.tz):%H:%M %d/%m/%Y} · qua {CHANNEL_NAMES.get(case.channel, case.channel)}",
            f"👤 {who} · {person}",
            *([S.CARD_ENGLISH] if reporter is not None and reporter.language == "en" else []),
            f"📍 {unit.full_name if unit else 'Không rõ đơn vị'}",
            f"🖥️ {T.SYSTEMS.get(case.system or '', 'Khác')}",
        ]
        if case.priority == "urgent":
            lines.append("🚨 Ưu tiên: KHẨN (cán bộ báo hệ thống/bộ phận một cửa bị tắc)")
        if topic:
            lines.append(f"💡 FAQ đề xuất: {topic.title} (người phản ánh cho biết chưa giải quyết được)")
        lines.append(f"📝 {shorten(case.description, 2500)}")
        if case.dossier_code or case.procedure_name:
            lines.append(f"🗂️ Mã hồ sơ: {case.dossier_code or '—'} · 📄 Thủ tục: {case.procedure_name or '—'}")
        lines.append(f"📞 {format_phone(case.phone) if case.phone else ('Ẩn danh' if case.anonymous else 'Không để lại số')}")
        if case.first_response_due:
            lines.append(f"⏰ Phản hồi đầu tiên trước: {self.format_time(case.first_response_due)}")
        if case.resolution_due:
            lines.append(f"⏰ Hạn giải quyết: {self.format_time(case.resolution_due)}")
        if case.escalated:
            lines.append(self._escalation_line(case))
        lines.append(f"📌 Trạng thái: {S.STATUS_LABELS.get(case.status, case.status)} · Người xử lý: {case.assignee_name or 'chưa có'}")
        lines += ["", S.CARD_FOOTER]
        return "\n".join(lines)

    def _escalation_line(self, case: Case) -> str:
        """Escalation is a flag beside the status, so the card says it on its own line."""
        when = f"{case.escalated_at.astimezone(self.tz):%H:%M %d/%m/%Y}" if case.escalated_at else "—"
        return S.CARD_ESCALATED.format(when=when, reason=shorten(case.escalation_reason or "—", 500))

    def card_buttons(self, case: Case) -> list[Choice]:
        return [
            Choice(f"staff:take:{case.id}", S.BUTTON_TAKE),
            Choice(f"staff:wait:{case.id}", S.BUTTON_WAIT),
            Choice(f"staff:history:{case.id}", S.BUTTON_HISTORY),
        ]

    async def card_refresh(self, session: AsyncSession, case: Case) -> list[Outgoing]:
        """The card edited in place to show the case's current status and assignee."""
        reporter = await session.get(Reporter, case.reporter_id)
        out = self.to_thread(case, Reply(self.card_text(case, reporter), self.card_buttons(case), columns=3), purpose="card_edit")
        return [out] if out else []

    # -- CaseHooks -----------------------------------------------------------------------

    async def case_created(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        assert case.id is not None
        card = Reply(self.card_text(case, reporter), self.card_buttons(case), columns=3)
        out = self.to_thread(case, card, purpose="card")
        if out is None:
            return []
        out.reply_to_message_id = None
        result = [out]
        attachments = [
            AttachmentRef(a.kind, a.file_ref, a.file_name, a.mime_type, a.size)
            for a in await repo.case_attachments(session, case.id)
        ]
        if attachments:
            files = self.to_thread(case, Reply("", attachments=attachments))
            assert files is not None
            result.append(files)
        return result

    async def reporter_message(
        self,
        session: AsyncSession,
        case: Case,
        reporter: Reporter,
        text: str,
        attachments: list[AttachmentRef],
    ) -> list[Outgoing]:
        if not self.staff_chat_id:
            return []
        # A few a minute one by one, the rest merged: one person cannot fill the group's budget.
        return await relay(
            session, case, text, attachments, staff_channel=self.staff_channel, staff_chat_id=self.staff_chat_id,
            per_minute=self.relays_per_minute, digest_seconds=self.digest_seconds,
        )

    async def rating_received(self, session: AsyncSession, case: Case, reporter: Reporter) -> list[Outgoing]:
        if case.rating == "khong_hai_long" and case.incident_held:
            # Reopened after an incident resolved it without staff seeing it: post it now.
            from handlers.incidents.hold import release_held

            await release_held(session, [case])
        lines = [S.RATING.format(code=case.code, rating=T.RATINGS.get(case.rating or "", case.rating or "—"))]
        if case.rating == "khong_hai_long":
            lines.append(S.RATING_REOPENED.format(code=case.code))
        if case.rating_comment:
            lines.append(S.RATING_COMMENT.format(code=case.code, comment=shorten(case.rating_comment, 1500)))
        out = self.to_thread(case, Reply("\n".join(lines)))
        return ([out] if out else []) + await self.card_refresh(session, case)
