"""Throughput and latency of the webhook into the full stack, against a bare aiogram echo bot.

    .venv/bin/python benchmarks/webhook_throughput.py [--people 2000] [--steps 5] [--no-postgres]

10,000 messages from 2,000 people (5 each: /start and the first four buttons of the intake)
are posted to the webhook the way Telegram delivers them: one chat's updates in sequence, the
next after the 200; all chats at once over at most 40 connections. Every bot runs as a child
process on the same fake Bot API, one after the other:

* echo/send     — aiogram's SimpleRequestHandler, each reply an awaited sendMessage;
* echo/response — the same, reply returned in the webhook response (aiogram's cheapest path);
* full/sqlite   — `python -m bot run --channel telegram --webhook`: update stored, conversation
                  advanced, reply in the outbox, all committed before the 200; the outbox
                  worker delivers the replies to the fake meanwhile;
* full/postgresql — the same on PostgreSQL.

Latency: "webhook" is POST → 200 as Telegram sees it (commit included, queueing under load
included); "to outbox" is from the moment the update was recorded to the moment its reply
row was written, inside the transaction (from the database's own time stamps).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    LoadResult,
    cpu_seconds,
    create_schema,
    drive_webhook,
    drop_postgres,
    fresh_postgres,
    percentile,
    rss_mb,
    start_echo_bot,
    table,
    wait_port,
    write_result,
)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


async def redis_reachable() -> bool:
    from bot.redis_support import close, connect

    client = connect(REDIS_URL)
    try:
        await client.ping()
        await client.flushdb()  # database 8 belongs to the benchmarks
        return True
    except Exception:
        print(f"Redis not reachable at {REDIS_URL}: skipping the multi-worker run", file=sys.stderr)
        return False
    finally:
        await close(client)


async def reply_latencies(url: str) -> list[float]:
    """Per update: reply row created_at − processed-update received_at (ms), pairing each
    person's n-th update with their n-th reply (every step here answers with one message)."""
    from collections import defaultdict

    from sqlmodel import col, select

    from storage.db import Database
    from storage.models import OutboxMessage, ProcessedUpdate

    db = Database(url)
    try:
        async with db.session() as session:
            received: dict[str, list[Any]] = defaultdict(list)
            for user, at in (
                await session.exec(
                    select(ProcessedUpdate.user_id, ProcessedUpdate.received_at).order_by(
                        col(ProcessedUpdate.id)
                    )
                )
            ).all():
                received[str(user)].append(at)
            replied: dict[str, list[Any]] = defaultdict(list)
            for chat, at in (
                await session.exec(
                    select(OutboxMessage.chat_id, OutboxMessage.created_at).order_by(col(OutboxMessage.id))
                )
            ).all():
                replied[chat].append(at)
    finally:
        await db.dispose()
    out = []
    for user, times in received.items():
        for got, answered in zip(times, replied.get(user, []), strict=False):
            out.append((answered - got).total_seconds() * 1000)
    return out


async def run_echo(mode: str, people: int, steps: int, connections: int) -> dict[str, Any]:
    from tests.fakes.telegram import FakeTelegramServer
    from tests.support.telegram_bot import free_port

    async with FakeTelegramServer() as tg:
        port = free_port()
        process = start_echo_bot(tg.base_url, port, mode)
        try:
            await wait_port(port, process)
            cpu_before = cpu_seconds(process.pid)
            result = await drive_webhook(
                f"http://127.0.0.1:{port}/webhook/telegram", people, steps, connections=connections
            )
            cpu = cpu_seconds(process.pid) - cpu_before
            _rss, peak = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(10)
        sent = len([c for c in tg.calls_of("sendMessage") if c.ok])
    return summary(
        f"echo/{mode}",
        result,
        peak_rss_mb=peak,
        cpu_ms_per_message=round(cpu * 1000 / result.messages, 2),
        replies_delivered=sent if mode == "send" else result.messages,
    )


async def run_full(
    backend: str, people: int, steps: int, connections: int, tmp: Path, workers: int = 1
) -> dict[str, Any] | None:
    from tests.fakes.telegram import FakeTelegramServer
    from tests.support.process_bot import ProcessBot

    if backend == "sqlite":
        url = f"sqlite:///{tmp}/bench-{time.time_ns()}.db"
    else:
        maybe = await fresh_postgres()
        if maybe is None:
            print("PostgreSQL not reachable: skipping full/postgresql", file=sys.stderr)
            return None
        url = maybe
    await create_schema(url)
    try:
        async with FakeTelegramServer() as tg:
            # The bot as deployed: the outbox delivers at Telegram's pace (25/s overall, 1/s per
            # chat) while the intake runs. The echo bot sends at whatever rate it is fed, which
            # real Telegram would answer with 429s.
            production_pacing = {
                "DELIVERY__TELEGRAM_PER_CHAT_PER_SECOND": "1",
                "DELIVERY__TELEGRAM_GLOBAL_PER_SECOND": "25",
                "DELIVERY__TELEGRAM_GROUP_PER_MINUTE": "19",
                "DELIVERY__POLL_INTERVAL_SECONDS": "0.5",
            }
            # Several workers share PostgreSQL and Redis (person lock, one Telegram budget).
            redis = REDIS_URL if workers > 1 else None
            bots = [
                ProcessBot(
                    tg.base_url,
                    url,
                    webhook=True,
                    redis_url=redis,
                    log_path=tmp / f"bot-{backend}-{i}.log",
                    env=production_pacing,
                )
                for i in range(workers)
            ]
            for bot in bots:
                await bot.start()
            try:
                pids = [bot.process.pid for bot in bots if bot.process is not None]
                cpu_before = sum(cpu_seconds(pid) for pid in pids)
                result = await drive_webhook(
                    [bot.url for bot in bots], people, steps, connections=connections
                )
                cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
                peak = max(rss_mb(pid)[1] for pid in pids)
                delivered = len([c for c in tg.calls_of("sendMessage") if c.ok])
            finally:
                for bot in bots:
                    await bot.stop()
        to_outbox = await reply_latencies(url)
    finally:
        if backend != "sqlite":
            await drop_postgres(url)
    return summary(
        f"full/{backend}" + (f" ×{workers}" if workers > 1 else ""),
        result,
        peak_rss_mb=peak,
        cpu_ms_per_message=round(cpu * 1000 / result.messages, 2),
        replies_delivered_during_run=delivered,
        to_outbox_p50_ms=round(percentile(to_outbox, 0.5), 2),
        to_outbox_p99_ms=round(percentile(to_outbox, 0.99), 2),
    )


def summary(name: str, result: LoadResult, **extra: Any) -> dict[str, Any]:
    return {
        "bot": name,
        "messages": result.messages,
        "seconds": round(result.seconds, 2),
        "messages_per_s": round(result.per_second, 1),
        "webhook_p50_ms": round(percentile(result.latencies_ms, 0.5), 2),
        "webhook_p99_ms": round(percentile(result.latencies_ms, 0.99), 2),
        "retried": result.errors,
        **extra,
    }


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=5, choices=range(1, 7))
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also run this many PostgreSQL workers behind one webhook (with Redis)",
    )
    args = parser.parse_args(argv)
    import tempfile

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("send", "response"):
            rows.append(await run_echo(mode, args.people, args.steps, args.connections))
        for backend in ("sqlite", *(() if args.no_postgres else ("postgresql",))):
            row = await run_full(backend, args.people, args.steps, args.connections, Path(tmp))
            if row is not None:
                rows.append(row)
        if not args.no_postgres and args.workers > 1 and await redis_reachable():
            row = await run_full(
                "postgresql", args.people, args.steps, args.connections, Path(tmp), workers=args.workers
            )
            if row is not None:
                rows.append(row)
    echo = next(r for r in rows if r["bot"] == "echo/send")["messages_per_s"]
    echo_fast = next(r for r in rows if r["bot"] == "echo/response")["messages_per_s"]
    for row in rows:
        row["ratio_vs_echo_send"] = round(row["messages_per_s"] / echo, 2)
        row["ratio_vs_echo_response"] = round(row["messages_per_s"] / echo_fast, 2)
    print(f"\nWebhook intake: {args.people} people × {args.steps} messages, {args.connections} connections\n")
    print(
        table(
            [
                "bot",
                "msg/s",
                "ratio (echo send)",
                "ratio (echo resp)",
                "webhook p50 ms",
                "p99 ms",
                "to outbox p50",
                "p99",
                "CPU ms/msg",
                "peak RSS MB",
            ],
            [
                [
                    r["bot"],
                    r["messages_per_s"],
                    r["ratio_vs_echo_send"],
                    r["ratio_vs_echo_response"],
                    r["webhook_p50_ms"],
                    r["webhook_p99_ms"],
                    r.get("to_outbox_p50_ms", "-"),
                    r.get("to_outbox_p99_ms", "-"),
                    r["cpu_ms_per_message"],
                    round(r["peak_rss_mb"]),
                ]
                for r in rows
            ],
        )
    )
    data = {"people": args.people, "steps": args.steps, "connections": args.connections, "runs": rows}
    print(f"\nwritten {write_result('webhook_throughput', data)}")
    return data


if __name__ == "__main__":
    asyncio.run(main())
