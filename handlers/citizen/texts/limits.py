"""What the bot says about limits and personal data: after a flood (what was kept), the cap on
open cases (handlers.citizen.open_cap), and `/xoadulieu` (handlers.citizen.erase, Decree 13/2023).

Vietnamese, the source language: each constant's value is a msgid of the catalogs in
handlers/citizen/locales (msgctxt = the constant's name); see handlers/citizen/texts/__init__.py.
"""

from __future__ import annotations

# After a flood: one short account, on the person's next message (handlers.citizen.flood).
FLOOD_KEPT_REPORT = "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn, sẽ gửi kèm phản ánh này."
FLOOD_KEPT_CASE = "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn vào phản ánh {code}, Tổ công tác sẽ đọc."
FLOOD_KEPT_BACKLOG = (
    "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn.\n"
    "Nếu đó là vấn đề cần báo, bạn chọn “Gửi thành phản ánh” nhé."
)
FLOOD_BACKLOG_BUTTON = "📝 Gửi thành phản ánh"
FLOOD_DROPPED = "⚠️ {count} tin nhắn sau cùng nhiều quá nên mình không lưu được. Điều gì quan trọng, bạn gửi lại giúp mình nhé."
FILES_REFUSED = "📎 Mỗi phản ánh nhận tối đa {max} tệp nên {count} tệp gửi sau không được lưu."

# The cap on open cases: {cases} is one line per open case ("• PA-… · what it is about").
OPEN_CASES_CAP = (
    "Bạn đang có {count} phản ánh đang xử lý, đã đến mức tối đa cho một người:\n{cases}\n"
    "Mình chưa mở phản ánh mới được. Khi một phản ánh được giải quyết, bạn gửi tiếp nhé. "
    "Cần bổ sung, bạn nhắn ngay tại đây."
)
OPEN_CASES_CAP_PICK = "Nội dung bạn vừa gửi, mình bổ sung vào phản ánh nào?"

# /xoadulieu: what will be erased, asked before anything is; then the two buttons.
ERASE_ASK = (
    "🗑️ Bạn muốn xóa dữ liệu cá nhân của mình?\n"
    "Mình sẽ xóa tên, số điện thoại, nội dung và tệp bạn đã gửi. "
    "Số liệu thống kê không gắn với bạn (đơn vị, hệ thống, thời gian) vẫn được giữ."
)
ERASE_ASK_OPEN = "Phản ánh đang xử lý ({codes}) sẽ được đóng và Tổ công tác được báo; họ sẽ không liên hệ được với bạn nữa."
ERASE_YES = "🗑️ Xóa dữ liệu của tôi"
ERASE_NO = "↩️ Không, giữ lại"
# A reply that is not a clear yes or no: nothing is deleted.
ERASE_UNCLEAR = "Mình chưa xóa gì cả. Bạn chọn “Xóa dữ liệu của tôi” nếu chắc chắn, hoặc “Không” để giữ lại."
ERASE_KEPT = "Dạ, mình giữ nguyên dữ liệu của bạn."
ERASE_DONE = (
    "✅ Đã xóa dữ liệu cá nhân của bạn ({cases} phản ánh). "
    "Khi cần, bạn gõ /batdau để bắt đầu lại; mình sẽ hỏi lại sự đồng ý của bạn."
)
