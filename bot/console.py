"""The local console channel: the same engine in a terminal, also scriptable through a pipe.

One message per line; choices are answered by number or by label; `/thoat` or end of input
ends the session.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from bot.app import Application
from bot.delivery.channel import SendResult
from bot.delivery.ratelimit import Limit
from handlers.events import Incoming, Kind, Reply, render_numbered

CHANNEL = "console"


class ConsoleSender:
    channel = CHANNEL

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.sent = 0

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]:
        return []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        reply = Reply.from_dict(payload)
        text = render_numbered(reply)
        if reply.request_contact:
            text += "\n(Gõ số điện thoại của bạn.)"
        for attachment in reply.attachments:
            text = f"📎 {attachment.file_name or attachment.file_ref}\n{text}"
        self.stream.write("\n🤖 " + text.replace("\n", "\n   ") + "\n")
        self.stream.flush()
        self.sent += 1
        return SendResult(message_id=str(self.sent))


def line_to_incoming(line: str, user_id: str, counter: int) -> Incoming:
    text = line.rstrip("\n")
    if text.startswith("/") and len(text) > 1:
        head, _, rest = text.partition(" ")
        return Incoming(
            CHANNEL, user_id, user_id, Kind.COMMAND, text=text, command=head[1:].lower(), args=rest
        )
    return Incoming(CHANNEL, user_id, user_id, Kind.TEXT, text=text, display_name=None)


async def run_console(app: Application, user_id: str = "local", stream_in: TextIO | None = None) -> None:
    source = stream_in or sys.stdin
    interactive = source.isatty()
    sender = ConsoleSender()
    app.add_sender(sender)
    worker = app.start_outbox()
    loop = asyncio.get_running_loop()
    if interactive:
        print("Kênh thử nghiệm trên máy (console). Gõ /thoat để thoát.\n")
    await app.receive(Incoming(CHANNEL, user_id, user_id, Kind.COMMAND, text="/start", command="start"))
    await worker.drain(channels={CHANNEL})
    counter = 0
    while True:
        if interactive:
            sys.stdout.write("\n👤 ")
            sys.stdout.flush()
        line = await loop.run_in_executor(None, source.readline)
        if not line:
            break
        if line.strip().lower() in ("/thoat", "/exit", "/quit"):
            break
        counter += 1
        if not interactive:
            sys.stdout.write(f"\n👤 {line.rstrip()}\n")
        await app.receive(line_to_incoming(line, user_id, counter))
        await worker.drain(channels={CHANNEL})
    print("\nTạm biệt! 👋")
