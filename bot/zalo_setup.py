"""Wires the Zalo channels into the runtime (called by bot/wiring.py for "zalo-bot" / "zalo-oa").

* Zalo bot: a sender, and either a webhook route (``--webhook``; registered with ``setWebhook`` when
  ``webhook.public_url`` is set, once the web server listens: Zalo tests the URL right away) or a
  long-polling task.
* Zalo OA: a sender and always a webhook route (the OA has no polling; its webhook URL is entered
  in the Zalo developer console). The runtime starts its web server because the route exists.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import httpx

from bot.settings import ConfigError, Settings
from bot.zalo_bot import (
    ZaloBotClient,
    ZaloBotSender,
    register_webhook,
    run_zalo_polling,
    zalo_bot_webhook_handler,
)
from bot.zalo_oa import OATokens, ReplyWindow, ZaloOASender, ZaloOAWebhook

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def _require(settings: Settings, name: str, channel: str) -> str:
    value = getattr(settings, name)
    if not value:
        raise ConfigError(
            f"Setting '{name}' (environment {name.upper()}) is required for the {channel} channel."
        )
    return str(value)


async def setup(runtime: Runtime) -> None:
    if "zalo-bot" in runtime.channels:
        await setup_zalo_bot(runtime)
    if "zalo-oa" in runtime.channels:
        await setup_zalo_oa(runtime)


async def setup_zalo_bot(runtime: Runtime) -> ZaloBotClient:
    settings = runtime.settings
    token = _require(settings, "zalo_bot_token", "Zalo bot")
    secret = None
    if runtime.webhook:
        secret = _require(settings, "zalo_bot_webhook_secret", "Zalo bot (webhook mode)")
        if not 8 <= len(secret) <= 256:
            raise ConfigError(
                "Setting 'zalo_bot_webhook_secret' (environment ZALO_BOT_WEBHOOK_SECRET) must be 8 to 256 characters."
            )
    client = ZaloBotClient(token, settings.zalo_bot_api_base)
    runtime._closers.append(client.aclose)
    runtime.app.add_sender(ZaloBotSender(client, per_second=settings.delivery.zalo_per_second))
    if runtime.webhook:
        assert secret is not None
        path = settings.webhook.zalo_bot_path
        runtime.web_app.router.add_post(path, zalo_bot_webhook_handler(runtime.app, secret))
        if settings.webhook.public_url:
            url = settings.webhook.public_url.rstrip("/") + path

            async def register() -> None:
                await register_webhook(client, url, secret)

            # Zalo sends a test request to the URL during setWebhook: the server must listen first.
            runtime.on_serving.append(register)
    else:
        stop = asyncio.Event()

        async def stop_polling() -> None:
            stop.set()

        # Polling starts only once the runtime serves (outbox running): an update taken from Zalo
        # cannot be fetched again, so none is taken before the application is ready.
        task = asyncio.create_task(
            run_zalo_polling(runtime.app, client, stop, wait_for_outbox=True), name="zalo-bot-polling"
        )
        runtime._tasks.append(task)
        runtime._closers.insert(0, stop_polling)
    return client


async def setup_zalo_oa(runtime: Runtime) -> ZaloOAWebhook:
    settings = runtime.settings
    app_id = _require(settings, "zalo_oa_app_id", "Zalo OA")
    oa_secret_key = _require(settings, "zalo_oa_secret_key", "Zalo OA")
    app_secret = _require(settings, "zalo_oa_app_secret", "Zalo OA")
    http = httpx.AsyncClient(timeout=15.0)
    tokens = OATokens(
        runtime.app.db,
        http,
        app_id=app_id,
        app_secret=app_secret,
        oauth_base=settings.zalo_oa_oauth_base,
        initial_access_token=settings.zalo_oa_access_token,
        initial_refresh_token=settings.zalo_oa_refresh_token,
    )
    if not (settings.zalo_oa_access_token and settings.zalo_oa_refresh_token):
        try:
            stored = await tokens.stored()
        except Exception:  # no table yet: same as no stored pair
            stored = None
        if stored is None:
            missing = "zalo_oa_access_token" if not settings.zalo_oa_access_token else "zalo_oa_refresh_token"
            await http.aclose()
            raise ConfigError(
                f"Setting '{missing}' (environment {missing.upper()}) is required for the Zalo OA channel "
                "until a refreshed token pair is stored in the database."
            )
    # Keeps the refresh token alive on a quiet OA (it expires after about three months unused).
    stop = asyncio.Event()

    async def stop_keep_alive() -> None:
        stop.set()

    runtime._tasks.append(asyncio.create_task(tokens.keep_fresh(stop), name="zalo-oa-token-keep-alive"))
    runtime._closers.insert(0, stop_keep_alive)
    # By default 7 days (beyond it Zalo refuses) and no cap (a verified OA has none); 48 hours
    # keeps every reply free of charge (docs/zalo.md 2.4).
    delivery = settings.delivery
    window = ReplyWindow(
        runtime.app.db, hours=delivery.zalo_oa_window_hours, free_messages=delivery.zalo_oa_free_replies
    )
    runtime.app.add_sender(
        ZaloOASender(
            http,
            tokens,
            window,
            api_base=settings.zalo_oa_api_base,
            per_second=settings.delivery.zalo_per_second,
        )
    )
    webhook = ZaloOAWebhook(runtime.app, app_id=app_id, oa_secret_key=oa_secret_key, window=window)
    runtime.web_app.router.add_post(settings.webhook.zalo_oa_path, webhook.handle)
    # Events still finishing in the background complete before the client and database close.
    runtime._closers.insert(0, webhook.close)
    runtime._closers.append(http.aclose)
    return webhook
