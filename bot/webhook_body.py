"""Reading a webhook's body whole and bounded, for every channel's webhook."""

from __future__ import annotations

import asyncio

from aiohttp import web

# A messenger sends an update at once; a body still arriving after this long is not worth a worker.
BODY_SECONDS = 20.0


class BodyTooLarge(Exception):
    pass


async def read_body(request: web.Request, cap: int, timeout: float = BODY_SECONDS) -> bytes:
    """The whole body, however many TCP segments it arrives in (``content.read(n)`` returns
    only what has arrived so far: an update split in two writes was refused as bad JSON).
    Over `cap` bytes raises BodyTooLarge as soon as it is known; a body that takes longer
    than `timeout` (a client trickling bytes) raises TimeoutError."""
    if request.content_length is not None and request.content_length > cap:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async with asyncio.timeout(timeout):
        while True:
            chunk = await request.content.read(cap + 1 - size)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise BodyTooLarge
            chunks.append(chunk)
