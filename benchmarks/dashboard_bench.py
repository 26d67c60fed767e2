"""Dashboard page render time with 20,000 cases, on SQLite and (when reachable) PostgreSQL.

    .venv/bin/python benchmarks/dashboard_bench.py [--cases 20000] [--days 365] [--repeat 7] [--no-postgres]

Seeds a fresh database (tests/support/dashboard_seed.py: cases spread over --days days, with
messages, events, FAQ questions, incidents; --days 90 is a stress: 220 cases a day), serves the dashboard on 127.0.0.1 as the bot does, logs in with a
one-time link and requests every page `--repeat` times after one warm-up request. The time is
the whole HTTP request as the browser sees it (server-side queries, figures, template, SVG),
on this machine's 2 cores. Goal (issue 22): every page under 300 ms. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import drop_postgres, fresh_postgres, table, write_result  # noqa: E402

GOAL_MS = 300
PAGES = {
    "Tổng quan": "/",
    "Hàng đợi": "/hang-doi",
    "Hàng đợi, quá hạn": "/hang-doi?qua_han=1",
    "Hàng đợi, tìm từ khóa": "/hang-doi?trang_thai=tat_ca&q=m%C3%A3+l%E1%BB%97i+5",
    "Phản ánh": "/phan-anh/{code}",
    "Đơn vị (30 ngày)": "/don-vi",
    "Đơn vị (tất cả)": "/don-vi?ky=tat-ca",
    "Một đơn vị": "/don-vi/{unit}",
    "Câu hỏi thường gặp": "/cau-hoi",
    "Sự cố": "/su-co",
    "Xuất Excel (đang mở)": "/xuat.xlsx",
}


async def measure(url: str, cases: int, days: int, repeat: int) -> dict[str, Any]:
    import aiohttp
    from aiohttp import web
    from sqlmodel import select

    from bot.dashboard import mount
    from storage.db import Database
    from storage.models import Case
    from tests.support.dashboard import LEADER, dashboard_app, link_in, send_dangnhap
    from tests.support.dashboard_seed import seed

    db = Database(url)
    await db.create_all()
    started = time.perf_counter()
    await seed(db, cases, days=days)
    seeded = time.perf_counter() - started
    app = dashboard_app(db, public_url="http://127.0.0.1")
    web_app = web.Application()
    mount(web_app, app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}/bang-dieu-khien"
    async with db.session() as session:
        case = (await session.exec(select(Case).order_by(Case.id.desc()).limit(1))).one()  # type: ignore[union-attr]
    link = link_in(await send_dangnhap(app, LEADER))
    assert link is not None
    rows: dict[str, dict[str, float]] = {}
    # unsafe=True: the jar otherwise drops cookies set by an IP address such as 127.0.0.1.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        login = await client.post(f"{base}/vao", data={"t": link.rsplit("t=", 1)[1]})
        assert login.status == 200, login.status
        for name, path in PAGES.items():
            target = base + path.format(code=case.code, unit=case.unit_code)
            samples, first = [], 0.0
            for attempt in range(repeat + 1):
                t0 = time.perf_counter()
                async with client.get(target) as response:
                    await response.read()
                    assert response.status == 200, (name, response.status)
                elapsed = (time.perf_counter() - t0) * 1000
                if attempt:  # the first request warms caches (templates, working hours)
                    samples.append(elapsed)
                else:
                    first = elapsed
            rows[name] = {"first_ms": first, "median_ms": statistics.median(samples), "max_ms": max(samples)}
    await runner.cleanup()
    await app.close()
    return {"cases": cases, "days": days, "seed_seconds": round(seeded, 1), "pages": rows}


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = await measure(f"sqlite:///{folder}/bench.db", args.cases, args.days, args.repeat)
    pg = None if args.no_postgres else await fresh_postgres()
    if pg is not None:
        try:
            results["postgresql"] = await measure(pg, args.cases, args.days, args.repeat)
        finally:
            await drop_postgres(pg)
    else:
        print("PostgreSQL not reachable (or --no-postgres): SQLite only")
    stats = ("first_ms", "median_ms", "max_ms")
    headers = ["page", *(f"{db} {stat.replace('_ms', '')} ms" for db in results for stat in stats)]
    lines = [
        [name, *(results[db]["pages"][name][stat] for db in results for stat in stats)] for name in PAGES
    ]
    print(
        f"\n{args.cases} cases over {args.days} days; first request, then {args.repeat} more; goal < {GOAL_MS} ms"
    )
    print(table(headers, lines))
    # The workbook is a download, not a page: reported, not held to the page goal.
    slow = [
        (db, n) for db in results for n, r in results[db]["pages"].items() if r["median_ms"] >= GOAL_MS and "xlsx" not in PAGES[n]
    ]  # fmt: skip
    print("every page's median under the goal" if not slow else f"over the goal: {slow}")
    data = {"goal_ms": GOAL_MS, "repeat": args.repeat, **results}
    print(f"written {write_result('dashboard', data)}")
    return data


if __name__ == "__main__":
    asyncio.run(main())
