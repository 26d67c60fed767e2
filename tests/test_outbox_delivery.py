"""The outbox against the fake Bot API: outages, flood waits, permanent failures, crashes.

The real TelegramSender (aiogram) talks to tests/fakes/telegram.py with ``enforce_limits`` on,
so any 429 that the fake raises by itself means our pacing broke Telegram's limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.app import Application
from bot.delivery.channel import RetryLater, SendResult
from bot.delivery.outbox import OutboxWorker, enqueue
from bot.delivery.ratelimit import Limit, RateLimiter
from bot.settings import load_settings
from bot.telegram.adapter import TelegramSender
from handlers.events import Outgoing, Reply
from handlers.staff import texts as S
from storage.db import Database
from storage.models import Case, OutboxMessage
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID
from tests.support.cases import stored_case

PRIVATE_CHATS = [7001 + i for i in range(8)]


def pacing_429s(tg: FakeTelegramServer) -> list[Any]:
    """429s the fake raised by itself (its limit check says "retry after N"); injected failures
    carry the plain description."""
    return [
        c
        for c in tg.calls
        if c.status == 429
        and str(c.response.get("description", "")).startswith("Too Many Requests: retry after")
    ]


async def add(db: Database, items: list[Outgoing]) -> None:
    async with db.session() as session:
        await enqueue(session, items)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())  # type: ignore[arg-type]


async def new_case(db: Database, chat: int) -> Case:
    return await stored_case(
        db, external_id=str(chat), chat_id=str(chat), code=f"PA-261123-{chat}", description="x"
    )


async def until_settled(db: Database, timeout: float) -> list[OutboxMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        current = await rows(db)
        if all(r.status in ("sent", "failed") for r in current):
            return current
        if loop.time() > deadline:
            raise AssertionError(
                f"not settled: {[(r.id, r.status, r.last_error) for r in current if r.status not in ('sent', 'failed')]}"
            )
        await asyncio.sleep(0.05)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(enforce_limits=True) as server:
        yield server


@pytest.fixture
async def sender(tg: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    bot = tg.bot()
    yield TelegramSender(bot)  # the production limits: 25/s, 1/s per chat, 19/min per group
    await bot.session.close()


def text(chat: int, index: int) -> Outgoing:
    return Outgoing("telegram", str(chat), Reply(f"tin {index} gửi {chat}"))


@pytest.fixture
def worker_factory(db: Database, sender: TelegramSender) -> Any:
    workers: list[OutboxWorker] = []

    def make(**kwargs: Any) -> OutboxWorker:
        kwargs.setdefault("poll_interval", 0.05)
        worker = OutboxWorker(db, {"telegram": sender}, **kwargs)
        workers.append(worker)
        return worker

    return make


async def test_outage_and_flood_wait_then_everything_once_in_order_within_limits(
    db: Database, tg: FakeTelegramServer, worker_factory: Any
) -> None:
    per_chat = 4
    await add(db, [text(chat, i) for i in range(per_chat) for chat in PRIVATE_CHATS])
    await add(db, [text(STAFF_GROUP_ID, i) for i in range(5)])
    # 1.5 s of 500s, then (overlapping) 1 s of 429 with retry_after=2 on every send.
    tg.fail_window(1.5, 500, methods=["sendMessage"])
    worker = worker_factory()
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(1.0)
    tg.fail_window(1.0, 429, methods=["sendMessage"], retry_after=2)
    try:
        settled = await until_settled(db, timeout=60)
    finally:
        await worker.stop()
        task.cancel()
    assert {r.status for r in settled} == {"sent"}
    failures = [c for c in tg.calls_of("sendMessage") if not c.ok]
    assert {c.status for c in failures} == {500, 429}, "both failure kinds were exercised"
    for chat in [*PRIVATE_CHATS, STAFF_GROUP_ID]:
        count = per_chat if chat != STAFF_GROUP_ID else 5
        assert tg.sent_texts(chat) == [f"tin {i} gửi {chat}" for i in range(count)], "exactly once, in order"
    assert pacing_429s(tg) == [], "our pacing never earned a 429 of its own"


async def test_retry_after_is_honoured(db: Database, tg: FakeTelegramServer, worker_factory: Any) -> None:
    await add(db, [text(7100, 0), text(7100, 1)])
    tg.fail("sendMessage", 429, retry_after=2)
    worker = worker_factory()
    task = asyncio.create_task(worker.run())
    try:
        await until_settled(db, timeout=20)
    finally:
        await worker.stop()
        task.cancel()
    calls = tg.calls_of("sendMessage")
    assert [c.status for c in calls] == [429, 200, 200]
    assert calls[1].time - calls[0].time >= 1.9, "nothing to that chat before retry_after ran out"
    assert tg.sent_texts(7100) == ["tin 0 gửi 7100", "tin 1 gửi 7100"]


async def test_permanent_failures_are_marked_and_staff_told_in_the_case_thread(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, sqlite_url: str
) -> None:
    app = Application(load_settings(staff_chat_id=STAFF_GROUP_ID, database_url=sqlite_url), db=db)
    blocked, gone = 7201, 7202
    tg.blocked_chats.add(blocked)
    tg.missing_chats.add(gone)
    codes = {}
    for chat in (blocked, gone):
        case = await new_case(db, chat)
        codes[chat] = case.code
        await add(db, [app.queue.to_reporter(case, Reply("Tổ công tác đã xử lý xong."))])
    worker = OutboxWorker(db, {"telegram": sender}, hooks=app.outbox_hooks, poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        settled = await until_settled(db, timeout=20)
        await tg.wait_for(
            "sendMessage", lambda c: c.ok and codes[gone] in str(c.params.get("text")), timeout=10
        )
    finally:
        await worker.stop()
        task.cancel()
    by_chat = {r.chat_id: r for r in settled}
    assert by_chat[str(blocked)].status == "failed" and "blocked" in (by_chat[str(blocked)].last_error or "")
    assert by_chat[str(gone)].status == "failed" and "chat not found" in (by_chat[str(gone)].last_error or "")
    assert by_chat[str(blocked)].attempts == 1, "a permanent failure is not retried"
    staff = tg.sent_texts(STAFF_GROUP_ID)
    for chat, code in codes.items():
        notice = [t for t in staff if code in t]
        assert len(notice) == 1 and notice[0].startswith(S.UNDELIVERED.split("{")[0]), staff
        assert by_chat[str(chat)].case_id is not None


# -- crashes between the steps of one delivery ----------------------------------------------


class Crash(RuntimeError):
    """Stands for the process dying at this point (nothing after it runs)."""


async def test_crash_after_send_before_mark_resends_once_after_the_lease(
    db: Database, tg: FakeTelegramServer, worker_factory: Any
) -> None:
    """The Bot API has no idempotency key: a send whose mark was lost is sent again — once."""
    await add(db, [text(7300, 0)])
    # A lease over a second also keeps the fake's 1 msg/s per chat happy for the second copy.
    first = worker_factory(claim_lease=timedelta(seconds=1.1))

    async def die(*_args: Any) -> None:
        raise Crash("killed between send and mark")

    first._mark_sent = die  # type: ignore[method-assign]
    await first.dispatch_once()
    await asyncio.gather(*first._tasks, return_exceptions=True)
    [row] = await rows(db)
    assert row.status == "sending" and tg.sent_texts(7300) == ["tin 0 gửi 7300"]

    second = worker_factory(claim_lease=timedelta(seconds=1.1))
    assert await second.recover_stale_claims() == 0, "a live claim is left alone within the lease"
    await asyncio.sleep(1.2)
    await second.recover_stale_claims()
    await second.drain(timeout=10)
    await second.recover_stale_claims()
    await second.drain(timeout=2)
    [row] = await rows(db)
    assert row.status == "sent" and row.attempts == 2
    assert tg.sent_texts(7300) == ["tin 0 gửi 7300"] * 2, (
        "at-least-once: one extra copy for one crash, no more"
    )


async def test_crash_before_the_send_delivers_exactly_once(
    db: Database, tg: FakeTelegramServer, worker_factory: Any
) -> None:
    """Dying while a row is claimed but not yet handed to Telegram (e.g. waiting for the
    group's rate window) loses nothing and duplicates nothing."""
    await add(db, [text(7301, 0)])

    class DyingLimiter(RateLimiter):
        async def acquire(self, limits: list[tuple[str, Limit]]) -> float:
            raise Crash("killed while waiting for the rate limiter")

    first = worker_factory(limiter=DyingLimiter(), claim_lease=timedelta(seconds=0.3))
    await first.dispatch_once()
    await asyncio.gather(*first._tasks, return_exceptions=True)
    [row] = await rows(db)
    assert row.status == "claimed" and tg.sent_texts(7301) == []

    second = worker_factory(claim_lease=timedelta(seconds=0.3))
    await asyncio.sleep(0.35)
    assert await second.recover_stale_claims() == 1
    await second.drain(timeout=10)
    [row] = await rows(db)
    assert row.status == "sent" and row.attempts == 1
    assert tg.sent_texts(7301) == ["tin 0 gửi 7301"]


async def test_a_worker_that_lost_its_claim_does_not_send(
    db: Database, tg: FakeTelegramServer, worker_factory: Any
) -> None:
    """A slow worker whose lease ran out while it waited, and whose row another worker took
    over, backs off instead of sending a second copy."""
    await add(db, [text(7302, 0)])
    release = asyncio.Event()

    class SlowLimiter(RateLimiter):
        async def acquire(self, limits: list[tuple[str, Limit]]) -> float:
            await release.wait()
            return 0.0

    slow = worker_factory(limiter=SlowLimiter(), claim_lease=timedelta(seconds=0.2))
    await slow.dispatch_once()
    await asyncio.sleep(0.3)
    other = worker_factory(claim_lease=timedelta(seconds=0.2))
    assert await other.recover_stale_claims() == 1
    await other.drain(timeout=10)
    release.set()
    await asyncio.gather(*slow._tasks, return_exceptions=True)
    [row] = await rows(db)
    assert row.status == "sent"
    assert tg.sent_texts(7302) == ["tin 0 gửi 7302"]


async def test_at_start_up_on_sqlite_every_claim_is_a_dead_one(db: Database, worker_factory: Any) -> None:
    await add(db, [text(7303, 0), text(7304, 0)])
    async with db.session() as session:
        for row in (await session.exec(select(OutboxMessage))).all():
            row.status = "sending" if row.chat_id == "7303" else "claimed"
            row.claimed_by = "dead"
    worker = worker_factory()  # lease of 120 s: only the start-up rule can free them now
    assert await worker.recover_stale_claims() == 0
    assert await worker.recover_stale_claims(everything=True) == 2
    statuses = {r.chat_id: (r.status, r.attempts) for r in await rows(db)}
    assert statuses == {"7303": ("pending", 1), "7304": ("pending", 0)}


class PartSender:
    """A sender making two API calls per row that fails after the first (like a photo then
    its text): it reports how far it got, and the retry resumes there."""

    channel = "telegram"

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.failed_once = False

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return [("t:global", Limit(100, 1.0))]

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        parts = ["photo", "text"]
        for index in range(int(payload.get("sent_parts", 0)), len(parts)):
            if index == 1 and not self.failed_once:
                self.failed_once = True
                error = RetryLater("Telegram: too many requests", retry_after=0.1)
                error.progress = {"sent_parts": index}  # type: ignore[attr-defined]
                raise error
            self.delivered.append(parts[index])
        return SendResult(message_id="1")


async def test_a_partly_sent_row_resumes_after_its_sent_parts(db: Database) -> None:
    await add(db, [text(7400, 0)])
    sender = PartSender()
    worker = OutboxWorker(db, {"telegram": sender}, poll_interval=0.02)  # type: ignore[dict-item]
    task = asyncio.create_task(worker.run())
    try:
        await until_settled(db, timeout=10)
    finally:
        await worker.stop()
        task.cancel()
    assert sender.delivered == ["photo", "text"], "the photo went once, the text after the retry"
    [row] = await rows(db)
    # (the 429 is a wait Telegram asked for, not a failed attempt: only the delivery counts)
    assert row.status == "sent" and row.payload["sent_parts"] == 1 and row.attempts == 1


# -- rows that take several Bot API calls -----------------------------------------------------


async def test_a_card_that_fails_after_its_topic_was_created_keeps_that_one_topic(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, sqlite_url: str
) -> None:
    tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True)
    app = Application(load_settings(staff_chat_id=STAFF_GROUP_ID, database_url=sqlite_url), db=db)
    case = await new_case(db, 7501)
    await add(
        db,
        [
            Outgoing(
                "telegram",
                str(STAFF_GROUP_ID),
                Reply("🆕 Phản ánh PA-261123-7501"),
                case_id=case.id,
                purpose="card",
            )
        ],
    )
    tg.fail("sendMessage", 502)  # the topic is created, then the card itself fails once
    worker = OutboxWorker(db, {"telegram": sender}, hooks=app.outbox_hooks, poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        [row] = await until_settled(db, timeout=20)
    finally:
        await worker.stop()
        task.cancel()
    assert row.status == "sent" and row.attempts == 2, "one failed try, one that delivered"
    assert len([c for c in tg.calls_of("createForumTopic") if c.ok]) == 1, "no second topic for the retry"
    [topic] = [thread for (chat, thread) in tg.topics if chat == STAFF_GROUP_ID]
    [card] = [m for m in tg.sent_messages(STAFF_GROUP_ID) if "PA-261123-7501" in m.get("text", "")]
    assert card.get("message_thread_id") == topic, "the card went into the topic made for it"
    async with db.session() as session:
        stored = await session.get(Case, case.id)
    assert (
        stored is not None
        and stored.staff_thread_id == topic
        and stored.card_message_id == card["message_id"]
    )


async def test_a_long_reply_split_in_parts_resumes_after_the_parts_that_went_out(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender
) -> None:
    paragraphs = [f"Đoạn {i}: " + "hướng dẫn " * 120 for i in range(12)]  # about 14,000 characters
    await add(db, [Outgoing("telegram", "7502", Reply("\n\n".join(paragraphs)))])
    worker = OutboxWorker(db, {"telegram": sender}, poll_interval=0.05)
    # The second part is refused with a flood wait: the first must not be sent again.
    original = tg._take_failure
    seen = {"sendMessage": 0}

    def second_send_fails(method: str) -> Any:
        if method == "sendMessage":
            seen["sendMessage"] += 1
            if seen["sendMessage"] == 2:
                tg.fail("sendMessage", 429, retry_after=1)
        return original(method)

    tg._take_failure = second_send_fails  # type: ignore[method-assign]
    task = asyncio.create_task(worker.run())
    try:
        [row] = await until_settled(db, timeout=30)
    finally:
        await worker.stop()
        task.cancel()
    sent = tg.sent_texts(7502)
    assert row.status == "sent" and len(sent) >= 4
    assert "".join("".join(sent).split()) == "".join("".join(paragraphs).split()), "every part once, in order"
    assert [c.status for c in tg.calls_of("sendMessage")].count(429) == 1
    assert pacing_429s(tg) == [], "the extra parts were paced: 1 a second to a private chat"
