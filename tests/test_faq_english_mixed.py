"""English with Vietnamese typed without marks: "my vneid say muc 1 only, cannot nop ho so".

A resident copies the portal's words as he sees them, without diacritics. Being ASCII they were
read as unknown English words and lost to both readings (the English phrasings and the
translation). Pairs the knowledge base's Vietnamese phrasings use are now read as Vietnamese.
The lines below were written for this test, not taken from the scored sets.
"""

from __future__ import annotations

import pytest

from faq.language import EN_MARK, unmarked_vietnamese
from faq.matcher import Matcher


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
