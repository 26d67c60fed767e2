"""What the bot says back to a typed reply that was not a plain answer (handlers.citizen.reading_replies):
the short confirming questions, where a volunteered value went, answers to questions asked in
the middle of a report. Read through handlers.citizen.reading_texts (`reading_texts(language)`).

Vietnamese, the source language: each value is a msgid of the catalogs in handlers/citizen/locales
(msgctxt "READING.<key>"); see handlers/citizen/texts/__init__.py.
"""

from __future__ import annotations

READING: dict[str, str] = {
    "confirm_solved": "Mình muốn chắc chắn: làm theo hướng dẫn trên, bạn đã xử lý xong chưa?",
    "confirm_consent": (
        "Mình hỏi lại cho rõ nhé: bạn đồng ý để Tổ công tác lưu số điện thoại và nội dung bạn gửi, "
        "chỉ để xử lý phản ánh, chứ?\nNếu không, phản ánh vẫn được gửi, ẩn danh."
    ),
    "confirm_summary": "Mình chưa rõ ý bạn. Bạn muốn gửi phản ánh này đi, sửa lại, hay hủy?",
    "unclear": "Mình chưa rõ ý bạn ở câu này.",
    "note_kept": "📝 Mình đã ghi lời nhắn này kèm phản ánh để Tổ công tác đọc.",
    "fields_kept": "📝 Mình đã ghi: {items}.",
    "description_kept": "📝 Mình đã ghi nội dung bạn vừa nhắn làm mô tả vấn đề.",
    "description_added": "📝 Mình đã ghi thêm vào mô tả.",
    "field_unit": "đơn vị {value}",
    "field_phone": "số điện thoại {value}",
    "field_dossier": "mã hồ sơ {value}",
    "field_procedure": "thủ tục {value}",
    "field_system": "hệ thống {value}",
    "field_role": "bạn là {value}",
    "consent_now": "✅ Mình đã ghi nhận bạn đồng ý: Tổ công tác được lưu số điện thoại để liên hệ.",
    "greeting": "Chào bạn 👋",
    "hold": "Dạ, bạn cứ từ từ ạ. Xong bạn trả lời câu hỏi phía trên giúp mình nhé.",
    "thanks": "Dạ, không có gì ạ.",
    "waiting": "Mình hiểu bạn đang sốt ruột 🙏. Bạn trả lời nốt câu này, phản ánh sẽ tới Tổ công tác ngay.",
    "abuse": "Mình rất tiếc vì bạn gặp bất tiện. Mình vẫn ở đây để chuyển vấn đề của bạn tới Tổ công tác.",
    "human": (
        "Cán bộ Tổ công tác sẽ đọc phản ánh và trả lời bạn ngay trong cuộc trò chuyện này. "
        "Bạn trả lời nốt vài câu để mình chuyển đi nhé. Cần gấp, bạn gọi đường dây nóng 1022."
    ),
    "human_menu": (
        "Bạn gửi phản ánh, cán bộ Tổ công tác sẽ trả lời ngay trong cuộc trò chuyện này. "
        "Cần gấp, bạn gọi đường dây nóng 1022."
    ),
    "scope": (
        "ℹ️ Tổ công tác hỗ trợ lỗi khi dùng hệ thống giải quyết TTHC của thành phố, Cổng Dịch vụ công quốc gia và VNeID.\n"
        "Câu hỏi về lệ phí, đất đai hay quy định của một thủ tục: bạn hỏi cơ quan giải quyết thủ tục, "
        "gọi đường dây nóng 1022, hoặc gửi phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia.\n"
        "Nếu bạn gặp lỗi trên các hệ thống đó, mình vẫn nhận phản ánh."
    ),
    "where_to_file": (
        "ℹ️ Từ 1/7/2025, bạn nộp hồ sơ trực tuyến tại Cổng Dịch vụ công quốc gia (dichvucong.gov.vn), "
        "đăng nhập bằng tài khoản VNeID, chọn đúng xã/phường/đặc khu mới. Nộp trực tiếp thì tới bộ phận một cửa "
        "của xã/phường hoặc Trung tâm phục vụ hành chính công."
    ),
    "new_unit": "📍 “{old}” nay thuộc: {units}.",
    "new_unit_unknown": "Mình chưa tìm ra đơn vị này. Bạn gõ tên xã/phường cũ kèm quận/huyện cũ giúp mình nhé.",
    "status_none": "Bạn chưa có phản ánh nào đang được xử lý.",
    "waiting_case": "Mình hiểu bạn đang chờ 🙏. Mình đã nhắc Tổ công tác về phản ánh {code}.",
    "english_offer": "🌐 It looks like you write in English. Type “english” and I will continue in English.",
    "back_none": "Đây là câu hỏi đầu tiên rồi.",
    "withdrawn": "📨 Mình đã chuyển đề nghị dừng phản ánh {code} tới Tổ công tác. Cán bộ sẽ đóng phản ánh, bạn không cần làm gì thêm.",
    "withdraw_which": "Bạn muốn dừng phản ánh nào? Bạn gõ mã phản ánh (ví dụ /huy PA-251123-7KQ4) giúp mình nhé.",
    "phone_not_dossier": "📞 Đây là số điện thoại: mình ghi làm số liên hệ.",
    "phone_anonymous": "Bạn đã chọn gửi ẩn danh nên mình không lưu số điện thoại này.",
    "unit_needed": "Cán bộ xã/phường cần cho mình biết đơn vị để Tổ công tác hỗ trợ đúng nơi.",
    "clarify_consent": (
        "ℹ️ Nói ngắn gọn: nếu bạn đồng ý, Tổ công tác được lưu số điện thoại và nội dung bạn gửi để liên hệ "
        "và xử lý phản ánh. Không đồng ý thì bạn vẫn gửi được, chỉ là ẩn danh (không để lại số điện thoại)."
    ),
    "clarify_role": "ℹ️ Mình hỏi bạn là ai để chuyển đúng người: người dân, doanh nghiệp, hay cán bộ xã/phường hoặc sở/ngành.",
    "clarify_unit": "ℹ️ Bạn cho mình biết tên xã, phường hoặc đặc khu nơi bạn làm thủ tục (tên cũ cũng được). Không rõ thì chọn bỏ qua.",
    "clarify_system": (
        "ℹ️ Hệ thống là nơi bạn gặp lỗi: Cổng DVC quốc gia (dichvucong.gov.vn), phần mềm một cửa của thành phố, "
        "ứng dụng VNeID, trang thanh toán, hoặc chữ ký số. Không rõ thì chọn “Khác”."
    ),
    "clarify_description": "ℹ️ Bạn kể lại lỗi bằng lời của mình: đang làm gì, bấm vào đâu, màn hình báo gì.",
    "clarify_faq_offer": "ℹ️ Mình gợi ý cách xử lý ở trên. Nếu làm theo mà vẫn lỗi, bạn chọn “Chưa”, mình gửi Tổ công tác.",
    "clarify_dossier": "ℹ️ Mã hồ sơ có trên giấy hẹn hoặc trong tin nhắn khi nộp hồ sơ. Không có hoặc không nhớ thì chọn bỏ qua.",
    "clarify_procedure": "ℹ️ Thủ tục là việc bạn đang làm, ví dụ đăng ký khai sinh, cấp phiếu lý lịch tư pháp. Không rõ thì chọn bỏ qua.",
    "clarify_phone": "ℹ️ Số điện thoại để cán bộ gọi lại khi cần hỏi thêm. Không muốn để lại thì chọn bỏ qua.",
    "clarify_confirm": "ℹ️ Đây là phản ánh mình sắp gửi Tổ công tác. Đúng thì chọn gửi, cần đổi gì thì chọn sửa.",
    "clarify": "ℹ️ Bạn trả lời câu hỏi bên dưới, chọn số thứ tự hoặc gõ bằng lời đều được.",
}
