"""A TCP proxy on 127.0.0.1 that can misbehave, put in front of PostgreSQL, Redis or a fake API.

    proxy = FaultProxy("127.0.0.1", 5432)
    await proxy.start()            # listens on 127.0.0.1:proxy.port
    proxy.mode = "freeze"          # the connections stay open and nothing moves either way
    ...
    proxy.mode = "pass"            # bytes flow again (held ones are delivered, in order)

Modes (they apply at once to connections already open, and to new ones):

* ``pass``: bytes flow both ways untouched.
* ``delay``: every chunk waits ``delay`` seconds before it is forwarded (order kept).
* ``freeze``: connections are accepted and kept open, nothing is forwarded, nothing is closed:
  what a dead route, a paused VM or a stuck server looks like to a client (no RST, no FIN).
  New connections are accepted (the kernel would) but not connected onwards until unfrozen.
* ``drop``: every open connection is cut (both sides closed) and new ones are closed at once:
  a server that is down or a firewall that resets.

`counts` tells how many connections were accepted; `cut()` closes every open connection once
(a server restart) without changing the mode.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

Mode = Literal["pass", "delay", "freeze", "drop"]

_CHUNK = 64 * 1024


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.host = host
        self.port = port
        self.delay = 0.0
        self.accepted = 0
        self._mode: Mode = "pass"
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- control ---------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        return self._mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        self._mode = mode
        if mode == "freeze":
            self._flowing.clear()
        else:
            self._flowing.set()
        if mode == "drop":
            self.cut()

    def cut(self) -> None:
        """Close every open connection, both sides (the mode stays as it is)."""
        for writer in list(self._writers):
            _close(writer)
        self._writers.clear()

    @property
    def url_host(self) -> str:
        return f"{self.host}:{self.port}"

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    # -- the work --------------------------------------------------------------------------

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._mode == "drop":
            _close(client_writer)
            return
        self._writers.add(client_writer)
        try:
            await self._flowing.wait()  # frozen: accepted, but not connected onwards
            if self._mode == "drop" or client_writer.is_closing():
                return
            try:
                server_reader, server_writer = await asyncio.open_connection(
                    self.target_host, self.target_port
                )
            except OSError:
                return
            self._writers.add(server_writer)
            up = asyncio.create_task(self._pipe(client_reader, server_writer))
            down = asyncio.create_task(self._pipe(server_reader, client_writer))
            self._tasks.update((up, down))
            try:
                await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (up, down):
                    task.cancel()
                    self._tasks.discard(task)
                _close(server_writer)
                self._writers.discard(server_writer)
        finally:
            _close(client_writer)
            self._writers.discard(client_writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while True:
                chunk = await reader.read(_CHUNK)
                if not chunk:
                    return
                await self._flowing.wait()
                if self._mode == "delay" and self.delay > 0:
                    await asyncio.sleep(self.delay)
                await self._flowing.wait()  # frozen during the delay: hold it
                if writer.is_closing():
                    return
                writer.write(chunk)
                await writer.drain()


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
