"""`python -m bot dashboard`: the dashboard alone, for a local look at the console channel's
SQLite file (or any DATABASE_URL), without Telegram.

Nobody can send /dangnhap here, so the command prints a one-time leader link itself: whoever
can run it on the server can read the database file anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from aiohttp import web

from bot.app import Application
from bot.dashboard import mount
from bot.dashboard.auth import Identity, issue_link
from bot.settings import Settings

LOCAL = Identity("console", "Quản trị (máy chủ)", leader=True)


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def start(app: Application, host: str, port: int) -> web.AppRunner:
    """Serve the dashboard of `app` on host:port (also used by the browser test)."""
    path = app.settings.dashboard.path
    web_app = web.Application()
    mount(web_app, app)
    web_app.router.add_get("/healthz", _health)

    async def root(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(path + "/")

    web_app.router.add_get("/", root)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def local_link(app: Application, host: str, port: int) -> str:
    async with app.db.session() as session:
        token = await issue_link(session, LOCAL, app.settings.dashboard.link_minutes)
    return f"http://{host}:{port}{app.settings.dashboard.path}/vao?t={token}"


async def serve(settings: Settings, host: str, port: int, *, migrate: bool = True) -> int:
    if migrate:
        from storage.migrate import upgrade_async

        await upgrade_async(settings.sqlalchemy_url)
    app = Application(settings)
    runner = await start(app, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    link = await local_link(app, "127.0.0.1" if host in ("0.0.0.0", "::") else host, port)
    print(f"Bảng điều khiển: http://{host}:{port}{settings.dashboard.path}/")
    print(f"Liên kết đăng nhập (dùng một lần, {settings.dashboard.link_minutes:g} phút): {link}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await app.close()
    return 0
