"""Run the real bot (aiogram client, outbox, runners) against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.runtime import Runtime
from bot.settings import load_settings
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, callback_update

WEBHOOK_SECRET = "test-webhook-secret-123"
STAFF_USER = 900
LEADER_USER = 901


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def running_bot(
    tg: FakeTelegramServer, database_url: str, *, webhook: bool = False, **overrides: Any
) -> AsyncIterator[Runtime]:
    port = free_port()
    settings = load_settings(
        telegram_bot_token=DEFAULT_TOKEN,
        telegram_api_base=tg.base_url,
        telegram_webhook_secret=WEBHOOK_SECRET,
        staff_chat_id=STAFF_GROUP_ID,
        database_url=database_url,
        webhook={"host": "127.0.0.1", "port": port},
        # Tests press buttons faster than a person: allow it, the pacing has its own tests.
        delivery={
            "telegram_per_chat_per_second": 50,
            "telegram_group_per_minute": 600,
            "poll_interval_seconds": 0.05,
        },
        staff={"allowlist": [], "leaders": [LEADER_USER]},
        **overrides,
    )
    runtime = Runtime(settings, ["telegram"], webhook=webhook)
    await runtime.app.db.create_all()
    await runtime.setup()
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.serve(stop))
    runtime.webhook_url = f"http://127.0.0.1:{port}{settings.webhook.telegram_path}"  # type: ignore[attr-defined]
    if not webhook:
        await tg.wait_polling()
    else:
        for _ in range(200):
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.02)
    try:
        yield runtime
    finally:
        stop.set()
        await task
        await runtime.close()


def last_message(tg: FakeTelegramServer, chat_id: int) -> dict[str, Any]:
    messages = tg.sent_messages(chat_id)
    assert messages, f"nothing sent to {chat_id}"
    return messages[-1]


def button_data(message: dict[str, Any], label: str) -> str:
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if label.lower() in button["text"].lower():
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {markup}")


async def press(tg: FakeTelegramServer, user_id: int, label: str, chat_id: int | None = None) -> None:
    """Press a button of the last message the bot sent to that chat."""
    chat = chat_id if chat_id is not None else user_id
    message = last_message(tg, chat)
    data = button_data(message, label)
    tg.push_update(
        callback_update(
            user_id,
            data,
            message["message_id"],
            chat_id=chat,
            message_thread_id=message.get("message_thread_id"),
        )
    )


async def answer(tg: FakeTelegramServer, chat_id: int, contains: str, timeout: float = 20.0) -> str:
    """Wait for the bot's next text to the chat that contains `contains` (messages already
    read by an earlier `answer` do not count); return it."""
    seen: dict[int, int] = tg.__dict__.setdefault("_answers_seen", {})

    def mine() -> list[Any]:
        return [
            c
            for c in tg.calls
            if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(chat_id) and c.ok
        ]

    def match(call: Any) -> bool:
        fresh = mine()[seen.get(chat_id, 0) :]
        return any(contains in str(c.params.get("text", "")) for c in fresh)

    await tg.wait_for("sendMessage", match, timeout=timeout)
    calls = mine()
    start = seen.get(chat_id, 0)
    for index in range(start, len(calls)):
        if contains in str(calls[index].params.get("text", "")):
            seen[chat_id] = index + 1
            return str(calls[index].params["text"])
    raise AssertionError("unreachable")
