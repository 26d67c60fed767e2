"""Telegram runners: long polling and webhook, both storing each update before acknowledging it.

Polling advances the offset only after the batch is processed, so a crash means Telegram
sends those updates again and the processed-update table turns them into no-ops. The webhook
answers 200 only after the update's transaction (processed-update row, conversation, case,
outbox) has committed; any failure answers 500 and Telegram delivers the update again.

An update whose processing fails (database down, a bug) is retried; one person's later
updates wait behind it so their order holds. In polling mode a batch that keeps failing is
retried with backoff and, after POISON_ATTEMPTS, the updates that still fail are logged and
skipped so one poison update cannot stop the bot for everybody.
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
from bot.telegram.adapter import update_to_incoming
from bot.telegram.foreign import drop_foreign
from bot.webhook_body import BodyTooLarge, read_body
from handlers.events import Incoming

log = logging.getLogger(__name__)

# my_chat_member: the bot added to a group other than the staff group leaves it (bot.telegram.foreign).
# edited_message: a staff member's corrected answer is sent to the reporter again (only the
# staff group's edits are read, bot.telegram.adapter.update_to_incoming).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything much larger is not from Telegram.
MAX_UPDATE_BYTES = 256 * 1024
POISON_ATTEMPTS = 5
# Fire-and-forget tasks are kept referenced so the event loop does not drop them mid-flight.
_background: set[asyncio.Task[None]] = set()


async def _answer_callback(bot: Bot, query_id: str, popup: str | None = None) -> None:
    # Stops the button's spinner (and shows the desk's pop-up, if any); losing this call costs
    # nothing, so it is not in the outbox.
    try:
        if popup:
            await bot.answer_callback_query(query_id, text=popup[:200], show_alert=True)
        else:
            await bot.answer_callback_query(query_id)
    except TelegramAPIError:
        log.debug("answerCallbackQuery failed", exc_info=True)


def _answer_later(bot: Bot, query_id: str, popup: str | None = None) -> None:
    task = asyncio.create_task(_answer_callback(bot, query_id, popup))
    _background.add(task)
    task.add_done_callback(_background.discard)


def _staff_press(update: Update, staff_chat_id: int | None) -> bool:
    """A button pressed in the staff group: answered after it is handled, because the desk may
    say why the press changed nothing (a pop-up only the one who pressed sees)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message is not None and staff_chat_id is not None and message.chat.id == staff_chat_id


async def process_updates(
    app: Application,
    bot: Bot,
    updates: list[Update],
    *,
    answer_callbacks: bool = True,
    popups: dict[int, str | None] | None = None,
) -> list[int]:
    """One person's updates in order; different people in parallel.

    Returns the ids of the updates that failed (with a person's later updates, which must
    not overtake them); empty when everything was stored. `popups` receives, per staff
    button press, the pop-up the desk asked for (the webhook answers with it)."""
    per_person: dict[tuple[str, str], list[tuple[int, Incoming]]] = defaultdict(list)
    staff_chat_id = app.settings.staff_chat_id
    later: dict[int, str] = {}  # update id → callback query id, answered once handled
    for update in updates:
        if drop_foreign(bot, update, staff_chat_id):
            continue  # another group: nothing of it is stored, and the bot leaves it
        if update.callback_query is not None:
            if _staff_press(update, staff_chat_id):
                later[update.update_id] = update.callback_query.id
            elif answer_callbacks:
                _answer_later(bot, update.callback_query.id)
        event = update_to_incoming(update, staff_chat_id, app.telegram_username)
        if event is not None:
            per_person[(event.channel, event.user_id)].append((update.update_id, event))
        elif update.update_id in later and answer_callbacks:
            _answer_later(bot, later.pop(update.update_id))  # nothing to handle: stop the spinner

    async def run(events: list[tuple[int, Incoming]]) -> list[int]:
        for index, (update_id, event) in enumerate(events):
            try:
                await app.receive(event)
            except Exception:
                log.exception("update %s failed; it will be delivered again", update_id)
                if answer_callbacks and update_id in later:
                    _answer_later(bot, later[update_id])
                return [uid for uid, _ in events[index:]]
            if update_id in later:
                if popups is not None:
                    popups[update_id] = event.popup
                if answer_callbacks:
                    _answer_later(bot, later[update_id], event.popup)
        return []

    results = await asyncio.gather(*(run(events) for events in per_person.values()))
    return [update_id for failed in results for update_id in failed]


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
            await _process_batch(app, bot, updates, stop)
            offset = updates[-1].update_id + 1


async def _process_batch(app: Application, bot: Bot, updates: list[Update], stop: asyncio.Event) -> None:
    """Process a polled batch; retry the failures (done ones are no-ops), then skip poison."""
    failed = await process_updates(app, bot, updates)
    delay = 1.0
    for _attempt in range(1, POISON_ATTEMPTS):
        if not failed or stop.is_set():
            break
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)
        failed = await process_updates(app, bot, _only(updates, failed), answer_callbacks=False)
    # A database outage is not poison: while the database does not answer, the batch waits it
    # out (its updates stay unconfirmed at Telegram); only updates that still fail with the
    # database answering are skipped.
    told = retried = False
    while failed and not stop.is_set() and not retried:
        if not await app.db.reachable():
            if not told:
                log.error("database unreachable: %d update(s) wait until it answers again", len(failed))
                told = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        retried = True  # once more with the database answering; what still fails is poison
        failed = await process_updates(app, bot, _only(updates, failed), answer_callbacks=False)
    # When stopping, the failures simply stay unconfirmed (the offset is only confirmed by
    # the next getUpdates call) and come back after the restart.
    if failed and not stop.is_set():
        log.error("skipping %d update(s) that failed %d times: %s", len(failed), POISON_ATTEMPTS, failed)


def _only(updates: list[Update], ids: list[int]) -> list[Update]:
    """The updates among `updates` whose ids are in `ids`, in their order."""
    wanted = set(ids)
    return [u for u in updates if u.update_id in wanted]


def telegram_webhook_handler(app: Application, bot: Bot, secret: str) -> Any:
    async def handle(request: web.Request) -> web.Response:
        # The secret first: nothing of a forged request is read, parsed or stored.
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            raw = await read_body(request, MAX_UPDATE_BYTES)
        except BodyTooLarge:
            return web.json_response({"ok": False, "error": "too large"}, status=413)
        except TimeoutError:
            return web.json_response({"ok": False, "error": "body too slow"}, status=408)
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = Update.model_validate(data, context={"bot": bot})
        except Exception:  # not JSON, not UTF-8, pydantic.ValidationError: not an update
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        # Stored and processed before the 200: if this fails, Telegram retries the update.
        popups: dict[int, str | None] = {}
        if await process_updates(app, bot, [update], answer_callbacks=False, popups=popups):
            return web.json_response({"ok": False, "error": "try again"}, status=500)
        if update.callback_query is not None:
            # Stop the button's spinner in the webhook answer itself (Telegram executes a
            # method sent back as the response): one request fewer for every button press.
            answer: dict[str, Any] = {
                "method": "answerCallbackQuery",
                "callback_query_id": update.callback_query.id,
            }
            if popup := popups.get(update.update_id):
                answer.update(text=popup[:200], show_alert=True)
            return web.json_response(answer)
        return web.json_response({})

    return handle


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    await bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
    )
