"""The dashboard's pages (one handler each) and the login link."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.dashboard import auth, pages, queries
from bot.dashboard.core import CONTEXT, IDENTITY, leader_only, render, set_session_cookie
from bot.dashboard.export import cases_xlsx
from bot.dashboard.overview import build_overview
from bot.dashboard.svg import bar_chart, daily_chart
from handlers.reports.reports import STATUS_LABELS_VI, SYSTEM_LABELS_VI
from handlers.staff.queue import CHANNEL_NAMES
from storage.models import Attachment

routes = web.RouteTableDef()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365, "tat-ca": None}
PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90"><rect width="120" height="90" fill="#eef1f4"/>'
    '<text x="60" y="50" font-size="11" text-anchor="middle" fill="#57606a">Không tải được ảnh</text></svg>'
)


@routes.get("/vao")
async def login_page(request: web.Request) -> web.Response:
    """The link's page only asks to confirm: opening it (a link preview, a virus scanner)
    must not use it up; the POST does."""
    token = request.query.get("t", "")
    return render(request, "login.html", token=token)


@routes.post("/vao")
async def login(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    form = await request.post()
    token = str(form.get("t", ""))[:100]
    async with ctx.db.session() as session:
        result = await auth.consume_link(session, token, ctx.session_hours, now=ctx.now()) if token else None
    if result is None:
        return render(request, "login_refused.html", status=403)
    _identity, session_token = result
    response = web.HTTPSeeOther(ctx.base_path + "/")
    set_session_cookie(response, ctx, session_token, request)
    return response


@routes.post("/dang-xuat")
async def logout(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        await auth.end_session(session, request.cookies.get(auth.COOKIE_NAME, ""))
        await auth.audit(session, request[IDENTITY], "logout")
    response = web.HTTPSeeOther(ctx.base_path + "/vao")
    response.del_cookie(auth.COOKIE_NAME, path=ctx.base_path or "/")
    return response


@routes.get("/")
async def overview(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        data = await build_overview(session, ctx.now(), ctx.calendar, ctx.clock)
    return render(request, "overview.html", o=data, chart=daily_chart(data.daily))


async def _case_list(request: web.Request, f: queries.CaseFilter) -> dict[str, Any]:
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        rows, total = await queries.list_cases(session, f, ctx.labels, ctx.now())
        names = await queries.assignees(session)
    return {
        "f": f, "rows": rows, "total": total, "names": names, "page_size": queries.PAGE_SIZE,
        "statuses": STATUS_LABELS_VI, "systems": SYSTEM_LABELS_VI, "channels": CHANNEL_NAMES,
        "units": sorted(ctx.labels.units.items(), key=lambda kv: kv[1]),
    }  # fmt: skip


@routes.get("/hang-doi")
async def queue(request: web.Request) -> web.Response:
    return render(
        request, "queue.html", **await _case_list(request, queries.CaseFilter.from_query(request.query))
    )


@routes.get("/xuat.xlsx")
async def export(request: web.Request) -> web.Response:
    """The filtered list, all of it, as a workbook formatted like the reports."""
    ctx = request.app[CONTEXT]
    f = queries.CaseFilter.from_query(request.query)
    async with ctx.db.session() as session:
        rows, total = await queries.list_cases(session, f, ctx.labels, ctx.now(), limit=None)
        await auth.audit(
            session, request[IDENTITY], "export", detail=f"{total} phản ánh; {f.query() or 'không lọc'}"
        )
    name = f"phan-anh-{ctx.calendar.to_local(ctx.now()):%Y%m%d-%H%M}.xlsx"
    # Thousands of rows take openpyxl seconds: in a thread, so webhooks are not kept waiting.
    body = await asyncio.to_thread(cases_xlsx, rows)
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@routes.get("/phan-anh/{code}")
async def case_page(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        detail = await pages.case_detail(session, request.match_info["code"], ctx.labels)
        if detail is None:
            raise web.HTTPNotFound()
        # Every view of a case is recorded: who looked at whose personal data, and when.
        await auth.audit(
            session, request[IDENTITY], "view_case", case_id=detail.case.id, detail=detail.case.code
        )
    return render(request, "case.html", d=detail, labels=ctx.labels)


@routes.get("/tep/{id:\\d+}")
async def attachment_file(request: web.Request) -> web.Response:
    """A case's picture or file, fetched through the bot (the messenger's file id never
    reaches the browser); a placeholder when the messenger cannot give it."""
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        attachment = await session.get(Attachment, int(request.match_info["id"]))
    if attachment is None:
        raise web.HTTPNotFound()
    found = await ctx.fetch_file(attachment) if ctx.fetch_file is not None else None
    if found is None:
        return web.Response(text=PLACEHOLDER, content_type="image/svg+xml")
    body, mime = found
    safe = mime if mime.startswith("image/") and mime != "image/svg+xml" else "application/octet-stream"
    return web.Response(body=body, content_type=safe, headers={"Cache-Control": "private, max-age=3600"})


@routes.get("/don-vi")
async def units(request: web.Request) -> web.Response:
    leader_only(request)
    ctx = request.app[CONTEXT]
    period = request.query.get("ky", "30")
    sort = request.query.get("sap-xep", "phan-anh")
    since = pages.since_days(ctx.now(), PERIODS.get(period, 30))
    async with ctx.db.session() as session:
        lines = await pages.unit_lines(session, ctx.labels, ctx.now(), since, sort)
    busiest = sorted((u for u in lines if u.cases), key=lambda u: -u.cases)[:15]
    chart = bar_chart([(u.name, u.cases) for u in busiest], label="15 đơn vị nhiều phản ánh nhất")
    return render(request, "units.html", lines=lines, chart=chart, period=period, sort=sort, periods=PERIODS)


@routes.get("/don-vi/{code}")
async def unit_page(request: web.Request) -> web.Response:
    leader_only(request)
    f = queries.CaseFilter.from_query(request.query)
    # A unit's page lists all its cases unless a status is chosen.
    status = f.trang_thai if "trang_thai" in request.query else "tat_ca"
    f = replace(f, don_vi=request.match_info["code"], trang_thai=status)
    values = await _case_list(request, f)
    return render(request, "unit.html", unit_name=request.app[CONTEXT].labels.unit(f.don_vi), **values)


@routes.get("/cau-hoi")
async def faq(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    period = request.query.get("ky", "30")
    since = ctx.now() - timedelta(days=PERIODS.get(period) or 3650)
    async with ctx.db.session() as session:
        topics, unmatched = await pages.faq_stats(session, ctx.labels, since)
    return render(request, "faq.html", topics=topics, unmatched=unmatched, period=period, periods=PERIODS)


@routes.get("/su-co")
async def incidents(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    async with ctx.db.session() as session:
        views = await pages.incidents(session, ctx.labels)
    return render(request, "incidents.html", views=views, labels=ctx.labels)
