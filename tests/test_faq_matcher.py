"""Matching messages to FAQ topics (faq.matcher), the dev-set thresholds and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faq.evaluate import baseline_classifier, evaluate, read_labelled
from faq.knowledge import KnowledgeBase, Topic, load_knowledge_base
from faq.matcher import Matcher, MatchResult, default_matcher, match

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # with and without diacritics
        ("Tôi quên mật khẩu VNeID rồi", "quen_mat_khau_vneid"),
        ("toi quen mat khau vneid roi", "quen_mat_khau_vneid"),
        ("Không nhận được mã OTP", "khong_nhan_otp"),
        ("khong nhan duoc ma otp", "khong_nhan_otp"),
        # abbreviations
        ("ko dang nhap dc dvc bang vneid", "dang_nhap_dvc_vneid"),
        ("tk vneid moi muc 1, muon len muc 2", "tai_khoan_muc_2"),
        ("cks bi khoa do nhap sai pin", "cb_token_ky_so_loi"),
        ("hs bi tra ve ko ro ly do", "ho_so_bi_tra_ve"),
        ("ck phi r ma dvc van bao chua thanh toan", "da_tru_tien_chua_cap_nhat"),
        # typos, shouting, stretched letters, emoji
        ("quen mat khua vneid", "quen_mat_khau_vneid"),
        ("OTP KO VỀ 😭😭", "khong_nhan_otp"),
        ("he thong mot cua cham quaaaa", "cb_ha_tang_he_thong"),
        # officer voice
        ("bên em chưa có thủ tục đăng ký khai tử trên phần mềm một cửa", "cb_thu_tuc_thieu_sai"),
        ("chứng thư số của xã vẫn mang tên cũ", "cb_chung_thu_so_don_vi_moi"),
        ("số hóa kết quả lưu ở đâu", "cb_so_hoa"),
        # citizen voice
        ("làm online sao vẫn phải lên phường nộp bản gốc", "dvc_toan_trinh_mot_phan"),
        ("nhận kết quả qua bưu điện được không", "nhan_qua_buu_chinh"),
        ("thị trấn cũ của tôi giờ nhập vào xã nào", "tra_cuu_don_vi_moi"),
    ],
)
def test_match_topics(matcher: Matcher, text: str, topic: str) -> None:
    result = matcher.match(text)
    assert result.topic == topic, (text, result)
    assert result.confident
    assert 0 <= result.score <= 100


@pytest.mark.parametrize(
    "text",
    [
        "chào ad",
        "xin chào",
        "cảm ơn bạn nhiều nhé",
        "tks ad",
        "đường làng bị ổ gà to quá",
        "mất điện từ sáng đến giờ",
        "nước máy có mùi hôi",
        "hàng xóm hát karaoke ồn quá",
        "tranh chấp đất với hàng xóm",
        "tôi muốn khiếu nại cán bộ xã",
        "tố cáo chủ tịch phường",
        "đăng ký kết hôn cần giấy tờ gì",
        "quên mật khẩu app ngân hàng",
        "lương hưu tháng này chậm",
        "tài khoản vnedu của con quên mật khẩu",
        "mai trời có mưa không",
        "vay tiền nhanh lãi suất thấp ib ngay",
        "asdfgh",
        "???",
        "",
    ],
)
def test_out_of_scope_abstains_without_alternatives(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.topic is None, (text, result)
    assert result.alternatives == [], (text, result)
    assert not result.confident


def test_confident_result_lists_runner_ups(matcher: Matcher) -> None:
    result = matcher.match("quên mật khẩu vneid")
    assert result.topic == "quen_mat_khau_vneid"
    assert len(result.alternatives) <= 2
    assert all(score <= result.score for _, score in result.alternatives)


def _topic(tid: str, examples: list[str]) -> Topic:
    return Topic(tid, tid, "citizen", "chung", "Bạn liên hệ 1022.", tuple(examples), ())


def test_close_candidates_give_alternatives() -> None:
    shared = [
        "loi khi nop ho so truc tuyen",
        "nop ho so bi loi",
        "ho so truc tuyen loi",
        "loi ho so",
        "nop ho so loi qua",
        "truc tuyen bi loi ho so",
    ]
    kb = KnowledgeBase({"a": _topic("a", shared), "b": _topic("b", shared)})
    result = Matcher(kb).match("nop ho so truc tuyen bi loi")
    assert result.topic is None
    assert {tid for tid, _ in result.alternatives} == {"a", "b"}
    assert result.reason == "ambiguous"


def test_reload_switches_knowledge_base(tmp_path: Path) -> None:
    matcher = Matcher(KnowledgeBase({"a": _topic("a", ["quen mat khau"] * 6)}))
    assert matcher.match("quen mat khau").topic == "a"
    matcher.reload(KnowledgeBase({"b": _topic("b", ["quen mat khau"] * 6)}))
    assert matcher.match("quen mat khau").topic == "b"
    matcher.reload()  # re-reads the shipped data (its source folder)
    assert matcher.match("quen mat khau vneid").topic == "quen_mat_khau_vneid"


def test_default_matcher_is_cached() -> None:
    assert default_matcher() is default_matcher()
    assert isinstance(match("otp ko ve"), MatchResult)


@pytest.mark.parametrize(
    ("name", "accuracy", "abstention"),
    [
        ("faq-dev.jsonl", 0.9, 0.9),
        ("faq-holdout.jsonl", 0.9, 0.9),
        ("faq-probe.jsonl", 0.9, 0.9),
        ("faq-fresh-2026-12-05.jsonl", 0.9, 0.9),
        ("faq-fresh-2026-12-06.jsonl", 0.9, 0.9),
    ],
)
def test_labelled_sets_meet_thresholds(
    matcher: Matcher, name: str, accuracy: float, abstention: float
) -> None:
    report = evaluate(read_labelled(DATA / name), matcher.match)
    assert report.accuracy >= accuracy
    assert report.abstention >= abstention


def test_matcher_beats_baseline() -> None:
    items = read_labelled(DATA / "faq-dev.jsonl")
    kb = load_knowledge_base()
    ours = evaluate(items, Matcher(kb).match)
    naive = evaluate(items, baseline_classifier(kb))
    assert ours.accuracy > naive.accuracy + 0.3


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faq", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_classify() -> None:
    lines = [{"text": "quên mật khẩu vneid"}, {"text": "chào bạn"}, {"text": "ko nhan dc otp"}]
    proc = _run(["classify"], "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["topic"] for o in out] == ["quen_mat_khau_vneid", None, "khong_nhan_otp"]
    assert out[0]["text"] == "quên mật khẩu vneid"  # ensure_ascii=False keeps Vietnamese readable
    assert "quên" in proc.stdout
    assert out[1]["alternatives"] == []
    assert all(0 <= o["score"] <= 100 for o in out)


def test_cli_check_and_eval(tmp_path: Path) -> None:
    proc = _run(["check"])
    assert proc.returncode == 0 and "36 chủ đề" in proc.stdout
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "x.yaml").write_text("topics:\n- id: x\n", encoding="utf-8")
    broken = _run(["--data", str(tmp_path), "check"])
    assert broken.returncode == 1 and "x.yaml" in broken.stderr
    ev = _run(["eval", str(DATA / "faq-dev.jsonl")])
    assert ev.returncode == 0 and "top-1" in ev.stdout
    base = _run(["eval", str(DATA / "faq-dev.jsonl"), "--baseline"])
    assert base.returncode == 0 and "Baseline" in base.stdout


def test_cross_validation_guard() -> None:
    # Held-out knowledge-base examples: a regression guard when examples are edited.
    from faq.evaluate import cross_validate

    report = cross_validate(load_knowledge_base(), folds=5)
    assert report.accuracy >= 0.75
    assert report.abstention >= 0.85
