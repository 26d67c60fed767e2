"""Everything the bot says to reporters, in Vietnamese (xưng "mình", gọi "bạn").

Kept in one module so wording can be reviewed and changed without touching the flow.
handlers/citizen/texts_en.py has the same names in English, for foreign residents; handlers take
the module of the person's language from `Turn.t` (handlers.citizen.language).
"""

from __future__ import annotations

from collections.abc import Mapping

from handlers.textutil import fold

LANGUAGE = "vi"

ROLES: dict[str, str] = {
    "nguoi_dan": "Người dân",
    "doanh_nghiep": "Doanh nghiệp",
    "can_bo_xa": "Cán bộ xã/phường/đặc khu",
    "can_bo_so": "Cán bộ sở/ngành",
}
ROLE_ICONS = {"nguoi_dan": "👤", "doanh_nghiep": "🏢", "can_bo_xa": "🏛️", "can_bo_so": "🗂️"}
OFFICER_ROLES = frozenset({"can_bo_xa", "can_bo_so"})

SYSTEMS: dict[str, str] = {
    "dvc_quoc_gia": "Cổng DVC quốc gia",
    "he_thong_tthc_thanh_pho": "Hệ thống giải quyết TTHC của thành phố",
    "vneid": "VNeID/đăng nhập",
    "thanh_toan": "Thanh toán trực tuyến",
    "chu_ky_so": "Chữ ký số",
    "khac": "Khác",
}

STATUS_LABELS: dict[str, str] = {
    "moi": "Mới tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "cho_nguoi_phan_anh": "Chờ bạn bổ sung thông tin",
    "da_giai_quyet": "Đã giải quyết",
    "da_dong": "Đã đóng",
}
STATUS_ICONS = {"moi": "🆕", "dang_xu_ly": "🛠️", "cho_nguoi_phan_anh": "⏳", "da_giai_quyet": "✅", "da_dong": "📁"}

RATINGS: dict[str, str] = {
    "hai_long": "😊 Hài lòng",
    "binh_thuong": "😐 Bình thường",
    "khong_hai_long": "🙁 Không hài lòng",
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
    "• Bổ sung thông tin: cứ nhắn tiếp, hoặc gõ /bosung MÃ nội dung.\n\n"
    "Các lệnh:\n"
    "/batdau – bắt đầu lại\n"
    "/huy – hủy thao tác đang làm\n"
    "/tracuu MÃ – xem tiến độ phản ánh\n"
    "/bosung MÃ nội dung – gửi thêm thông tin\n"
    "/trogiup – xem hướng dẫn này\n"
    "/en – English\n\n"
    "⚠️ Không gửi mật khẩu, mã OTP hay mã PIN cho bất kỳ ai, kể cả Tổ công tác."
)

CONSENT = (
    "🔒 Trước khi gửi phản ánh, bạn vui lòng đọc giúp mình:\n\n"
    "Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, Tổ công tác sẽ lưu tên hiển thị, "
    "số điện thoại và nội dung bạn gửi, chỉ để xử lý phản ánh và thống kê. "
    "Dữ liệu không chia sẻ cho bên ngoài và được xóa khi hết thời hạn lưu trữ.\n\n"
    "Nếu không đồng ý, bạn vẫn gửi được phản ánh ẩn danh (không để lại số điện thoại)."
)
CONSENT_YES = "✅ Tôi đồng ý"
CONSENT_NO = "🙈 Không, gửi ẩn danh"
CONSENT_REFUSED = "Mình hiểu. Phản ánh của bạn sẽ được gửi ẩn danh, không kèm số điện thoại."

ASK_ROLE = "Bạn là:"
ASK_UNIT = (
    "📍 Bạn phản ánh về xã, phường hay đặc khu nào?\n"
    "Bạn gõ tên đơn vị nhé, ví dụ: Lê Chân, xã An Lão, đặc khu Cát Hải."
)
ASK_UNIT_OFFICER = "📍 Bạn đang công tác tại xã, phường hay đặc khu nào?\nBạn gõ tên đơn vị nhé, ví dụ: Lê Chân, xã An Lão."
UNIT_SKIP = "⏭️ Không rõ / bỏ qua"
UNIT_NOT_FOUND = (
    "Mình chưa tìm thấy “{text}” trong 114 xã, phường, đặc khu của Hải Phòng.\n"
    "Bạn gõ lại tên giúp mình nhé (ví dụ: Lê Chân, An Lão, Cát Hải). "
    "Tên cũ như “quận Lê Chân”, “huyện Vĩnh Bảo” cũng được."
)
UNIT_PICK = "Ý bạn là đơn vị nào dưới đây?"
# How handlers.directory words a unit's former district ("trước thuộc Lê Chân").
UNIT_FORMER = "trước thuộc"
UNIT_PICK_ONE = "Ý bạn là {unit}?"
UNIT_RETYPE = "🔁 Không phải, nhập lại"
UNIT_REMEMBERED = "📍 Lần trước bạn báo từ {unit}. Lần này vẫn là đơn vị đó chứ?"
UNIT_SAME = "✅ Đúng vậy"
UNIT_OTHER = "✏️ Đơn vị khác"

ASK_SYSTEM = "🖥️ Bạn gặp vấn đề với hệ thống nào?"

ASK_DESCRIPTION = (
    "📝 Bạn mô tả ngắn gọn vấn đề giúp mình nhé: đang làm thủ tục gì, thao tác đến bước nào, "
    "hệ thống báo lỗi gì.\n"
    "📎 Có ảnh chụp màn hình thì gửi kèm luôn (tối đa {max} ảnh hoặc tệp)."
)
# Channels that take pictures but no documents (the Zalo Bot API): the same, without "tệp".
ASK_DESCRIPTION_IMAGES = (
    "📝 Bạn mô tả ngắn gọn vấn đề giúp mình nhé: đang làm thủ tục gì, thao tác đến bước nào, "
    "hệ thống báo lỗi gì.\n"
    "📎 Có ảnh chụp màn hình thì gửi kèm luôn (tối đa {max} ảnh)."
)
USE_DRAFT = "Lúc nãy bạn nhắn: “{draft}”"
USE_DRAFT_BUTTON = "✅ Dùng nội dung đã nhắn"
DESCRIPTION_TOO_SHORT = "Bạn mô tả chi tiết hơn một chút giúp mình nhé (ít nhất {min} ký tự)."
TEXT_TOO_LONG = (
    "Nội dung dài quá ({length} ký tự, tối đa {max}). "
    "Bạn rút gọn lại hoặc chia thành vài tin ngắn giúp mình nhé."
)
DESCRIPTION_EXTENDED = "👍 Đã ghi thêm vào mô tả."
DESCRIPTION_FULL = (
    "Mô tả đã gần đủ độ dài tối đa ({max} ký tự) nên mình chưa ghi thêm được đoạn vừa rồi.\n"
    "Phần quan trọng bạn có thể gửi sau, khi Tổ công tác liên hệ. Chọn “Tiếp tục” để đi tiếp nhé."
)
ATTACHMENT_WAIT_TEXT = "📎 Đã nhận {count} tệp. Bạn gõ thêm vài dòng mô tả vấn đề giúp mình nhé."
ASK_MORE_ATTACHMENTS = (
    "👍 Đã ghi nhận mô tả.\n"
    "📎 Bạn có thể gửi thêm ảnh chụp màn hình hoặc tệp (đã có {count}/{max}). "
    "Xong thì chọn “Tiếp tục”."
)
ASK_MORE_ATTACHMENTS_IMAGES = (
    "👍 Đã ghi nhận mô tả.\n"
    "📎 Bạn có thể gửi thêm ảnh chụp màn hình (đã có {count}/{max}). "
    "Xong thì chọn “Tiếp tục”."
)
ATTACHMENT_RECEIVED = "📎 Đã nhận tệp ({count}/{max}). Gửi tiếp hoặc chọn “Tiếp tục”."
CONTINUE = "➡️ Tiếp tục"
ATTACHMENT_LIMIT = "Bạn đã gửi đủ {max} tệp rồi. Mình chuyển sang bước tiếp theo nhé."
ATTACHMENT_BAD_TYPE = (
    "Tệp “{name}” không nhận được (định dạng {mime}).\n"
    "Bạn gửi ảnh (JPG, PNG) hoặc tệp PDF, Word, Excel giúp mình nhé."
)
ATTACHMENT_TOO_BIG = "Tệp “{name}” lớn quá {max} MB. Bạn chụp màn hình hoặc nén nhỏ lại giúp mình nhé."
ATTACHMENT_KEPT = (
    "📎 Đã nhận tệp ({count}/{max}), mình sẽ gửi kèm phản ánh.\n"
    "Bạn trả lời tiếp câu hỏi phía trên giúp mình nhé."
)
ATTACHMENTS_FULL = (
    "Phản ánh đã đủ {max} tệp nên mình không nhận thêm được.\n"
    "Bạn trả lời tiếp câu hỏi phía trên giúp mình nhé."
)
# How a file without a name, or of an unknown type, is called in the messages above.
FILE_PHOTO = "ảnh"
FILE_DOCUMENT = "tệp"
FILE_TYPE_UNKNOWN = "không rõ"
UNSUPPORTED = (
    "Mình chưa đọc được loại tin này (nhãn dán, tin thoại, vị trí hoặc tệp chưa hỗ trợ).\n"
    "Bạn gõ nội dung hoặc gửi ảnh chụp màn hình giúp mình nhé."
)

UNSUPPORTED_IMAGES_ONLY = (
    "Trên kênh này mình chỉ nhận được tin chữ và ảnh (chưa nhận tệp PDF, Word, nhãn dán hay tin thoại).\n"
    "Giấy tờ thì bạn chụp màn hình rồi gửi ảnh giúp mình nhé."
)
FAQ_OFFER = (
    "💡 Có phải bạn gặp vấn đề này?\n\n📌 {title}\n\n{answer}\n\n"
    "Làm theo hướng dẫn trên đã giúp bạn xử lý được chưa?"
)
FAQ_SOLVED = "✅ Đã giải quyết được"
FAQ_NOT_SOLVED = "📨 Chưa, gửi Tổ công tác"
FAQ_PICK = "💡 Vấn đề của bạn có giống một trong các trường hợp sau không?"
FAQ_NONE_OF_THESE = "📨 Không phải, gửi Tổ công tác"
# An FAQ topic read from the menu (titles and answers are the knowledge base's, in Vietnamese).
FAQ_ANSWER = "📌 {title}\n\n{answer}"
# The same, when the guidance exists in the reader's own language (handlers.citizen.language.faq_guidance).
FAQ_OFFER_OWN = FAQ_OFFER
FAQ_ANSWER_OWN = FAQ_ANSWER
FAQ_THANKS = "🎉 Rất vui vì đã giúp được bạn! Nếu cần thêm, bạn cứ nhắn cho mình nhé."

ASK_DOSSIER = (
    "🗂️ Nếu đã nộp hồ sơ, bạn gửi mã hồ sơ giúp mình (ví dụ: H26.22-251120-0001).\n"
    "Chưa có thì chọn “Bỏ qua”."
)
DOSSIER_INVALID = "Mã hồ sơ thường gồm chữ và số (ví dụ H26.22-251120-0001). Bạn kiểm tra lại, hoặc chọn “Bỏ qua”."
ASK_PROCEDURE = "📄 Bạn đang làm thủ tục gì? (ví dụ: Đăng ký khai sinh, Cấp phiếu lý lịch tư pháp)\nKhông rõ thì chọn “Bỏ qua”."
SKIP = "⏭️ Bỏ qua"
ASK_PHONE = (
    "📞 Để Tổ công tác liên hệ khi cần, bạn cho mình xin số điện thoại nhé.\n"
    "Bấm “Chia sẻ số điện thoại” hoặc gõ số (ví dụ 0912 345 678)."
)
ASK_PHONE_TEXT_ONLY = (
    "📞 Để Tổ công tác liên hệ khi cần, bạn cho mình xin số điện thoại nhé.\n"
    "Bạn gõ số (ví dụ 0912 345 678)."
)
SHARE_CONTACT = "📱 Chia sẻ số điện thoại"
USE_KNOWN_PHONE = "📞 Dùng số {phone}"
PHONE_INVALID = (
    "Số “{text}” chưa đúng dạng số điện thoại Việt Nam.\n"
    "Bạn gõ lại giúp mình (10 số, ví dụ 0912 345 678), hoặc chọn “Bỏ qua”."
)

SUMMARY = "📋 Bạn kiểm tra lại phản ánh giúp mình:\n\n{body}\n\nThông tin đã đúng chưa ạ?"
SUMMARY_ROLE = "👤 Đối tượng: {value}"
SUMMARY_UNIT = "📍 Đơn vị: {value}"
SUMMARY_SYSTEM = "🖥️ Hệ thống: {value}"
SUMMARY_DESCRIPTION = "📝 Mô tả: {value}"
SUMMARY_ATTACHMENTS = "📎 Tệp đính kèm: {count}"
SUMMARY_DOSSIER = "🗂️ Mã hồ sơ: {value}"
SUMMARY_PROCEDURE = "📄 Thủ tục: {value}"
SUMMARY_PHONE = "📞 Điện thoại: {value}"
SUMMARY_ANONYMOUS = "🙈 Gửi ẩn danh"
SUMMARY_FAQ = "💡 Gợi ý đã xem: {title}"
SUMMARY_NOTES = "📝 Ghi thêm của người phản ánh:"
UNIT_UNKNOWN = "Không rõ"
SUBMIT = "✅ Gửi phản ánh"
EDIT = "✏️ Sửa thông tin"
CANCEL = "❌ Hủy"
ASK_EDIT = "Bạn muốn sửa mục nào?"
BACK = "↩️ Quay lại"
EDIT_GIVE_PHONE = "📞 Để lại số điện thoại"
EDIT_FIELDS: dict[str, str] = {
    "role": "Đối tượng",
    "unit": "Đơn vị",
    "system": "Hệ thống",
    "description": "Mô tả",
    "dossier": "Mã hồ sơ",
    "procedure": "Thủ tục",
    "phone": "Số điện thoại",
}

CASE_CREATED = (
    "✅ Đã tiếp nhận phản ánh của bạn!\n\n"
    "🔖 Mã phản ánh: {code}\n"
    "⏰ Dự kiến có kết quả trước: {due}\n\n"
    "Tổ công tác sẽ trả lời bạn ngay tại đây. Bạn cứ nhắn thêm nếu có thông tin mới, "
    "hoặc gõ /tracuu {code} để xem tiến độ."
)

CANCELLED = "Đã hủy. Thông tin đang nhập dở đã được xóa."
NOTHING_TO_CANCEL = "Hiện không có thao tác nào đang làm dở."
RESUME = "👋 Chào bạn quay lại! Bạn đang gửi dở một phản ánh (bước: {step}).\nBạn muốn tiếp tục hay bắt đầu lại?"
RESUME_CONTINUE = "▶️ Tiếp tục"
RESUME_RESTART = "🔄 Bắt đầu lại"

NOT_UNDERSTOOD_CHOICE = "Mình chưa hiểu “{text}”. Bạn chọn một mục bên dưới, hoặc trả lời bằng số thứ tự của mục đó nhé."
STALE_CHOICE = "Nút này thuộc bước trước rồi. Mình đang hỏi:"
DRAFT_KEPT = (
    "📝 Mình đã ghi lại nội dung bạn vừa nhắn, lát nữa sẽ dùng làm mô tả vấn đề.\n"
    "Trước hết, bạn trả lời giúp mình câu này nhé:"
)
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
ASK_LOOKUP_WITH_LIST = "🔎 Các phản ánh gần đây của bạn ở bên dưới. Chọn một phản ánh để xem, hoặc gõ mã phản ánh."
LOOKUP_GIVE_UP = "Bạn có thể xem lại mã trong tin nhắn lúc gửi phản ánh, hoặc chọn việc khác bên dưới."
LOOKUP_NOT_FOUND = "Mình không tìm thấy phản ánh “{code}” trong các phản ánh bạn đã gửi. Bạn kiểm tra lại mã giúp mình nhé."
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

FOLLOWUP_FORWARDED = "📨 Đã chuyển thông tin bổ sung tới Tổ công tác (phản ánh {code})."
FOLLOWUP_WHICH = "Bạn đang có nhiều phản ánh đang xử lý. Thông tin này bổ sung cho phản ánh nào?"
FOLLOWUP_IF_NEW = "Nếu đây là một vấn đề khác, bạn chọn “Đây là phản ánh mới” để gửi riêng nhé."
FOLLOWUP_NEW = "📝 Đây là phản ánh mới"
BOSUNG_USAGE = "Bạn gõ theo mẫu: /bosung MÃ nội dung (ví dụ: /bosung PA-251123-7KQ4 đã thử lại vẫn lỗi)."

STAFF_REPLY = "💬 Tổ công tác trả lời (phản ánh {code}):\n\n{text}"
STAFF_REPLY_FILES = "(tệp đính kèm)"
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

FAQ_BROWSE = "❓ Câu hỏi thường gặp\nBạn chọn nhóm hệ thống, hoặc gõ câu hỏi của bạn:"
FAQ_BROWSE_TOPICS = "Chọn câu hỏi bạn quan tâm, hoặc gõ câu hỏi của bạn:"
FAQ_NO_MATCH = (
    "Mình chưa có sẵn câu trả lời cho câu hỏi này.\n"
    "Bạn có thể gửi phản ánh để Tổ công tác hỗ trợ trực tiếp."
)
FAQ_HELPFUL = "👍 Đã rõ, cảm ơn"
FAQ_REPORT = "📝 Gửi phản ánh"
FAQ_MORE = "❓ Câu hỏi khác"
FAQ_SYSTEM_GENERAL = "Chung (địa giới mới, nơi nộp, hỗ trợ)"

STEP_NAMES: dict[str, str] = {
    "consent": "đồng ý xử lý dữ liệu",
    "role": "chọn đối tượng",
    "unit": "chọn đơn vị",
    "unit_pick": "chọn đơn vị",
    "unit_remembered": "chọn đơn vị",
    "system": "chọn hệ thống",
    "description": "mô tả vấn đề",
    "attachments": "gửi ảnh, tệp",
    "faq_offer": "xem gợi ý",
    "faq_pick": "xem gợi ý",
    "dossier": "mã hồ sơ",
    "procedure": "tên thủ tục",
    "phone": "số điện thoại",
    "confirm": "xác nhận",
    "edit": "sửa thông tin",
}


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


def localize_time(text: str) -> str:
    """A time as handlers format it (Vietnamese, "16:00 thứ Hai, 24/11/2025"): unchanged here."""
    return text
