"""Several instances on one PostgreSQL, with Redis: ordering, dedupe, one Telegram budget, a kill.

* Two bot processes in webhook mode share PostgreSQL and Redis; updates are spread over both
  the way Telegram delivers them (a chat's updates in sequence, each to whichever instance),
  one instance is SIGKILLed mid-burst and started again: one case per person, all replies out.
* The Redis person lock lets one person's updates through one at a time, in arrival order,
  across instances, and passes over a waiter that died.
* Two outbox workers with the Redis limiter stay within one budget (zero 429s from the fake);
  with per-process limiters the same load earns 429s.
* The same update delivered to two instances at once has one effect.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from bot.app import Application
from bot.delivery.outbox import OutboxWorker, enqueue
from bot.delivery.ratelimit import RateLimiter
from bot.redis_support import RedisPersonLock, RedisRateLimiter, close, connect
from bot.settings import load_settings
from bot.telegram.adapter import TelegramSender
from handlers.events import ChatKind, Incoming, Kind, Outgoing, Reply
from storage import models  # noqa: F401  (registers the tables)
from storage.db import Database
from storage.models import Case, Conversation, OutboxMessage, ProcessedUpdate
from tests.fakes.telegram import FakeTelegramServer, TelegramLimits
from tests.support.process_bot import Inbox, Person, ProcessBot, WebhookRouter
from tests.test_outbox_delivery import pacing_429s

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    client = connect(REDIS_URL)
    try:
        await client.ping()
    except Exception:
        await close(client)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI but not reachable")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    await client.flushdb()  # database 7 belongs to these tests
    yield REDIS_URL
    await client.flushdb()
    await close(client)


# -- two processes, one PostgreSQL, one Redis, one SIGKILL ---------------------------------


@pytest.mark.timeout(300)
async def test_two_instances_on_postgresql_survive_a_kill(
    pg: Database, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    people_count = 30
    async with FakeTelegramServer() as tg:
        inbox = Inbox(tg)
        inbox.start()
        lease = {"DELIVERY__CLAIM_LEASE_SECONDS": "2"}
        bots = [
            ProcessBot(
                tg.base_url,
                postgres_url,
                webhook=True,
                redis_url=redis_url,
                log_path=tmp_path / f"bot{i}.log",
                env=lease,
            )
            for i in range(2)
        ]
        for bot in bots:
            await bot.start()
        async with WebhookRouter(bots) as router:
            people = [Person(610_000 + i, router.push, inbox) for i in range(people_count)]
            runs = [asyncio.create_task(p.run(timeout=120)) for p in people]
            try:
                target = people_count * 13 // 3
                for _ in range(1200):
                    if sum(len(inbox.messages[p.user_id]) for p in people) >= target:
                        break
                    await asyncio.sleep(0.025)
                bots[0].kill()
                # The survivor carries on alone for a while, at least until an update has been
                # sent to the dead instance and retried on the survivor.
                await asyncio.sleep(1.0)
                for _ in range(400):
                    if router.failures > 0:
                        break
                    await asyncio.sleep(0.025)
                await bots[0].start()
                await asyncio.wait_for(asyncio.gather(*runs), timeout=150)
                for _ in range(400):
                    async with pg.session() as session:
                        unsent = (
                            await session.exec(
                                select(func.count())
                                .select_from(OutboxMessage)
                                .where(OutboxMessage.status != "sent")
                            )
                        ).one()
                    if unsent == 0:
                        break
                    await asyncio.sleep(0.05)
            finally:
                for run in runs:
                    run.cancel()
                for bot in bots:
                    await bot.stop()
                await inbox.stop()
        served = {index for _update, index in router.delivered}
        assert served == {0, 1}, "both instances took updates"
        assert router.failures > 0, "the kill made some deliveries fail and be retried elsewhere"
    async with pg.session() as session:
        cases = dict((await session.exec(select(Case.chat_id, func.count()).group_by(Case.chat_id))).all())  # type: ignore[call-overload]
        steps = {c.user_id: c.step for c in (await session.exec(select(Conversation))).all()}
        processed = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        statuses = set((await session.exec(select(OutboxMessage.status))).all())
    assert cases == {str(p.user_id): 1 for p in people}, "one case per person: none lost, none twice"
    assert all(steps[str(p.user_id)] == "idle" for p in people)
    assert processed == sum(len(p.sent) for p in people)
    assert statuses == {"sent"}


# -- the Redis person lock -----------------------------------------------------------------


async def test_redis_person_lock_is_exclusive_and_first_come_first_served(redis_url: str) -> None:
    clients = [connect(redis_url), connect(redis_url)]  # two "instances"
    locks = [RedisPersonLock(c) for c in clients]
    # Open the connections first: "arrival" is when the request reaches Redis, and a first
    # connection handshake would let a later request overtake an earlier one.
    async with locks[0].hold("telegram", "warm"), locks[1].hold("telegram", "warm2"):
        await asyncio.gather(*(c.ping() for c in clients for _ in range(12)))
    inside = 0
    order: list[int] = []

    async def one(index: int) -> None:
        nonlocal inside
        async with locks[index % 2].hold("telegram", "42"):
            inside += 1
            assert inside == 1, "two holders at once"
            order.append(index)
            await asyncio.sleep(0.01)
            inside -= 1

    tasks = []
    for index in range(12):
        tasks.append(asyncio.create_task(one(index)))
        await asyncio.sleep(0.005)  # arrival order = index
    await asyncio.gather(*tasks)
    assert order == list(range(12))
    for client in clients:
        await close(client)


async def test_redis_person_lock_passes_over_a_dead_waiter(redis_url: str) -> None:
    client = connect(redis_url)
    lock = RedisPersonLock(client, ttl=0.3)
    # A worker that queued and died: its ticket is first, its heartbeat never comes back.
    await lock._acquire(
        keys=[*lock._keys("telegram", "43")[:2], "unused-lock", f"{lock.prefix}:person:tickets"],
        args=["dead", 300],
    )
    started = time.monotonic()
    async with lock.hold("telegram", "43"):
        waited = time.monotonic() - started
    assert waited < 2.0
    await close(client)


class SlowEngine:
    """Wraps the engine so each update takes a while: overlapping deliveries must queue."""

    def __init__(self, engine: Any, log: list[str]) -> None:
        self.engine = engine
        self.log = log

    async def handle(self, session: Any, event: Incoming) -> list[Outgoing]:
        self.log.append(event.text)
        await asyncio.sleep(0.02)
        result: list[Outgoing] = await self.engine.handle(session, event)
        return result


def event(user: str, text: str, key: str) -> Incoming:
    return Incoming("telegram", user, user, Kind.TEXT, text=text, update_key=key, chat_kind=ChatKind.PRIVATE)


async def test_one_persons_updates_in_order_across_two_instances(
    pg: Database, postgres_url: str, redis_url: str
) -> None:
    settings = load_settings(database_url=postgres_url, redis_url=redis_url)
    seen: list[str] = []
    apps = [Application(settings, db=Database(postgres_url)) for _ in range(2)]
    for app in apps:
        app.engine = SlowEngine(app.engine, seen)  # type: ignore[assignment]
    tasks = []
    for index in range(10):
        tasks.append(asyncio.create_task(apps[index % 2].receive(event("77", f"m{index}", f"u{index}"))))
        await asyncio.sleep(0.004)
    await asyncio.gather(*tasks)
    assert seen == [f"m{i}" for i in range(10)], "arrival order kept although the instances alternate"
    for app in apps:
        await app.close()


async def test_the_same_update_at_two_instances_at_once_has_one_effect(
    pg: Database, postgres_url: str
) -> None:
    settings = load_settings(database_url=postgres_url)  # no Redis: PostgreSQL alone must hold
    apps = [Application(settings, db=Database(postgres_url)) for _ in range(2)]
    await apps[0].receive(event("78", "/start", "s1"))
    same = event("78", "menu:report", "dup-1")
    same.kind, same.choice = Kind.CHOICE, "menu:report"
    await asyncio.gather(*(app.receive(same) for app in apps))
    async with pg.session() as session:
        keys = (
            await session.exec(select(ProcessedUpdate.update_key).where(ProcessedUpdate.user_id == "78"))
        ).all()
        conversation = (await session.exec(select(Conversation).where(Conversation.user_id == "78"))).one()
        replies = (
            await session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == "78")
            )
        ).one()
    assert sorted(keys) == ["dup-1", "s1"]
    assert conversation.step == "consent"
    assert replies == 2, "one greeting, one consent question: the duplicate said nothing"
    for app in apps:
        await app.close()


# -- one Telegram budget for several workers -----------------------------------------------


# Telegram's budget scaled down (10/s overall) so the test is quick and the overrun certain:
# each worker alone paces to 8/s, safely under; two of them without sharing make 16/s.
# Each worker's own budget is 8/s: shared through Redis they stay under 12/s with a margin for
# scheduling jitter on a busy machine (a send paced on time can still reach the fake late,
# bunched with the next); each on its own, 2 × 8/s overruns it.
SMALL_BUDGET = TelegramLimits(global_per_second=12)
CHATS = 50


async def _two_workers_burst(pg: Database, tg: FakeTelegramServer, limiters: list[Any]) -> None:
    async with pg.session() as session:
        await enqueue(session, [Outgoing("telegram", str(8000 + i), Reply(f"tin {i}")) for i in range(CHATS)])
    bots = [tg.bot() for _ in limiters]
    workers = [
        OutboxWorker(
            Database(pg.url),
            {"telegram": TelegramSender(bot, global_per_second=8)},
            limiter=limiter,
            poll_interval=0.02,
        )
        for bot, limiter in zip(bots, limiters, strict=True)
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        for _ in range(600):
            async with pg.session() as session:
                left = (
                    await session.exec(
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
                    )
                ).one()
            if left == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        for worker in workers:
            await worker.stop()
        for task in tasks:
            task.cancel()
        for worker in workers:
            await worker.db.dispose()
        for bot in bots:
            await bot.session.close()
    assert left == 0


async def test_two_workers_share_one_telegram_budget_through_redis(pg: Database, redis_url: str) -> None:
    clients = [connect(redis_url), connect(redis_url)]
    async with FakeTelegramServer(enforce_limits=SMALL_BUDGET) as tg:
        await _two_workers_burst(pg, tg, [RedisRateLimiter(c) for c in clients])
        assert pacing_429s(tg) == [], "together they stayed within the one budget"
        assert len({c.params["chat_id"] for c in tg.calls_of("sendMessage") if c.ok}) == CHATS
    for client in clients:
        await close(client)


async def test_without_redis_two_workers_would_overrun_the_budget(pg: Database) -> None:
    """The counter-example that makes the shared limiter necessary: 2 × 8/s > 12/s."""
    async with FakeTelegramServer(enforce_limits=SMALL_BUDGET) as tg:
        await _two_workers_burst(pg, tg, [RateLimiter(), RateLimiter()])
        assert pacing_429s(tg), "per-process windows do not add up to one budget"
