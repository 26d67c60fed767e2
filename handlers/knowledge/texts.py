"""What the staff group reads about the knowledge base (Vietnamese: the task force's language)."""

from __future__ import annotations

CARD_NEW = "📝 BẢN NHÁP CÂU HỎI THƯỜNG GẶP #{id}"
CARD_EDIT = "✏️ BẢN SỬA CHỦ ĐỀ {slug} (bản nháp #{id})"
CARD_FROM_CASE = " · từ phản ánh {code}"
CARD_STATE = {
    "draft": "Chưa dùng để trả lời: trưởng nhóm bấm ✅ Duyệt để đưa vào dùng.",
    "published": "✅ Đang dùng để trả lời người dân.",
    "retired": "🗑 Đã bỏ.",
    "merged": "✅ Đã duyệt vào chủ đề.",
}
CARD_FIELDS = "Mã chủ đề: {slug}\nTiêu đề: {title}\nĐối tượng: {audience} · Hệ thống: {system}"
CARD_EXAMPLES = "Câu hỏi mẫu ({count}, cần ít nhất {minimum}):"
CARD_ANSWER = "Câu trả lời:"
CARD_ANSWER_EN = "Câu trả lời tiếng Anh:"
CARD_EXAMPLES_EN = "Câu hỏi mẫu tiếng Anh: {count}"
CARD_HOW = "Sửa: bấm ✏️ Sửa hoặc trả lời thẳng tin này (xem cách ghi khi bấm ✏️ Sửa)."
CARD_FIGURES = "Kiểm tra lần gần nhất: {figures}"
BUTTON_EDIT = "✏️ Sửa"
BUTTON_APPROVE = "✅ Duyệt"
BUTTON_DROP = "🗑 Bỏ"

EDIT_PROMPT = (
    "✏️ Sửa bản nháp #{id}: trả lời tin nhắn này, dòng đầu ghi mục cần sửa, ví dụ:\n"
    "• tiêu đề: Tài khoản VNeID bị khóa tạm thời\n"
    "• câu hỏi: rồi mỗi dòng một câu hỏi mẫu (thêm vào danh sách)\n"
    "• bỏ câu hỏi: 2, 5 (theo số thứ tự trên thẻ)\n"
    "• trả lời: rồi câu trả lời mới (thay cả câu trả lời)\n"
    "• trả lời tiếng anh: câu trả lời bằng tiếng Anh\n"
    "• câu hỏi tiếng anh: rồi mỗi dòng một câu hỏi bằng tiếng Anh (thêm vào)\n"
    "• mã: ten_chu_de (chữ thường không dấu, nối bằng _)\n"
    "• hệ thống: {systems}\n"
    "• đối tượng: citizen (người dân) | officer (cán bộ) | both (cả hai)\n"
    "• từ khóa: từ khóa 1, từ khóa 2"
)
EDIT_UNCLEAR = (
    "Mình chưa rõ bạn muốn sửa mục nào của bản nháp #{id}, nên chưa đổi gì. "
    "Dòng đầu cần bắt đầu bằng: tiêu đề:, câu hỏi:, bỏ câu hỏi:, trả lời:, trả lời tiếng anh:, mã:, "
    "hệ thống:, đối tượng: hoặc từ khóa:"
)
EDIT_EMPTY = "Mục «{field}» chưa có nội dung mới, bản nháp #{id} chưa đổi gì."
EDIT_BAD_VALUE = "Chưa sửa được bản nháp #{id}: {problem}"
EDIT_BAD_SLUG = "mã chủ đề chỉ gồm chữ thường không dấu, số và dấu _ (ví dụ: vneid_bi_khoa)"
EDIT_BAD_NUMBERS = "không thấy số thứ tự câu hỏi nào trong khoảng 1–{count}"
EDIT_DONE = "✏️ {actor} đã sửa {field} của bản nháp #{id}."
EDIT_CLOSED = "Bản nháp #{id} đã {state}, không sửa được nữa. Gõ /suafaq {slug} để sửa chủ đề đang dùng."
FIELD_NAMES = {
    "title": "tiêu đề",
    "examples": "câu hỏi mẫu",
    "examples_remove": "câu hỏi mẫu",
    "examples_en": "câu hỏi mẫu tiếng Anh",
    "answer": "câu trả lời",
    "answer_en": "câu trả lời tiếng Anh",
    "slug": "mã chủ đề",
    "system": "hệ thống",
    "audience": "đối tượng",
    "keywords": "từ khóa",
}

DRAFT_NO_RESOLUTION = (
    "Phản ánh {code} chưa có kết quả giải quyết nên chưa tạo được bản nháp FAQ. "
    "Bạn đóng phản ánh bằng /dong kết quả trước, rồi gõ lại /taofaq."
)
DRAFT_CREATED = (
    "📝 {actor} đã tạo bản nháp câu hỏi thường gặp #{id} từ phản ánh {code}. "
    "Bot chưa dùng bản nháp để trả lời cho đến khi trưởng nhóm duyệt."
)
NEED_TOPIC = "Bạn ghi mã chủ đề sau lệnh, ví dụ: /{command} dang_nhap_dvc_vneid"
NO_TOPIC = "Không có chủ đề «{slug}» đang dùng."
NO_TOPIC_SUGGEST = "Không có chủ đề «{slug}» đang dùng. Ý bạn là: {suggestions}?"
EDIT_OPENED = (
    "✏️ {actor} mở bản sửa #{id} cho chủ đề {slug}; chủ đề vẫn trả lời như cũ cho đến khi được duyệt."
)
EDIT_PENDING = "Chủ đề {slug} đang có bản sửa #{id} chưa duyệt: mình gửi lại thẻ của bản đó."

NOT_LEADER = "Chỉ trưởng nhóm mới duyệt được câu hỏi thường gặp. Bạn nhờ trưởng nhóm bấm ✅ Duyệt nhé."
DRAFT_GONE = "Bản nháp này không còn (đã duyệt hoặc đã bỏ)."
INVALID = "Bản nháp #{id} chưa duyệt được: {problem}"
SLUG_TAKEN = (
    "mã «{slug}» đã là một chủ đề đang dùng; đổi mã (mã: ten_moi) hoặc sửa chủ đề đó bằng /suafaq {slug}"
)
CHECKING = "⏳ Đang kiểm tra bản nháp #{id} trên {rows} câu của bộ đánh giá (vài giây)…"
CHECKING_ALREADY = "Bản nháp #{id} đang được kiểm tra, bạn chờ vài giây nhé."
CHANGED_WHILE_CHECKING = "Bản nháp #{id} vừa được sửa trong lúc kiểm tra nên chưa duyệt; bạn xem lại thẻ mới rồi bấm ✅ Duyệt lần nữa."
REFUSED = (
    "⛔ Chưa duyệt bản nháp #{id}: nó sẽ làm hỏng {count} câu đang được trả lời đúng hoặc đang được "
    "bỏ qua đúng. Sửa câu hỏi mẫu cho khác các chủ đề này rồi duyệt lại.\n{figures}\n{problems}"
)
PROBLEM_TAKES = "• «{text}» (thuộc {gold}) → bị {slug} giành mất"
PROBLEM_WRONG = "• «{text}»: đang trả lời đúng {gold} → sẽ trả lời nhầm {got}"
PROBLEM_OUT_OF_SCOPE = "• «{text}» (ngoài phạm vi, bot đang không trả lời) → sẽ trả lời bằng {got}"
PROBLEMS_MORE = "• … và {count} câu nữa"
FIGURES = (
    "Trước: đúng {before_right}/{before_total} câu trong phạm vi, im lặng đúng {before_silent}/{before_oos} câu ngoài phạm vi. "
    "Sau: đúng {after_right}/{after_total}, im lặng đúng {after_silent}/{after_oos}. "
    "Câu mẫu của chủ đề được trả lời đúng: {own_right}/{own_total}."
)
PUBLISHED = (
    "✅ {actor} đã duyệt chủ đề «{title}» ({slug}, phiên bản {version}). Bot dùng ngay để trả lời; "
    "các máy chủ khác cập nhật trong vài giây.\n{figures}"
)
DROPPED = "🗑 {actor} đã bỏ bản nháp #{id}."

SENT_ANSWER = "📨 {actor} đã gửi câu trả lời «{title}» ({slug}) cho người phản ánh {code}{language}."
SENT_IN_ENGLISH = " (bằng tiếng Anh)"
RELOADED = "🔄 Đã nạp lại bộ câu hỏi thường gặp từ cơ sở dữ liệu: {count} chủ đề đang dùng."
RELOAD_FAILED = "⚠️ Chưa nạp lại được bộ câu hỏi (vẫn dùng bản đang chạy): {reason}"

STATS_HEAD = "📚 Câu hỏi thường gặp, {days} ngày qua (hiện · giúp được · chưa giúp được · /traloi):"
STATS_LINE = "• {title} ({slug}): {shown} · {solved} · {not_solved} · {traloi}"
STATS_NONE = "📚 Chưa có câu hỏi thường gặp nào được dùng trong {days} ngày qua."
GAPS_HEAD = (
    "❓ Câu hỏi bot chưa trả lời được (hoặc trả lời chưa giúp được), {days} ngày qua, gộp theo nội dung:"
)
GAPS_LINE = "{number}. ({count} lần) {text}"
GAPS_BUTTON = "📝 Nháp {number}"
GAPS_HOW = (
    "Bấm 📝 Nháp để tạo bản nháp câu hỏi thường gặp từ nhóm đó (rồi viết câu trả lời và duyệt như thường)."
)
GAP_GONE = "Câu hỏi này không còn trong nhật ký."
DRAFT_FROM_GAP = (
    "📝 {actor} đã tạo bản nháp #{id} từ câu hỏi chưa có lời giải. Viết câu trả lời (trả lời thẻ: «trả lời: …») "
    "và thêm câu hỏi mẫu rồi nhờ trưởng nhóm duyệt."
)
BUTTON_RETIRE = "🗄 Ngừng dùng chủ đề"
NOT_LEADER_RETIRE = "Chỉ trưởng nhóm mới cho ngừng dùng một chủ đề."
REQUIRED_TOPIC = "Chủ đề {slug} nằm trong danh sách bắt buộc của Tổ công tác, không ngừng dùng được; bạn sửa nội dung thay vì bỏ."
RETIRED_TOPIC = "🗄 {actor} đã cho ngừng dùng chủ đề «{title}» ({slug}); bot không trả lời bằng chủ đề này nữa (vẫn giữ trong lịch sử)."
