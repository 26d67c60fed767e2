"""The dashboard inside the running bot: mounted on its web server next to /healthz (also in
long-polling mode), /dangnhap checked against the real staff group membership (getChatMember
on the fake Bot API), and a case's picture fetched through the bot's Telegram token."""

from __future__ import annotations

import aiohttp

from handlers.staff import texts as S
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID
from tests.support.dashboard import link_in, send_dangnhap
from tests.support.dashboard_seed import seed
from tests.support.telegram_bot import STAFF_USER, running_bot

PICTURE = b"\xff\xd8\xff\xe0 a jpeg, as far as this test cares"


async def test_the_running_bot_serves_the_dashboard(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        tg.add_file("AgACAgIAAxk-fake", PICTURE, "photos/file_1.jpg")  # the seed's attachment
        async with running_bot(tg, sqlite_url, dashboard={"enabled": True}) as runtime:
            app = runtime.app
            await seed(app.db, 20)
            base = f"http://127.0.0.1:{runtime.settings.webhook.port}"
            outsider = await send_dangnhap(app, "424242")  # not in the group, not allowlisted
            assert link_in(outsider) is None and outsider[0].reply.text == S.NOT_STAFF
            link = link_in(await send_dangnhap(app, str(STAFF_USER)))
            assert link is not None and link.startswith(f"{base}/bang-dieu-khien/vao?t=")
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
                async with client.get(f"{base}/healthz") as health:
                    assert health.status == 200
                async with client.get(f"{base}/bang-dieu-khien/") as closed:
                    assert closed.status == 401
                async with client.post(
                    f"{base}/bang-dieu-khien/vao", data={"t": link.rsplit("t=", 1)[1]}
                ) as login:
                    assert login.status == 200 and "Tổng quan" in await login.text()
                async with client.get(f"{base}/bang-dieu-khien/tep/1") as picture:
                    assert picture.status == 200 and picture.content_type == "image/jpeg"
                    assert await picture.read() == PICTURE


async def test_dangnhap_says_when_the_dashboard_is_off(sqlite_url: str) -> None:
    from bot.dashboard.login import DISABLED

    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            out = await send_dangnhap(runtime.app, str(STAFF_USER))
            assert [o.reply.text for o in out] == [DISABLED]
            assert "/bang-dieu-khien" not in {
                getattr(r, "canonical", "") for r in runtime.web_app.router.resources()
            }


async def test_python_m_bot_dashboard_runs_alone(tmp_path: object) -> None:
    """`python -m bot dashboard` on a fresh SQLite file: migrates, serves, prints a login link."""
    import asyncio
    import os
    import re
    import sys

    from tests.support.telegram_bot import free_port

    port = free_port()
    env = {**os.environ, "SQLITE_PATH": f"{tmp_path}/console.db", "DATABASE_URL": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "dashboard", "--port", str(port),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        link = None
        while link is None:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
            assert line, "the command ended without printing a login link"
            if found := re.search(r"http://\S+/vao\?t=\S+", line):
                link = found.group(0)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            async with client.post(link.split("?")[0], data={"t": link.rsplit("t=", 1)[1]}) as login:
                assert login.status == 200 and "Tổng quan" in await login.text()
            async with client.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 20) == 0
