"""Command line of the FAQ package.

python -m faq classify            JSON lines {"text": ...} on stdin → one result per line
python -m faq eval FILE           accuracy / abstention on labelled JSON lines
python -m faq eval FILE --baseline  the same for the naive rapidfuzz baseline
python -m faq check               validate the shipped data
python -m faq gaps < texts.txt   group unanswered questions (the bot's: python -m bot faq-gaps)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from faq.evaluate import (
    BASELINE_CUTOFF,
    baseline_classifier,
    cross_validate,
    evaluate,
    format_report,
    read_labelled,
)
from faq.knowledge import KnowledgeBaseError, load_knowledge_base
from faq.matcher import Matcher


def _classify(args: argparse.Namespace) -> int:
    matcher = Matcher(load_knowledge_base(args.data))
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            text = str(data["text"]) if isinstance(data, dict) else str(data)
        except (json.JSONDecodeError, KeyError):
            text = line.strip()  # be forgiving with plain text typed by hand
        result = matcher.match(text)
        out = {
            "text": text,
            "topic": result.topic,
            "score": result.score,
            # With a topic: its runners-up; without one: the pick list offered, best first.
            "alternatives": [[topic, score] for topic, score in result.alternatives],
            "reason": result.reason,
            "language": result.language,  # "en": answer with the topic's answer_en
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()  # one answer per line as it comes, for pipes
    return 0


def _eval(args: argparse.Namespace) -> int:
    kb = load_knowledge_base(args.data)
    items = read_labelled(Path(args.file))
    if args.baseline:
        classify = baseline_classifier(kb, args.cutoff)
        title = f"Baseline: rapidfuzz extractOne trên câu mẫu thô, ngưỡng {args.cutoff:g} ({args.file})"
    else:
        classify = Matcher(kb).match
        title = f"Matcher ({args.file})"
    print(format_report(evaluate(items, classify), title, worst=args.worst))
    return 0


def _crossval(args: argparse.Namespace) -> int:
    report = cross_validate(load_knowledge_base(args.data), args.folds)
    print(format_report(report, f"Kiểm tra chéo {args.folds} phần trên câu mẫu của KB", worst=args.worst))
    return 0


def _check(args: argparse.Namespace) -> int:
    from faq.units import load_units

    kb = load_knowledge_base(args.data)
    units = load_units()
    examples = sum(len(t.examples) for t in kb.topics.values())
    negatives = sum(len(v) for v in kb.out_of_scope.values())
    print(
        f"Dữ liệu FAQ hợp lệ: {len(kb.topics)} chủ đề, {examples} câu mẫu, "
        f"{len(kb.out_of_scope)} nhóm ngoài phạm vi ({negatives} câu), {len(units)} đơn vị hành chính."
    )
    return 0


def _gaps(argv: list[str]) -> int:
    from faq import gaps  # texts on stdin; `python -m bot faq-gaps` reads the bot's database

    return gaps.main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m faq", description="FAQ: phân loại, đánh giá, kiểm tra dữ liệu"
    )
    parser.add_argument("--data", type=Path, default=None, help="thư mục dữ liệu (mặc định faq/data)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("classify", help="đọc JSON lines {'text': ...} từ stdin, ghi kết quả từng dòng")
    ev = sub.add_parser("eval", help="đánh giá trên tệp JSON lines có nhãn")
    ev.add_argument("file")
    ev.add_argument("--baseline", action="store_true", help="đánh giá baseline rapidfuzz thô")
    ev.add_argument("--cutoff", type=float, default=BASELINE_CUTOFF, help="ngưỡng của baseline")
    ev.add_argument("--worst", type=int, default=10, help="số nhầm lẫn liệt kê")
    cv = sub.add_parser("crossval", help="kiểm tra chéo trên chính câu mẫu của KB")
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--worst", type=int, default=10)
    sub.add_parser("check", help="kiểm tra dữ liệu, in một dòng tóm tắt")
    sub.add_parser("gaps", help="các câu hỏi chưa khớp (module faq.gaps)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["gaps"]:
        return _gaps(argv[1:])  # its own options, parsed by faq.gaps
    args = build_parser().parse_args(argv)
    try:
        handler = {"classify": _classify, "eval": _eval, "crossval": _crossval, "check": _check}[args.command]
        return handler(args)
    except KnowledgeBaseError as exc:
        print(f"Lỗi dữ liệu FAQ: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
