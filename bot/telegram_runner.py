"""Telegram runners: long polling and webhook, both storing each update before acknowledging it.

Polling advances the offset only after the batch is processed, so a crash means Telegram
sends those updates again and the processed-update table turns them into no-ops.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import defaultdict
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter
from aiogram.types import Update
from aiohttp import web

from bot.app import Application
from bot.telegram import update_to_incoming
from handlers.events import Incoming

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Fire-and-forget tasks are kept referenced so the event loop does not drop them mid-flight.
_background: set[asyncio.Task[None]] = set()


async def _answer_callback(bot: Bot, update: Update) -> None:
    # Stops the button's spinner; losing this call costs nothing, so it is not in the outbox.
    if update.callback_query is not None:
        try:
            await bot.answer_callback_query(update.callback_query.id)
        except TelegramAPIError:
            log.debug("answerCallbackQuery failed", exc_info=True)


async def process_updates(app: Application, bot: Bot, updates: list[Update]) -> None:
    """One person's updates in order; different people in parallel."""
    per_person: dict[tuple[str, str], list[Incoming]] = defaultdict(list)
    for update in updates:
        task = asyncio.create_task(_answer_callback(bot, update))
        _background.add(task)
        task.add_done_callback(_background.discard)
        event = update_to_incoming(update, app.settings.staff_chat_id)
        if event is not None:
            per_person[(event.channel, event.user_id)].append(event)

    async def run(events: list[Incoming]) -> None:
        for event in events:
            await app.receive(event)

    await asyncio.gather(*(run(events) for events in per_person.values()))


async def run_polling(app: Application, bot: Bot, stop: asyncio.Event, *, timeout: int = 25) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES, request_timeout=timeout + 10
            )
            backoff = 1.0
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)
            continue
        except (TelegramNetworkError, TelegramAPIError) as exc:
            log.warning("getUpdates failed (%s); retrying in %.0fs", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30)
            continue
        if updates:
            await process_updates(app, bot, updates)
            offset = updates[-1].update_id + 1


def telegram_webhook_handler(app: Application, bot: Bot, secret: str) -> Any:
    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = await request.json(loads=json.loads)
            update = Update.model_validate(data, context={"bot": bot})
        except (ValueError, TypeError):
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        except Exception:  # pydantic.ValidationError and friends: not an update
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        # Stored and processed before the 200: if this fails, Telegram retries the update.
        await process_updates(app, bot, [update])
        return web.json_response({})

    return handle


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
