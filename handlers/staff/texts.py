"""What the bot says in the task force's group (Vietnamese, plain text)."""

from __future__ import annotations

CARD_TITLE = {
    "moi": "🆕 PHẢN ÁNH MỚI",
    "dang_xu_ly": "🛠️ ĐANG XỬ LÝ",
    "cho_nguoi_phan_anh": "⏳ CHỜ NGƯỜI PHẢN ÁNH",
    "da_giai_quyet": "✅ ĐÃ GIẢI QUYẾT",
    "da_dong": "📁 ĐÃ ĐÓNG",
}
# Status as staff read it: the citizen-facing labels (handlers.citizen.texts.STATUS_LABELS) speak to
# the reporter ("Chờ bạn bổ sung…"), which reads wrongly on a card or in /thongke.
STATUS_LABELS = {
    "moi": "Mới tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "cho_nguoi_phan_anh": "Chờ người phản ánh bổ sung",
    "da_giai_quyet": "Đã giải quyết (chờ đánh giá)",
    "da_dong": "Đã đóng",
}
# Audit events as staff read them in a case's history (storage.repo.add_event kinds).
EVENT_LABELS = {
    "created": "tiếp nhận phản ánh",
    "assigned": "phân công",
    "escalated": "chuyển vượt thẩm quyền",
    "rated": "người phản ánh đánh giá",
    "faq_draft": "tạo bản nháp FAQ",
    "incident": "gắn với sự cố chung",
}
CARD_ESCALATED_TAG = "📤 VƯỢT THẨM QUYỀN"
# The reporter chose English (handlers.citizen.language): the bot's own messages to them are in English.
CARD_ENGLISH = "🌐 Người phản ánh dùng tiếng Anh: cán bộ nên trả lời bằng tiếng Anh."
CARD_ESCALATED = "📤 Vượt thẩm quyền Tổ công tác, đã chuyển cấp trên lúc {when}. Lý do: {reason}"
QUEUE_ESCALATED_TAG = " · 📤 vượt thẩm quyền"
CARD_FOOTER = "↩️ Trả lời trong chủ đề này (hoặc trả lời thẻ này) để gửi cho người phản ánh. /ghichu để ghi chú nội bộ."
BUTTON_TAKE = "🙋 Nhận xử lý"
BUTTON_WAIT = "⏳ Chờ bổ sung"
BUTTON_HISTORY = "📋 Lịch sử"

NOT_STAFF = "Xin lỗi, lệnh này chỉ dành cho cán bộ Tổ công tác."
LEADER_ONLY = "Xin lỗi, chỉ lãnh đạo Tổ công tác mới được {action}."
NEED_CASE = "Lệnh này cần dùng trong chủ đề (hoặc trả lời thẻ) của một phản ánh, hoặc ghi kèm mã: /{command} PA-…"
CASE_NOT_FOUND = "Không tìm thấy phản ánh {code}."
NEED_TEXT = "Bạn ghi kèm nội dung giúp mình: /{command} {example}"
TOOK = "🙋 {actor} đã nhận xử lý phản ánh {code}."
ASSIGNED = "👤 Phản ánh {code} đã giao cho {assignee} (bởi {actor})."
ALREADY_ASSIGNED = "Phản ánh {code} đang do {assignee} xử lý. Chỉ lãnh đạo mới giao lại được."
HANDOVER_REFUSED = (
    "Phản ánh {code} đang do {assignee} xử lý. Chỉ {assignee} hoặc lãnh đạo mới giao lại được."
)
RESOLVED = "✅ {actor} đã đóng phản ánh {code} với kết quả:\n{resolution}\n\nĐã gửi kết quả và đề nghị đánh giá tới người phản ánh."
REOPENED = "🔄 {actor} đã mở lại phản ánh {code}."
ESCALATED = "📤 Phản ánh {code} được {actor} chuyển vượt thẩm quyền. Lý do: {reason}"
WAITING = "⏳ Phản ánh {code} chuyển sang chờ người phản ánh bổ sung (bởi {actor})."
NOTE_SAVED = "📝 Đã lưu ghi chú nội bộ (không gửi cho người phản ánh)."
RELAYED_NEW_STATUS = "🛠️ Phản ánh {code} chuyển sang Đang xử lý."
CLOSED_ALREADY = "Phản ánh {code} đã đóng. Dùng /molai để mở lại trước khi trả lời."
FOLLOWUP = "💬 Người phản ánh bổ sung ({code}):\n{text}"
FOLLOWUP_FILES = "💬 Người phản ánh gửi thêm {count} tệp ({code})."
# One person's follow-ups beyond a few a minute, merged (handlers.staff.relay).
FOLLOWUP_DIGEST = "💬 Người phản ánh gửi thêm {count} tin nhắn ({code}), gộp lại để nhóm không bị trôi:"
FOLLOWUP_DIGEST_FILES = "📎 Kèm {count} tệp."
RATING = "⭐ Phản ánh {code} được đánh giá: {rating}"
RATING_COMMENT = "💬 Góp ý của người phản ánh ({code}): {comment}"
RATING_REOPENED = "🔄 Người phản ánh KHÔNG HÀI LÒNG với kết quả phản ánh {code}: phản ánh đã được mở lại."
UNDELIVERED = "⚠️ Chưa gửi được tin nhắn tới người phản ánh ({code}): {reason}"
QUEUE_EMPTY = "🎉 Không còn phản ánh nào đang mở."
QUEUE_HEADER = "📋 Hàng đợi: {count} phản ánh đang mở (cũ nhất trước)"
SEARCH_EMPTY = "Không tìm thấy phản ánh nào khớp “{query}”."
SEARCH_HEADER = "🔍 Kết quả tìm “{query}”:"
STAFF_HELP = (
    "🧰 Lệnh của Tổ công tác\n"
    "Trong chủ đề của phản ánh (hoặc trả lời thẻ):\n"
    "• Nhắn bình thường → gửi cho người phản ánh\n"
    "• /ghichu nội dung → ghi chú nội bộ, không gửi đi\n"
    "• /nhan → nhận xử lý\n"
    "• /giao @ten → giao cho cán bộ\n"
    "• /chobosung câu hỏi → hỏi thêm người phản ánh và chờ\n"
    "• /dong kết quả → đóng với kết quả giải quyết\n"
    "• /molai → mở lại\n"
    "• /vuotthamquyen lý do → chuyển vượt thẩm quyền\n"
    "• /taofaq [câu hỏi mẫu] → tạo bản nháp câu hỏi thường gặp từ kết quả đã giải quyết\n"
    "Ở bất kỳ đâu:\n"
    "• /hangdoi → các phản ánh đang mở\n"
    "• /tim mã, số điện thoại hoặc từ khóa\n"
    "• /thongke → số liệu nhanh\n"
    "• /baocao tuan | thang | tuantruoc | thangtruoc | dd/mm/yyyy dd/mm/yyyy → báo cáo\n"
    "• /suco → các sự cố đang mở; /suco mo thông báo | /suco dong kết quả → sự cố chung\n"
    "• /taifaq → tải lại bộ câu hỏi thường gặp\n"
    "Nhắn riêng cho bot: /dangnhap → liên kết đăng nhập bảng điều khiển (10 phút, dùng một lần)"
)

FAQ_DRAFT_NO_RESOLUTION = (
    "Phản ánh {code} chưa có kết quả giải quyết nên chưa tạo được bản nháp FAQ. "
    "Bạn đóng phản ánh bằng /dong kết quả trước, rồi gõ lại /taofaq."
)
FAQ_DRAFT_SAVED = (
    "📝 {actor} đã tạo bản nháp câu hỏi thường gặp từ phản ánh {code}.\n"
    "Lưu tại: {path}\n(bot chưa dùng bản nháp này để trả lời)\n\n"
    "{draft}\n\n"
    "Để đưa vào sử dụng:\n"
    "1. Rà soát: viết lại tiêu đề và câu trả lời cho chung, bỏ thông tin riêng của người phản ánh.\n"
    "2. Bổ sung đủ ít nhất {min_examples} câu hỏi mẫu (examples) và vài từ khóa (keywords); đổi id nếu muốn.\n"
    "3. Chuyển mục này vào một tệp trong faq/data/topics/, chạy python -m faq check.\n"
    "4. Gõ /taifaq để bot nạp lại, không cần khởi động lại."
)
FAQ_DRAFT_FAILED = "⚠️ Chưa lưu được bản nháp FAQ cho phản ánh {code}: {reason}. Bạn báo quản trị hệ thống giúp mình."
FILES_NOT_SHOWN = (
    "⚠️ Người phản ánh {code} dùng Zalo nên không xem được tệp gửi từ Telegram (họ chỉ được báo là có tệp). "
    "Cán bộ mô tả nội dung bằng chữ, hoặc gửi đường link công khai của tệp."
)
