"""Words typed without spaces are cut into the syllables the knowledge base knows."""

from __future__ import annotations

from faq.matcher import default_matcher
from faq.spoken import split_run_together


def test_glued_words_are_cut_into_known_syllables() -> None:
    known = default_matcher().index.idf
    assert split_run_together(["khongthayxamoi"], known) == ["khong", "thay", "xa", "moi"]
    # Fewest pieces, ties broken by known pairs: not "no pho so".
    assert split_run_together(["nophoso"], known)[:3] == ["nop", "ho", "so"]


def test_syllables_and_uncuttable_tokens_stay() -> None:
    known = default_matcher().index.idf
    assert split_run_together(["nghieng", "vietcombank", "vneid"], known) == [
        "nghieng",
        "vietcombank",
        "vneid",
    ]


def test_glued_message_reaches_its_topic() -> None:
    result = default_matcher().match("cachthanhtoan lephi tren dichvucong")
    assert result.topic == "thanh_toan_truc_tuyen"


def test_known_words_that_are_not_syllables_may_be_pieces() -> None:
    known = default_matcher().index.idf
    assert split_run_together(["khongnhanduocotp"], known) == ["khong", "nhan", "duoc", "otp"]


def test_english_words_with_double_letters_keep_their_spelling() -> None:
    tokens = default_matcher()._tokens("app báo Connection failed, hiện Internal Server Error")[0]
    assert "'connection" in tokens and "'error" in tokens
    assert default_matcher()._tokens("khongggg vao dc")[0] == ["khong", "vao", "duoc"]
