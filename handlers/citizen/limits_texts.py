"""What the bot says about limits and personal data: after a flood (what was kept), the cap on open
cases, and `/xoadulieu`. Vietnamese and English side by side, same names and blanks (a test keeps
them in step, as for handlers.citizen.reading_texts)."""

from __future__ import annotations

VI: dict[str, str] = {
    # After a flood: one short account, on the person's next message.
    "flood_kept_report": "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn, sẽ gửi kèm phản ánh này.",
    "flood_kept_case": "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn vào phản ánh {code}, Tổ công tác sẽ đọc.",
    "flood_kept_backlog": (
        "📥 Lúc nãy bạn nhắn nhanh quá nên mình chưa trả lời từng tin. Mình đã lưu {count} tin nhắn.\n"
        "Nếu đó là vấn đề cần báo, bạn chọn “Gửi thành phản ánh” nhé."
    ),
    "flood_backlog_button": "📝 Gửi thành phản ánh",
    "flood_dropped": "⚠️ {count} tin nhắn sau cùng nhiều quá nên mình không lưu được. Điều gì quan trọng, bạn gửi lại giúp mình nhé.",
    "files_refused": "📎 Mỗi phản ánh nhận tối đa {max} tệp nên {count} tệp gửi sau không được lưu.",
    # The cap on open cases.
    "open_cases_cap": (
        "Bạn đang có {count} phản ánh đang xử lý, đã đến mức tối đa cho một người:\n{cases}\n"
        "Mình chưa mở phản ánh mới được. Khi một phản ánh được giải quyết, bạn gửi tiếp nhé. "
        "Cần bổ sung, bạn nhắn ngay tại đây."
    ),
    "open_cases_cap_pick": "Nội dung bạn vừa gửi, mình bổ sung vào phản ánh nào?",
    # /xoadulieu
    "erase_ask": (
        "🗑️ Bạn muốn xóa dữ liệu cá nhân của mình?\n"
        "Mình sẽ xóa tên, số điện thoại, nội dung và tệp bạn đã gửi. "
        "Số liệu thống kê không gắn với bạn (đơn vị, hệ thống, thời gian) vẫn được giữ."
    ),
    "erase_ask_open": "Phản ánh đang xử lý ({codes}) sẽ được đóng và Tổ công tác được báo; họ sẽ không liên hệ được với bạn nữa.",
    "erase_yes": "🗑️ Xóa dữ liệu của tôi",
    "erase_no": "↩️ Không, giữ lại",
    "erase_unclear": "Mình chưa xóa gì cả. Bạn chọn “Xóa dữ liệu của tôi” nếu chắc chắn, hoặc “Không” để giữ lại.",
    "erase_kept": "Dạ, mình giữ nguyên dữ liệu của bạn.",
    "erase_done": (
        "✅ Đã xóa dữ liệu cá nhân của bạn ({cases} phản ánh). "
        "Khi cần, bạn gõ /batdau để bắt đầu lại; mình sẽ hỏi lại sự đồng ý của bạn."
    ),
    "erase_staff_notice": "🗑️ Người phản ánh đã yêu cầu xóa dữ liệu cá nhân (Nghị định 13/2023). Phản ánh {code} được đóng; nội dung đã xóa.",
}

EN: dict[str, str] = {
    "flood_kept_report": "📥 You were writing faster than I could answer each message. I kept {count} messages; they go with this report.",
    "flood_kept_case": "📥 You were writing faster than I could answer each message. I kept {count} messages on report {code}; the task force will read them.",
    "flood_kept_backlog": (
        "📥 You were writing faster than I could answer each message. I kept {count} messages.\n"
        "If they describe a problem to report, choose “Send as a report”."
    ),
    "flood_backlog_button": "📝 Send as a report",
    "flood_dropped": "⚠️ The last {count} messages were too many to keep. Please send again whatever matters.",
    "files_refused": "📎 A report takes at most {max} files, so {count} files sent after that were not kept.",
    "open_cases_cap": (
        "You have {count} reports in progress, the most one person can have open:\n{cases}\n"
        "I can't open a new one yet. Once one is resolved, you can send another. "
        "To add information, just write here."
    ),
    "open_cases_cap_pick": "Which report should what you just sent be added to?",
    "erase_ask": (
        "🗑️ Do you want your personal data deleted?\n"
        "I'll delete your name, phone number, and what you wrote and sent. "
        "Statistics that don't identify you (unit, system, times) are kept."
    ),
    "erase_ask_open": "Your reports in progress ({codes}) will be closed and the task force told; they won't be able to contact you.",
    "erase_yes": "🗑️ Delete my data",
    "erase_no": "↩️ No, keep it",
    "erase_unclear": "I haven't deleted anything. Choose “Delete my data” if you're sure, or “No” to keep it.",
    "erase_kept": "All right, your data stays as it is.",
    "erase_done": (
        "✅ Your personal data has been deleted ({cases} reports). "
        "Type /batdau whenever you want to start again; I'll ask for your consent again."
    ),
    "erase_staff_notice": "🗑️ Người phản ánh đã yêu cầu xóa dữ liệu cá nhân (Nghị định 13/2023). Phản ánh {code} được đóng; nội dung đã xóa.",
}


def limits_texts(language: str) -> dict[str, str]:
    return EN if language == "en" else VI
