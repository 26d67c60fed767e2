"""Web dashboard for the task force and its leaders (issue 22), on the bot's own web server.

`install(runtime)` mounts it under settings.dashboard.path and registers /dangnhap on the
staff desk; `mount(...)` is the part the standalone `python -m bot dashboard` shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.dashboard.core import CONTEXT, DashboardContext, FileFetcher, guard, templates
from bot.dashboard.labels import Labels
from bot.dashboard.login import COMMAND, login_command
from bot.dashboard.overview import WorkClock

if TYPE_CHECKING:
    from bot.app import Application
    from bot.runtime import Runtime
    from bot.settings import Settings


def base_url(settings: Settings) -> str:
    """Where staff open the dashboard from: the configured public URL, else this machine."""
    configured = settings.dashboard.public_url or settings.webhook.public_url
    if configured:
        return configured.rstrip("/")
    host = settings.webhook.host
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{settings.webhook.port}"


def login_url(settings: Settings, token: str) -> str:
    return f"{base_url(settings)}{settings.dashboard.path}/vao?t={token}"


def mount(
    web_app: web.Application, app: Application, *, fetch_file: FileFetcher | None = None
) -> DashboardContext:
    from bot.dashboard.routes import routes

    settings = app.settings
    path = settings.dashboard.path
    ctx = DashboardContext(
        db=app.db,
        calendar=app.calendar,
        labels=Labels(settings.timezone, app.faq),
        clock=WorkClock(app.calendar),
        templates=templates(),
        base_path=path,
        session_hours=settings.dashboard.session_hours,
        secure_cookie=base_url(settings).startswith("https://"),
        fetch_file=fetch_file,
    )

    async def to_overview(_request: web.Request) -> web.StreamResponse:
        # "/bang-dieu-khien" without the slash is how people type it: on to the overview.
        raise web.HTTPFound(path + "/")

    # Before the sub-application, whose prefix would otherwise take this path too.
    web_app.router.add_get(path, to_overview)
    sub = web.Application(middlewares=[guard])
    sub[CONTEXT] = ctx
    sub.add_routes(routes)
    web_app.add_subapp(path, sub)
    return ctx


def register_login(app: Application) -> None:
    settings = app.settings
    handler = login_command(
        app.desk.directory,
        login_url=lambda token: login_url(settings, token),
        link_minutes=settings.dashboard.link_minutes,
        session_hours=settings.dashboard.session_hours,
    )
    app.desk.register(COMMAND, handler)


def install(runtime: Runtime) -> None:
    from bot.dashboard.files import telegram_and_url_fetcher

    mount(runtime.web_app, runtime.app, fetch_file=telegram_and_url_fetcher(runtime))
    register_login(runtime.app)
