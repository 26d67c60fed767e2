"""Resident memory of the bot with 10,000 conversations open.

    .venv/bin/python benchmarks/memory.py [--people 10000]

10,000 people each start a complaint (`/phananh`: the intake opens at its first question) over
the webhook of `python -m bot run --channel telegram --webhook` on SQLite. Conversations live
in the database, so memory should not grow with them; what is measured is the bot process's
RSS at start, after the 10,000 (and its peak). Target: < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import create_schema, drive_webhook, rss_mb, table, write_result


async def open_conversations(url: str) -> int:
    from sqlmodel import col, func, select

    from storage.db import Database
    from storage.models import Conversation

    db = Database(url)
    try:
        async with db.session() as session:
            return int(
                (
                    await session.exec(
                        select(func.count())
                        .select_from(Conversation)
                        .where(col(Conversation.step).not_in(["idle", "new"]))
                    )
                ).one()
            )
    finally:
        await db.dispose()


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args(argv)
    from tests.fakes.telegram import FakeTelegramServer
    from tests.support.process_bot import ProcessBot

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/memory.db"
        await create_schema(url)
        async with FakeTelegramServer() as tg:
            production_pacing = {
                "DELIVERY__TELEGRAM_PER_CHAT_PER_SECOND": "1",
                "DELIVERY__TELEGRAM_GLOBAL_PER_SECOND": "25",
            }
            bot = ProcessBot(tg.base_url, url, webhook=True, env=production_pacing)
            await bot.start()
            try:
                assert bot.process is not None
                await asyncio.sleep(1.0)
                at_start, _ = rss_mb(bot.process.pid)
                started = time.perf_counter()
                result = await drive_webhook(bot.url, args.people, 1, first="/phananh", first_user=3_000_000)
                elapsed = time.perf_counter() - started
                after, peak = rss_mb(bot.process.pid)
            finally:
                await bot.stop()
        opened = await open_conversations(url)
    data = {
        "people": args.people,
        "open_conversations": opened,
        "rss_at_start_mb": round(at_start, 1),
        "rss_after_mb": round(after, 1),
        "rss_peak_mb": round(peak, 1),
        "seconds": round(elapsed, 1),
        "messages_per_s": round(result.per_second, 1),
        "target_mb": 200,
        "within_target": peak < 200,
    }
    print(f"\nMemory with {opened} open conversations (SQLite, webhook)\n")
    print(
        table(
            ["open conversations", "RSS at start MB", "RSS after MB", "peak MB", "target"],
            [[opened, data["rss_at_start_mb"], data["rss_after_mb"], data["rss_peak_mb"], "< 200 MB"]],
        )
    )
    print(f"\nwritten {write_result('memory', data)}")
    return data


if __name__ == "__main__":
    asyncio.run(main())
