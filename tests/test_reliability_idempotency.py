"""Incoming updates: stored before the 200, once only, in order, and never lost to a failure.

What "the webhook answered 200" promises, checked from a separate database connection the
moment the answer arrives: the processed-update row, the conversation's new step and the
replies in the outbox are committed. A failure answers 500 with nothing stored, so Telegram's
redelivery does the work; a redelivered update has no second effect; in polling mode a
failing update is retried without letting the person's later updates overtake it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import func, select

from bot.app import Application
from bot.settings import load_settings
from bot.telegram.runner import process_updates
from handlers.events import Incoming, Outgoing
from storage.db import Database
from storage.models import Conversation, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import callback_update, post_webhook, text_update
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

CITIZEN = 4242


async def snapshot(url: str, user: int = CITIZEN) -> tuple[list[str], str | None, int]:
    """Read through a connection of its own: only committed data is visible."""
    db = Database(url)
    try:
        async with db.session() as session:
            keys = list(
                (
                    await session.exec(
                        select(ProcessedUpdate.update_key).where(ProcessedUpdate.user_id == str(user))
                    )
                ).all()
            )
            conversation = (
                await session.exec(select(Conversation).where(Conversation.user_id == str(user)))
            ).first()
            replies = (
                await session.exec(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == str(user))
                )
            ).one()
    finally:
        await db.dispose()
    return sorted(keys), conversation.step if conversation else None, replies


async def test_a_200_means_the_update_and_its_effects_are_committed(database_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, database_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        start = text_update(CITIZEN, "/start", update_id=9001)
        assert (await post_webhook(url, start, secret=WEBHOOK_SECRET)).status == 200
        assert await snapshot(database_url) == (["9001"], "idle", 1)
        report = callback_update(CITIZEN, "menu:report", message_id=1, update_id=9002)
        assert (await post_webhook(url, report, secret=WEBHOOK_SECRET)).status == 200
        assert await snapshot(database_url) == (["9001", "9002"], "consent", 2)

        # Telegram delivers it again (it did not see our 200): no second effect at all.
        assert (await post_webhook(url, report, secret=WEBHOOK_SECRET)).status == 200
        assert await snapshot(database_url) == (["9001", "9002"], "consent", 2)
        await answer(tg, CITIZEN, "Nghị định 13")
        await asyncio.sleep(0.3)
        assert len([t for t in tg.sent_texts(CITIZEN) if "Nghị định 13" in t]) == 1


async def test_a_failure_answers_500_stores_nothing_and_the_redelivery_works(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        engine = runtime.app.engine
        real = engine.handle
        failures = 1

        async def flaky(session: Any, event: Incoming) -> list[Outgoing]:
            nonlocal failures
            out = await real(session, event)  # all the work is done in the transaction …
            if failures:
                failures -= 1
                raise OSError(28, "No space left on device")  # … and then it fails before the commit
            return out

        engine.handle = flaky  # type: ignore[method-assign]
        update = text_update(CITIZEN, "/start", update_id=9101)
        assert (await post_webhook(url, update, secret=WEBHOOK_SECRET)).status == 500
        assert await snapshot(sqlite_url) == ([], None, 0), "rolled back: no trace of a half-processed update"
        assert (await post_webhook(url, update, secret=WEBHOOK_SECRET)).status == 200
        assert await snapshot(sqlite_url) == (["9101"], "idle", 1)


async def test_a_message_the_handlers_fail_on_is_answered_with_an_apology_and_not_redelivered(
    sqlite_url: str,
) -> None:
    """A bug is not an outage: the same update would fail every time Telegram sent it again,
    and the person's later messages would wait behind it for good."""
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        engine = runtime.app.engine
        real = engine.handle

        async def buggy(session: Any, event: Incoming) -> list[Outgoing]:
            if event.text == "gõ gì đó lạ":
                raise ValueError("a bug in a handler")
            return await real(session, event)

        engine.handle = buggy  # type: ignore[method-assign]
        bad = text_update(CITIZEN, "gõ gì đó lạ", update_id=9151)
        assert (await post_webhook(url, bad, secret=WEBHOOK_SECRET)).status == 200
        await answer(tg, CITIZEN, "gặp trục trặc")
        assert (await post_webhook(url, bad, secret=WEBHOOK_SECRET)).status == 200  # redelivered: no-op
        assert (
            await post_webhook(url, text_update(CITIZEN, "/start", update_id=9152), secret=WEBHOOK_SECRET)
        ).status == 200
        await answer(tg, CITIZEN, "Xin chào")
        assert await snapshot(sqlite_url) == (["9151", "9152"], "idle", 2), "one apology, one greeting"


async def test_polling_retries_a_failing_update_before_the_persons_next_ones(
    db: Database, sqlite_url: str
) -> None:
    from aiogram.types import Update

    app = Application(load_settings(database_url=sqlite_url), db=db)
    real = app.engine.handle
    failures = 2
    handled: list[str] = []

    async def flaky(session: Any, event: Incoming) -> list[Outgoing]:
        nonlocal failures
        if event.update_key == "9201" and failures:
            failures -= 1
            raise ConnectionResetError("database restarting")
        handled.append(str(event.update_key))
        return await real(session, event)

    app.engine.handle = flaky  # type: ignore[method-assign]
    async with FakeTelegramServer() as tg:
        bot = tg.bot()
        batch = [
            Update.model_validate(text_update(CITIZEN, "/start", update_id=9201)),
            Update.model_validate(callback_update(CITIZEN, "menu:report", message_id=1, update_id=9202)),
            Update.model_validate(text_update(CITIZEN + 1, "/start", update_id=9203)),
        ]
        failed = await process_updates(app, bot, batch, answer_callbacks=False)
        assert failed == [9201, 9202], "the person's later update waits behind the failed one"
        assert handled == ["9203"], "other people are not held up"
        assert await process_updates(
            app, bot, [u for u in batch if u.update_id in failed], answer_callbacks=False
        ) == [
            9201,
            9202,
        ]
        assert await process_updates(app, bot, batch, answer_callbacks=False) == []
        await bot.session.close()
    # 9203 came round again with the whole batch and was a no-op (see the snapshot below).
    assert list(dict.fromkeys(handled)) == ["9203", "9201", "9202"]
    assert (await snapshot(sqlite_url))[:2] == (["9201", "9202"], "consent")


async def test_redelivered_updates_in_a_new_batch_are_no_ops(db: Database, sqlite_url: str) -> None:
    """A crash after processing but before the offset was confirmed: the batch comes again."""
    from aiogram.types import Update

    app = Application(load_settings(database_url=sqlite_url), db=db)
    updates = [
        Update.model_validate(text_update(CITIZEN, "/start", update_id=9301)),
        Update.model_validate(callback_update(CITIZEN, "menu:report", message_id=1, update_id=9302)),
        Update.model_validate(callback_update(CITIZEN, "consent:yes", message_id=1, update_id=9303)),
    ]
    async with FakeTelegramServer() as tg:
        bot = tg.bot()
        await process_updates(app, bot, updates, answer_callbacks=False)
        first = await snapshot(sqlite_url)
        await process_updates(app, bot, updates, answer_callbacks=False)
        await bot.session.close()
    assert first == (["9301", "9302", "9303"], "role", 3)
    assert await snapshot(sqlite_url) == first
    async with db.session() as session:
        reporter = (await session.exec(select(Reporter).where(Reporter.external_id == str(CITIZEN)))).one()
        assert reporter.consent is True
