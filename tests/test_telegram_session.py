"""The bot's aiogram session keeps the Bot API answer models it has built.

aiogram validates each answer as `Response[<return type>]`; pydantic caches those generic
models weakly, so without a strong reference a garbage collection drops them and the next
call builds the model again (about a fifth of the bot's CPU under load, before this).
"""

from __future__ import annotations

import gc
import weakref

from aiogram.methods.base import Response
from aiogram.types import Message

from bot.telegram.adapter import make_bot
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer


async def test_the_answer_model_of_a_send_survives_garbage_collection() -> None:
    async with FakeTelegramServer() as tg:
        bot = make_bot(DEFAULT_TOKEN, tg.base_url)
        try:
            sent = await bot.send_message(chat_id=7001, text="Chào bạn")
            assert sent.text == "Chào bạn"
            model = weakref.ref(Response[Message])
            gc.collect()
            assert model() is not None, "Response[Message] was dropped: the next send would build it again"
            again = await bot.send_message(chat_id=7001, text="Bạn cần hỗ trợ gì thêm không?")
            assert again.message_id != sent.message_id
            assert Response[Message] is model(), "the second send used the same model"
        finally:
            await bot.session.close()
