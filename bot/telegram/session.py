"""aiogram's HTTP session, with the answer models of the Bot API kept alive.

aiogram validates every answer as `Response[<the method's return type>]`, a pydantic generic
model. pydantic caches such parametrised models in a weak mapping, and a class lives in
reference cycles, so each garbage collection may drop it and the next API call builds it again
(schema, validator, serializer: milliseconds each). In the bot, which allocates a lot, that
happened on most sends: a fifth of its CPU under load went into rebuilding `Response[Message]`.
Keeping one strong reference per return type makes the cache hold.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod

# A handful of return types (Message, bool, ForumTopic, ChatMember…): one model each, for good.
_KEPT: dict[Any, type[Response[Any]]] = {}


def keep_response_model(returning: Any) -> None:
    if returning not in _KEPT:
        _KEPT[returning] = Response[returning]


class KeptModelsSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        keep_response_model(method.__returning__)
        return super().check_response(bot, method, status_code, content)
