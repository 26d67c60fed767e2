"""An officer's message is not answered with a topic meant for citizens only."""

from __future__ import annotations

from faq.audience import officer_abbreviations
from faq.matcher import default_matcher


def test_officer_shorthand_comes_from_the_table() -> None:
    assert {"pm", "bp", "shoa"} <= officer_abbreviations()
    assert "ko" not in officer_abbreviations()


def test_officer_shorthand_marks_the_writer() -> None:
    matcher = default_matcher()
    audience = matcher._audience
    assert audience.is_officer("pm mc báo lỗi", set())
    assert not audience.is_officer("em không đăng nhập được vneid", set())


def test_citizen_topic_does_not_answer_an_officer_on_the_shared_frame() -> None:
    # "không vào được" is the citizens' login frame; "pm tthc" is the officers' software.
    result = default_matcher().match("ko vào được pm tthc, các trang web khác vẫn vào bình thường")
    assert result.topic != "dang_nhap_dvc_vneid"


def test_citizen_messages_keep_their_topics() -> None:
    assert default_matcher().match("quên mật khẩu vneid phải làm sao").topic == "quen_mat_khau_vneid"


def test_english_with_vietnamese_names_is_english() -> None:
    from faq.language import is_english

    assert is_english("where to see status of my submitted file on dịch vụ công? I submit 5 days ago")
    assert not is_english("lỗi token not found khi ký")
    assert not is_english("Lỗi: Token not found. Vui lòng thử lại sau")
    result = default_matcher().match("can the result be posted to my home? I cannot go to phường office")
    assert result.language == "en"


def test_english_out_of_scope_as_written_is_not_answered_through_the_translation() -> None:
    # Translated, "pay my electricity bill" is "thanh toán tiền điện" (online payment); as written
    # it is the utilities group's.
    matcher = default_matcher()
    for text in (
        "where do I pay my electricity bill",
        "Where can I buy good kimchi and Korean food in Hai Phong?",
    ):
        assert matcher.match(text).topic is None, text
    assert matcher.match("I forgot my VNeID password").topic == "quen_mat_khau_vneid"
