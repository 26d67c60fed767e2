"""FAQ reach (issue 16, point 6): pick lists instead of silence, long stories, dictated text, English."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from faq.evaluate import Labelled, evaluate, read_labelled
from faq.knowledge import KnowledgeBaseError, load_knowledge_base
from faq.language import is_english, stem, translate
from faq.matcher import Matcher, MatcherConfig, MatchResult, decide
from faq.normalize import normalize
from faq.segments import split_segments
from faq.spoken import repair_sound_alikes, sound_alikes
from handlers.directory import KnowledgeBaseFaq

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


# -- English -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I cannot log in to VNeID", "dang_nhap_dvc_vneid"),
        ("I never got the OTP text message", "khong_nhan_otp"),
        ("I forgot the password of my VNeID account", "quen_mat_khau_vneid"),
        ("How can I pay the fee for my application online?", "thanh_toan_truc_tuyen"),
        ("How do I upgrade my identification account to level 2?", "tai_khoan_muc_2"),
        ("Where can I check the status of my application?", "tra_cuu_tinh_trang"),
        ("Can the result be delivered to my house by post?", "nhan_qua_buu_chinh"),
        ("Which website do I use to submit my application online?", "noi_nop_ho_so"),
    ],
)
def test_english_messages_get_the_topic_and_an_english_answer(
    matcher: Matcher, text: str, topic: str
) -> None:
    result = matcher.match(text)
    assert result.topic == topic, (text, result)
    assert result.language == "en"
    view = KnowledgeBaseFaq(matcher.knowledge_base).topic(topic)
    assert view is not None and view.answer_en
    assert view.answer_en != view.answer


def test_english_answers_keep_the_facts_of_the_vietnamese_ones() -> None:
    kb = load_knowledge_base()
    english = [t for t in kb.topics.values() if t.answer_en]
    assert len(english) >= 8
    for topic in english:
        assert len(topic.examples_en) >= 6, topic.id
        # Same numbers (hotline, dates, limits, decrees) in both languages.
        numbers = {n for n in _numbers(topic.answer) if len(n) >= 2}
        assert numbers <= set(_numbers(topic.answer_en or "")), (topic.id, numbers)


def _numbers(text: str) -> list[str]:
    import re

    return re.findall(r"\d+", text)


def test_english_out_of_scope_gets_no_topic(matcher: Matcher) -> None:
    for text in ("Is it going to rain this weekend?", "Thanks a lot, bye", "How do I renew my visa?"):
        assert matcher.match(text).topic is None, text


def test_english_is_also_read_through_the_glossary() -> None:
    tokens = [stem(t) for t in normalize("I cannot log in to my account", english=True).split()]
    assert translate(tokens) == ["khong", "dang", "nhap", "duoc", "tai", "khoan"]  # không … được
    assert stem("mailed") == stem("mail") == "mail" and stem("two") == "2"
    assert normalize("How does it show", english=True) == "how does it show"  # no Telex repair


def test_language_detection() -> None:
    assert is_english("I cannot log in to VNeID")
    assert is_english("my application was returned, what should I do")
    assert not is_english("ko nhan dc otp vneid")
    assert not is_english("toi quen mat khau vneid roi")
    assert not is_english("Tôi không đăng nhập được, login failed")  # diacritics: Vietnamese
    assert not is_english("OTP")


# -- long stories ----------------------------------------------------------------------------


def test_the_error_in_the_middle_of_a_story_wins(matcher: Matcher) -> None:
    story = (
        "Chào anh chị, tôi ở phường Lê Chân. Tuần này tôi làm hồ sơ đăng ký khai sinh cho cháu trên mạng. "
        "Đến lúc xác nhận thì mã OTP không gửi về điện thoại, đợi cả chục phút. "
        "Tôi đã thử mấy lần rồi. Nhờ các anh chị giúp."
    )
    assert matcher.match(story).topic == "khong_nhan_otp"


def test_a_story_out_of_scope_stays_out(matcher: Matcher) -> None:
    story = (
        "Tôi ở xã An Lão cũ. Cống nước đầu ngõ bị vỡ từ tuần trước. "
        "Nước tràn ra đường rất bẩn. Bao giờ thì xã cho người sửa?"
    )
    result = matcher.match(story)
    assert result.topic is None and result.alternatives == []


def test_segments_split_sentences_and_long_dictated_runs() -> None:
    assert split_segments("Chào ad. Em không nhận được OTP! Làm sao ạ?") == [
        "Chào ad",
        "Em không nhận được OTP",
        "Làm sao ạ",
    ]
    assert split_segments("quên mật khẩu vneid") == ["quên mật khẩu vneid"]
    assert split_segments("nộp ngày 1.7.2025 rồi") == ["nộp ngày 1.7.2025 rồi"]  # dates stay whole
    dictated = (
        "em nộp hồ sơ trên cổng dịch vụ công từ thứ hai tuần trước rồi mà đến giờ vẫn chưa thấy ai xử lý"
    )
    assert len(split_segments(dictated)) >= 2


# -- speech-to-text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mã ô tê pê", "ma otp"),
        ("mã ô tê bê", "ma otp"),  # b/p confused by dictation
        ("vê en ai đi", "vneid"),
        ("đi vê xê quốc gia", "dich vu cong quoc gia"),
        ("u ét bê bị lỗi", "usb bi loi"),
        ("em đi xe máy", "em di xe may"),  # ordinary words that are also letter names
        ("ai đi cùng em", "ai di cung em"),
    ],
)
def test_letters_read_aloud_become_the_acronym(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_sound_alike_slips_are_repaired_only_into_known_pairs(matcher: Matcher) -> None:
    assert "sung" in sound_alikes("xung") and "khoan" in sound_alikes("khoang")
    known = matcher.index.idf
    assert repair_sound_alikes(["ho", "so", "bo", "xung"], known, 2.7)[-1] == "sung"
    assert repair_sound_alikes(["tai", "khoang", "dinh", "danh"], known, 2.7)[1] == "khoan"
    # "hành chính" is a known pair: "chính" is not swapped for "trình" because of its other side.
    assert repair_sound_alikes(["thu", "tuc", "hanh", "chinh", "thi"], known, 2.7)[3] == "chinh"
    assert repair_sound_alikes(["co", "quan", "doi", "toi"], known, 2.7)[2] == "doi"  # common: kept


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("tôi không nhận được mã ô tê pê khi đăng nhập vê en ai đi", "khong_nhan_otp"),
        ("quên mặt khẩu vê en ai đi thì lấy lại thế nào", "quen_mat_khau_vneid"),
        ("hồ sơ bị trả về bảo bổ xung giấy tờ", "ho_so_bi_tra_ve"),
    ],
)
def test_dictated_messages(matcher: Matcher, text: str, topic: str) -> None:
    assert matcher.match(text).topic == topic


# -- offering instead of abstaining ----------------------------------------------------------


def test_pick_list_below_the_answer_threshold() -> None:
    cfg = MatcherConfig()
    # Under the threshold but over the floor: offered, best first, at most 3.
    topic, _, offered, reason = decide([("a", 52.0), ("b", 50.0), ("c", 49.0), ("d", 48.5)], 0.0, cfg)
    assert topic is None and [t for t, _ in offered] == ["a", "b", "c"] and reason == "ambiguous"
    # One plausible topic is offered on its own.
    topic, _, offered, reason = decide([("a", 52.0), ("b", 30.0)], 0.0, cfg)
    assert topic is None and offered == [("a", 52.0)] and reason == "low_score"
    # Under the floor, or an out-of-scope group as good: nothing.
    assert decide([("a", cfg.floor - 1)], 0.0, cfg)[2] == []
    assert decide([("a", 70.0)], 70.0, cfg)[2] == []
    assert decide([("a", 52.0)], 51.0, cfg)[2] == []
    # A close out-of-scope group under a topic at answering height: the topic is offered, never
    # answered (a long story names its procedure, and the which-papers group comes close).
    topic, _, offered, reason = decide([("a", 70.0), ("b", 69.5)], 69.0, cfg)
    assert topic is None and offered == [("a", 70.0)] and reason == "out_of_scope"


def test_policy_question_gets_no_topic(matcher: Matcher) -> None:
    for text in ("mức thu lệ phí trước bạ ô tô bây giờ là bao nhiêu", "vì sao phải sáp nhập tỉnh"):
        result = matcher.match(text)
        assert result.topic is None, (text, result)


def test_directory_offers_a_single_plausible_topic(matcher: Matcher) -> None:
    faq = KnowledgeBaseFaq(matcher.knowledge_base)
    suggestion = faq.suggest("I cannot log in to VNeID")
    assert suggestion.topic is not None and suggestion.topic.answer_en
    # Every topic a resident meets has English guidance (7/12/2026); officer topics are matched
    # in English but answered in Vietnamese.
    vietnamese = faq.topic("cb_so_hoa")
    assert vietnamese is not None and vietnamese.answer_en is None  # Vietnamese only: fall back


# -- evaluation report and CLI ---------------------------------------------------------------


def test_report_counts_reach_wrong_answers_and_out_of_scope_answered() -> None:
    results = {
        "right": MatchResult("a", 80.0),
        "offered": MatchResult(None, 50.0, [("b", 50.0), ("a", 49.0)], "ambiguous"),
        "wrong": MatchResult("b", 70.0),
        "oos answered": MatchResult("a", 60.0),
        "oos offered": MatchResult(None, 50.0, [("a", 50.0)], "low_score"),
    }
    items = [
        Labelled("right", "a"),
        Labelled("offered", "a"),
        Labelled("wrong", "a"),
        Labelled("oos answered", None),
        Labelled("oos offered", None),
    ]
    report = evaluate(items, lambda text: results[text])
    assert (report.correct, report.reached, report.confident_wrong, report.offered) == (1, 2, 1, 1)
    assert report.out_of_scope_answered == 1 and report.silent == 0


@pytest.mark.parametrize(
    "name", ["faq-dev-2026-12-07.jsonl", "faq-dev-2026-12-07b.jsonl", "faq-dev-2026-12-07c.jsonl"]
)
def test_new_dev_sets_meet_the_goals(matcher: Matcher, name: str) -> None:
    report = evaluate(read_labelled(DATA / name), matcher.match)
    assert report.accuracy >= 0.9 and report.reach >= 0.97
    assert report.confident_wrong <= 2 and report.out_of_scope_answered_share <= 0.05


def test_cli_classify_prints_topic_alternatives_and_language() -> None:
    lines = [{"text": "I did not receive the OTP"}, {"text": "chào bạn"}]
    proc = subprocess.run(
        [sys.executable, "-m", "faq", "classify"],
        input="\n".join(json.dumps(x) for x in lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["topic"] == "khong_nhan_otp" and out[0]["language"] == "en"
    assert out[1]["topic"] is None and out[1]["alternatives"] == []


def test_english_phrasings_need_an_english_answer(tmp_path: Path) -> None:
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "x.yaml").write_text(
        textwrap.dedent(
            """
            topics:
            - id: x
              title: Tiêu đề
              audience: citizen
              system: vneid
              answer: Bạn làm theo các bước sau.
              examples_en: [cannot log in]
              examples: [a b, c d, e f, g h, i j, k l]
              keywords: [x]
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError, match="answer_en"):
        load_knowledge_base(tmp_path)


# Held-out batches written this session from faq-topics.yaml by writers who never saw the product
# (7/12/2026). The Vietnamese ones meet the goals; the English ones do not yet reach top-1
# 0.90 (faq/README.md), but no change may make them answer wrongly or miss more.
@pytest.mark.parametrize(
    "name",
    [
        "faq-blind-2026-12-07h-citizens.jsonl",
        "faq-blind-2026-12-07h-officers.jsonl",
        "faq-blind-2026-12-07m-vietnamese.jsonl",
    ],
)
def test_held_out_vietnamese_batches_meet_the_goals(matcher: Matcher, name: str) -> None:
    report = evaluate(read_labelled(DATA / name), matcher.match)
    assert report.accuracy >= 0.9 and report.reach >= 0.97
    assert report.confident_wrong <= 2 and report.out_of_scope_answered_share <= 0.05


@pytest.mark.parametrize("letter", "hijklmn")
def test_held_out_english_batches_reach_the_right_topic(matcher: Matcher, letter: str) -> None:
    report = evaluate(read_labelled(DATA / f"faq-blind-2026-12-07{letter}-english.jsonl"), matcher.match)
    assert report.reach >= 0.95 and report.accuracy >= 0.7
    assert report.confident_wrong <= 1 and report.out_of_scope_answered_share <= 0.05
