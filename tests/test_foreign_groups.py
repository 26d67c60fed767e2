"""Other groups, the webhook secret and processed-update cleanup (issue #17).

* A group other than the staff group: nothing is written (no processed-update row, no sender
  id) and the bot leaves it once, with one log line — on its first message, or as soon as it is
  added (my_chat_member).
* TELEGRAM_WEBHOOK_SECRET shorter than 16 characters is refused at start with a clear message.
* The daily cleanup job deletes processed-update rows after retention.processed_update_days.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.jobs import JobRunner
from bot.leader import LeaderElector
from bot.scheduler import JobScheduler
from bot.settings import ConfigError, load_settings
from storage.models import ProcessedUpdate, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import BOT_ID, group_text_update, post_webhook, text_update, user
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

FOREIGN = -1009876543210
STRANGER = 7771


def added_to_group(chat_id: int, by: int) -> dict[str, Any]:
    bot_user = user(BOT_ID, "Fake Bot", "fake_test_bot", is_bot=True)
    event = {
        "chat": {"id": chat_id, "type": "supergroup", "title": "Nhóm bạn bè"},
        "from": user(by),
        "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": bot_user},
        "new_chat_member": {"status": "member", "user": bot_user},
    }
    return {"my_chat_member": event}


async def stored(runtime: Any) -> tuple[list[str], list[str]]:
    async with runtime.app.db.session() as session:
        senders = list((await session.exec(select(ProcessedUpdate.user_id))).all())
        people = list((await session.exec(select(Reporter.external_id))).all())
    return [s or "" for s in senders], people


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_foreign_group_leaves_nothing_in_the_database_and_the_bot_leaves_it_once(
    sqlite_url: str, webhook: bool, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=webhook) as runtime:
        tg.set_chat(FOREIGN, type="supergroup", title="Nhóm bạn bè")
        updates = [
            group_text_update(STRANGER, text, chat_id=FOREIGN)
            for text in ("chào cả nhà", "/start", "ai ăn trưa?")
        ]
        updates.append(text_update(5401, "/start"))  # a citizen, to know the updates were read
        with caplog.at_level(logging.INFO, logger="bot.telegram"):
            for update in updates:
                if webhook:
                    result = await post_webhook(runtime.webhook_url, update, secret=WEBHOOK_SECRET)  # type: ignore[attr-defined]
                    assert result.status == 200, "acknowledged (Telegram must not send it again)"
                else:
                    tg.push_update(update)
            await answer(tg, 5401, "Xin chào")
            for _ in range(100):  # leaving runs in the background, after the update is acknowledged
                if tg.left_chats:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # time enough for a second leaveChat, were there one
        senders, people = await stored(runtime)
        assert str(STRANGER) not in senders and str(STRANGER) not in people, "no trace of the group's members"
        assert senders == ["5401"], "only the citizen's update is recorded"
        assert tg.left_chats == [FOREIGN], "left once, not once per message"
        assert not [m for m in tg.sent_messages(FOREIGN)], "and said nothing there"
        lines = [r.getMessage() for r in caplog.records if "leaving group" in r.getMessage()]
        assert len(lines) == 1 and str(FOREIGN) in lines[0]


async def test_added_to_a_foreign_group_the_bot_leaves_at_once(sqlite_url: str) -> None:
    other = FOREIGN - 1
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as runtime:
        tg.set_chat(other, type="supergroup", title="Nhóm lạ")
        tg.push_update(added_to_group(other, STRANGER))
        for _ in range(100):
            if tg.left_chats:
                break
            await asyncio.sleep(0.05)
        assert tg.left_chats == [other]
        senders, _people = await stored(runtime)
        assert senders == []
        assert "my_chat_member" in tg.allowed_updates, "the bot asks Telegram for these updates"


async def test_the_staff_group_is_still_served(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as runtime:
        tg.push_update(group_text_update(900, "/hangdoi"))
        await tg.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == runtime.settings.staff_chat_id, timeout=10
        )
        assert tg.left_chats == []


@pytest.mark.parametrize("secret", ["short", "mật-khẩu-dài-có-dấu-1234", "a" * 15, "with space in it 12345"])
def test_a_weak_or_invalid_webhook_secret_is_refused_at_start(secret: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(telegram_webhook_secret=secret)
    message = str(raised.value)
    assert "TELEGRAM_WEBHOOK_SECRET" in message and "16" in message
    assert "ít nhất" in message or "16–256" in message


def test_a_strong_webhook_secret_is_accepted() -> None:
    assert load_settings(telegram_webhook_secret="a" * 16).telegram_webhook_secret == "a" * 16
    assert load_settings(telegram_webhook_secret="Ab3_-x9QkLmN0pRsT").telegram_webhook_secret


async def test_the_cleanup_job_keeps_a_week_of_processed_updates(sqlite_url: str) -> None:
    settings = load_settings(database_url=sqlite_url)
    from bot.app import Application

    app = Application(settings)
    await app.db.create_all()
    now = datetime(2026, 12, 7, 3, 20, tzinfo=UTC)
    async with app.db.session() as session:
        for days in (0, 1, 6, 8, 30, 400):
            session.add(
                ProcessedUpdate(
                    channel="telegram",
                    update_key=f"u{days}",
                    user_id="1",
                    received_at=now - timedelta(days=days, minutes=1),
                )
            )
    elector = LeaderElector(app.db, name="scheduler", holder="test")
    await elector.heartbeat()
    runner = JobRunner(app, elector, clock=lambda: now)
    assert await runner.cleanup() == 3
    async with app.db.session() as session:
        kept = sorted(
            (await session.exec(select(ProcessedUpdate.update_key).order_by(col(ProcessedUpdate.id)))).all()
        )
    assert kept == ["u0", "u1", "u6"]
    scheduler = JobScheduler(app, holder="test")
    assert "cleanup" in {job.id for job in scheduler.scheduler.get_jobs()}, "registered in the scheduler"
    await app.close()
