"""`python -m bot faq-gaps`: the most frequent questions the FAQ could not answer, for staff to add entries.

Reads the stored FAQ queries (those with no topic, or marked "not solved") from the bot's database
(DATABASE_URL, or the default SQLite file) and groups near-identical phrasings with faq.gaps. It
lives in bot/ because it reads the database; faq/ stays pure.
"""

from __future__ import annotations

import argparse
import asyncio

from faq.gaps import print_groups


async def _load(url: str, limit: int) -> list[str]:
    from storage.db import Database
    from storage.repo import unmatched_faq_queries

    db = Database(url, statement_timeout=None)  # an operator's report may read a lot
    try:
        async with db.session() as session:
            return [q.text for q in await unmatched_faq_queries(session, limit=limit)]
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot faq-gaps", description=__doc__)
    parser.add_argument("--top", type=int, default=30, help="how many groups to list")
    parser.add_argument("--database-url", default=None, help="defaults to the bot's DATABASE_URL")
    args = parser.parse_args(argv)
    if args.database_url:
        url = args.database_url
    else:
        from bot.settings import load_settings

        url = load_settings().sqlalchemy_url
    print_groups(asyncio.run(_load(url, limit=20000)), top=args.top)
    return 0
