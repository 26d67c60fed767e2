"""The Zalo OA as the live service behaves (issue #18), against the fake's switches: charged replies
refused with -320/-321, domain verification, staff files uploaded, and the app's rate limit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.delivery.ratelimit import Limit
from bot.settings import ConfigError, load_settings
from bot.telegram.adapter import make_bot
from bot.telegram.files import TelegramFiles
from bot.zalo.oa_sender import APP_KEY
from bot.zalo.texts import REASON_PAID
from handlers.events import AttachmentRef, Reply
from storage.db import Database
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.zalo_oa import FAKE_APP_ID, FAKE_APP_SECRET, FAKE_OA_SECRET_KEY, FakeZaloOAServer
from tests.test_zalo_bot_live import TG_TOKEN, BlockingLimiter, png
from tests.test_zalo_oa import OA, USER, oa_channel


@pytest.fixture
async def oa(db: Database) -> AsyncIterator[OA]:
    async with oa_channel(db) as channel:
        yield channel


# -- 3. charged replies ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [-320, -321])
async def test_a_refused_charged_reply_waits_for_the_person_like_the_window_codes(
    db: Database, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    # The paid window is set, but the app has no Zalo Cloud Account (-320) or no balance (-321).
    paid = {"zalo_oa_window_hours": 168, "zalo_oa_paid_replies": True}
    async with oa_channel(db, delivery=paid) as oa:
        await oa.say("/start")
        oa.server.charge(USER, code)
        await oa.relay("Trả lời thứ nhất")
        calls = len(oa.server.calls_of("message/cs"))
        await oa.relay("Trả lời thứ hai")
        assert len(oa.server.calls_of("message/cs")) == calls  # known refused: Zalo is not asked again
        assert len(await oa.rows("deferred")) == 2  # not failed, not retried in a loop
        assert oa.hooks.failed_reasons == [(USER, REASON_PAID.format(code=code))] * 2  # staff told
        errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.zalo.oa_sender"]
        assert len(errors) == 1 and str(code) in errors[0].getMessage()  # the operator too
        oa.server.open_window(USER)  # the person writes: a free window again
        await oa.say("alo")
        texts = oa.server.sent_texts(USER)
        assert texts.index("Trả lời thứ nhất") < texts.index("Trả lời thứ hai")
        assert not await oa.rows("deferred")


# -- 6. domain verification -------------------------------------------------------------------------


async def test_domain_verification_is_served_by_the_bots_web_server(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    async with FakeZaloOAServer(app_secret=FAKE_APP_SECRET) as server:
        runtime = await _runtime(
            tmp_path,
            ["zalo-oa"],
            zalo={"site_verification": "Sl8Fq1AbC_x-9"},
            zalo_oa_app_id=FAKE_APP_ID,
            zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
            zalo_oa_app_secret=FAKE_APP_SECRET,
            zalo_oa_access_token="fake-oa-access-0",
            zalo_oa_refresh_token="fake-oa-refresh-0",
            zalo_oa_api_base=server.base_url,
            zalo_oa_oauth_base=server.base_url,
        )
        await runtime.setup()
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        base = f"http://127.0.0.1:{runtime.settings.webhook.port}"
        tag = '<meta name="zalo-platform-site-verification" content="Sl8Fq1AbC_x-9" />'
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(100):  # the web server starts inside serve()
                    try:
                        async with session.get(base + "/") as resp:
                            home = (resp.status, await resp.text())
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                async with session.get(base + "/zalo_verifierSl8Fq1AbC_x-9.html") as resp:
                    file = (resp.status, await resp.text())
        finally:
            stop.set()
            await serving
            await runtime.close()
    assert home[0] == 200 and tag in home[1]
    assert file[0] == 200 and tag in file[1]


def test_the_verification_code_cannot_carry_markup() -> None:
    assert load_settings().zalo.site_verification == ""
    with pytest.raises(ConfigError, match="site_verification"):
        load_settings(zalo={"site_verification": '"><script>x</script>'})


# -- 7. staff files uploaded to the OA ---------------------------------------------------------------


async def test_staff_picture_and_pdf_reach_an_oa_reporter_by_upload(oa: OA) -> None:
    big = png((1800, 1800))
    pdf = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"
    huge_pdf = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    oa.server.check_uploads = True
    async with FakeTelegramServer() as tg:
        tg.add_file("photo-1", big, "photos/file_1.png")
        tg.add_file("doc-1", pdf, "documents/huong-dan.pdf")
        tg.add_file("doc-2", huge_pdf, "documents/bieu-mau.pdf")
        bot = make_bot(TG_TOKEN, tg.base_url)
        oa.sender.files = TelegramFiles(bot)
        await oa.say("/start")
        reply = Reply(
            "💬 Tổ công tác trả lời: bạn xem ảnh và hướng dẫn kèm theo.",
            attachments=[
                AttachmentRef("photo", "photo-1", None, "image/png", len(big)),
                AttachmentRef("document", "doc-1", "huong-dan.pdf", "application/pdf", len(pdf)),
                AttachmentRef("document", "doc-2", "bieu-mau.pdf", "application/pdf", len(huge_pdf)),
            ],
        )
        await oa.sender.send(USER, reply.to_dict())
        await bot.session.close()
    calls = [c for c in oa.server.calls_of("message/cs") if c.ok][-4:]
    messages = [c.params["message"] for c in calls]
    assert messages[0]["text"].startswith("💬 Tổ công tác trả lời")  # the answer first
    [element] = messages[1]["attachment"]["payload"]["elements"]
    image = oa.server.uploads[element["attachment_id"]]
    assert image.content.startswith(b"\xff\xd8") and len(image.content) <= 1_000_000  # a JPEG ≤ 1 MB
    token = messages[2]["attachment"]["payload"]["token"]
    assert oa.server.uploads[token].content == pdf and messages[2]["attachment"]["type"] == "file"
    assert "bieu-mau.pdf" in messages[3]["text"]  # over 5 MB: named, as before
    assert [c.method for c in oa.server.calls if c.method.startswith("upload")] == [
        "upload/image",
        "upload/file",
    ]


async def test_without_telegram_a_staff_file_is_named_as_before(oa: OA) -> None:
    await oa.say("/start")
    doc = AttachmentRef("document", "doc-1", "huong-dan.pdf", "application/pdf", 10)
    await oa.sender.send(USER, Reply("Bạn xem hướng dẫn.", attachments=[doc]).to_dict())
    assert "huong-dan.pdf" in oa.server.sent_texts(USER)[-1] and not oa.server.uploads


# -- 8. the OA rate limit through the shared limiter ---------------------------------------------------


async def test_requests_a_minute_for_the_app_and_a_32_closes_its_window(oa: OA) -> None:
    assert oa.sender.limits(USER)[0] == (APP_KEY, Limit(3000, 60.0))  # every call, every instance
    assert oa.sender.limits(USER)[-1][0] == f"zalo_oa:{USER}"  # the person's window last
    limiter = BlockingLimiter()
    oa.sender.use_limiter(limiter)
    await oa.say("/start")
    oa.server.fail_api("message/cs", -32)
    with pytest.raises(Exception, match="-32"):
        await oa.sender.send(USER, Reply("x").to_dict())
    assert limiter.blocked == [(APP_KEY, Limit(3000, 60.0), 60.0)]  # the app's budget, not one person's
    assert load_settings(zalo={"oa_requests_per_minute": 1000}).zalo.oa_requests_per_minute == 1000
