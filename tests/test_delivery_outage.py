"""Long Telegram outages, lanes in the staff group's queue, deleted forum topics (issue #17).

The real TelegramSender (aiogram) talks to the fake Bot API. Hours of outage run on a clock
the test moves (the worker's `clock`) and a limiter that never waits, so nothing here sleeps
through the simulated time: each step is one look at the table and the sends it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.app import Application
from bot.delivery.outbox import OutboxWorker, enqueue
from bot.delivery.ratelimit import Limit
from bot.settings import load_settings
from bot.telegram.adapter import TelegramSender
from handlers.events import Outgoing, Reply
from storage.db import Database
from storage.models import Case, OutboxMessage, utcnow
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID
from tests.support.cases import stored_case

CHATS = [8101, 8102, 8103, STAFF_GROUP_ID]
GROUP = str(STAFF_GROUP_ID)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class InstantLimiter:
    """Never waits (the simulated hours are not real ones); remembers the retry_after asked."""

    def __init__(self) -> None:
        self.blocks: list[float] = []

    async def acquire(self, limits: list[tuple[str, Limit]]) -> object:
        return None

    def touch(self, limits: list[tuple[str, Limit]], ticket: object) -> None:
        return None

    def block(self, key: str, limit: Limit, seconds: float) -> None:
        self.blocks.append(seconds)

    def forget_idle(self, older_than: float = 120.0) -> None:
        return None


async def add(db: Database, items: list[Outgoing]) -> None:
    async with db.session() as session:
        await enqueue(session, items)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())  # type: ignore[arg-type]


async def step(worker: OutboxWorker) -> None:
    """One pass of the worker: the due rows start, their sends finish."""
    await worker.dispatch_once()
    if worker._tasks:
        await asyncio.gather(*list(worker._tasks), return_exceptions=True)


async def simulate(worker: OutboxWorker, clock: Clock, seconds: float, every: float = 30.0) -> None:
    for _ in range(int(seconds / every)):
        clock.advance(every)
        await step(worker)
        await worker.check_stuck()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture
async def sender(tg: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    bot = tg.bot()
    yield TelegramSender(bot)
    await bot.session.close()


def message(chat: int, index: int) -> Outgoing:
    return Outgoing("telegram", str(chat), Reply(f"tin {index} gửi {chat}"))


def outage_worker(db: Database, sender: TelegramSender, clock: Clock, **kwargs: Any) -> OutboxWorker:
    options: dict[str, Any] = {
        "clock": clock,
        "limiter": InstantLimiter(),
        "give_up_after": timedelta(hours=48),
        "max_backoff": 300,
        "stuck_after": timedelta(minutes=10),
        "alert_chat": ("telegram", GROUP),
    }
    return OutboxWorker(db, {"telegram": sender}, **{**options, **kwargs})


async def test_a_two_hour_outage_then_flood_waits_end_with_everything_delivered_once_in_order(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    worker = outage_worker(db, sender, clock)
    await add(db, [message(chat, i) for i in range(3) for chat in CHATS])
    tg.fail_window(10_000, 502, methods=["sendMessage"])
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        await simulate(worker, clock, 2 * 3600)
        during = await rows(db)
        assert {r.status for r in during} == {"pending"}, "two hours of 502s: nothing given up"
        firsts = [r for r in during if r.attempts and r.purpose != "alert"]
        assert len(firsts) == len(CHATS), "only each chat's first message was tried (order kept)"
        waits = [
            (r.next_attempt_at.replace(tzinfo=clock.now.tzinfo) - clock.now).total_seconds() for r in firsts
        ]
        assert max(waits) <= 300, f"backoff capped at 5 minutes, got {max(waits):.0f} s"
        tries = sorted(r.attempts for r in firsts if r.chat_id != GROUP)
        assert tries[0] >= 20, f"a capped backoff keeps trying through the outage ({tries})"
        errors = [r for r in caplog.records if r.levelno == logging.ERROR and "outbox" in r.getMessage()]
        assert len(errors) == 1, "one ERROR line when messages get stuck, not one per try"
        assert "waiting" in errors[0].getMessage()

        # Then a long flood wait: 429 with retry_after=30 for an hour, which counts as no failure.
        tg._windows.clear()
        tg.fail_window(10_000, 429, methods=["sendMessage"], retry_after=30)
        before = {r.id: r.attempts for r in await rows(db)}
        await simulate(worker, clock, 3600)
        assert {r.id: r.attempts for r in await rows(db)} == before, "retry_after waits are not attempts"
        assert worker.limiter.blocks and set(worker.limiter.blocks) == {30.0}  # type: ignore[attr-defined]

        # Telegram is back: everything goes, each chat in order, each message once.
        tg._windows.clear()
        await simulate(worker, clock, 1800)
    settled = await rows(db)
    assert {r.status for r in settled} == {"sent"}, [
        (r.id, r.status, r.last_error) for r in settled if r.status != "sent"
    ]
    for chat in CHATS[:-1]:
        assert tg.sent_texts(chat) == [f"tin {i} gửi {chat}" for i in range(3)]
    group = tg.sent_texts(STAFF_GROUP_ID)
    assert [t for t in group if t.startswith("tin ")] == [f"tin {i} gửi {STAFF_GROUP_ID}" for i in range(3)]
    alerts = [t for t in group if not t.startswith("tin ")]
    assert len(alerts) == 2 and "chưa gửi được" in alerts[0] and "đã gửi" in alerts[1], alerts
    assert group.index(alerts[0]) == 0, "the alert goes first in the group once Telegram is back"
    health = await worker.health()
    assert health["stuck"] == 0 and health["expired"] == 0


async def test_rows_past_the_age_limit_are_expired_visible_and_sent_when_the_channel_recovers(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    worker = outage_worker(db, sender, clock, alert_chat=None)  # the alert has its own test above
    await add(db, [message(8201, i) for i in range(3)] + [message(STAFF_GROUP_ID, 0)])
    tg.fail_window(10_000, 503, methods=["sendMessage"])
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        await simulate(worker, clock, 49 * 3600, every=300)
    expired = await rows(db)
    assert {r.status for r in expired} == {"expired"}, [(r.id, r.status) for r in expired]
    assert all(r.last_error for r in expired), "the last error is kept for the operator"
    assert any(r.levelno == logging.ERROR and "expired" in r.getMessage() for r in caplog.records)
    health = await worker.health()
    assert health["expired"] == 4
    # A day later Telegram works again and someone writes: the expired rows go out too.
    tg._windows.clear()
    clock.advance(24 * 3600)
    await add(db, [message(8202, 0)])
    await simulate(worker, clock, 600)
    assert tg.sent_texts(8201) == [f"tin {i} gửi 8201" for i in range(3)], "re-driven, in their order"
    assert f"tin 0 gửi {STAFF_GROUP_ID}" in tg.sent_texts(STAFF_GROUP_ID)
    assert {r.status for r in await rows(db)} == {"sent"}


async def test_a_permanent_failure_is_not_retried_by_the_recovery(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender
) -> None:
    clock = Clock()
    worker = outage_worker(db, sender, clock)
    tg.blocked_chats.add(8301)
    await add(db, [message(8301, 0), message(8302, 0)])
    await simulate(worker, clock, 120)
    statuses = {r.chat_id: r.status for r in await rows(db)}
    assert statuses == {"8301": "failed", "8302": "sent"}
    await simulate(worker, clock, 600)
    assert len([c for c in tg.calls_of("sendMessage") if c.params["chat_id"] == 8301]) == 1


# -- lanes in the staff group --------------------------------------------------------------------


async def new_case(db: Database, chat: int, index: int) -> Case:
    return await stored_case(
        db,
        external_id=f"{chat}-{index}",
        chat_id=str(chat),
        code=f"PA-261207-{index:04d}",
        description="Lỗi nộp hồ sơ",
    )


async def test_a_staff_command_answer_overtakes_30_queued_cards_and_cards_overtake_reminders(
    db: Database, tg: FakeTelegramServer, sqlite_url: str
) -> None:
    app = Application(load_settings(staff_chat_id=STAFF_GROUP_ID, database_url=sqlite_url), db=db)
    bot = tg.bot()
    # Telegram's 20 a minute for a group, run four times faster so the test takes seconds.
    sender = TelegramSender(bot, group_per_minute=80)
    sender._group = Limit(20, 6.0)
    reminders = [Outgoing("telegram", GROUP, Reply(f"⏰ nhắc {i}"), purpose="reminder") for i in range(5)]
    await add(db, reminders)
    cases = [await new_case(db, 8400 + i, i) for i in range(30)]
    await add(
        db,
        [Outgoing("telegram", GROUP, Reply(f"🆕 thẻ {c.code}"), case_id=c.id, purpose="card") for c in cases],
    )
    worker = OutboxWorker(db, {"telegram": sender}, hooks=app.outbox_hooks, poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        await tg.wait_for("sendMessage", lambda _c: len(tg.sent_texts(STAFF_GROUP_ID)) >= 3, timeout=20)
        await add(db, [Outgoing("telegram", GROUP, Reply("📋 Hàng đợi: 30 phản ánh"), purpose="staff")])
        already = len(tg.sent_texts(STAFF_GROUP_ID))
        worker.wake()
        await tg.wait_for("sendMessage", lambda _c: len(tg.sent_texts(STAFF_GROUP_ID)) == 36, timeout=30)
    finally:
        await worker.stop()
        task.cancel()
        await bot.session.close()
    sent = tg.sent_texts(STAFF_GROUP_ID)
    answer_at = sent.index("📋 Hàng đợi: 30 phản ánh")
    assert already < 30, "cards were still queued when the answer came"
    assert answer_at <= already + 1, f"the answer waited behind {answer_at - already} more card(s)"
    cards = [t for t in sent if "PA-261207-" in t]
    assert [c.code in t for c, t in zip(cases, cards, strict=True)] == [True] * 30, "cards in their order"
    assert sent[-5:] == [f"⏰ nhắc {i}" for i in range(5)], "reminders (queued first) wait behind every card"


# -- deleted forum topics --------------------------------------------------------------------------


async def test_a_deleted_case_topic_is_recreated_and_the_message_lands_there(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, sqlite_url: str
) -> None:
    tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True)
    app = Application(load_settings(staff_chat_id=STAFF_GROUP_ID, database_url=sqlite_url), db=db)
    case = await new_case(db, 8501, 501)
    worker = OutboxWorker(db, {"telegram": sender}, hooks=app.outbox_hooks, poll_interval=0.05)
    # (A first message in the group: in the fake, thread id 1 is the General topic.)
    await add(db, [Outgoing("telegram", GROUP, Reply("Chào nhóm"))])
    await worker.drain(timeout=10)
    await add(db, [Outgoing("telegram", GROUP, Reply("🆕 thẻ"), case_id=case.id, purpose="card")])
    await worker.drain(timeout=10)
    async with db.session() as session:
        first = await session.get(Case, case.id)
        assert first is not None and first.staff_thread_id
        old_thread = first.staff_thread_id
    del tg.topics[(STAFF_GROUP_ID, old_thread)]  # staff deleted the topic
    await add(
        db, [Outgoing("telegram", GROUP, Reply("💬 Người phản ánh bổ sung: ảnh chụp lỗi"), case_id=case.id)]
    )
    await worker.drain(timeout=10)
    await worker.drain(timeout=10)
    async with db.session() as session:
        now = await session.get(Case, case.id)
    assert now is not None and now.staff_thread_id and now.staff_thread_id != old_thread, "a new topic"
    assert (STAFF_GROUP_ID, now.staff_thread_id) in tg.topics
    in_new = [
        m for m in tg.sent_messages(STAFF_GROUP_ID) if m.get("message_thread_id") == now.staff_thread_id
    ]
    texts = [m["text"] for m in in_new]
    assert len(texts) == 2 and "chủ đề cũ" in texts[0].lower() and "PA-261207-0501" in texts[0], texts
    assert texts[1] == "💬 Người phản ánh bổ sung: ảnh chụp lỗi", (
        "the message that failed went into the new topic"
    )
    assert {r.status for r in await rows(db)} == {"sent"}, "nothing failed for good"


async def test_a_staff_answer_in_a_deleted_topic_goes_to_the_general_topic(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender, sqlite_url: str
) -> None:
    tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True)
    app = Application(load_settings(staff_chat_id=STAFF_GROUP_ID, database_url=sqlite_url), db=db)
    await add(db, [Outgoing("telegram", GROUP, Reply("✅ Đã ghi chú"), thread_id=777, purpose="staff")])
    worker = OutboxWorker(db, {"telegram": sender}, hooks=app.outbox_hooks, poll_interval=0.05)
    await worker.drain(timeout=10)
    [sent] = [m for m in tg.sent_messages(STAFF_GROUP_ID) if m["text"] == "✅ Đã ghi chú"]
    assert sent.get("message_thread_id") in (None, 1), "not into the thread that is gone"
    assert {r.status for r in await rows(db)} == {"sent"}


async def test_rows_an_older_version_gave_up_during_an_outage_are_sent_after_the_upgrade(
    db: Database, tg: FakeTelegramServer, sender: TelegramSender
) -> None:
    """Before issue #17 a row failed after twelve tries, 429s and 5xx included."""
    await add(db, [message(8601, 0), message(8601, 1), message(8602, 0)])
    async with db.session() as session:
        stored = list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())  # type: ignore[arg-type]
        errors = [
            "Telegram: TelegramServerError",
            "Telegram: too many requests",
            "Telegram: Forbidden: bot was blocked by the user",
        ]
        for row, error in zip(stored, errors, strict=True):
            row.status, row.attempts, row.last_error = "failed", 12, error
    worker = OutboxWorker(db, {"telegram": sender}, poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        await tg.wait_for("sendMessage", lambda _c: len(tg.sent_texts(8601)) == 2, timeout=10)
    finally:
        await worker.stop()
        task.cancel()
    assert tg.sent_texts(8601) == ["tin 0 gửi 8601", "tin 1 gửi 8601"], "the outage's victims, in order"
    assert [r.status for r in await rows(db)] == ["sent", "sent", "failed"], "a blocked chat stays failed"
