"""The real bot as a child process (`python -m bot run --channel telegram`), and people driving it.

* `ProcessBot` starts the bot against the fake Bot API (TELEGRAM_API_BASE), in polling or
  webhook mode, on a SQLite file or PostgreSQL, and can SIGKILL it mid-flight.
* `WebhookRouter` stands in for Telegram's webhook delivery to several instances: one chat's
  updates in sequence (the next only after a 2xx), different chats concurrently, each update to
  the next instance in turn, retried on another one when an instance fails or is down.
* `Person` is someone filing a complaint step by step: they act only on the bot's message that
  asks for their next step (so a duplicated message never makes them act twice), and remember
  what step the bot should be at after each update they sent.

Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from handlers.citizen import texts as T
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, callback_update, text_update
from tests.support.telegram_bot import WEBHOOK_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


class ProcessBot:
    """`python -m bot run` in a child process; `kill()` is SIGKILL (no clean-up runs)."""

    def __init__(
        self,
        api_base: str,
        database_url: str,
        *,
        webhook: bool = False,
        redis_url: str | None = None,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.api_base = api_base
        self.database_url = database_url
        self.webhook = webhook
        self.port = free_port() if webhook else None
        self.redis_url = redis_url
        self.log_path = log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook/telegram"

    def environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "REDIS_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_BASE=self.api_base,
            TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STAFF_CHAT_ID=str(STAFF_GROUP_ID),
            DATABASE_URL=self.database_url,
            LOG_LEVEL="WARNING",
            WEBHOOK__HOST="127.0.0.1",
            WEBHOOK__PORT=str(self.port or free_port()),
            # People in these tests answer faster than anyone can type: pacing has its own tests.
            DELIVERY__TELEGRAM_PER_CHAT_PER_SECOND="100",
            DELIVERY__TELEGRAM_GLOBAL_PER_SECOND="500",
            DELIVERY__TELEGRAM_GROUP_PER_MINUTE="6000",
            DELIVERY__POLL_INTERVAL_SECONDS="0.05",
            CONVERSATION__FLOOD_MESSAGES="1000",
            # Scheduled jobs would post digests into the staff group: not what is measured here.
            JOBS__ENABLED="false",
            PYTHONUNBUFFERED="1",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    async def start(self, tg: FakeTelegramServer | None = None, timeout: float = 30.0) -> None:
        args = [sys.executable, "-m", "bot", "run", "--channel", "telegram", "--no-migrate"]
        if self.webhook:
            args.append("--webhook")
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=self.environment(), stdout=self._log, stderr=subprocess.STDOUT
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}; log: {self.log_path}")
            if await self._ready(tg):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"bot not ready after {timeout}s; log: {self.log_path}")

    async def _ready(self, tg: FakeTelegramServer | None) -> bool:
        if not self.webhook:
            return tg is not None and tg.polls_waiting > 0
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        return True

    def kill(self) -> None:
        """SIGKILL: the process dies wherever it is, mid-transaction or mid-send."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            for _ in range(200):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            self.kill()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None


class WebhookRouter:
    """Telegram's webhook delivery, spread over several bot instances."""

    def __init__(self, bots: list[ProcessBot], *, max_connections: int = 40) -> None:
        self.bots = bots
        self.queues: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self.workers: dict[int, asyncio.Task[None]] = {}
        self.turn = itertools.count()
        self.connections = asyncio.Semaphore(max_connections)
        self.delivered: list[tuple[int, int]] = []  # (update_id, index of the instance that said 200)
        self.failures = 0
        self.session: aiohttp.ClientSession | None = None
        self.pending = 0

    async def __aenter__(self) -> WebhookRouter:
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self.workers.values():
            task.cancel()
        await asyncio.gather(*self.workers.values(), return_exceptions=True)
        if self.session is not None:
            await self.session.close()

    def push(self, chat_id: int, update: dict[str, Any]) -> None:
        queue = self.queues.get(chat_id)
        if queue is None:
            queue = self.queues[chat_id] = asyncio.Queue()
            self.workers[chat_id] = asyncio.create_task(self._deliver_chat(queue))
        self.pending += 1
        queue.put_nowait(update)

    async def _deliver_chat(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        assert self.session is not None
        while True:
            update = await queue.get()
            while True:
                # Like Telegram behind a load balancer without health checks: the router does
                # not know an instance died; a refused connection is a failed delivery, retried
                # on the next instance.
                index = next(self.turn) % len(self.bots)
                bot = self.bots[index]
                try:
                    async with (
                        self.connections,
                        self.session.post(
                            bot.url,
                            json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                            timeout=aiohttp.ClientTimeout(total=15),
                        ) as response,
                    ):
                        ok = 200 <= response.status < 300
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                if ok:
                    self.delivered.append((int(update["update_id"]), index))
                    self.pending -= 1
                    break
                self.failures += 1
                await asyncio.sleep(0.05)


class Inbox:
    """Sorts the fake's delivered sendMessage calls by chat as they arrive."""

    def __init__(self, tg: FakeTelegramServer) -> None:
        self.tg = tg
        self.messages: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.changed: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self._seen = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            calls = self.tg.calls
            for call in calls[self._seen :]:
                if call.method == "sendMessage" and call.ok:
                    chat = int(call.params["chat_id"])
                    self.messages[chat].append(call.params)
                    self.changed[chat].set()
            self._seen = len(calls)
            await asyncio.sleep(0.01)


def _keys(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [str(b.get("callback_data")) for row in markup.get("inline_keyboard", []) for b in row]


DESCRIPTION_PROMPT = T.ASK_DESCRIPTION.split("{")[0][:40]
CASE_DONE = T.CASE_CREATED.split("{")[0].strip()[:25]


@dataclass
class Step:
    """Wait for a message that `asks`; then `act`; the bot should then be at one of `after`."""

    asks: Callable[[dict[str, Any]], bool]
    act: tuple[str, str]  # ("text", "...") or ("press", "key")
    after: frozenset[str]


def _offers(key: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: key in _keys(message)


def _asks_contact(message: dict[str, Any]) -> bool:
    # The phone question comes with Telegram's share-contact keyboard; its "skip" is a text button.
    markup = message.get("reply_markup") or {}
    return any(b.get("request_contact") for row in markup.get("keyboard", []) for b in row)


def _offers_prefix(prefix: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: any(k.startswith(prefix) for k in _keys(message))


@dataclass
class Person:
    """One complainant: /start → menu → consent → role → unit → system → description →
    (FAQ offered? not solved) → dossier → procedure → phone → confirm."""

    user_id: int
    send: Callable[[int, dict[str, Any]], object]
    inbox: Inbox
    sent: list[tuple[int, frozenset[str]]] = field(default_factory=list)  # (update_id, steps after it)
    done: bool = False

    @property
    def description(self) -> str:
        return f"Người dân số {self.user_id} báo máy in ở quầy kẹt giấy liên tục từ sáng nay"

    @property
    def system(self) -> str:
        return list(T.SYSTEMS)[self.user_id % len(T.SYSTEMS)]

    def plan(self) -> list[Step]:
        after_attachments = frozenset({"faq_offer", "faq_pick", "dossier"})
        return [
            Step(_offers("menu:report"), ("press", "menu:report"), frozenset({"consent"})),
            Step(_offers("consent:yes"), ("press", "consent:yes"), frozenset({"role"})),
            Step(_offers("role:nguoi_dan"), ("press", "role:nguoi_dan"), frozenset({"unit"})),
            Step(_offers("unit:skip"), ("press", "unit:skip"), frozenset({"system"})),
            Step(_offers_prefix("system:"), ("press", f"system:{self.system}"), frozenset({"description"})),
            Step(
                lambda m: DESCRIPTION_PROMPT in str(m.get("text")),
                ("text", self.description),
                frozenset({"attachments"}),
            ),
            Step(_offers("attach:done"), ("press", "attach:done"), after_attachments),
        ]

    def tail(self) -> list[Step]:
        return [
            Step(_offers("dossier:skip"), ("press", "dossier:skip"), frozenset({"procedure"})),
            Step(_offers("procedure:skip"), ("press", "procedure:skip"), frozenset({"phone"})),
            Step(_asks_contact, ("text", T.SKIP), frozenset({"confirm"})),
            Step(_offers("confirm:submit"), ("press", "confirm:submit"), frozenset({"idle"})),
        ]

    def _push(self, action: tuple[str, str], after: frozenset[str]) -> None:
        kind, value = action
        if kind == "text":
            update = text_update(self.user_id, value, first_name="Dân")
        else:
            update = callback_update(self.user_id, value, message_id=1, first_name="Dân")
        self.sent.append((int(update["update_id"]), after))
        self.send(self.user_id, update)

    async def _wait(self, cursor: int, wanted: Callable[[dict[str, Any]], bool], timeout: float) -> int:
        """Index just after the first message from `cursor` on that satisfies `wanted`."""
        event = self.inbox.changed[self.user_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            messages = self.inbox.messages[self.user_id]
            for index in range(cursor, len(messages)):
                if wanted(messages[index]):
                    return index + 1
            event.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                texts = [str(m.get("text"))[:50] for m in messages[-4:]]
                raise TimeoutError(f"person {self.user_id} waited {timeout}s; last messages: {texts}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def run(self, timeout: float = 120.0) -> None:
        self._push(("text", "/start"), frozenset({"idle"}))
        cursor = 0
        for step in self.plan():
            cursor = await self._wait(cursor, step.asks, timeout)
            self._push(step.act, step.after)
        # The FAQ may offer an answer (not solved) or a few topics (none of these) first.
        faq_steps = {
            "faq:not_solved": frozenset({"dossier", "faq_pick"}),
            "faqpick:none": frozenset({"dossier"}),
        }
        while True:
            wanted = lambda m: any(k in _keys(m) for k in ("dossier:skip", *faq_steps))  # noqa: E731
            cursor = await self._wait(cursor, wanted, timeout)
            keys = _keys(self.inbox.messages[self.user_id][cursor - 1])
            faq_key = next((k for k in faq_steps if k in keys), None)
            if faq_key is None:
                cursor -= 1  # the dossier question itself: the tail starts there
                break
            self._push(("press", faq_key), faq_steps[faq_key])
        for step in self.tail():
            cursor = await self._wait(cursor, step.asks, timeout)
            self._push(step.act, step.after)
        await self._wait(cursor, lambda m: CASE_DONE in str(m.get("text")), timeout)
        self.done = True
