"""Webhook bodies that arrive in pieces (issue #17): a slow network splits a POST into several
TCP segments, and the update must still be read whole, stored and answered.

The requests are written by hand on a raw socket so the pieces really leave separately
(80 ms apart, with the body's first bytes already sent with the headers)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import select

from handlers.events import Incoming
from storage.models import ProcessedUpdate
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import text_update
from tests.support.telegram_bot import WEBHOOK_SECRET, answer, running_bot

GAP = 0.08


async def post_in_pieces(
    url: str, body: bytes, pieces: int, *, chunked: bool = False, secret: str = WEBHOOK_SECRET
) -> int:
    """POST `body` in `pieces` writes GAP seconds apart; the HTTP status the server answered."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
        f"{length}\r\nConnection: close\r\n\r\n"
    ).encode()
    size = -(-len(body) // pieces)
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    try:
        for index, chunk in enumerate(chunks):
            data = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
            writer.write(head + data if index == 0 else data)
            await writer.drain()
            await asyncio.sleep(GAP)
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=20)
        return int(status_line.split()[1])
    finally:
        writer.close()


async def processed(runtime: Any, update_id: int) -> bool:
    async with runtime.app.db.session() as session:
        found = await session.exec(
            select(ProcessedUpdate).where(ProcessedUpdate.update_key == str(update_id))
        )
        return found.first() is not None


async def test_a_signed_update_in_two_writes_80ms_apart_is_read_whole_and_answered(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        update = text_update(6101, "/start", update_id=610001)
        status = await post_in_pieces(url, json.dumps(update).encode(), 2)
        assert status == 200, "the body's second half arrived 80 ms later and was waited for"
        assert await processed(runtime, 610001)
        await answer(tg, 6101, "Xin chào")


async def test_a_long_complaint_in_several_writes_reaches_the_bot_intact(sqlite_url: str) -> None:
    long_text = (
        "Tôi nộp hồ sơ cấp lại căn cước trên Cổng dịch vụ công nhưng hệ thống báo lỗi. " * 35
    ).strip()
    assert len(long_text) > 2500
    seen: list[str] = []
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        runtime.app.on_processed.append(
            lambda event: seen.append(event.text or "") if isinstance(event, Incoming) else None
        )
        url = runtime.webhook_url  # type: ignore[attr-defined]
        update = text_update(6102, long_text, update_id=610002)
        body = json.dumps(update, ensure_ascii=False).encode()
        assert await post_in_pieces(url, body, 6) == 200
        assert await processed(runtime, 610002)
        assert seen == [long_text], "every byte of the six pieces, in order"
        # Without a Content-Length (chunked transfer), in pieces too.
        update = text_update(6102, long_text + " (gửi lại)", update_id=610003)
        body = json.dumps(update, ensure_ascii=False).encode()
        assert await post_in_pieces(url, body, 5, chunked=True) == 200
        assert seen[-1] == long_text + " (gửi lại)"
        assert tg.sent_messages(6102), "the person was answered"


async def test_a_body_over_the_cap_sent_in_pieces_is_refused_with_413(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url, webhook=True) as runtime:
        url = runtime.webhook_url  # type: ignore[attr-defined]
        update = text_update(6103, "x" * 300_000, update_id=610004)
        body = json.dumps(update).encode()
        assert await post_in_pieces(url, body, 4, chunked=True) == 413
        assert not await processed(runtime, 610004)
