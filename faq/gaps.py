"""Group near-identical unanswered questions, most frequent first (`python -m faq gaps`).

Pure like the rest of faq/: texts in (one per line on stdin), groups out. The bot's database of
unanswered questions is read by `python -m bot faq-gaps`, which uses the same grouping.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from rapidfuzz import fuzz

from faq.normalize import normalize


def group_phrasings(texts: list[str], similarity: float = 85.0) -> list[tuple[str, int]]:
    """Cluster texts whose normalised forms are near-identical; most frequent first."""
    counts = Counter(normalize(t) for t in texts if t.strip())
    examples: dict[str, str] = {}
    for text in texts:
        examples.setdefault(normalize(text), text.strip())
    clusters: list[tuple[str, int]] = []  # (representative normalised text, count)
    for key, count in counts.most_common():
        for index, (representative, total) in enumerate(clusters):
            if fuzz.token_set_ratio(key, representative) >= similarity:
                clusters[index] = (representative, total + count)
                break
        else:
            clusters.append((key, count))
    clusters.sort(key=lambda item: -item[1])
    return [(examples[key], count) for key, count in clusters]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faq gaps", description=__doc__)
    parser.add_argument("--top", type=int, default=30, help="how many groups to list")
    args = parser.parse_args(argv)
    if sys.stdin.isatty():
        print(
            "Đưa các câu hỏi vào stdin (mỗi dòng một câu), hoặc dùng `python -m bot faq-gaps`"
            " để đọc từ cơ sở dữ liệu của bot.",
            file=sys.stderr,
        )
        return 2
    print_groups([line.strip() for line in sys.stdin if line.strip()], top=args.top)
    return 0


def print_groups(texts: list[str], *, top: int) -> None:
    if not texts:
        print("Chưa có câu hỏi nào mà FAQ không trả lời được.")
        return
    print(f"{len(texts)} câu hỏi chưa được FAQ giải đáp; các nhóm thường gặp nhất:")
    for text, count in group_phrasings(texts)[:top]:
        print(f"{count:5d}  {text[:150]}")
