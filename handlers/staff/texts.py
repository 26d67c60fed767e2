"""What the bot says in the task force's group (Vietnamese, plain text)."""

from __future__ import annotations

CARD_TITLE = {
    "moi": "🆕 PHẢN ÁNH MỚI",
    "dang_xu_ly": "🛠️ ĐANG XỬ LÝ",
    "cho_nguoi_phan_anh": "⏳ CHỜ NGƯỜI PHẢN ÁNH",
    "da_giai_quyet": "✅ ĐÃ GIẢI QUYẾT",
    "da_dong": "📁 ĐÃ ĐÓNG",
}
CARD_URGENT = "🚨 KHẨN"
# Status as staff read it: the citizen-facing labels (handlers.citizen.texts.STATUS_LABELS) speak
# to the reporter ("Chờ bạn bổ sung…"), which reads wrongly on a card or in /thongke.
STATUS_LABELS = {
    "moi": "Mới tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "cho_nguoi_phan_anh": "Chờ người phản ánh bổ sung",
    "da_giai_quyet": "Đã giải quyết (chờ đánh giá)",
    "da_dong": "Đã đóng",
}
# The status icon that starts a forum topic's name, so the topic list reads like the queue.
TOPIC_ICONS = {
    "moi": "🆕",
    "dang_xu_ly": "🛠️",
    "cho_nguoi_phan_anh": "⏳",
    "da_giai_quyet": "✅",
    "da_dong": "📁",
}
# Audit events as staff read them in a case's history (storage.repo.add_event kinds).
EVENT_LABELS = {
    "created": "gửi phản ánh",
    "assigned": "giao cho",
    "taken": "nhận xử lý",
    "escalated": "chuyển vượt thẩm quyền",
    "escalation_cleared": "bỏ đánh dấu vượt thẩm quyền",
    "rated": "đánh giá",
    "faq_draft": "tạo bản nháp FAQ",
    "incident": "sự cố chung",
    "note": "ghi chú nội bộ",
    "sla_escalation": "quá hạn, đã báo lãnh đạo",
    "correction": "sửa tin đã gửi",
}
# Who did it, for the actors that are not a staff member's @name.
ACTORS = {"bot": "Hệ thống", "reporter": "Người phản ánh"}
CARD_ESCALATED_TAG = "📤 VƯỢT THẨM QUYỀN"
# The reporter chose English (handlers.citizen.language): the bot's own messages to them are in English.
CARD_ENGLISH = "🌐 Người phản ánh dùng tiếng Anh: cán bộ nên trả lời bằng tiếng Anh."
CARD_ESCALATED = "📤 Vượt thẩm quyền, đã chuyển cấp trên lúc {when}. Lý do: {reason}"
CARD_PREVIOUS = "🔁 {count} phản ánh trước của người này"
CARD_FULL_TEXT = "📄 Toàn văn: {text}"
# The error lines read in the report's screenshots (CCCD and phone numbers already masked).
CARD_PICTURE_TEXT = "🖼️ Chữ trong ảnh:"
CARD_PICTURE_ONLY = "(Người phản ánh chỉ gửi ảnh chụp màn hình, không gõ mô tả.)"
CARD_FOOTER = (
    "↩️ Trả lời (reply) thẻ này hoặc tin của phản ánh để gửi người phản ánh · /ghichu: ghi chú nội bộ"
)
QUEUE_ESCALATED_TAG = " · 📤 vượt thẩm quyền"
BUTTON_TAKE = "🙋 Nhận xử lý"
BUTTON_ASK = "❓ Hỏi thêm"
BUTTON_CLOSE = "✅ Đóng"
BUTTON_HANDOVER = "👤 Giao"
BUTTON_REOPEN = "🔄 Mở lại"
BUTTON_UNESCALATE = "↩️ Bỏ vượt thẩm quyền"
BUTTON_HISTORY = "📋 Lịch sử"
BUTTON_PREV = "◀️ Trang trước"
BUTTON_NEXT = "Trang sau ▶️"

NOT_STAFF = "Xin lỗi, lệnh này chỉ dành cho cán bộ Tổ công tác."
LEADER_ONLY = "Xin lỗi, chỉ lãnh đạo Tổ công tác mới được {action}."
NEED_CASE = (
    "Lệnh này cần dùng trong chủ đề (hoặc trả lời thẻ) của một phản ánh, hoặc ghi kèm mã: /{command} PA-…"
)
CASE_NOT_FOUND = "Không tìm thấy phản ánh {code}."
CASE_GONE = "Phản ánh này không còn trong hệ thống."
NEED_TEXT = "Bạn ghi kèm nội dung giúp mình: /{command} {example}"
TOOK = "🙋 {actor} đã nhận xử lý phản ánh {code}."
TOOK_ALREADY = "Bạn đang xử lý phản ánh {code} rồi."
ASSIGNED = "👤 Phản ánh {code} đã giao cho {assignee} (bởi {actor})."
ALREADY_ASSIGNED = "Phản ánh {code} đang do {assignee} xử lý. Chỉ lãnh đạo mới giao lại được."
HANDOVER_REFUSED = "Phản ánh {code} đang do {assignee} xử lý. Chỉ {assignee} hoặc lãnh đạo mới giao lại được."
PICK_ASSIGNEE = "👤 Giao phản ánh {code} cho ai? Bấm tên cán bộ:"
PICK_UNKNOWN = "Bot chưa thấy {handle} nhắn trong nhóm nên chưa giao được (tránh giao nhầm tên)."
PICK_SUGGEST = "Ý bạn là {handle}?"
PICK_EMPTY = (
    "Bot chưa thấy cán bộ nào nhắn trong nhóm. Người nhận nhắn một tin bất kỳ trong nhóm (hoặc gõ /nhan "
    "trong chủ đề phản ánh) rồi giao lại."
)
PICK_STALE = "Danh sách này đã cũ: phản ánh {code} {state}."
RESOLVED = "✅ {actor} đã đóng phản ánh {code} với kết quả:\n{resolution}\n\nĐã gửi kết quả và đề nghị đánh giá tới người phản ánh."
REOPENED = "🔄 {actor} đã mở lại phản ánh {code}."
ESCALATED = "📤 Phản ánh {code} được {actor} chuyển vượt thẩm quyền. Lý do: {reason}"
UNESCALATED = "↩️ {actor} đã bỏ đánh dấu vượt thẩm quyền của phản ánh {code}: Tổ công tác tiếp tục xử lý."
NOT_ESCALATED = "Phản ánh {code} không ở trạng thái vượt thẩm quyền."
STILL_OPEN = "Phản ánh {code} đang mở ({status}), không cần mở lại."
STILL_OPEN_ESCALATED = (
    "Phản ánh {code} đang mở ({status}), không cần mở lại. Để bỏ đánh dấu vượt thẩm quyền: /bovuot {code}"
)
WAITING = "⏳ Phản ánh {code} chuyển sang chờ người phản ánh bổ sung (bởi {actor})."
ASK_PROMPT = "❓ Câu hỏi cho người phản ánh {code}: bạn trả lời (reply) tin này bằng nội dung cần hỏi."
CLOSE_PROMPT = (
    "✅ Kết quả giải quyết phản ánh {code}: bạn trả lời (reply) tin này bằng kết quả. "
    "Kết quả được gửi người phản ánh kèm đề nghị đánh giá."
)
NOTE_SAVED = "📝 Đã lưu ghi chú nội bộ (không gửi cho người phản ánh)."
CLOSED_ALREADY = "Phản ánh {code} đã đóng. Dùng /molai để mở lại trước khi trả lời."
# Why a button does nothing in the case's current state (shown as a pop-up to the one who pressed).
NOT_NOW = {
    "take": "Phản ánh {code} {state}: không nhận xử lý được nữa. Bấm 🔄 Mở lại nếu cần làm tiếp.",
    "ask": "Phản ánh {code} {state}: không hỏi thêm được. Bấm 🔄 Mở lại nếu cần làm tiếp.",
    "close": "Phản ánh {code} {state} rồi.",
    "handover": "Phản ánh {code} {state}: không giao được nữa. Bấm 🔄 Mở lại nếu cần làm tiếp.",
    "reopen": "Phản ánh {code} đang mở ({state}), không cần mở lại.",
}
STATE_WORDS = {
    "moi": "mới tiếp nhận",
    "dang_xu_ly": "đang xử lý",
    "cho_nguoi_phan_anh": "đang chờ người phản ánh",
    "da_giai_quyet": "đã giải quyết",
    "da_dong": "đã đóng",
}
FOLLOWUP = "💬 Người phản ánh bổ sung ({code}):\n{text}"
FOLLOWUP_FILES = "💬 Người phản ánh gửi thêm {count} tệp ({code})."
# One person's follow-ups beyond a few a minute, merged (handlers.staff.relay).
FOLLOWUP_DIGEST = "💬 Người phản ánh gửi thêm {count} tin nhắn ({code}), gộp lại để nhóm không bị trôi:"
FOLLOWUP_DIGEST_FILES = "📎 Kèm {count} tệp."
RATING = "⭐ Phản ánh {code} được đánh giá: {rating}"
RATING_COMMENT = "💬 Góp ý của người phản ánh ({code}): {comment}"
RATING_REOPENED = "🔄 Người phản ánh KHÔNG HÀI LÒNG với kết quả phản ánh {code}: phản ánh đã được mở lại."
# In an open case's thread when its reporter has their data erased (/xoadulieu, handlers.citizen.erase).
PERSONAL_DATA_ERASED = "🗑️ Người phản ánh đã yêu cầu xóa dữ liệu cá nhân (Nghị định 13/2023). Phản ánh {code} được đóng; nội dung đã xóa."
UNDELIVERED = "⚠️ Chưa gửi được tin nhắn tới người phản ánh ({code}): {reason}"
CORRECTED = "✏️ Đã gửi lại bản sửa cho người phản ánh ({code})."
UNPLACED = (
    "Tin này chưa gửi cho ai: bot không biết nó thuộc phản ánh nào. Để gửi người phản ánh, bạn trả lời "
    "(reply) thẻ hoặc một tin của phản ánh, hoặc nhắn trong chủ đề của phản ánh."
)
QUEUE_EMPTY = "🎉 Không còn phản ánh nào đang mở."
QUEUE_EMPTY_FILTER = "Không có phản ánh đang mở nào {label}."
QUEUE_HEADER = "📋 Hàng đợi{label}: {count} phản ánh đang mở · trang {page}/{pages}\n(quá hạn và khẩn trước, rồi theo hạn)"
QUEUE_FILTERS = {
    "cuatoi": "của bạn",
    "chuagiao": "chưa giao",
    "quahan": "quá hạn",
    "khan": "khẩn",
}
QUEUE_UNKNOWN_FILTER = "Chưa hiểu bộ lọc “{word}”. Dùng: /hangdoi cuatoi | chuagiao | quahan | khan | tên hệ thống | tên xã/phường."
QUEUE_NO_ASSIGNEE = "chưa giao"
SEARCH_EMPTY = "Không tìm thấy phản ánh nào khớp “{query}”."
SEARCH_HEADER = "🔍 Tìm “{query}”: {count} phản ánh{more}"
SEARCH_MORE = " (hiện {shown} gần nhất)"
UNKNOWN_COMMAND = "Bot không có lệnh /{command}. Gõ /trogiup để xem các lệnh."
DID_YOU_MEAN = "Bot không có lệnh /{command}. Ý bạn là /{suggestion}? (/trogiup: các lệnh)"
STAFF_HELP = (
    "🧰 Lệnh của Tổ công tác\n"
    "Trong chủ đề của phản ánh (hoặc trả lời thẻ):\n"
    "• Nhắn bình thường → gửi cho người phản ánh\n"
    "• /ghichu nội dung → ghi chú nội bộ, không gửi đi\n"
    "• /nhan → nhận xử lý\n"
    "• /giao @ten → giao cho cán bộ (không ghi tên: chọn trong danh sách)\n"
    "• /chobosung câu hỏi → hỏi thêm người phản ánh và chờ\n"
    "• /dong kết quả → đóng với kết quả giải quyết\n"
    "• /molai → mở lại\n"
    "• /vuotthamquyen lý do → chuyển vượt thẩm quyền; /bovuot → bỏ (lãnh đạo)\n"
    "• /taofaq [câu hỏi mẫu] → bản nháp câu hỏi thường gặp từ kết quả đã giải quyết (thẻ ✏️ Sửa, ✅ Duyệt)\n"
    "• /traloi mã_chủ_đề → gửi câu trả lời có sẵn của chủ đề đó cho người phản ánh\n"
    "Ở bất kỳ đâu:\n"
    "• /hangdoi [cuatoi | chuagiao | quahan | khan | hệ thống | xã/phường] → phản ánh đang mở\n"
    "• /tim mã, số điện thoại hoặc từ khóa (gõ có dấu hay không dấu đều được)\n"
    "• /thongke → số liệu nhanh\n"
    "• /baocao tuan | thang | tuantruoc | thangtruoc | dd/mm/yyyy dd/mm/yyyy → báo cáo\n"
    "• /suco → các sự cố đang mở; /suco mo thông báo | /suco dong kết quả → sự cố chung\n"
    "• /suafaq mã_chủ_đề → sửa một chủ đề đang dùng (trưởng nhóm duyệt mới có hiệu lực)\n"
    "• /taifaq → nạp lại ngay bộ câu hỏi đã duyệt (bot cũng tự nạp sau vài giây)\n"
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
FAQ_DRAFT_FAILED = (
    "⚠️ Chưa lưu được bản nháp FAQ cho phản ánh {code}: {reason}. Bạn báo quản trị hệ thống giúp mình."
)
FILES_NOT_SHOWN = (
    "⚠️ Người phản ánh {code} dùng Zalo nên không xem được tệp gửi từ Telegram (họ chỉ được báo là có tệp). "
    "Cán bộ mô tả nội dung bằng chữ, hoặc gửi đường link công khai của tệp."
)
# The "/" menu in the staff group (Telegram setMyCommands, scope: that chat).
MENU = [
    ("hangdoi", "Phản ánh đang mở (cuatoi, chuagiao, quahan, khan…)"),
    ("nhan", "Nhận xử lý phản ánh"),
    ("giao", "Giao phản ánh cho cán bộ"),
    ("chobosung", "Hỏi thêm người phản ánh"),
    ("dong", "Đóng với kết quả giải quyết"),
    ("molai", "Mở lại phản ánh"),
    ("ghichu", "Ghi chú nội bộ"),
    ("traloi", "Gửi câu trả lời có sẵn của một chủ đề FAQ"),
    ("tim", "Tìm theo mã, số điện thoại, từ khóa"),
    ("thongke", "Số liệu nhanh"),
    ("baocao", "Báo cáo tuần/tháng"),
    ("suco", "Sự cố chung"),
    ("trogiup", "Các lệnh của Tổ công tác"),
]
