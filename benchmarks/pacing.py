"""Outbound pacing: a burst of replies against a fake Bot API that enforces Telegram's limits.

    .venv/bin/python benchmarks/pacing.py [--chats 500] [--per-chat 2] [--group 38]

1,000 replies to 500 private chats (2 each) and `--group` messages into the staff group are in
the outbox at once; the real outbox worker and TelegramSender (aiogram) deliver them to the fake
with `enforce_limits` (30/s overall, 1/s per chat, 20/min per group: it answers 429 past them).
Reported: the 429s the fake raised (target: 0), the time taken, and the theoretical minimum —
under Telegram's limits and under our configured, slightly lower ones (25/s, 19/min).

The group limit dominates: 200 messages at 20 a minute take 9 minutes however clever the
sender. `--group 38` (the default, two minutes' worth at our 19/min) keeps `make bench` short;
`--group 200` runs the issue's full figure (about 10 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import table, write_result


def window_minimum(count: int, per_window: int, window: float) -> float:
    """Earliest time the last of `count` sends can go with `per_window` per sliding window."""
    if count <= per_window:
        return 0.0
    return math.ceil((count - per_window) / per_window) * window


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--per-chat", type=int, default=2)
    parser.add_argument("--group", type=int, default=38)
    parser.add_argument("--debug", action="store_true", help="print when each group message went")
    args = parser.parse_args(argv)

    from bot.delivery.outbox import OutboxWorker, enqueue
    from bot.telegram.adapter import TelegramSender
    from handlers.events import Outgoing, Reply
    from storage.db import Database
    from tests.fakes.telegram import FakeTelegramServer
    from tests.fakes.updates import STAFF_GROUP_ID

    private = args.chats * args.per_chat
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/pacing.db")
        await db.create_all()
        async with db.session() as session:
            items = [
                Outgoing("telegram", str(5_000_000 + c), Reply(f"trả lời {n}"))
                for n in range(args.per_chat)
                for c in range(args.chats)
            ]
            items += [
                Outgoing("telegram", str(STAFF_GROUP_ID), Reply(f"thẻ phản ánh {n}"))
                for n in range(args.group)
            ]
            await enqueue(session, items)
        async with FakeTelegramServer(enforce_limits=True) as tg:
            bot = tg.bot()
            sender = TelegramSender(bot)  # production limits: 25/s, 1/s per chat, 19/min per group
            worker = OutboxWorker(db, {"telegram": sender}, poll_interval=0.05)
            started = time.perf_counter()
            task = asyncio.create_task(worker.run())
            total = private + args.group
            while len([c for c in tg.calls_of("sendMessage") if c.ok]) < total:
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            await worker.stop()
            task.cancel()
            await bot.session.close()
            too_many = tg.too_many_requests
            calls = tg.calls_of("sendMessage")
            group_done = (
                max(c.time for c in calls if c.ok and int(c.params["chat_id"]) == STAFF_GROUP_ID)
                if args.group
                else 0.0
            )
            private_done = max(c.time for c in calls if c.ok and int(c.params["chat_id"]) > 0)
            first = min(c.time for c in calls)
            if args.debug:
                print(
                    [
                        round(c.time - first, 1)
                        for c in calls
                        if c.ok and int(c.params["chat_id"]) == STAFF_GROUP_ID
                    ]
                )
        await db.dispose()

    telegram_min = max(private / 30, (args.per_chat - 1) * 1.0, window_minimum(args.group, 20, 60.0))
    ours_min = max(
        (private + args.group) / 25, (args.per_chat - 1) * 1.05, window_minimum(args.group, 19, 60.0)
    )
    data = {
        "private_messages": private,
        "private_chats": args.chats,
        "group_messages": args.group,
        "too_many_requests": too_many,
        "seconds": round(elapsed, 1),
        "private_done_after_s": round(private_done - first, 1),
        "group_done_after_s": round(group_done - first, 1) if args.group else None,
        "theoretical_min_s_telegram_limits": round(telegram_min, 1),
        "theoretical_min_s_our_limits": round(ours_min, 1),
        "full_group_200_min_s_telegram_limits": window_minimum(200, 20, 60.0),
        "full_group_200_min_s_our_limits": window_minimum(200, 19, 60.0),
    }
    print(f"\nOutbound pacing: {private} replies to {args.chats} chats + {args.group} into the staff group\n")
    print(
        table(
            [
                "429s",
                "total s",
                "private done s",
                "group done s",
                "min s (Telegram 30/s, 20/min)",
                "min s (ours 25/s, 19/min)",
            ],
            [
                [
                    too_many,
                    data["seconds"],
                    data["private_done_after_s"],
                    data["group_done_after_s"],
                    data["theoretical_min_s_telegram_limits"],
                    data["theoretical_min_s_our_limits"],
                ]
            ],
        )
    )
    print(f"\nwritten {write_result('pacing', data)}")
    return data


if __name__ == "__main__":
    asyncio.run(main())
