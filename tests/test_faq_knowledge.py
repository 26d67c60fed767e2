"""Loading and validating the FAQ knowledge base (faq.knowledge)."""

from __future__ import annotations

import re
import textwrap
from itertools import pairwise
from pathlib import Path

import pytest

from faq.knowledge import DATA_DIR, KnowledgeBaseError, load_knowledge_base

GOOD_ENTRY = """
- id: {id}
  title: Tiêu đề
  audience: citizen
  system: vneid
  answer: Bạn làm theo các bước sau.
  examples: [a b, c d, e f, g h, i j, k l]
  keywords: [x]
"""


def _write(tmp_path: Path, body: str, name: str = "bad.yaml", required: str = "") -> Path:
    topics = tmp_path / "topics"
    topics.mkdir(exist_ok=True)
    (topics / name).write_text(textwrap.dedent(body), encoding="utf-8")
    (tmp_path / "required_topics.txt").write_text(required, encoding="utf-8")
    return tmp_path


def _error(directory: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(directory)
    return str(info.value)


def test_shipped_knowledge_base_is_valid_and_complete() -> None:
    kb = load_knowledge_base()
    required = [
        line.strip()
        for line in (DATA_DIR / "required_topics.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(required) == 36
    assert set(required) <= set(kb.topics)
    for topic in kb.topics.values():
        assert len(topic.examples) >= 8, topic.id
        assert topic.keywords, topic.id
        assert topic.audience_label in {"người dân", "cán bộ", "cả hai"}


def test_answers_are_polite_and_point_somewhere() -> None:
    for topic in load_knowledge_base().topics.values():
        answer = topic.answer
        assert "bạn" in answer.lower(), topic.id
        # every answer says where to go next when the steps do not help
        assert any(s in answer for s in ("1022", "Tổ công tác", "một cửa")), topic.id
        # and never asks for secrets ("không gửi mật khẩu" is fine, "gửi mật khẩu" alone is not)
        lowered = answer.lower()
        for secret in ("mật khẩu", "otp", "mã pin", "passcode"):
            for line in lowered.splitlines():
                if f"gửi {secret}" in line or f"cung cấp {secret}" in line:
                    assert "không" in line, (topic.id, line)


# A line that ends without closing a sentence (or introducing a list with ":") and is followed
# by one starting in lower case or with "(" continues that sentence: a hard wrap from the YAML,
# which a chat shows as a broken line. An indented line is the wrapped tail of a numbered step.
# Intentional breaks stay allowed: between sentences, before "1. " steps and "• "/"- " bullets,
# after "...:". (On the data before the fix this flagged 40 breaks in 27 of the 36 answers.)
_SENTENCE_END = re.compile(r"[.!?…:]$")


def _wrapped_lines(answer: str) -> list[str]:
    lines = answer.splitlines()
    found = []
    for previous, line in pairwise(lines):
        start = line.lstrip()
        if not previous.strip() or not start:
            continue
        continues = not _SENTENCE_END.search(previous.rstrip()) and (start[0].islower() or start[0] == "(")
        if continues or start != line:
            found.append(f"{previous.rstrip()}⏎{line}")
    return found


def test_the_wrap_check_tells_wrapped_sentences_from_intended_breaks() -> None:
    assert _wrapped_lines("hoặc khác với điều\nbộ phận một cửa thông báo.")
    assert _wrapped_lines("1. Gửi danh sách cho Tổ công tác\n   để được hướng dẫn.")
    assert _wrapped_lines("Các đơn vị đã có mã mới\n(Quyết định 2155/QĐ-UBND).")
    intended = "Bạn thử:\n1. Đăng nhập.\n2. Tải lại trang\n3. Gọi 1022.\n\nLưu ý: không gửi mã OTP.\n- Toàn trình\n• Một phần"
    assert _wrapped_lines(intended) == []


def test_answers_have_no_line_breaks_inside_sentences() -> None:
    wrapped = {
        topic.id: lines
        for topic in load_knowledge_base().topics.values()
        if (lines := _wrapped_lines(topic.answer))
    }
    assert wrapped == {}


def test_out_of_scope_groups_loaded() -> None:
    kb = load_knowledge_base()
    assert {"chao_hoi", "cam_on", "khieu_nai_to_cao", "quang_cao_spam"} <= set(kb.out_of_scope)


def test_valid_minimal(tmp_path: Path) -> None:
    kb = load_knowledge_base(_write(tmp_path, "topics:" + GOOD_ENTRY.format(id="mot"), required="mot\n"))
    assert list(kb.topics) == ["mot"]
    assert kb.topics["mot"].examples[0] == "a b"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (GOOD_ENTRY.format(id="mot").replace("  title: Tiêu đề\n", ""), "thiếu trường 'title'"),
        (GOOD_ENTRY.format(id="mot").replace("  keywords: [x]\n", ""), "thiếu trường 'keywords'"),
        (GOOD_ENTRY.format(id="mot").replace("[a b, c d, e f, g h, i j, k l]", "[a, b, c]"), "3 câu hỏi mẫu"),
        (GOOD_ENTRY.format(id="mot").replace("system: vneid", "system: zalo"), "system 'zalo' không hợp lệ"),
        (GOOD_ENTRY.format(id="mot").replace("audience: citizen", "audience: dân"), "audience 'dân'"),
        (
            GOOD_ENTRY.format(id="mot").replace("answer: Bạn làm theo các bước sau.", "answer: ''"),
            "'answer' đang trống",
        ),
        (
            GOOD_ENTRY.format(id="mot").replace("examples: [", "examples: {").replace("k l]", "k l}"),
            "danh sách",
        ),
    ],
)
def test_malformed_entry_names_file_id_and_problem(tmp_path: Path, entry: str, problem: str) -> None:
    message = _error(_write(tmp_path, "topics:" + entry, name="vneid.yaml"))
    assert "vneid.yaml" in message
    assert "mot" in message
    assert problem in message


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "topics:" + GOOD_ENTRY.format(id="trung"), name="a.yaml")
    message = _error(_write(tmp_path, "topics:" + GOOD_ENTRY.format(id="trung"), name="b.yaml"))
    assert "b.yaml" in message and "trung" in message and "trùng" in message and "a.yaml" in message


def test_missing_id(tmp_path: Path) -> None:
    message = _error(
        _write(tmp_path, "topics:" + GOOD_ENTRY.format(id="x").replace("- id: x\n  title", "- title"))
    )
    assert "bad.yaml" in message and "#1" in message and "thiếu trường 'id'" in message


def test_missing_required_topic(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "topics:" + GOOD_ENTRY.format(id="mot"), required="mot\nhai\n"))
    assert "required_topics.txt" in message and "hai" in message


def test_broken_yaml(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "topics: [\n  - id: x\n"))
    assert "bad.yaml" in message and "YAML" in message


def test_no_topic_files(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    assert "không có tệp" in _error(tmp_path)


def test_bad_out_of_scope_group(tmp_path: Path) -> None:
    _write(tmp_path, "topics:" + GOOD_ENTRY.format(id="mot"))
    (tmp_path / "out_of_scope.yaml").write_text("groups:\n- id: chao\n  examples: [chao]\n", encoding="utf-8")
    message = _error(tmp_path)
    assert "out_of_scope.yaml" in message and "chao" in message
