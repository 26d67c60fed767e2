"""Calibration of confident answers (7/12/2026): English readings that must agree, answers that
rest on a system's name, one-word messages, officer abbreviations, English for every topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.evaluate import evaluate, read_labelled
from faq.index import canonical
from faq.knowledge import KnowledgeBaseError, load_knowledge_base, parse_topic
from faq.language import EN_MARK
from faq.matcher import Matcher, default_matcher
from faq.normalize import normalize

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def test_english_words_live_apart_from_vietnamese_syllables() -> None:
    tokens = canonical("I filed it in May at the district, VNeID says 500", english=True).split()
    assert EN_MARK + "may" in tokens and "may" not in tokens  # "May" is not "mấy"
    assert "vneid" in tokens and "500" in tokens  # acronyms and numbers are shared
    assert all(EN_MARK not in t for t in canonical("giờ làm ở đâu").split())


def test_english_phrasings_do_not_pull_vietnamese_messages(matcher: Matcher) -> None:
    # "in May" of an English phrasing gave the pre-July topic the syllable "mấy"
    result = matcher.match("giờ bỏ cấp huyện rồi thì mấy việc trước lên huyện làm giờ làm ở đâu")
    assert result.topic != "ho_so_truoc_1_7"


def test_an_answer_resting_on_a_system_name_is_offered(matcher: Matcher) -> None:
    # An officer of a department: a commune's dossier moved up does not show in the city system.
    # Only "hệ thống TTHC thành phố" tied it to the outage topic.
    result = matcher.match("e bên sở, hs của xã chuyển lên sở mà ko thấy trên ht tthc tp")
    assert result.topic is None
    assert "cb_ha_tang_he_thong" in [t for t, _ in result.alternatives]
    # The outage itself is still answered, name or not.
    assert matcher.match("hệ thống một cửa chậm, treo liên tục từ sáng").topic == "cb_ha_tang_he_thong"
    assert matcher.match("pm mc treo từ sáng, cả bp ko làm đc gì").topic == "cb_ha_tang_he_thong"


def test_one_word_is_never_answered(matcher: Matcher) -> None:
    assert matcher.match("no").topic is None  # a reply under a list, not a login question


@pytest.mark.parametrize(
    "text",
    ["Can I pay my electricity bill online?", "Can I get a refund for my train ticket?"],
)
def test_english_resting_on_the_translation_alone_is_not_answered(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).topic is None


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("My payment went through but the portal says the fee is unpaid", "da_tru_tien_chua_cap_nhat"),
        ("the one-stop software keeps freezing all morning, error 504", "cb_ha_tang_he_thong"),
        ("Is the fee cheaper when I apply online?", "le_phi_truc_tuyen"),
    ],
)
def test_english_still_answered_where_both_readings_agree(matcher: Matcher, text: str, topic: str) -> None:
    result = matcher.match(text)
    assert result.topic == topic and result.language == "en", result


def test_officer_abbreviations() -> None:
    assert normalize("pm mc treo, bp ko làm đc") == "phan mem mot cua treo bo phan khong lam duoc"
    assert normalize("ht tthc tp") == "he thong thu tuc hanh chinh thanh pho"
    assert normalize("mạng tsl, lđ chưa duyệt") == "mang truyen so lieu lanh dao chua duyet"
    assert normalize("dv công") == "dv cong"  # "dv" is dịch vụ as often as đơn vị: left alone


def test_every_topic_has_english_phrasings_and_residents_get_english_answers() -> None:
    kb = load_knowledge_base()
    for topic in kb.topics.values():
        assert len(topic.examples_en) >= 5, topic.id
        if topic.audience != "officer":
            assert topic.answer_en, topic.id


def test_officer_topics_may_have_english_phrasings_without_an_english_answer(tmp_path: Path) -> None:
    raw = {
        "id": "x",
        "title": "t",
        "audience": "officer",
        "system": "chung",
        "answer": "a",
        "examples": ["e"] * 6,
        "keywords": ["k"],
        "examples_en": ["the software is slow"],
    }
    assert parse_topic(raw, tmp_path / "x.yaml", 0).answer_en is None
    with pytest.raises(KnowledgeBaseError):
        parse_topic({**raw, "audience": "citizen"}, tmp_path / "x.yaml", 0)


def test_new_dev_set_meets_the_answer_goals(matcher: Matcher) -> None:
    # faq-dev-2026-12-07d: English (officer topics too), pasted errors, officer abbreviations;
    # written before tuning (untouched 0.750 / 0.857 / 5 wrong). One out-of-scope line of 12
    # (a flooded road "trước ubnd") is still answered; untouched it had 5 confident wrong.
    report = evaluate(read_labelled(DATA / "faq-dev-2026-12-07d.jsonl"), matcher.match)
    assert report.accuracy >= 0.9 and report.reach >= 0.97 and report.confident_wrong <= 1
