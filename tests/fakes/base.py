"""Shared machinery of the fake messenger APIs: an aiohttp server on 127.0.0.1, call recording,
``wait_for`` and failure injection.

Every fake is a real HTTP server on the loopback interface, so the project's real clients
(aiogram, httpx, aiohttp) exercise their real wire code against it. Nothing here ever talks to
the internet, and no real token is needed or accepted anywhere.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import BodyPartReader, web


@dataclass
class UploadedFile:
    """A file part of a multipart request, kept whole so tests can assert on the bytes."""

    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class ApiCall:
    """One request the fake answered.

    ``time`` is ``time.monotonic()`` at arrival: monotonic so that tests freezing the wall
    clock (time-machine) cannot confuse rate limits or ordering. ``status`` and ``response``
    are what the fake answered, so a test can tell a delivered call from a rejected one.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    response: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the call succeeded at the HTTP level and, for APIs that say so, in the body."""
        if not 200 <= self.status < 300:
            return False
        if isinstance(self.response, dict):
            if self.response.get("ok") is False:
                return False
            error = self.response.get("error")
            if isinstance(error, int) and error != 0:
                return False
        return True


@dataclass
class InjectedFailure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class WebhookResult:
    """What a webhook endpoint answered to a posted update."""

    status: int
    text: str


@dataclass
class _FailWindow:
    until: float
    status: int
    description: str
    retry_after: int | None
    methods: frozenset[str] | None


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def default_description(status: int) -> str:
    return _DEFAULT_DESCRIPTIONS.get(status, f"HTTP {status}")


class FakeApiServer:
    """Base class: owns the aiohttp runner, the call log and the failure queues.

    Subclasses register routes in ``_setup_routes`` and turn an ``InjectedFailure`` into their
    API's error shape in ``_failure_payload``.
    """

    #: how long ``close()`` waits for in-flight handlers; long polls are woken first, so this
    #: only bounds a misbehaving handler.
    shutdown_timeout: float = 2.0

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        # Loopback only: these fakes must never be reachable from elsewhere.
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise ValueError("fake servers bind to the loopback interface only")
        self.host = host
        self.port: int | None = None
        self.calls: list[ApiCall] = []
        self.too_many_requests = 0
        self._failures: dict[str, deque[InjectedFailure]] = defaultdict(deque)
        self._windows: list[_FailWindow] = []
        self._runner: web.AppRunner | None = None
        self._changed: asyncio.Condition | None = None
        self._closing = asyncio.Event()

    # ------------------------------------------------------------------ life cycle

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started: use `async with` or await start()")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self._setup_routes(app)
        # handler_cancellation: a client that gives up on a long poll must not leave a
        # handler parked here until its timeout.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=self.shutdown_timeout
        )
        await runner.setup()
        # Bind the socket ourselves so the OS picks a free port and we can read it back
        # without reaching into aiohttp internals.
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        site = web.SockSite(runner, sock, shutdown_timeout=self.shutdown_timeout)
        await site.start()
        self._runner = runner
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        return self

    async def close(self) -> None:
        self._closing.set()
        self._wake_pollers()
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _setup_routes(self, app: web.Application) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _wake_pollers(self) -> None:
        """Release parked long polls (called on close so shutdown does not wait for them)."""

    # ------------------------------------------------------------------ recording

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    async def _record(
        self,
        method: str,
        params: dict[str, Any],
        started: float,
        status: int,
        response: Any,
        headers: dict[str, str] | None = None,
    ) -> ApiCall:
        call = ApiCall(method, params, started, status, response, dict(headers or {}))
        self.calls.append(call)
        if status == 429:
            self.too_many_requests += 1
        await self._notify()
        return call

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls and the 429 count; state (chats, queues, tokens) stays."""
        self.calls.clear()
        self.too_many_requests = 0

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[ApiCall]:
        """Wait until ``count`` recorded calls of ``method`` match ``predicate``; return them.

        Calls recorded before the wait count too (call ``clear()`` first to wait for new
        ones). A call is recorded once it has been answered, so ``status``/``response`` are
        final. Raises ``TimeoutError`` listing what did arrive, which is what a test wants to
        read when it fails.
        """
        if self._changed is None:
            raise RuntimeError("server not started")

        def matching() -> list[ApiCall]:
            return [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)
        except TimeoutError:
            seen = [f"{c.method}({c.status})" for c in self.calls]
            raise TimeoutError(
                f"waited {timeout}s for {count} x {method}, got {len(matching())}; calls seen: {seen}"
            ) from None
        return matching()[:count]

    # ------------------------------------------------------------------ failure injection

    def fail(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this HTTP status.

        A failed call is recorded but has no effect (a failed send delivers nothing).
        """
        for _ in range(times):
            self._failures[method].append(
                InjectedFailure(status, description or default_description(status), retry_after)
            )

    def fail_window(
        self,
        seconds: float,
        status: int = 500,
        methods: Iterable[str] | None = None,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make every call (or every call of ``methods``) fail for ``seconds`` from now.

        Models an outage (500/502) or a flood wait (429 with ``retry_after``).
        """
        if status == 429 and retry_after is None:
            retry_after = max(1, int(seconds + 0.999))
        self._windows.append(
            _FailWindow(
                until=time.monotonic() + seconds,
                status=status,
                description=description or default_description(status),
                retry_after=retry_after,
                methods=frozenset(methods) if methods is not None else None,
            )
        )

    def _take_failure(self, method: str) -> InjectedFailure | None:
        now = time.monotonic()
        self._windows = [w for w in self._windows if w.until > now]
        for w in self._windows:
            if w.methods is None or method in w.methods:
                return InjectedFailure(w.status, w.description, w.retry_after)
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        return None

    def pending_failures(self, method: str | None = None) -> int:
        if method is not None:
            return len(self._failures.get(method, ()))
        return sum(len(q) for q in self._failures.values())


def json_response(
    payload: Any, status: int = 200, extra_headers: Collection[tuple[str, str]] = ()
) -> web.Response:
    # ensure_ascii=False: Vietnamese text must travel as UTF-8, as it does from the real APIs.
    resp = web.Response(
        text=json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )
    for name, value in extra_headers:
        resp.headers.add(name, value)
    return resp


async def read_body_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Decode query string + body (JSON, urlencoded or multipart) into flat params.

    Returns ``(params, files)`` where ``files`` maps multipart part names to uploads. Values
    from forms stay strings; API-specific typing is the caller's business.
    """
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method not in ("POST", "PUT") or not request.body_exists:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
    elif ctype.startswith("multipart/"):
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):  # nested multipart: not used by Bot API clients
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if part.filename is not None:
                files[name] = UploadedFile(part.filename, bytes(data), part.headers.get("Content-Type"))
            else:
                params[name] = bytes(data).decode(part.get_charset("utf-8"))
    else:
        # application/x-www-form-urlencoded, and anything unlabelled a client might send.
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = value
    return params, files
