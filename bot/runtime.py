"""Runtime: builds the application with the chosen channels and runs them until stopped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.app import Application
from bot.ocr.tesseract import INSTALL_HINT
from bot.settings import ConfigError, Settings
from bot.supervise import Factory, Supervisor

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, channels: list[str], *, webhook: bool = False) -> None:
        self.settings = settings
        self.channels = channels
        self.webhook = webhook
        self.app = Application(settings)
        self.telegram_bot: Any = None
        self.web_app = web.Application(client_max_size=2 * 1024 * 1024)
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        # Every long-running background task: a crash is logged and the task started again.
        self.supervisor = Supervisor()
        self._closers: list[Any] = []
        # Awaited once the web server listens (e.g. a webhook registration the messenger tests at once).
        self.on_serving: list[Callable[[], Awaitable[None]]] = []

    async def setup(self) -> None:
        settings = self.settings
        if "telegram" in self.channels:
            if not settings.telegram_bot_token:
                raise ConfigError(
                    "Setting 'telegram_bot_token' (environment TELEGRAM_BOT_TOKEN) is required for the Telegram channel."
                )
            from bot.telegram.adapter import TelegramSender, make_bot

            self.telegram_bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base)
            d = settings.delivery
            self.app.add_sender(
                TelegramSender(
                    self.telegram_bot,
                    global_per_second=d.telegram_global_per_second,
                    per_chat_per_second=d.telegram_per_chat_per_second,
                    group_per_minute=d.telegram_group_per_minute,
                )
            )
            self._closers.append(self.telegram_bot.session.close)
            from bot.telegram.staff_directory import TelegramStaffDirectory

            self.app.staff_directory = TelegramStaffDirectory(
                self.telegram_bot,
                settings.staff_chat_id,
                allowlist=settings.staff.allowlist,
                leaders=settings.staff.leaders,
                cache_seconds=settings.staff.membership_cache_seconds,
            )
            from bot.telegram.files import TelegramFiles

            self.app.pictures.sources["telegram"] = TelegramFiles(self.telegram_bot)
        if not self.app.pictures.enabled():
            log.warning(INSTALL_HINT)
        await self._setup_extensions()

    async def _setup_extensions(self) -> None:
        """Hook for the staff queue, Zalo channels and scheduler (wired in bot/wiring.py)."""
        try:
            from bot import wiring
        except ImportError:
            return
        await wiring.extend(self)

    async def serve(self, stop: asyncio.Event) -> None:
        settings = self.settings
        worker = self.app.start_outbox()
        self.supervise("outbox", worker.run)
        if self.telegram_bot is not None:
            from bot.telegram.menus import set_commands

            try:
                self.app.telegram_username = await set_commands(self.telegram_bot, settings.staff_chat_id)
            except Exception as exc:  # the bot works without its command menu
                log.warning("setMyCommands failed: %s", type(exc).__name__)
            if self.webhook:
                from bot.telegram.runner import set_webhook, telegram_webhook_handler

                secret = settings.telegram_webhook_secret
                if not secret:
                    raise ConfigError(
                        "Setting 'telegram_webhook_secret' (environment TELEGRAM_WEBHOOK_SECRET) is required in webhook mode."
                    )
                self.web_app.router.add_post(
                    settings.webhook.telegram_path,
                    telegram_webhook_handler(self.app, self.telegram_bot, secret),
                )
                if settings.webhook.public_url:
                    await set_webhook(
                        self.telegram_bot,
                        settings.webhook.public_url + settings.webhook.telegram_path,
                        secret,
                    )
            else:
                from bot.telegram.runner import run_polling

                bot = self.telegram_bot
                self.supervise("telegram-polling", lambda: run_polling(self.app, bot, stop))
        if self.web_app.router.routes():
            from bot.health import handler as health

            self.web_app.router.add_get("/healthz", health(self))
            self._runner = web.AppRunner(self.web_app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, settings.webhook.host, settings.webhook.port)
            await site.start()
            log.info("webhook server on %s:%s", settings.webhook.host, settings.webhook.port)
        for hook in self.on_serving:
            await hook()
        log.info("bot running: %s", ", ".join(self.channels))
        await stop.wait()

    async def close(self) -> None:
        """Stop everything; every stage is bounded so a stuck part can never hang a shutdown
        (nothing is lost by cutting it short: unsent messages stay in the outbox)."""
        self.supervisor.stopping = True
        for task in self._tasks:
            task.cancel()
        await _bounded("background tasks", asyncio.gather(*self._tasks, return_exceptions=True))
        if self._runner is not None:
            await _bounded("web server", self._runner.cleanup())
        for closer in self._closers:
            await _bounded(getattr(closer, "__qualname__", "closer"), closer())
        await _bounded("application", self.app.close(), seconds=20)

    def supervise(self, name: str, factory: Factory) -> None:
        """Run a long-lived background task under the supervisor (bot/supervise.py)."""
        self._tasks.append(self.supervisor.start(name, factory))


async def _bounded(what: str, awaitable: Any, seconds: float = 10) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout=seconds)
    except TimeoutError:
        log.warning("shutdown: %s did not finish within %.0f s; going on", what, seconds)
    except Exception:
        log.exception("shutdown: %s failed", what)
