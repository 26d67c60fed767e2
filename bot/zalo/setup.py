"""Wires the Zalo channels into the runtime (called by bot/wiring.py for "zalo-bot" / "zalo-oa").

* Zalo bot: a sender, and either a webhook route (``--webhook``; registered with ``setWebhook`` when
  ``webhook.public_url`` is set, once the web server listens: Zalo tests the URL right away) or a
  long-polling task.
* Zalo OA: a sender and always a webhook route (the OA has no polling; its webhook URL is entered
  in the Zalo developer console). The runtime starts its web server because the route exists.
* Staff files: with the Telegram channel in the same process, staff pictures reach Zalo Bot
  reporters by a signed link on this web server (needs ``webhook.public_url``) and OA reporters
  by upload. ``zalo.site_verification`` serves Zalo's domain-verification tag at "/".
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import httpx
from aiohttp import web

from bot.settings import ConfigError, Settings
from bot.telegram.files import TelegramFiles
from bot.zalo.bot_api import ZaloBotClient
from bot.zalo.bot_runner import register_webhook, run_zalo_polling, zalo_bot_webhook_handler
from bot.zalo.bot_sender import ZaloBotSender
from bot.zalo.files import FileLinks, link_key
from bot.zalo.oa_sender import ZaloOASender
from bot.zalo.oa_tokens import OATokens
from bot.zalo.oa_webhook import ZaloOAWebhook
from bot.zalo.oa_window import ReplyWindow
from bot.zalo.quota import QuotaAlarm

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
    files = _telegram_files(runtime)
    if "zalo-bot" in runtime.channels:
        await setup_zalo_bot(runtime, files)
    if "zalo-oa" in runtime.channels:
        await setup_zalo_oa(runtime, files)
    serve_site_verification(runtime.web_app, runtime.settings.zalo.site_verification)


VERIFICATION_PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
    '<meta name="zalo-platform-site-verification" content="{code}" />'
    "<title>Zalo</title></head><body></body></html>\n"
)


def serve_site_verification(web_app: web.Application, code: str) -> None:
    """Zalo's domain verification (developer console → the app → domain verification): the home page
    carries the ``zalo-platform-site-verification`` meta tag, and the same page is served as the
    HTML file Zalo offers as the other method (``zalo_verifier<code>.html`` at the root)."""
    if not code:
        return
    page = VERIFICATION_PAGE.format(code=code)  # the setting allows no markup (bot/zalo/settings.py)

    async def handle(_request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    web_app.router.add_get("/", handle)
    web_app.router.add_get(f"/zalo_verifier{code}.html", handle)
    log.info("Zalo domain verification served at / and /zalo_verifier%s.html", code)


def _telegram_files(runtime: Runtime) -> TelegramFiles | None:
    """Where staff files come from: the Telegram bot of this process, or (a Zalo-only process of a
    split deployment) a Telegram client used for downloads only, when the token is configured."""
    if runtime.telegram_bot is not None:
        return TelegramFiles(runtime.telegram_bot)
    if not runtime.settings.telegram_bot_token:
        return None
    from bot.telegram.adapter import make_bot

    # Not runtime.telegram_bot: that would make this process poll Telegram too.
    bot = make_bot(runtime.settings.telegram_bot_token, runtime.settings.telegram_api_base)
    runtime._closers.append(bot.session.close)
    return TelegramFiles(bot)


def _file_links(runtime: Runtime, token: str, files: TelegramFiles | None) -> FileLinks | None:
    """Signed links for staff pictures, when the bot has a public address and a Telegram bot."""
    settings = runtime.settings
    if files is None:
        return None
    if not settings.webhook.public_url:
        log.warning(
            "Zalo bot: webhook.public_url is not set, so staff pictures reach Zalo Bot reporters only as "
            "a line naming them (docs/zalo.md)"
        )
        return None
    links = FileLinks(
        files,
        link_key(token),
        settings.webhook.public_url,
        ttl=settings.zalo.file_link_seconds,
    )
    runtime.web_app.router.add_get(links.route, links.handle)
    return links


async def setup_zalo_bot(runtime: Runtime, files: TelegramFiles | None = None) -> ZaloBotClient:
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
    quota = QuotaAlarm(runtime.app.db, settings.staff_chat_id)
    sender = ZaloBotSender(
        client,
        per_second=settings.delivery.zalo_per_second,
        links=_file_links(runtime, token, files),
        quota=quota,
    )
    runtime.app.add_sender(sender)
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
        runtime.supervise(
            "zalo-bot-polling",
            lambda: run_zalo_polling(
                runtime.app, client, stop, min_gap=settings.zalo.poll_min_gap_seconds, wait_for_outbox=True
            ),
        )
        runtime._closers.insert(0, stop_polling)
    return client


async def setup_zalo_oa(runtime: Runtime, files: TelegramFiles | None = None) -> ZaloOAWebhook:
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

    runtime.supervise("zalo-oa-token-keep-alive", lambda: tokens.keep_fresh(stop))
    runtime._closers.insert(0, stop_keep_alive)
    # By default the free 48 hours and no cap (a verified OA has none); up to 7 days only with
    # delivery.zalo_oa_paid_replies (charged; docs/zalo.md 2.4).
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
            requests_per_minute=settings.zalo.oa_requests_per_minute,
            # Staff files are uploaded to the OA (they are Telegram file ids).
            files=files,
        )
    )
    webhook = ZaloOAWebhook(
        runtime.app,
        app_id=app_id,
        oa_secret_key=oa_secret_key,
        window=window,
        max_age=settings.zalo.oa_event_max_age_seconds,
    )
    runtime.web_app.router.add_post(settings.webhook.zalo_oa_path, webhook.handle)
    # Events whose processing failed or was cut short are processed again from the inbox.
    runtime.supervise("zalo-oa-inbox", lambda: webhook.drain(stop))
    # Events still finishing in the background complete before the client and database close.
    runtime._closers.insert(0, webhook.close)
    runtime._closers.append(http.aclose)
    return webhook
