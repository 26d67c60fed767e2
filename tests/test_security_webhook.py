"""Forged and malformed webhook requests: every one refused, nothing stored, nothing sent.

And what does get in is never interpreted: replies travel without parse_mode, so a person's
"<b>" or "*bold*" comes back as the literal characters they typed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from storage.models import Case, Conversation, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import text_update
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

SECRET = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
JSON = {"Content-Type": "application/json"}
GOOD = text_update(5151, "/start", update_id=777001)


def body(update: dict[str, Any]) -> bytes:
    return json.dumps(update).encode()


def without(update: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(update))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def with_value(update: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(update))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


# (name, method, headers, body, expected status)
FORGED: list[tuple[str, str, dict[str, str], bytes, int]] = [
    ("no secret header", "POST", JSON, body(GOOD), 403),
    ("wrong secret", "POST", {**JSON, "X-Telegram-Bot-Api-Secret-Token": "guess"}, body(GOOD), 403),
    (
        "secret with another case",
        "POST",
        {**JSON, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET.upper()},
        body(GOOD),
        403,
    ),
    (
        "secret as a prefix",
        "POST",
        {**JSON, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET[:-1]},
        body(GOOD),
        403,
    ),
    ("empty secret", "POST", {**JSON, "X-Telegram-Bot-Api-Secret-Token": ""}, body(GOOD), 403),
    ("secret in the query string", "POST?secret_token=" + WEBHOOK_SECRET, JSON, body(GOOD), 403),
    ("huge body without secret", "POST", JSON, b"{" + b" " * 3_000_000 + b"}", 403),
    ("GET", "GET", SECRET, b"", 405),
    ("PUT", "PUT", {**SECRET, **JSON}, body(GOOD), 405),
    ("DELETE", "DELETE", SECRET, b"", 405),
    ("not JSON", "POST", {**SECRET, **JSON}, b"update_id=1&message=hi", 400),
    ("empty body", "POST", {**SECRET, **JSON}, b"", 400),
    ("truncated JSON", "POST", {**SECRET, **JSON}, body(GOOD)[:-5], 400),
    ("not UTF-8", "POST", {**SECRET, **JSON}, b'{"update_id": 1, "x": "\xff\xfe"}', 400),
    ("a JSON array", "POST", {**SECRET, **JSON}, body([GOOD]), 400),  # type: ignore[arg-type]
    ("a JSON string", "POST", {**SECRET, **JSON}, b'"hello"', 400),
    ("JSON null", "POST", {**SECRET, **JSON}, b"null", 400),
    (
        "huge body with secret",
        "POST",
        {**SECRET, **JSON},
        body(with_value(GOOD, "a" * 400_000, "message", "text")),
        413,
    ),
    ("no update_id", "POST", {**SECRET, **JSON}, body(without(GOOD, "update_id")), 400),
    ("update_id not a number", "POST", {**SECRET, **JSON}, body(with_value(GOOD, "abc", "update_id")), 400),
    ("message without chat", "POST", {**SECRET, **JSON}, body(without(GOOD, "message", "chat")), 400),
    ("message without date", "POST", {**SECRET, **JSON}, body(without(GOOD, "message", "date")), 400),
    (
        "sender id not a number",
        "POST",
        {**SECRET, **JSON},
        body(with_value(GOOD, "x", "message", "from", "id")),
        400,
    ),
    (
        "text not a string",
        "POST",
        {**SECRET, **JSON},
        body(with_value(GOOD, {"a": 1}, "message", "text")),
        400,
    ),
    ("message is a list", "POST", {**SECRET, **JSON}, body(with_value(GOOD, [], "message")), 400),
]


async def counts(runtime: Any) -> tuple[int, ...]:
    async with runtime.app.db.session() as session:
        return tuple(
            [
                (await session.exec(select(func.count()).select_from(model))).one()
                for model in (ProcessedUpdate, Conversation, Reporter, Case, OutboxMessage)
            ]
        )


async def test_forged_and_malformed_requests_are_refused_and_nothing_is_stored(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        results: dict[str, int | str] = {}
        async with aiohttp.ClientSession() as session:
            for name, method, headers, data, _expected in FORGED:
                verb, _, query = method.partition("?")
                target = f"{url}?{query}" if query else url
                try:
                    async with session.request(
                        verb, target, headers=headers, data=data, timeout=aiohttp.ClientTimeout(total=10)
                    ) as resp:
                        results[name] = resp.status
                except aiohttp.ClientError as exc:  # a server may also just hang up on a huge body
                    results[name] = f"refused ({type(exc).__name__})"
        expected = {name: status for name, _m, _h, _b, status in FORGED}
        mismatched = {
            name: (results[name], expected[name]) for name in expected if results[name] != expected[name]
        }
        assert not mismatched, f"got (status, expected): {mismatched}"
        await asyncio.sleep(0.2)
        assert await counts(runtime) == (0, 0, 0, 0, 0), "nothing of a refused request is stored"
        assert tg.calls_of("sendMessage") == [], "and nothing is answered"

        # The control: the same update, properly signed, goes through.
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body(GOOD), headers={**SECRET, **JSON}) as resp,
        ):
            assert resp.status == 200
        processed, conversations, reporters, _cases, outbox = await counts(runtime)
        assert (processed, conversations, reporters) == (1, 1, 1) and outbox >= 1


HOSTILE = [
    "<b>Phường</b> <a href='http://evil.example'>Lê Chân</a>",
    "*đậm* _nghiêng_ `mã` [link](http://evil.example) ~gạch~ ||ẩn||",
    "&lt;script&gt;alert(1)&lt;/script&gt; & < >",
]


@pytest.mark.parametrize("typed", HOSTILE, ids=["html", "markdown", "entities"])
async def test_user_text_comes_back_literally_without_parse_mode(sqlite_url: str, typed: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url) as _runtime:
        tg.push_update(text_update(5252, "/start"))
        await answer(tg, 5252, "Xin chào")
        tg.push_update(text_update(5252, "/tracuu " + typed))  # the lookup echoes what was typed
        echoed = await answer(tg, 5252, typed[:20])
        assert typed[:25] in echoed, "the person’s characters, not rendered markup"
        for call in tg.calls_of("sendMessage"):
            assert "parse_mode" not in call.params, "replies are plain text on the wire"
        delivered = tg.sent_messages(5252)[-1]
        assert typed[:20] in delivered["text"] and not delivered.get("entities"), "Telegram formatted nothing"
