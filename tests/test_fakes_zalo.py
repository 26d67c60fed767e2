"""The fake Zalo Bot API and Zalo OA API, driven by a real httpx client over 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from tests.fakes.zalo_bot import (
    DEFAULT_ZALO_BOT_TOKEN,
    IMAGE_URL_FIELDS,
    FakeZaloBotServer,
    post_webhook,
    zalo_image_update,
    zalo_text_update,
)
from tests.fakes.zalo_oa import (
    FAKE_APP_ID,
    FAKE_APP_SECRET,
    FAKE_OA_SECRET_KEY,
    FakeZaloOAServer,
    event_mac,
    oa_file_event,
    oa_text_event,
    post_event,
)

UID = "e4ea2cd5189df1c3a88c"


@pytest.fixture
async def zb() -> AsyncIterator[FakeZaloBotServer]:
    async with FakeZaloBotServer() as server:
        yield server


def bot_url(server: FakeZaloBotServer, method: str) -> str:
    return f"{server.base_url}/bot{DEFAULT_ZALO_BOT_TOKEN}/{method}"


async def test_get_updates_returns_one_update_then_408(zb: FakeZaloBotServer) -> None:
    first = zb.push_update(zalo_text_update(UID, "không đăng nhập được dvc"))
    zb.push_update(zalo_text_update(UID, "tin thứ hai"))
    async with httpx.AsyncClient() as client:
        resp = await client.post(bot_url(zb, "getUpdates"), json={"timeout": "1"})
        assert resp.status_code == 200
        body = resp.json()
        assert body["ok"] is True and body["result"] == first  # one object, not a list
        assert body["result"]["message"]["from"]["display_name"] == "An"
        await client.post(bot_url(zb, "getUpdates"), json={"timeout": "1"})  # takes the second
        empty = await client.post(bot_url(zb, "getUpdates"), json={"timeout": "0.2"})
    assert empty.status_code == 408
    assert empty.json() == {"ok": False, "error_code": 408, "description": "Request timeout"}
    assert [c.status for c in zb.calls_of("getUpdates")] == [200, 200, 408]


async def test_send_message_limits_and_recording(zb: FakeZaloBotServer) -> None:
    async with httpx.AsyncClient() as client:
        ok = await client.post(bot_url(zb, "sendMessage"), json={"chat_id": UID, "text": "Chào bạn"})
        too_long = await client.post(bot_url(zb, "sendMessage"), json={"chat_id": UID, "text": "a" * 2001})
        bad_token = await client.post(f"{zb.base_url}/botnope/getMe", json={})
    assert ok.json()["ok"] is True and set(ok.json()["result"]) == {"message_id", "date"}
    assert too_long.status_code == 400 and too_long.json()["error_code"] == 400
    assert bad_token.status_code == 401
    assert zb.sent_texts(UID) == ["Chào bạn"]


async def test_duplicate_server_headers() -> None:
    async with FakeZaloBotServer(duplicate_server_header=True) as zb, httpx.AsyncClient() as client:
        resp = await client.post(bot_url(zb, "getMe"), json={})
    assert resp.headers.get_list("server") == ["nginx", "ZaloBotAPI"]
    assert resp.json()["result"]["account_type"] == "BASIC"  # the body still parses


async def test_webhook_blocks_polling_and_posts_with_secret(zb: FakeZaloBotServer) -> None:
    seen: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/zalo", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo"
    try:
        async with httpx.AsyncClient() as client:
            short = await client.post(bot_url(zb, "setWebhook"), json={"url": url, "secret_token": "short"})
            assert short.status_code == 400
            await client.post(bot_url(zb, "setWebhook"), json={"url": url, "secret_token": "secret-123"})
            conflict = await client.post(bot_url(zb, "getUpdates"), json={"timeout": "1"})
            assert conflict.json()["ok"] is False
        event = zb.push_update(zalo_text_update(UID, "xin chào"))
        await zb.drain_webhooks()
        image = zalo_image_update(UID, "https://example.invalid/a.jpg", field="photo_url")
        await post_webhook(url, image, "secret-123", wrapped=True)
    finally:
        await runner.cleanup()
    assert seen[0] == ("secret-123", event)
    assert seen[1][1] == {"ok": True, "result": image}
    assert set(IMAGE_URL_FIELDS) == {"photo", "photo_url", "url"}


async def test_oa_token_expiry_then_refresh() -> None:
    async with FakeZaloOAServer() as oa, httpx.AsyncClient(base_url=oa.base_url) as client:
        send = {"recipient": {"user_id": "246845883529197922"}, "message": {"text": "Đã tiếp nhận"}}
        ok = await client.post("/v3.0/oa/message/cs", json=send, headers={"access_token": oa.access_token})
        assert ok.json()["error"] == 0 and "message_id" in ok.json()["data"]

        old_access, old_refresh = oa.access_token, oa.refresh_token
        oa.expire_token()
        expired = await client.post("/v3.0/oa/message/cs", json=send, headers={"access_token": old_access})
        assert expired.status_code == 200  # Zalo reports errors in the body
        assert expired.json() == {"error": -216, "message": "Access token is invalid"}

        form = {"refresh_token": old_refresh, "app_id": FAKE_APP_ID, "grant_type": "refresh_token"}
        refreshed = (
            await client.post("/v4/oa/access_token", data=form, headers={"secret_key": FAKE_APP_SECRET})
        ).json()
        assert refreshed["expires_in"] == "90000" and refreshed["refresh_token"] != old_refresh
        again = await client.post("/v4/oa/access_token", data=form, headers={"secret_key": FAKE_APP_SECRET})
        assert again.json()["error"] == -14014  # refresh tokens are single-use

        retried = await client.post(
            "/v3.0/oa/message/cs", json=send, headers={"access_token": refreshed["access_token"]}
        )
        assert retried.json()["error"] == 0
        oa.close_window("246845883529197922")
        closed = await client.post(
            "/v3.0/oa/message/cs", json=send, headers={"access_token": refreshed["access_token"]}
        )
        assert closed.json()["error"] == -230
    assert oa.sent_texts() == ["Đã tiếp nhận", "Đã tiếp nhận"]


async def test_oa_signed_events() -> None:
    seen: list[tuple[str, bytes]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((request.headers["X-ZEvent-Signature"], await request.read()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/oa", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/oa"
    try:
        await post_event(url, oa_text_event("246845883529197922", "lỗi thanh toán"))
        await post_event(
            url, oa_file_event("246845883529197922", "https://f.invalid/x", "x.pdf", 10, "pdf"), forge=True
        )
    finally:
        await runner.cleanup()
    (good_sig, good_raw), (forged_sig, forged_raw) = seen
    ts = json.loads(good_raw)["timestamp"]
    assert good_sig == "mac=" + event_mac(FAKE_APP_ID, good_raw, ts, FAKE_OA_SECRET_KEY)
    forged_ts = json.loads(forged_raw)["timestamp"]
    assert forged_sig != "mac=" + event_mac(FAKE_APP_ID, forged_raw, forged_ts, FAKE_OA_SECRET_KEY)
    assert "lỗi thanh toán".encode() in good_raw  # raw UTF-8, not \u escapes
