"""What the bot says while a report is filed: consent, who and where, the system, the
description and files, the FAQ's offer, dossier, procedure, phone, the summary and the receipt.

Vietnamese, the source language: each constant's value is a msgid of the catalogs in
handlers/citizen/locales (msgctxt = the constant's name); see handlers/citizen/texts/__init__.py.
"""

from __future__ import annotations

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

CONSENT = (
    "🔒 Trước khi gửi phản ánh, bạn vui lòng đọc giúp mình:\n\n"
    "Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, Tổ công tác sẽ lưu tên hiển thị, "
    "số điện thoại và nội dung bạn gửi, chỉ để xử lý phản ánh và thống kê. "
    "Dữ liệu không chia sẻ cho bên ngoài và được xóa khi hết thời hạn lưu trữ.\n"
    "Bạn có thể yêu cầu xóa dữ liệu của mình bất cứ lúc nào: gõ /xoadulieu.\n\n"
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
ASK_UNIT_OFFICER = (
    "📍 Bạn đang công tác tại xã, phường hay đặc khu nào?\nBạn gõ tên đơn vị nhé, ví dụ: Lê Chân, xã An Lão."
)
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
    "🗂️ Nếu đã nộp hồ sơ, bạn gửi mã hồ sơ giúp mình (ví dụ: H26.22-251120-0001).\nChưa có thì chọn “Bỏ qua”."
)
DOSSIER_INVALID = (
    "Mã hồ sơ thường gồm chữ và số (ví dụ H26.22-251120-0001). Bạn kiểm tra lại, hoặc chọn “Bỏ qua”."
)
ASK_PROCEDURE = "📄 Bạn đang làm thủ tục gì? (ví dụ: Đăng ký khai sinh, Cấp phiếu lý lịch tư pháp)\nKhông rõ thì chọn “Bỏ qua”."
SKIP = "⏭️ Bỏ qua"
ASK_PHONE = (
    "📞 Để Tổ công tác liên hệ khi cần, bạn cho mình xin số điện thoại nhé.\n"
    "Bấm “Chia sẻ số điện thoại” hoặc gõ số (ví dụ 0912 345 678)."
)
ASK_PHONE_TEXT_ONLY = (
    "📞 Để Tổ công tác liên hệ khi cần, bạn cho mình xin số điện thoại nhé.\nBạn gõ số (ví dụ 0912 345 678)."
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

RESUME = (
    "👋 Chào bạn quay lại! Bạn đang gửi dở một phản ánh (bước: {step}).\nBạn muốn tiếp tục hay bắt đầu lại?"
)
RESUME_CONTINUE = "▶️ Tiếp tục"
RESUME_RESTART = "🔄 Bắt đầu lại"

DRAFT_KEPT = (
    "📝 Mình đã ghi lại nội dung bạn vừa nhắn, lát nữa sẽ dùng làm mô tả vấn đề.\n"
    "Trước hết, bạn trả lời giúp mình câu này nhé:"
)

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
