"""Texts only the Zalo adapters send (kept out of handlers/, which knows no messenger).

Staff read Vietnamese; the person reads their own language (``Reply.language``: "vi" or "en").
"""

from __future__ import annotations

# -- to the person ---------------------------------------------------------------------------

# Sent (best effort) when the Zalo Bot platform refuses messages for its plan's quota. If the quota
# refuses this too, nothing is lost: the replies wait and staff are told.
QUOTA_TO_PERSON = {
    "vi": (
        "⚠️ Kênh Zalo Bot của Tổ công tác đang tạm hết hạn mức gửi tin của Zalo, nên câu trả lời có thể "
        "đến chậm. Trong lúc này, bạn vui lòng nhắn cho Tổ công tác qua Telegram hoặc Zalo Official "
        "Account (OA) của Tổ công tác; phản ánh của bạn vẫn được giữ nguyên."
    ),
    "en": (
        "⚠️ The task force's Zalo Bot has reached Zalo's message quota for now, so answers may be "
        "late. Meanwhile, please write to the task force on Telegram or on its Zalo Official Account "
        "(OA); your report is kept."
    ),
}


def quota_to_person(language: str) -> str:
    return QUOTA_TO_PERSON.get(language, QUOTA_TO_PERSON["vi"])


# -- to staff ---------------------------------------------------------------------------------

# Once a day in the staff group while the Zalo Bot platform refuses messages for its quota.
QUOTA_TO_STAFF = (
    "⚠️ Kênh Zalo Bot đang bị Zalo từ chối gửi tin vì hết hạn mức của gói ({detail}). Tin trả lời tới "
    "người dân dùng Zalo Bot đang chờ và được gửi lại mỗi giờ; người dân được đề nghị dùng Telegram "
    "hoặc Zalo OA. Quản trị hệ thống: nâng gói Zalo Bot hoặc chuyển sang Zalo OA (xem docs/zalo.md). "
    "Với phản ánh gấp, cán bộ gọi điện theo số điện thoại trong phản ánh."
)

# Reasons the outbox shows in the case thread (DeliveryDeferred / failure), Zalo OA.
REASON_PAID = (
    "Đã quá 48 giờ kể từ tin nhắn cuối của người phản ánh: từ đây tới 7 ngày Zalo tính phí tin tư vấn, "
    "và Zalo từ chối vì ứng dụng chưa liên kết tài khoản Zalo Cloud hoặc tài khoản hết tiền (mã lỗi "
    "{code}). Tin sẽ tự động được gửi khi người phản ánh nhắn lại OA."
)
