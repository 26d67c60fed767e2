"""Names that reports print: statuses, systems, ratings, and the look-up of one report's labels."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

STATUS_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {
        "moi": "Mới",
        "dang_xu_ly": "Đang xử lý",
        "cho_nguoi_phan_anh": "Chờ người phản ánh",
        "da_giai_quyet": "Đã giải quyết",
        "da_dong": "Đã đóng",
    }
)
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS_VI)
OPEN_STATUSES: frozenset[str] = frozenset({"moi", "dang_xu_ly", "cho_nguoi_phan_anh"})
FINAL_STATUSES: frozenset[str] = frozenset({"da_giai_quyet", "da_dong"})

SYSTEM_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {
        "dvc_quoc_gia": "Cổng DVC quốc gia",
        "he_thong_tthc_thanh_pho": "Hệ thống giải quyết TTHC thành phố",
        "vneid": "VNeID/đăng nhập",
        "thanh_toan": "Thanh toán trực tuyến",
        "chu_ky_so": "Chữ ký số",
        "khac": "Khác",
    }
)

RATING_LABELS_VI: Mapping[str, str] = MappingProxyType(
    {"hai_long": "Hài lòng", "binh_thuong": "Bình thường", "khong_hai_long": "Không hài lòng"}
)

PRIORITY_LABELS_VI: Mapping[str, str] = MappingProxyType({"normal": "Thường", "urgent": "Khẩn"})

UNKNOWN_LABEL = "Không rõ"
UNCLASSIFIED_TOPIC_LABEL = "Chưa phân loại"
UNASSIGNED_LABEL = "Chưa phân công"
# The units sheet lists the units that had cases, then folds the rest (most of Hải Phòng's 114
# in a normal week) into this one line.
OTHER_UNITS_LABEL = "Các đơn vị khác (0 phản ánh)"
UNKNOWN_ACTOR_LABEL = "Không rõ người thực hiện"
# Actors of audit events that are not staff: the reporter (a rating), the bot (auto-close, SLA).
NON_STAFF_ACTORS: frozenset[str] = frozenset({"reporter", "bot", "system"})

# Used when config.yaml names no organisation.
DEFAULT_ORGANISATION = "Sở Khoa học và Công nghệ Hải Phòng — Tổ công tác"


class Labels:
    """Code → label lookups; ``overrides`` is ``{"statuses"|"systems"|"topics"|"ratings": {code: label}}``."""

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        o = overrides or {}
        self.statuses = {**STATUS_LABELS_VI, **o.get("statuses", {})}
        self.systems = {**SYSTEM_LABELS_VI, **o.get("systems", {})}
        self.topics = dict(o.get("topics", {}))
        self.ratings = {**RATING_LABELS_VI, **o.get("ratings", {})}

    def status(self, code: str) -> str:
        return self.statuses.get(code, code)

    def system(self, code: str | None) -> str:
        return UNKNOWN_LABEL if code is None else self.systems.get(code, code)

    def topic(self, code: str | None) -> str:
        return UNCLASSIFIED_TOPIC_LABEL if code is None else self.topics.get(code, code)

    def rating(self, code: str | None) -> str:
        return "" if code is None else self.ratings.get(code, code)
