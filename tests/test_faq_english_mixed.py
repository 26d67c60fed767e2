"""English with Vietnamese typed without marks: "my vneid say muc 1 only, cannot nop ho so".

A resident copies the portal's words as he sees them, without diacritics. Being ASCII they were
read as unknown English words and lost to both readings (the English phrasings and the
translation). Pairs the knowledge base's Vietnamese phrasings use are now read as Vietnamese.
The lines below were written for this test, not taken from the scored sets.
"""

from __future__ import annotations

import pytest

from faq.language import EN_MARK, introduction, unmarked_vietnamese
from faq.matcher import Matcher
from faq.segments import split_segments


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("vneid app show muc 1, how do I get muc 2?", "tai_khoan_muc_2"),
        ("I paid on the portal but it still say chua thanh toan", "da_tru_tien_chua_cap_nhat"),
        # A bag of translated words has no word order: "password I know" is not "mật khẩu <app>".
        ("I forgot the passcode of VNeID, the normal password I still know", "quen_mat_khau_vneid"),
        # A resident's "one-stop desk of another ward" is the citizens' topic, not the officers'.
        (
            "I am a foreigner, can I hand in my paperwork at the one-stop desk of another ward?",
            "phi_dia_gioi",
        ),
    ],
)
def test_english_with_unmarked_vietnamese_is_answered(matcher: Matcher, text: str, topic: str) -> None:
    result = matcher.match(text)
    assert result.language == "en"
    assert result.topic == topic


def test_only_known_pairs_of_vietnamese_syllables_are_read_as_vietnamese() -> None:
    known = {"nop ho", "ho so", "to do", "muc 2"}
    tokens = [EN_MARK + w for w in ["i", "want", "to", "do", "it", "and", "nop", "ho", "so", "at", "muc"]] + [
        "2"
    ]
    found = unmarked_vietnamese(tokens, known.__contains__)
    words = [tokens[i].removeprefix(EN_MARK) for i in sorted(found)]
    # "to do" is English (both words are), "nop ho so" and "muc 2" are Vietnamese.
    assert words == ["nop", "ho", "so", "muc", "2"]


# -- English stories and letters (7/12/2026) ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # A letter: its frame ("I am writing to enquire", "Kind regards") and its signature
        # (a Vietnamese name) are not evidence for any topic.
        (
            "Dear Sir or Madam, I am writing to enquire whether my residence certificate can be "
            "mailed to my house by Vietnam Post, since I work during office hours. Kind regards, "
            "Phạm Thị Hoa",
            "nhan_qua_buu_chinh",
        ),
        # A story opening with who writes: the problem sentence decides, and the answer that
        # the whole English reading (diluted by the context) could not support is given.
        (
            "I'm Marco, an Italian chef living in Lạch Tray. Two days ago I paid the fee for my "
            "application with my e-wallet and the money left my account immediately. But the "
            "portal still shows the fee as unpaid. Should I pay again?",
            "da_tru_tien_chua_cap_nhat",
        ),
    ],
)
def test_english_story_or_letter_is_answered(matcher: Matcher, text: str, topic: str) -> None:
    assert matcher.match(text).topic == topic


def test_an_introduction_is_not_read_as_the_problem(matcher: Matcher) -> None:
    # "an English teacher at an international school" alone reads as the schools group (out
    # of scope), which silenced the OTP question after it.
    text = (
        "Hi, I'm Sarah, an English teacher at an international school in Hải Phòng. I never "
        "get the OTP text when I try to register on VNeID. What can I do?"
    )
    assert matcher.match(text).topic == "khong_nhan_otp"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I'm David, a retired Australian living in Đồ Sơn", True),
        ("My name is Kelvin", True),
        ("I am Korean", True),
        ("I am unable to log in", False),
        ("I am worried about my application", False),
        ("I'm a teacher and I cannot get the OTP", False),
    ],
)
def test_introduction(sentence: str, expected: bool) -> None:
    assert introduction(sentence) is expected


def test_a_web_address_does_not_end_a_sentence() -> None:
    parts = split_segments("I filed on dichvucong.gov.vn. The status still says received")
    assert parts == ["I filed on dichvucong.gov.vn", "The status still says received"]


def test_the_systems_own_app_named_in_english_is_still_answered(matcher: Matcher) -> None:
    # The brand rule reads a name before "app" as another system unless the topic speaks of it.
    assert matcher.match("my VNeID app keeps asking me to approve on the old phone").topic == (
        "vneid_doi_thiet_bi"
    )
