"""The yardstick: a bare aiogram echo bot behind aiogram's own webhook handler.

    python benchmarks/echo_bot.py --port 8081 --api-base http://127.0.0.1:PORT --mode send

`--mode send` answers every message or button with an awaited sendMessage to the (fake) Bot API
before the webhook says 200 — the same promise our bot makes ("the reply is handed on before
the 200"), minus everything that makes it durable. `--mode response` returns the reply as the
webhook response itself, the cheapest thing an aiogram bot can do.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.methods import SendMessage  # noqa: E402
from aiogram.types import CallbackQuery, Message  # noqa: E402
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application  # noqa: E402
from aiohttp import web  # noqa: E402

TOKEN = "123456789:TEST-fake-token-not-real"
SECRET = "test-webhook-secret-123"


def build(api_base: str, mode: str) -> tuple[Dispatcher, Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dp = Dispatcher()

    async def reply(chat_id: int, text: str) -> Any:
        if mode == "response":
            return SendMessage(chat_id=chat_id, text=text)
        await bot.send_message(chat_id=chat_id, text=text)
        return None

    @dp.message()
    async def on_message(message: Message) -> Any:
        return await reply(message.chat.id, message.text or "?")

    @dp.callback_query()
    async def on_button(query: CallbackQuery) -> Any:
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return await reply(chat_id, query.data or "?")

    return dp, bot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--mode", choices=["send", "response"], default="send")
    args = parser.parse_args()
    dp, bot = build(args.api_base, args.mode)
    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=SECRET).register(
        app, path="/webhook/telegram"
    )
    setup_application(app, dp, bot=bot)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=lambda *_: None)


if __name__ == "__main__":
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    main()
