"""What the bot says around the conversation: the greeting and menu, help, general replies
(not understood, cancelled, errors), looking a case up, and browsing the FAQ.

Vietnamese, the source language: each constant's value is a msgid of the catalogs in
handlers/citizen/locales (msgctxt = the constant's name); see handlers/citizen/texts/__init__.py.
"""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "moi": "Mới tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "cho_nguoi_phan_anh": "Chờ bạn bổ sung thông tin",
    "da_giai_quyet": "Đã giải quyết",
    "da_dong": "Đã đóng",
}
STATUS_ICONS = {
    "moi": "🆕",
    "dang_xu_ly": "🛠️",
    "cho_nguoi_phan_anh": "⏳",
    "da_giai_quyet": "✅",
    "da_dong": "📁",
}

GREETING = (
    "Xin chào{name}! 👋\n"
    "Mình là trợ lý tiếp nhận phản ánh của Tổ công tác hỗ trợ giải quyết thủ tục hành chính "
    "(Sở Khoa học và Công nghệ Hải Phòng).\n"
    "Mình giúp bạn báo lỗi khi dùng Cổng Dịch vụ công quốc gia, hệ thống giải quyết TTHC "
    "của thành phố và VNeID.\n\n"
    "Bạn cần gì ạ?"
)
MENU_AGAIN = "Bạn cần mình giúp gì tiếp ạ?"
MENU_NOT_UNDERSTOOD = "Mình chưa rõ ý bạn. Bạn chọn một việc bên dưới, hoặc gõ /trogiup để xem hướng dẫn nhé:"
MENU_REPORT = "📝 Gửi phản ánh"
MENU_LOOKUP = "🔎 Tra cứu phản ánh"
MENU_FAQ = "❓ Câu hỏi thường gặp"
MENU_HELP = "ℹ️ Hướng dẫn"
# The other language, offered in the menu (choice "lang:en").
OTHER_LANGUAGE = "en"
MENU_LANGUAGE = "🌐 English"
# Added to the first greeting when the messenger says the person's phone is not in Vietnamese.
LANGUAGE_HINT = "🌐 For English, choose “English” or type “english”."
LANGUAGE_SET = "🌐 Mình tiếp tục bằng tiếng Việt nhé."

HELP = (
    "ℹ️ Hướng dẫn sử dụng\n\n"
    "• Gửi phản ánh: mình hỏi lần lượt vài câu ngắn (bạn là ai, ở xã/phường nào, lỗi ở hệ thống "
    "nào, mô tả lỗi, ảnh chụp màn hình), rồi chuyển cho Tổ công tác.\n"
    "• Mỗi phản ánh có một mã (ví dụ PA-251123-7KQ4). Tổ công tác trả lời bạn ngay trong cuộc trò chuyện này.\n"
    "• Tra cứu: gõ /tracuu và mã phản ánh.\n"
    "• Bổ sung thông tin: cứ nhắn tiếp, hoặc gõ /bosung MÃ nội dung.\n"
    "• Dữ liệu cá nhân: bạn có quyền yêu cầu xóa (Nghị định 13/2023), gõ /xoadulieu.\n\n"
    "Các lệnh:\n"
    "/batdau – bắt đầu lại\n"
    "/huy – hủy thao tác đang làm\n"
    "/tracuu MÃ – xem tiến độ phản ánh\n"
    "/bosung MÃ nội dung – gửi thêm thông tin\n"
    "/trogiup – xem hướng dẫn này\n"
    "/xoadulieu – xóa dữ liệu cá nhân của bạn\n"
    "/en – English\n\n"
    "⚠️ Không gửi mật khẩu, mã OTP hay mã PIN cho bất kỳ ai, kể cả Tổ công tác."
)

CANCELLED = "Đã hủy. Thông tin đang nhập dở đã được xóa."
NOTHING_TO_CANCEL = "Hiện không có thao tác nào đang làm dở."

NOT_UNDERSTOOD_CHOICE = (
    "Mình chưa hiểu “{text}”. Bạn chọn một mục bên dưới, hoặc trả lời bằng số thứ tự của mục đó nhé."
)
STALE_CHOICE = "Nút này thuộc bước trước rồi. Mình đang hỏi:"
UNKNOWN_COMMAND = (
    "Mình chưa hiểu lệnh /{command}.\n"
    "Bạn có thể dùng: /batdau (bắt đầu lại), /huy (hủy), /tracuu MÃ (tra cứu), /trogiup (hướng dẫn)."
)
INTERNAL_ERROR = (
    "Xin lỗi bạn, mình gặp trục trặc khi xử lý tin nhắn này 🙏.\n"
    "Bạn thử lại sau ít phút, hoặc gõ /batdau để bắt đầu lại nhé."
)
STAFF_COMMAND_IN_PRIVATE = (
    "Lệnh /{command} chỉ dành cho cán bộ Tổ công tác và dùng trong nhóm của Tổ.\n"
    "Bạn cần gửi phản ánh thì gõ /batdau, xem tiến độ thì gõ /tracuu MÃ nhé."
)
EMPTY_MESSAGE = "Mình chưa nhận được nội dung nào. Bạn nhắn lại giúp mình nhé."
FLOOD = "Bạn nhắn nhanh quá, mình xử lý không kịp 😅. Bạn đợi khoảng một phút rồi nhắn tiếp giúp mình nhé."

ASK_LOOKUP = "🔎 Bạn gõ mã phản ánh cần tra cứu (ví dụ PA-251123-7KQ4)."
ASK_LOOKUP_WITH_LIST = (
    "🔎 Các phản ánh gần đây của bạn ở bên dưới. Chọn một phản ánh để xem, hoặc gõ mã phản ánh."
)
LOOKUP_GIVE_UP = "Bạn có thể xem lại mã trong tin nhắn lúc gửi phản ánh, hoặc chọn việc khác bên dưới."
LOOKUP_NOT_FOUND = (
    "Mình không tìm thấy phản ánh “{code}” trong các phản ánh bạn đã gửi. Bạn kiểm tra lại mã giúp mình nhé."
)
LOOKUP_SENT_AT = "📅 Gửi lúc: {when}"
LOOKUP_NO_UNIT = "Không rõ đơn vị"
LOOKUP_DUE = "⏰ Dự kiến có kết quả trước: {due}"
LOOKUP_ESCALATED = "📤 Đã chuyển cấp có thẩm quyền của thành phố"
LOOKUP_HISTORY = "Diễn biến:"
LOOKUP_STAFF_REPLY = "Tổ công tác trả lời: {text}"
LOOKUP_REPORTER_COMMENT = "Bạn góp ý: {text}"
LOOKUP_REPORTER_FILES = "Bạn gửi thêm ảnh/tệp"
LOOKUP_REPORTER_ADDED = "Bạn bổ sung: {text}"
LOOKUP_RESULT = "Kết quả: {result}"
# Events of the case's audit trail, as the reporter reads them in a look-up.
EVENT_LABELS: dict[str, str] = {
    "created": "Đã tiếp nhận phản ánh",
    "assigned": "Đã phân công cán bộ xử lý",
    "escalated": "Đã chuyển cấp có thẩm quyền (vượt thẩm quyền Tổ công tác)",
    "rated": "Bạn đã đánh giá",
    "incident": "Gắn với sự cố chung đã được ghi nhận",
}

FAQ_BROWSE = "❓ Câu hỏi thường gặp\nBạn chọn nhóm hệ thống, hoặc gõ câu hỏi của bạn:"
FAQ_BROWSE_TOPICS = "Chọn câu hỏi bạn quan tâm, hoặc gõ câu hỏi của bạn:"
FAQ_NO_MATCH = (
    "Mình chưa có sẵn câu trả lời cho câu hỏi này.\nBạn có thể gửi phản ánh để Tổ công tác hỗ trợ trực tiếp."
)
FAQ_HELPFUL = "👍 Đã rõ, cảm ơn"
FAQ_REPORT = "📝 Gửi phản ánh"
FAQ_MORE = "❓ Câu hỏi khác"
FAQ_SYSTEM_GENERAL = "Chung (địa giới mới, nơi nộp, hỗ trợ)"
