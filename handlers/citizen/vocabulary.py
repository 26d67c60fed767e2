"""Vietnamese words people type instead of pressing a button, and short sentences that ask for
a menu item: vocabulary to MATCH what people write, not texts the bot says (so not in the
translation catalogs). English has its own in handlers/citizen/vocabulary_en.py; the texts of a
language carry theirs (`Turn.t.MENU_INTENTS`, handlers.citizen.language.texts_for).
"""

from __future__ import annotations

from collections.abc import Mapping

from handlers.textutil import fold

# fmt: off
# Short sentences that ask for a menu item, read at the menu and in the FAQ screens
# (handlers.citizen.engine: "tôi muốn phản ánh" is a request to report, not a problem to match).
MENU_INTENTS: dict[str, tuple[str, ...]] = {
    "menu:report": ("muốn phản ánh", "muốn gửi phản ánh", "cần phản ánh", "cần gửi phản ánh", "gửi phản ánh",
                    "muốn báo lỗi", "khiếu nại", "phản ánh mới"),
    "menu:lookup": ("muốn tra cứu", "tra cứu phản ánh", "xem tiến độ", "kiểm tra tiến độ", "tra cứu mã"),
}


# Everyday answers people type instead of pressing a button, by choice key (or "prefix:value" for
# keys that carry an id, e.g. "rate:12:hai_long" → "rate:hai_long"). handlers.choices matches a
# whole answer, or a phrase inside a short answer (the longest phrase wins: "không đồng ý" is a
# no). Written with diacritics for reading; compared folded (no diacritics, lower case).
ANSWER_WORDS: dict[str, tuple[str, ...]] = {
    "consent:yes": ("có", "đồng ý", "tôi đồng ý", "ok", "oke", "okay", "ừ", "vâng", "dạ", "được", "đc", "dc"),
    "consent:no": ("không", "ko", "k", "không đồng ý", "ko đồng ý", "ẩn danh", "gửi ẩn danh", "từ chối"),
    "role:nguoi_dan": ("dân", "người dân", "công dân", "cá nhân", "nd"),
    "role:doanh_nghiep": ("dn", "doanh nghiệp", "công ty", "cty", "hộ kinh doanh"),
    "role:can_bo_xa": (
        "cán bộ xã", "cán bộ phường", "cb xã", "cb phường", "cán bộ một cửa", "một cửa xã", "cán bộ đặc khu",
        "công chức xã", "công chức phường",
    ),
    "role:can_bo_so": ("cán bộ sở", "cb sở", "sở ngành", "cán bộ ngành", "công chức sở"),
    "system:dvc_quoc_gia": ("dvc", "dvcqg", "dịch vụ công", "cổng dịch vụ công", "cổng dvc", "dịch vụ công quốc gia"),
    "system:he_thong_tthc_thanh_pho": (
        "một cửa", "một cửa điện tử", "phần mềm một cửa", "hệ thống một cửa", "hệ thống tthc",
        "hệ thống thành phố", "hệ thống của thành phố", "hệ thống giải quyết tthc",
    ),
    "system:vneid": ("vneid", "vn eid", "định danh", "định danh điện tử", "đăng nhập", "tài khoản định danh"),
    "system:thanh_toan": ("thanh toán", "thanh toán trực tuyến", "lệ phí", "nộp phí", "phí", "payment"),
    "system:chu_ky_so": ("ký số", "chữ ký số", "cks", "token", "usb token", "sim ký số"),
    "system:khac": ("khác", "cái khác", "hệ thống khác"),
    "unit:skip": ("bỏ qua", "không rõ", "không biết", "ko rõ", "ko biết", "k biết"),
    "unit:same": ("đúng", "đúng rồi", "vẫn là", "vẫn vậy", "có", "ok", "vẫn đơn vị đó"),
    "unit:other": ("khác", "đơn vị khác", "không", "ko", "không phải"),
    "unit:retype": ("không phải", "ko phải", "nhập lại", "sai"),
    "faq:solved": (
        # Not "có": to "Có phải bạn gặp vấn đề này?" it means "yes, that is my problem".
        "được rồi", "đc rồi", "dc roi", "xong rồi", "đã xong", "ổn rồi", "rồi", "được", "ok",
        "giải quyết được", "làm được rồi", "cảm ơn",
    ),
    "faq:not_solved": (
        "chưa", "không", "ko", "k", "chưa được", "không được", "ko được", "vẫn lỗi", "vẫn chưa",
        "vẫn chưa được", "vẫn không được", "không phải", "chưa giải quyết được", "gửi tổ công tác",
    ),
    "faqpick:none": ("không phải", "ko phải", "không giống", "không có", "không cái nào", "gửi tổ công tác"),
    "confirm:submit": (
        "có", "đúng", "đúng rồi", "chính xác", "gửi", "gửi đi", "ok", "oke", "đồng ý", "xác nhận", "chuẩn",
    ),
    "confirm:edit": ("sửa", "sửa lại", "chỉnh sửa", "chưa đúng", "sai", "không đúng"),
    "confirm:cancel": ("hủy", "huỷ", "hủy bỏ", "thôi", "không gửi", "ko gửi"),
    "resume:continue": ("tiếp", "tiếp tục", "làm tiếp", "có", "ok", "oke"),
    "resume:restart": ("bắt đầu lại", "làm lại", "lại từ đầu", "gửi lại từ đầu"),
    "rate:hai_long": ("hài lòng", "rất hài lòng", "tốt", "rất tốt", "ok"),
    "rate:binh_thuong": ("bình thường", "tạm được", "tạm", "tàm tạm"),
    "rate:khong_hai_long": (
        "không hài lòng", "ko hài lòng", "chưa hài lòng", "kém", "tệ", "vẫn lỗi", "vẫn chưa được", "chưa được",
    ),
    "comment:skip": ("bỏ qua", "không", "ko", "không có", "thôi"),
    "followup:new": ("phản ánh mới", "mới", "lỗi khác", "việc khác", "cái mới"),
    "menu:report": ("gửi phản ánh", "phản ánh", "báo lỗi", "gửi"),
    "menu:lookup": ("tra cứu", "tra cứu phản ánh", "xem tiến độ", "tra mã"),
    "menu:faq": ("câu hỏi thường gặp", "câu hỏi", "hỏi đáp", "faq"),
    "menu:help": ("hướng dẫn", "trợ giúp", "help"),
}
# fmt: on


def folded_answer_words(table: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(fold(word) for word in words) for key, words in table.items()}


def words_for_key(folded: Mapping[str, tuple[str, ...]], key: str) -> tuple[str, ...]:
    """The folded everyday answers for a choice key ("rate:12:hai_long" also tries "rate:hai_long")."""
    words = folded.get(key)
    if words is None and key.count(":") >= 2:
        words = folded.get(f"{key.split(':', 1)[0]}:{key.rsplit(':', 1)[1]}")
    return words or ()


_FOLDED_ANSWER_WORDS = folded_answer_words(ANSWER_WORDS)


def answer_words(key: str) -> tuple[str, ...]:
    return words_for_key(_FOLDED_ANSWER_WORDS, key)
