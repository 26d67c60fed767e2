"""Print forms and templates of the one-stop software: no topic answers them, so the bot stays silent.

Reported: "phan mem mot cua cua phuong khong tim thay mau phieu de in cho dan" was answered with the
USB-token topic at 55.0, while the shorter "phần mềm một cửa không tìm thấy mẫu phiếu in" abstained
at 62.6. Three causes, each pinned here: the lead was measured only to runners-up at or above the
threshold (the longer message pushed them under it, so the lead was over "nothing"); a score on
the threshold needed no more lead than one far above it; "phieu" (phiếu) was "repaired" to "hieu"
(hiểu). The knowledge base also had no words for printing and templates (out-of-scope group
``bieu_mau_in_an``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.evaluate import read_labelled
from faq.knowledge import KnowledgeBase, Topic
from faq.matcher import Matcher, MatchResult
from faq.normalize import is_syllable

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    "text",
    [
        "phan mem mot cua cua phuong khong tim thay mau phieu de in cho dan",
        "phần mềm một cửa của phường không tìm thấy mẫu phiếu để in cho dân",
        "phần mềm một cửa không tìm thấy mẫu phiếu in",
        # variants written after the fix, never scored before it
        "mot cua cua xa em ko tim thay mau giay hen de in cho ba con",
        "phan mem mot cua khong co mau phieu tiep nhan de in ra cho nguoi dan",
        "tren phan mem khong thay mau to khai nao de in cho dan dien vao",
        "bam in giay bien nhan tren mot cua thi khong ra mau nao",
        "mẫu phiếu hẹn trên phần mềm một cửa in ra thiếu tên phường",
    ],
)
def test_print_form_messages_stay_silent(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.topic is None and result.alternatives == [], (text, result)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("usb token cam vao may khong nhan nen khong ky so duoc", "cb_token_ky_so_loi"),
        ("phan mem mot cua khong tim thay chung thu so de ky", "cb_token_ky_so_loi"),
        ("phan mem mot cua cua phuong chua co thu tuc de tiep nhan ho so cho dan", "cb_thu_tuc_thieu_sai"),
        ("khong tim thay ket qua so hoa tren phan mem mot cua", "cb_so_hoa"),
        ("ket qua dien tu in ra giay co gia tri khong", "ket_qua_dien_tu"),
    ],
)
def test_neighbouring_officer_questions_still_answered(matcher: Matcher, text: str, topic: str) -> None:
    assert matcher.match(text).topic == topic


def test_print_form_batch_has_no_confident_answer(matcher: Matcher) -> None:
    # faq-fresh-2026-12-06b, written and committed before it was scored: 15 out-of-scope lines.
    # The last one answered ("mẫu phiếu yêu cầu bổ sung …", in the supplement-request topic's
    # own words) names the print group's subject ("mẫu phiếu"): now offered, not answered.
    answered = [
        item.text
        for item in read_labelled(DATA / "faq-fresh-2026-12-06b.jsonl")
        if matcher.match(item.text).topic is not None
    ]
    assert answered == []


class _Fixed(Matcher):
    """A matcher whose scores are given, to pin the decision rule alone."""

    def __init__(self, ranked: list[tuple[str, float]]) -> None:
        topics = {tid: Topic(tid, tid, "citizen", "chung", "x", ("x y",), ()) for tid, _ in ranked}
        super().__init__(KnowledgeBase(topics))
        self._ranked = ranked

    def scores(self, text: str) -> list[tuple[str, float]]:
        return self._ranked


def _decide(*ranked: tuple[str, float]) -> MatchResult:
    return _Fixed(list(ranked)).match("x y")  # two words: one alone is never answered


def test_lead_is_measured_to_a_runner_up_under_the_threshold() -> None:
    # the reported message: 55.0 and the next topics at 51.9, 50.3, 50.2
    # No confident answer; since the pick list (7/12/2026) the close topics are offered instead.
    result = _decide(("a", 55.0), ("b", 51.9), ("c", 50.3))
    assert result.topic is None and result.reason == "ambiguous"
    assert [t for t, _ in result.alternatives] == ["a", "b", "c"]


def test_lead_needed_shrinks_to_the_margin_above_the_threshold() -> None:
    assert _decide(("a", 55.0), ("b", 49.9)).topic == "a"  # 5.1 over the runner-up at the threshold
    assert _decide(("a", 56.1), ("b", 53.2)).topic is None  # 2.9 at 1.1 over the threshold
    assert _decide(("a", 60.0), ("b", 57.4)).topic == "a"  # well above: the plain 2.5 margin
    close = _decide(("a", 60.0), ("b", 58.0))
    assert close.topic is None and [t for t, _ in close.alternatives] == ["a", "b"]
    assert _decide(("a", 55.0)).topic == "a"  # nothing else scored at all


def test_well_formed_syllables_are_not_typos(matcher: Matcher) -> None:
    assert all(is_syllable(w) for w in ("phieu", "khung", "suot", "nguoi", "quynh", "gi"))
    assert not any(is_syllable(w) for w in ("gatway", "hoso", "vnied", "cccd"))
    tokens, _ = matcher._tokens("khong tim thay mau phieu de in")
    assert "phieu" in tokens and "hieu" not in tokens
    tokens, _ = matcher._tokens("he thong bao loi 502 bad gatway")
    assert "gateway" in tokens
