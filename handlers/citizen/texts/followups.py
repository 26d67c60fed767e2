"""What the bot says after a report is filed: follow-ups, staff replies, the result and its
rating, case notices (reopened, waiting, closed, escalated) and incidents shared by many reports.

Vietnamese, the source language: each constant's value is a msgid of the catalogs in
handlers/citizen/locales (msgctxt = the constant's name); see handlers/citizen/texts/__init__.py.
"""

from __future__ import annotations

RATINGS: dict[str, str] = {
    "hai_long": "😊 Hài lòng",
    "binh_thuong": "😐 Bình thường",
    "khong_hai_long": "🙁 Không hài lòng",
}

FOLLOWUP_FORWARDED = "📨 Đã chuyển thông tin bổ sung tới Tổ công tác (phản ánh {code})."
FOLLOWUP_WHICH = "Bạn đang có nhiều phản ánh đang xử lý. Thông tin này bổ sung cho phản ánh nào?"
FOLLOWUP_IF_NEW = "Nếu đây là một vấn đề khác, bạn chọn “Đây là phản ánh mới” để gửi riêng nhé."
FOLLOWUP_NEW = "📝 Đây là phản ánh mới"
BOSUNG_USAGE = "Bạn gõ theo mẫu: /bosung MÃ nội dung (ví dụ: /bosung PA-251123-7KQ4 đã thử lại vẫn lỗi)."

STAFF_REPLY = "💬 Tổ công tác trả lời (phản ánh {code}):\n\n{text}"
STAFF_REPLY_FILES = "(tệp đính kèm)"
# Above a staff reply sent again after staff edited it in the group (handlers.staff.actions).
CORRECTION_HEADER = "✏️ Tổ công tác sửa lại tin nhắn trước (phản ánh {code}):"
CASE_RESOLVED = (
    "✅ Phản ánh {code} đã được giải quyết.\n\n"
    "Kết quả: {resolution}\n\n"
    "Bạn đánh giá giúp Tổ công tác mức độ hài lòng nhé:"
)
ASK_RATING_COMMENT = "Cảm ơn bạn! Bạn có muốn góp ý thêm điều gì không? Gõ góp ý, hoặc chọn “Bỏ qua”."
RATING_THANKS = "🙏 Cảm ơn bạn đã đánh giá. Chúc bạn làm thủ tục thuận lợi!"
RATING_COMMENT_THANKS_UNHAPPY = (
    "🙏 Cảm ơn góp ý của bạn. Mình đã chuyển cho Tổ công tác, cán bộ sẽ xem lại và liên hệ với bạn sớm."
)
RATING_UNHAPPY_NOTED = "👌 Mình đã ghi nhận. Tổ công tác sẽ xem lại và liên hệ với bạn sớm."
RATING_REASK = (
    "📨 Mình đã chuyển ý kiến của bạn tới Tổ công tác (phản ánh {code}).\n"
    "Nếu vấn đề vẫn chưa được giải quyết, bạn chọn “🙁 Không hài lòng” để Tổ công tác xử lý tiếp nhé."
)
RATING_REOPENED = (
    "🙏 Cảm ơn bạn đã phản hồi. Phản ánh {code} đã được mở lại, Tổ công tác sẽ xem xét thêm "
    "và liên hệ với bạn."
)
RATING_ASK = "⭐ Bạn đánh giá giúp Tổ công tác mức độ hài lòng với kết quả phản ánh {code} nhé:"
CASE_REOPENED = "🔄 Phản ánh {code} đã được mở lại để xử lý tiếp."
CASE_WAITING = "⏳ Tổ công tác cần bạn bổ sung thông tin cho phản ánh {code}. Bạn trả lời ngay tại đây nhé."
CASE_CLOSED_AUTO = "📁 Phản ánh {code} đã được đóng. Cảm ơn bạn đã sử dụng dịch vụ!"
CASE_ESCALATED = (
    "📤 Phản ánh {code} vượt thẩm quyền của Tổ công tác và đã được chuyển báo cáo lên cấp có thẩm quyền của "
    "thành phố. Tổ công tác sẽ thông báo khi có kết quả."
)

# Incidents (handlers.incidents.desk): many reports of the same problem, announced by staff.
INCIDENT_SUBJECT_SYSTEM = "hệ thống {system}"
INCIDENT_SUBJECT_TOPIC = "«{title}»"
INCIDENT_SUSPECTED = (
    "📢 Nhiều người đang phản ánh cùng vấn đề về {subject}. Tổ công tác đã nắm được và đang kiểm tra.\n"
    "Phản ánh {code} của bạn đã được ghi nhận cùng các phản ánh này. Khi khắc phục xong, Tổ công tác sẽ báo bạn."
)
INCIDENT_OPEN_FAQ = "📢 Tổ công tác đang xử lý sự cố chung về {subject}: {notice}"
INCIDENT_KNOWN = (
    "📢 Tổ công tác đã ghi nhận sự cố chung về {subject}.\n{notice}\n\n"
    "Phản ánh {code} của bạn đã được gắn với sự cố này. Khi khắc phục xong, Tổ công tác sẽ báo bạn ngay."
)
INCIDENT_FIXED = (
    "✅ Sự cố chung về {subject} đã được khắc phục.\nKết quả: {result}\n\n"
    "Phản ánh {code} của bạn đã được giải quyết. Nếu vẫn còn lỗi, bạn chọn “Không hài lòng” để "
    "Tổ công tác xem lại.\nBạn đánh giá giúp Tổ công tác mức độ hài lòng nhé:"
)
INCIDENT_FIXED_INFO = (
    "✅ Sự cố chung về {subject} (liên quan phản ánh {code} của bạn) đã được khắc phục.\nKết quả: {result}"
)
