"""Long texts are sent in parts (Telegram 4,096, Zalo 2,000 characters): no part too long,
nothing lost, and a part ends where a reader expects a pause."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.textutil import split_message


@given(
    st.text(alphabet=st.sampled_from(list("ab .\n?đ")), max_size=3000),
    st.integers(min_value=20, max_value=500),
)
def test_no_part_is_too_long_and_nothing_is_lost(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    # Only the white space at a cut is dropped.
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_a_result_and_its_rating_question_part_at_the_paragraph() -> None:
    result = "Hồ sơ đã được đồng bộ lại. " * 72 + "Bạn tải lại trang là thấy"  # 1,969 characters
    parts = split_message(f"{result}\n\nBạn đánh giá giúp Tổ công tác nhé:", 2000)
    assert parts == [result, "Bạn đánh giá giúp Tổ công tác nhé:"]


def test_one_long_paragraph_parts_at_the_end_of_a_sentence() -> None:
    text = "Cán bộ đã kiểm tra nhật ký hệ thống và thấy lỗi đồng bộ. " * 60
    first, *_ = split_message(text, 2000)
    assert first.endswith("lỗi đồng bộ.")
