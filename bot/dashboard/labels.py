"""Names for codes, local times and the personal-data rules every page follows.

Phone numbers are masked everywhere but the case page; a citizen ID (CCCD) number is never
shown, wherever it was typed. The patterns are the ones the log masking uses
(handlers.textutil), so the dashboard hides exactly what the logs hide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from faq.units import load_units
from handlers.reports.reports import RATING_LABELS_VI, STATUS_LABELS_VI, SYSTEM_LABELS_VI, UNKNOWN_LABEL
from handlers.services import FaqStage
from handlers.staff.queue import CHANNEL_NAMES
from handlers.textutil import CCCD_NUMBER, PHONE_NUMBER, mask_phone

PRIORITY_LABELS = {"normal": "Thường", "urgent": "Khẩn"}
EVENT_LABELS = {
    "status": "Đổi trạng thái",
    "assigned": "Giao xử lý",
    "escalated": "Chuyển vượt thẩm quyền",
    "incident": "Gắn với sự cố",
    "faq_draft": "Tạo bản nháp FAQ",
    "reminder": "Nhắc hạn",
    "rating": "Đánh giá",
    # Recorded by the staff desk (handlers/staff, #24) and the jobs.
    "created": "Gửi phản ánh",
    "rated": "Đánh giá",
    "note": "Ghi chú nội bộ",
    "escalation_cleared": "Bỏ vượt thẩm quyền",
    "correction": "Sửa tin đã gửi",
    "sla_escalation": "Quá hạn, đã báo lãnh đạo",
}


def scrub_ids(text: str) -> str:
    return CCCD_NUMBER.sub("[số CCCD đã ẩn]", text)


def mask_phones(text: str) -> str:
    return PHONE_NUMBER.sub(lambda m: mask_phone("".join(ch for ch in m.group(0) if ch.isdigit())), text)


class Labels:
    def __init__(self, timezone: str, faq: FaqStage | None = None) -> None:
        self.tz = ZoneInfo(timezone)
        self.faq = faq
        self.units = {u.code: u.full_name for u in load_units()}

    def status(self, code: str | None) -> str:
        return STATUS_LABELS_VI.get(code or "", code or UNKNOWN_LABEL)

    def system(self, code: str | None) -> str:
        return SYSTEM_LABELS_VI.get(code or "", code or UNKNOWN_LABEL)

    def unit(self, code: str | None) -> str:
        return self.units.get(code or "", code or UNKNOWN_LABEL)

    def channel(self, code: str | None) -> str:
        return CHANNEL_NAMES.get(code or "", code or UNKNOWN_LABEL)

    def priority(self, code: str | None) -> str:
        return PRIORITY_LABELS.get(code or "", code or "")

    def rating(self, code: str | None) -> str:
        return RATING_LABELS_VI.get(code or "", code or "")

    def topic(self, topic_id: str | None) -> str:
        if not topic_id:
            return "Chưa phân loại"
        view = self.faq.topic(topic_id) if self.faq is not None else None
        return view.title if view is not None else topic_id

    def local(self, moment: datetime) -> datetime:
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(self.tz)

    @staticmethod
    def masked_phone(phone: str | None) -> str:
        return mask_phone(phone) if phone else "—"
