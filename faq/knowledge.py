"""The FAQ knowledge base: YAML files under faq/data, loaded and validated.

Staff edit the YAML by hand and reload at runtime, so every mistake must be reported with
the file, the entry id and what is wrong, in Vietnamese, instead of a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
TOPICS_DIR = DATA_DIR / "topics"
REQUIRED_TOPICS_FILE = "required_topics.txt"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"

AUDIENCES: dict[str, str] = {"citizen": "người dân", "officer": "cán bộ", "both": "cả hai"}
SYSTEMS: dict[str, str] = {
    "dvc_quoc_gia": "Cổng Dịch vụ công quốc gia",
    "he_thong_tthc_thanh_pho": "Hệ thống giải quyết TTHC của thành phố",
    "vneid": "VNeID và đăng nhập",
    "thanh_toan": "Thanh toán trực tuyến",
    "chu_ky_so": "Chữ ký số",
    "chung": "Chung",
}
MIN_EXAMPLES = 6
MIN_OUT_OF_SCOPE_EXAMPLES = 3
_FIELDS = ("id", "title", "audience", "system", "answer", "examples", "keywords")
# Optional: the answer in English and English phrasings, for the topics a foreign resident meets.
_OPTIONAL_FIELDS = ("answer_en", "examples_en")


class KnowledgeBaseError(ValueError):
    """The knowledge base data is invalid; the message says where and why."""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    audience: str
    system: str
    answer: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    # English answer (same facts as ``answer``) and English phrasings; None / () when the topic
    # has none, and the caller then falls back to the Vietnamese answer.
    answer_en: str | None = None
    examples_en: tuple[str, ...] = ()

    @property
    def audience_label(self) -> str:
        return AUDIENCES.get(self.audience, self.audience)

    @property
    def system_label(self) -> str:
        return SYSTEMS.get(self.system, self.system)


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, Topic]
    # Groups of messages the bot must not answer (greetings, roads, spam...). The matcher
    # uses them as negative evidence so that near-misses abstain instead of guessing.
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: Path | None = None
    # Optional subject words of each out-of-scope group ("facebook", "tiền điện", "điểm thi"):
    # a message naming one that the answered topic never uses is offered, not answered (see
    # faq.subjects). Not scored: they are evidence against a topic, not for the group.
    out_of_scope_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.topics)

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)


def _fail(path: Path, entry: str | None, problem: str) -> KnowledgeBaseError:
    where = f"{path.name}" if entry is None else f"{path.name}, mục '{entry}'"
    return KnowledgeBaseError(f"{where}: {problem}")


def _text_list(value: Any, path: Path, entry: str, name: str) -> tuple[str, ...]:
    # YAML turns a bare 1022 into a number; a number is still a fine keyword.
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise _fail(path, entry, f"trường '{name}' phải là danh sách chuỗi")
    return tuple(str(v).strip() for v in value if str(v).strip())


def parse_topic(raw: Any, path: Path, position: int) -> Topic:
    """Validate one YAML entry and turn it into a Topic."""
    if not isinstance(raw, Mapping):
        raise _fail(path, f"#{position + 1}", "mục phải là một bảng khóa: giá trị")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise _fail(path, f"#{position + 1}", "thiếu trường 'id'")
    entry_id = entry_id.strip()
    for name in _FIELDS:
        if name not in raw or raw[name] is None:
            raise _fail(path, entry_id, f"thiếu trường '{name}'")
    unknown = sorted(set(raw) - set(_FIELDS) - set(_OPTIONAL_FIELDS))
    if unknown:
        raise _fail(path, entry_id, f"trường không hợp lệ: {', '.join(map(str, unknown))}")
    for name in ("title", "answer"):
        if not isinstance(raw[name], str) or not raw[name].strip():
            raise _fail(path, entry_id, f"trường '{name}' đang trống")
    audience, system = raw["audience"], raw["system"]
    if audience not in AUDIENCES:
        raise _fail(path, entry_id, f"audience '{audience}' không hợp lệ (chọn: {', '.join(AUDIENCES)})")
    if system not in SYSTEMS:
        raise _fail(path, entry_id, f"system '{system}' không hợp lệ (chọn: {', '.join(SYSTEMS)})")
    examples = _text_list(raw["examples"], path, entry_id, "examples")
    if len(examples) < MIN_EXAMPLES:
        raise _fail(
            path, entry_id, f"chỉ có {len(examples)} câu hỏi mẫu (examples), cần ít nhất {MIN_EXAMPLES}"
        )
    keywords = _text_list(raw["keywords"], path, entry_id, "keywords")
    answer_en = raw.get("answer_en")
    if answer_en is not None and (not isinstance(answer_en, str) or not answer_en.strip()):
        raise _fail(path, entry_id, "trường 'answer_en' đang trống")
    examples_en = _text_list(raw.get("examples_en") or [], path, entry_id, "examples_en")
    if examples_en and answer_en is None and raw.get("audience") != "officer":
        # English phrasings without an English answer would answer a foreigner in Vietnamese.
        # Officer topics may have them: an officer writing in English is matched, and answered
        # in Vietnamese (the bot says so), the language of the systems they work in.
        raise _fail(path, entry_id, "có 'examples_en' nhưng thiếu 'answer_en'")
    return Topic(
        id=entry_id,
        title=raw["title"].strip(),
        audience=audience,
        system=system,
        answer=raw["answer"].strip(),
        examples=examples,
        keywords=keywords,
        answer_en=answer_en.strip() if answer_en else None,
        examples_en=examples_en,
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, None, f"YAML không đọc được: {exc}") from exc


def _topic_entries(path: Path) -> list[Any]:
    data = _read_yaml(path)
    if isinstance(data, Mapping):
        data = data.get("topics")
    if not isinstance(data, list):
        raise _fail(path, None, "tệp phải có danh sách 'topics'")
    return data


def _load_out_of_scope(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The groups' phrasings, and their subject words (optional ``keywords``)."""
    if not path.exists():
        return {}, {}
    data = _read_yaml(path)
    groups = data.get("groups") if isinstance(data, Mapping) else None
    if not isinstance(groups, list):
        raise _fail(path, None, "tệp phải có danh sách 'groups'")
    result: dict[str, tuple[str, ...]] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for position, group in enumerate(groups):
        if not isinstance(group, Mapping) or not isinstance(group.get("id"), str):
            raise _fail(path, f"#{position + 1}", "thiếu trường 'id'")
        gid = group["id"]
        examples = _text_list(group.get("examples"), path, gid, "examples")
        if len(examples) < MIN_OUT_OF_SCOPE_EXAMPLES:
            raise _fail(path, gid, f"cần ít nhất {MIN_OUT_OF_SCOPE_EXAMPLES} câu ví dụ")
        if gid in result:
            raise _fail(path, gid, "id bị trùng")
        result[gid] = examples
        if group.get("keywords") is not None:
            keywords[gid] = _text_list(group["keywords"], path, gid, "keywords")
    return result, keywords


def _required_ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def build_knowledge_base(
    files: Iterable[Path], required: Iterable[str] = (), source: Path | None = None
) -> KnowledgeBase:
    topics: dict[str, Topic] = {}
    origin: dict[str, Path] = {}
    for path in files:
        for position, raw in enumerate(_topic_entries(path)):
            topic = parse_topic(raw, path, position)
            if topic.id in topics:
                raise _fail(path, topic.id, f"id bị trùng (đã có trong {origin[topic.id].name})")
            topics[topic.id] = topic
            origin[topic.id] = path
    missing = [tid for tid in required if tid not in topics]
    if missing:
        where = source / REQUIRED_TOPICS_FILE if source else Path(REQUIRED_TOPICS_FILE)
        raise _fail(where, missing[0], f"thiếu các chủ đề bắt buộc: {', '.join(missing)}")
    return KnowledgeBase(topics=topics, source=source)


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base.

    ``directory`` holds ``topics/*.yaml``, ``required_topics.txt`` and optionally
    ``out_of_scope.yaml``; by default the data shipped in faq/data.
    """
    base = Path(directory) if directory is not None else DATA_DIR
    topics_dir = base / "topics"
    files = sorted(topics_dir.glob("*.yaml")) + sorted(topics_dir.glob("*.yml"))
    if not files:
        raise KnowledgeBaseError(f"{topics_dir}: không có tệp chủ đề *.yaml nào")
    kb = build_knowledge_base(files, _required_ids(base / REQUIRED_TOPICS_FILE), source=base)
    out_of_scope, subjects = _load_out_of_scope(base / OUT_OF_SCOPE_FILE)
    return KnowledgeBase(
        topics=kb.topics, out_of_scope=out_of_scope, source=base, out_of_scope_keywords=subjects
    )
