"""What the staff group reads about incidents (/suco, the incident card, lines in case topics).

Reporters' texts (INCIDENT_SUSPECTED, INCIDENT_KNOWN, INCIDENT_FIXED…) are in handlers/citizen/texts
(followups.py), said in the reporter's language (handlers.citizen.language.case_texts).
"""

from __future__ import annotations

from handlers.citizen import texts as T

USAGE = (
    "🚨 Cách dùng /suco:\n"
    "• /suco → các sự cố đang theo dõi\n"
    "• /suco mo <thông báo> (trong chủ đề của một phản ánh) → mở sự cố theo chủ đề/hệ thống của phản ánh đó\n"
    "• /suco mo <mã chủ đề hoặc hệ thống> <thông báo> → ví dụ: /suco mo vneid VNeID đang bảo trì, "
    "dự kiến hoạt động lại lúc 10:00\n"
    "• /suco dong [số sự cố] <kết quả> → xem trước các phản ánh sẽ được giải quyết, rồi bấm xác nhận\n"
    "• /xem <mã phản ánh> → mở một phản ánh đang gộp trong sự cố (tạo chủ đề riêng)\n"
    "• /suco tach <mã phản ánh> → phản ánh không thuộc sự cố: tách ra, đăng như phản ánh thường\n"
    "• /suco gop <số giữ lại> <số gộp vào> → gộp hai sự cố\n"
    "• /suco tat [số] → tắt chế độ sự cố: các phản ánh đang gộp được đăng như thường\n"
    "• /suco bo [số] → không phải sự cố: bỏ cảnh báo, đăng các phản ánh đang gộp\n"
    "Mã hệ thống: " + ", ".join(k for k in T.SYSTEMS if k != "khac")
)
NEED_SUBJECT = (
    "Chưa rõ sự cố về chủ đề hay hệ thống nào. Dùng lệnh trong chủ đề của một phản ánh, hoặc ghi mã.\n\n"
    + USAGE
)
CATCH_ALL = "Hệ thống «Khác» gồm những phản ánh không liên quan đến nhau nên không mở sự cố theo nó được."
NEED_NOTICE = "Bạn ghi kèm thông báo gửi người phản ánh giúp mình: /suco mo {value} <thông báo>"
NEED_RESULT = "Bạn ghi kèm kết quả khắc phục giúp mình: /suco dong {ref}<kết quả>"
ALREADY_OPEN = "Sự cố #{id} về {subject} đang mở (thông báo: {notice}). Đóng bằng: /suco dong {id} <kết quả>"
OPENED = (
    "📢 Đã mở sự cố #{id} về {subject} (bởi {actor}).\n"
    "Đã báo cho {told} người phản ánh; {linked} phản ánh gắn với sự cố. "
    "Ai phản ánh cùng nội dung từ giờ sẽ được báo ngay.\n"
    "Khi khắc phục xong: /suco dong {id} <kết quả>"
)
CLOSE_PREVIEW = (
    "Đóng sự cố #{id} về {subject} với kết quả: {result}\n"
    "• Sẽ chuyển sang Đã giải quyết {count} phản ánh còn gắn với sự cố: {codes}\n"
    "{handled}"
    "Bấm «Xác nhận đóng» (hoặc gõ /suco xacnhan {id}) để đóng và báo người phản ánh."
)
CLOSE_HANDLED = (
    "• Không tự đóng {count} phản ánh đang có người xử lý (chỉ người xử lý đồng ý mới đóng): {codes}\n"
)
BUTTON_CONFIRM_CLOSE = "✅ Xác nhận đóng #{id}"
NO_PREVIEW = "Chưa có kết quả để đóng sự cố #{id}. Gõ: /suco dong {id} <kết quả>"
CLOSED_TEXT = (
    "✅ Đã đóng sự cố #{id} về {subject} (bởi {actor}). Kết quả: {result}\n"
    "{resolved} phản ánh chuyển sang Đã giải quyết; đã báo {told} người phản ánh."
)
CLOSED_KEPT = "\nĐể nguyên {count} phản ánh đang có người xử lý: {codes}"
NOT_FOUND = "Không tìm thấy sự cố #{id} đang theo dõi."
WHICH = "Đang có nhiều sự cố, bạn ghi số sự cố: /suco {verb} <số> …\n\n{listing}"
NONE_OPEN = "Không có sự cố nào đang theo dõi.\n\n" + USAGE
THREAD_POINTER = "🔗 Phản ánh {code} thuộc sự cố #{id} ({subject}). Theo dõi chung ở chủ đề «{topic}»."
THREAD_RESOLVED = "✅ Phản ánh {code} đã giải quyết theo sự cố #{id}: {result}"
THREAD_KEPT = (
    "ℹ️ Sự cố #{id} đã khắc phục ({result}). Phản ánh {code} đang do {assignee} xử lý nên chưa tự đóng; "
    "nếu đã xong: /dong <kết quả>"
)
ALERT_FOOTER = (
    "Sự cố #{id}: các phản ánh tiếp theo cùng nội dung được gộp vào thẻ sự cố, không đăng riêng.\n"
    "Mở sự cố để báo chính thức cho người phản ánh: /suco mo {value} <thông báo> · "
    "Không phải sự cố: /suco bo {id}"
)
TOPIC_NAME = "🚨 Sự cố #{id} · {subject}"
DISMISSED = "🚫 Đã bỏ sự cố #{id} ({actor}); {released} phản ánh được đăng như phản ánh thường."
UNLINKED = "↩️ Đã tách {code} khỏi sự cố #{id} ({actor}); phản ánh được đăng như phản ánh thường."
NOT_LINKED = "Phản ánh {code} không gắn với sự cố nào đang theo dõi."
MERGED = "🔀 Đã gộp sự cố #{other} vào #{id} ({actor}): {moved} phản ánh."
MERGE_USAGE = "Cách gộp: /suco gop <số sự cố giữ lại> <số sự cố gộp vào>"
MODE_OFF = "⏸️ Đã tắt chế độ sự cố cho #{id} ({actor}): {released} phản ánh đang gộp được đăng như thường."
MODE_ON = "▶️ Đã bật lại chế độ sự cố cho #{id} ({actor}): phản ánh mới cùng nội dung sẽ được gộp."
SHOWN = "📂 Đang mở {code} từ sự cố #{id}: chủ đề riêng của phản ánh sẽ được tạo ngay."
SHOWN_ALREADY = "Phản ánh {code} đã có thẻ riêng trong nhóm."
CASE_NOT_FOUND = "Không tìm thấy phản ánh {code}."
NEED_CODE = "Bạn ghi mã phản ánh giúp mình, ví dụ: /{command} PA-251207-0001"

# The incident card (edited in place, at most once a minute).
STATE_LABELS = {
    "detected": "PHÁT HIỆN, chưa mở",
    "open": "ĐANG MỞ",
    "closed": "ĐÃ ĐÓNG",
    "dismissed": "ĐÃ BỎ (không phải sự cố)",
    "merged": "ĐÃ GỘP",
}
CARD_TITLE = "🚨 SỰ CỐ #{id} · {subject} · {state}"
CARD_COUNTS = "{count} phản ánh · {reporters} người · {units} đơn vị · {held} đang gộp (chưa đăng riêng)"
CARD_TIMES = "🕐 Đầu tiên {first} · mới nhất {last}"
CARD_UNITS = "📍 {units}"
CARD_LATEST = "Mới nhất:"
CARD_MODE_OFF = "⏸️ Chế độ sự cố đã tắt: phản ánh mới được đăng như thường."
CARD_MERGED = "Đã gộp vào sự cố #{id}."
CARD_NOTICE = "📢 Thông báo: {notice}"
CARD_RESULT = "✅ Kết quả: {result}"
CARD_FOOTER = (
    "Mở một phản ánh: bấm nút hoặc /xem <mã> · Tách: /suco tach <mã> · Đóng: /suco dong {id} <kết quả>"
)
BUTTON_SHOW = "📂 {code}"
