"""Normalisation of Vietnamese chat text (faq.normalize)."""

from __future__ import annotations

import pytest

from faq.normalize import fold, has_diacritics, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Không đăng nhập được", "khong dang nhap duoc"),
        ("ĐĂNG KÝ", "dang ky"),
        ("Đặc khu Cát Hải", "dac khu cat hai"),
        ("Hòa / Hoà", "hoa / hoa"),  # both tone placements fold the same
        ("e\u0301", "e"),  # decomposed input
        ("already plain", "already plain"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # diacritics and case
        ("Quên MẬT KHẨU VNeID", "quen mat khau vneid"),
        # abbreviations, with and without marks
        ("ko dc", "khong duoc"),
        ("k đc", "khong duoc"),
        ("tk dvc", "tai khoan dich vu cong"),
        ("quên pass", "quen mat khau"),
        ("hs cua toi", "ho so cua toi"),
        ("cks bi loi", "chu ky so bi loi"),
        ("ttpvhcc", "trung tam phuc vu hanh chinh cong"),
        ("tt hcc o dau", "trung tam phuc vu hanh chinh cong o dau"),
        # "hcc" must not lose a doubled c to the stretched-letter repair
        ("trung tam hcc", "trung tam hanh chinh cong"),
        ("cong qg", "cong quoc gia"),
        ("ds co quan", "danh sach co quan"),
        ("p. Lê Chân", "phuong le chan"),
        ("x.An Lão", "xa an lao"),
        # ambiguous abbreviations stay as typed
        ("quen mk", "quen mk"),
        ("đk tk", "dk tai khoan"),
        ("ck tien", "ck tien"),
        # a real word with other marks is not an abbreviation: hỏng (broken) is not hông (không)
        ("máy hỏng r", "may hong roi"),
        ("hông nhận được", "khong nhan duoc"),
        # emoji and punctuation
        ("otp ko về 😭😭!!!", "otp khong ve"),
        ("lỗi 500 ??? ...", "loi 500"),
        # stretched letters
        ("khongggg dcccc", "khong duoc"),
        ("dung lượngg", "dung luong"),
        # "ưu" is the one doubled letter of Vietnamese: "tra cứu" is not "tra cũ" (old)
        ("tra cứu hồ sơ", "tra cuu ho so"),
        ("luong huu, buu dien", "luong huu buu dien"),
        ("cuuuu", "cu"),
        # raw Telex typed without an input method
        ("dduwowcj", "duoc"),
        ("nộp ở ddaau", "nop o dau"),
        # whitespace
        ("  nhiều    khoảng\ttrắng \n", "nhieu khoang trang"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_same_with_and_without_diacritics() -> None:
    assert normalize("không nhận được mã OTP") == normalize("khong nhan duoc ma otp")
    assert normalize("Tài khoản mức 2") == normalize("tk muc 2")


def test_has_diacritics() -> None:
    assert has_diacritics("Cẩm Giàng")
    assert not has_diacritics("cam giang")
