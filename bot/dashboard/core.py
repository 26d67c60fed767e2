"""The dashboard's aiohttp sub-application: session check, security headers, rendering.

Mounted under settings.dashboard.path on the bot's own web server (bot.dashboard.install),
or served alone by `python -m bot dashboard`. Everything behind it needs a session except
the login link's own page; the stylesheet is inlined, so there is no public asset either.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.dashboard import auth
from bot.dashboard.labels import Labels, scrub_ids
from bot.dashboard.overview import WorkClock
from handlers.schedule.worktime import WorkCalendar
from storage.db import Database
from storage.models import Attachment

HERE = Path(__file__).parent
FileFetcher = Callable[[Attachment], Awaitable[tuple[bytes, str] | None]]

# Keys of the per-app state (aiohttp wants typed AppKeys).
CONTEXT: web.AppKey[DashboardContext] = web.AppKey("dashboard_context")
PUBLIC = frozenset({"/vao"})
# Per-request values; typed keys where aiohttp has them (it warns about plain strings).
if hasattr(web, "RequestKey"):
    NONCE: Any = web.RequestKey("dashboard_nonce", str)
    IDENTITY: Any = web.RequestKey("dashboard_identity", auth.Identity)
else:  # pragma: no cover - older aiohttp
    NONCE, IDENTITY = "dashboard_nonce", "dashboard_identity"


@dataclass
class DashboardContext:
    db: Database
    calendar: WorkCalendar
    labels: Labels
    clock: WorkClock
    templates: jinja2.Environment
    base_path: str
    session_hours: float
    secure_cookie: bool
    fetch_file: FileFetcher | None = None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def _vn_number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%H:%M %d/%m/%Y")


def _change(current: float | None, previous: float | None, pct: bool = False) -> str:
    """ "+12" / "−3" / "+5 điểm %": the change against the previous period, Vietnamese style."""
    if current is None or previous is None:
        return "–"
    delta = (current - previous) * (100 if pct else 1)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{abs(delta):.0f}" + (" điểm %" if pct else "")


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([HERE / "templates", HERE / "static"]),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # noid: free text typed by people (a resolution, a comment, a notice) may hold a CCCD number.
    env.filters.update(num=_vn_number, pct=_pct, when=_when, change=_change, noid=scrub_ids)
    return env


def render(request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
    ctx = request.app[CONTEXT]
    identity: auth.Identity | None = request.get(IDENTITY)
    html = ctx.templates.get_template(name).render(
        base=ctx.base_path, me=identity, nonce=request[NONCE], page=name.removesuffix(".html"), **values
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Session check, then headers that keep the pages private: no caching, no framing, no
    Referer (the login link's token must not leak), scripts and styles only with this nonce."""
    ctx = request.app[CONTEXT]
    request[NONCE] = secrets.token_urlsafe(16)
    tail = request.path[len(ctx.base_path) :] or "/"
    if tail not in PUBLIC:
        async with ctx.db.session() as session:
            found = await auth.session_of(session, request.cookies.get(auth.COOKIE_NAME), now=ctx.now())
        if found is None:
            response: web.StreamResponse = render(request, "login_needed.html", status=401)
            return _harden(response, request)
        request[IDENTITY] = found.identity
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status in (403, 404):
            response = render(request, "error.html", status=exc.status, status_code=exc.status)
        else:
            raise
    return _harden(response, request)


def _harden(response: web.StreamResponse, request: web.Request) -> web.StreamResponse:
    nonce = request[NONCE]
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; img-src 'self' data:; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def leader_only(request: web.Request) -> None:
    identity: auth.Identity = request[IDENTITY]
    if not identity.leader:
        raise web.HTTPForbidden()


def set_session_cookie(
    response: web.StreamResponse, ctx: DashboardContext, token: str, request: web.Request
) -> None:
    # Secure whenever the page was reached over HTTPS (directly or through the proxy in front).
    secure = ctx.secure_cookie or request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
    response.set_cookie(
        auth.COOKIE_NAME,
        token,
        max_age=int(ctx.session_hours * 3600),
        path=ctx.base_path or "/",
        httponly=True,
        secure=secure,
        samesite="Strict",
    )
