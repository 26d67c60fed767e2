"""`python -m faq gaps`: the most frequent questions the FAQ could not answer, for staff to add entries.

Reads the stored FAQ queries (those with no topic, or marked "not solved") from the bot's
database (DATABASE_URL, or the default SQLite file) and groups near-identical phrasings.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def _load(url: str, limit: int) -> list[str]:
    from storage.db import Database
    from storage.repo import unmatched_faq_queries

    db = Database(url)
    try:
        async with db.session() as session:
            return [q.text for q in await unmatched_faq_queries(session, limit=limit)]
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faq gaps", description=__doc__)
    parser.add_argument("--top", type=int, default=30, help="how many groups to list")
    parser.add_argument("--database-url", default=None, help="defaults to the bot's DATABASE_URL")
    args = parser.parse_args(argv)
    if args.database_url:
        url = args.database_url
    else:
        from bot.settings import load_settings

        url = load_settings().sqlalchemy_url
    texts = asyncio.run(_load(url, limit=20000))
    if not texts:
        print("Chưa có câu hỏi nào mà FAQ không trả lời được.")
        return 0
    print(f"{len(texts)} câu hỏi chưa được FAQ giải đáp; các nhóm thường gặp nhất:")
    for text, count in group_phrasings(texts)[: args.top]:
        print(f"{count:5d}  {text[:150]}")
    return 0
