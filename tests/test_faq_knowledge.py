"""Loading and validating the FAQ knowledge base (faq.knowledge)."""

from __future__ import annotations

import textwrap
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
