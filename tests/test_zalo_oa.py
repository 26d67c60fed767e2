"""The Zalo Official Account channel over the real wire: signed webhook events in, cs messages out
(FakeZaloOAServer on 127.0.0.1 serves both the OpenAPI and the OAuth host)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Application
from bot.delivery.channel import RetryLater
from bot.delivery.outbox import enqueue
from bot.delivery.rows import NoHooks
from bot.settings import load_settings
from bot.zalo.oa import (
    CHANNEL,
    TOKENS_KEY,
    event_to_incoming,
    signature_valid,
)
from bot.zalo.oa_sender import ZaloOASender
from bot.zalo.oa_tokens import OATokens
from bot.zalo.oa_webhook import ZaloOAWebhook
from bot.zalo.oa_window import ReplyWindow
from handlers.events import AttachmentRef, Kind, Outgoing, Reply
from storage import repo
from storage.db import Database
from storage.models import Attachment, Conversation, OutboxMessage, ProcessedUpdate, Reporter
from tests.fakes.zalo_oa import (
    FAKE_APP_ID,
    FAKE_APP_SECRET,
    FAKE_OA_SECRET_KEY,
    FakeZaloOAServer,
    oa_file_event,
    oa_follow_event,
    oa_image_event,
    oa_text_event,
    post_event,
    raw_event_body,
    sign_event,
)
from tests.test_zalo_bot import count, only_case, text_only_intake

USER = "2468458835296117922"
PATH = "/webhook/zalo-oa"


class Clock:
    """Wall clock the tests can move forward (the reply window is 7 days by default)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class RecordingHooks(NoHooks):
    """Outbox hooks that remember what staff would be told (the integrator's hooks post it)."""

    failed_reasons: list[tuple[str, str]] = field(default_factory=list)

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]:
        self.failed_reasons.append((row.chat_id, reason))
        return []


@dataclass
class OA:
    server: FakeZaloOAServer
    app: Application
    url: str
    sender: ZaloOASender
    tokens: OATokens
    webhook: ZaloOAWebhook
    clock: Clock
    hooks: RecordingHooks
    http: httpx.AsyncClient

    async def post(self, event: dict[str, Any], **kwargs: Any) -> int:
        kwargs.setdefault("secret_key", FAKE_OA_SECRET_KEY)
        return (await post_event(self.url, event, **kwargs)).status

    async def drain(self) -> None:
        assert self.app.outbox is not None
        await self.app.outbox.drain(timeout=10, channels={CHANNEL})

    async def deliver(self, event: dict[str, Any], user: str = USER) -> str:
        start = len(self.server.sent_texts(user))
        assert await self.post(event) == 200
        await self.drain()
        return "\n".join(self.server.sent_texts(user)[start:])

    async def say(self, text: str, user: str = USER) -> str:
        return await self.deliver(oa_text_event(user, text), user)

    async def relay(self, text: str, user: str = USER) -> None:
        """What the queue does when staff answer in the case thread."""
        async with self.app.db.session() as session:
            await enqueue(session, [Outgoing(CHANNEL, user, Reply(text), purpose="relay")])
        await self.drain()

    async def rows(self, status: str) -> list[OutboxMessage]:
        async with self.app.db.session() as session:
            statement = select(OutboxMessage).where(OutboxMessage.status == status)
            return list((await session.exec(statement)).all())


def make_tokens(db: Database, http: httpx.AsyncClient, server: FakeZaloOAServer, clock: Clock) -> OATokens:
    return OATokens(
        db,
        http,
        app_id=FAKE_APP_ID,
        app_secret=FAKE_APP_SECRET,
        oauth_base=server.base_url,
        initial_access_token="fake-oa-access-0",
        initial_refresh_token="fake-oa-refresh-0",
        clock=clock,
    )


@asynccontextmanager
async def oa_channel(db: Database, *, record_hooks: bool = True, **settings: Any) -> AsyncIterator[OA]:
    async with FakeZaloOAServer(app_secret=FAKE_APP_SECRET) as server, httpx.AsyncClient(timeout=10) as http:
        clock = Clock()
        app = Application(load_settings(**settings), db=db)
        hooks = RecordingHooks()
        if record_hooks:
            app.outbox_hooks = hooks
        tokens = make_tokens(db, http, server, clock)
        delivery = app.settings.delivery
        window = ReplyWindow(
            db, hours=delivery.zalo_oa_window_hours, free_messages=delivery.zalo_oa_free_replies, clock=clock
        )
        sender = ZaloOASender(
            http, tokens, window, api_base=server.base_url, per_second=50, per_chat_per_second=20
        )
        app.add_sender(sender)
        app.start_outbox()
        webhook = ZaloOAWebhook(app, app_id=FAKE_APP_ID, oa_secret_key=FAKE_OA_SECRET_KEY, window=window)
        web_app = web.Application()
        web_app.router.add_post(PATH, webhook.handle)
        site = TestServer(web_app, host="127.0.0.1")
        await site.start_server()
        try:
            yield OA(server, app, str(site.make_url(PATH)), sender, tokens, webhook, clock, hooks, http)
        finally:
            await webhook.close()
            await site.close()
            assert app.outbox is not None
            await app.outbox.stop()


@pytest.fixture
async def oa(db: Database) -> AsyncIterator[OA]:
    async with oa_channel(db) as channel:
        yield channel


# -- the conversation over the wire --------------------------------------------------------


async def test_full_intake_over_the_oa_webhook(oa: OA) -> None:
    async def attach() -> str:
        return await oa.deliver(oa_image_event(USER, "https://photo-stal.zadn.vn/loi-vneid.jpg"))

    final = await text_only_intake(oa.say, attach)
    case = await only_case(oa.app.db)
    assert case.channel == "zalo_oa" and case.chat_id == USER and case.code in final
    assert case.phone == "0912345678" and case.system == "vneid"
    async with oa.app.db.session() as session:
        [attachment] = (await session.exec(select(Attachment))).all()
    assert attachment.file_ref == "https://photo-stal.zadn.vn/loi-vneid.jpg" and attachment.kind == "photo"
    calls = oa.server.calls_of("message/cs")
    assert calls and all(c.ok for c in calls)
    assert all(c.headers.get("access_token") == "fake-oa-access-0" for c in calls)  # a bare header
    assert all(c.params["recipient"] == {"user_id": USER} for c in calls)


async def test_follow_greets_like_start(oa: OA) -> None:
    out = await oa.deliver(oa_follow_event(USER))
    assert "Xin chào" in out and "1️⃣ 📝 Gửi phản ánh" in out


async def test_file_event_becomes_a_document_attachment() -> None:
    event = event_to_incoming(oa_file_event(USER, "https://f.zdn.vn/loi.pdf", "ảnh lỗi.pdf", 123456, "pdf"))
    assert event is not None and event.kind == Kind.ATTACHMENT
    assert event.attachments == [
        AttachmentRef("document", "https://f.zdn.vn/loi.pdf", "ảnh lỗi.pdf", "application/pdf", 123456)
    ]
    nameless = event_to_incoming(oa_file_event(USER, "https://f.zdn.vn/x", "", 10, "docx"))
    assert nameless is not None and nameless.attachments[0].mime_type is not None
    image = event_to_incoming(
        oa_image_event(USER, "https://f.zdn.vn/a.jpg", text="màn hình lỗi", msg_id="m-7")
    )
    assert image is not None and image.text == "màn hình lỗi" and image.update_key == "m-7"
    command = event_to_incoming(oa_text_event(USER, "/tracuu PA-251123-7KQ4"))
    assert command is not None and command.kind == Kind.COMMAND and command.args == "PA-251123-7KQ4"
    for ignored in ("user_seen_message", "user_received_message", "oa_send_text", "unfollow"):
        assert event_to_incoming({**oa_text_event(USER, "x"), "event_name": ignored}) is None
    sticker = event_to_incoming({**oa_text_event(USER, ""), "event_name": "user_send_sticker"})
    assert sticker is not None and sticker.kind == Kind.UNSUPPORTED


async def test_file_upload_is_accepted_in_the_description_step(oa: OA) -> None:
    await oa.say("/start")
    await oa.say("1")
    await oa.say("dong y")
    await oa.say("nguoi dan")
    await oa.say("le chan")
    out = await oa.say("1")
    out = await oa.say("3")
    assert "mô tả" in out
    out = await oa.deliver(oa_file_event(USER, "https://f.zdn.vn/loi.pdf", "loi.pdf", 20_000, "pdf"))
    assert "Đã nhận 1 tệp" in out


async def test_same_msg_id_twice_has_one_effect(oa: OA) -> None:
    event = oa_text_event(USER, "/start", msg_id="oa-dup-1")
    assert await oa.post(event) == 200
    assert await oa.post(json.loads(json.dumps(event))) == 200  # Zalo retries the same event
    await oa.drain()
    assert len([t for t in oa.server.sent_texts(USER) if "Xin chào" in t]) == 1
    assert await count(oa.app.db, ProcessedUpdate) == 1


# -- signature -----------------------------------------------------------------------------


async def test_forged_or_missing_signature_is_refused_and_nothing_stored(oa: OA) -> None:
    event = oa_text_event(USER, "/start")
    assert await oa.post(event, forge=True) == 403
    assert await oa.post(event, secret_key="another-oa-secret") == 403
    assert await oa.post(event, secret_key=FAKE_APP_SECRET) == 403  # the other secret is not this one
    raw = raw_event_body(event)
    async with aiohttp.ClientSession() as session:
        # No header at all.
        async with session.post(
            oa.url, data=raw.encode(), headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 401
        # Signed for one body, sent with another (a tampered text).
        signature = sign_event(FAKE_APP_ID, raw, str(event["timestamp"]), FAKE_OA_SECRET_KEY)
        tampered = raw.replace("/start", "/huy")
        headers = {"Content-Type": "application/json", "X-ZEvent-Signature": signature}
        async with session.post(oa.url, data=tampered.encode(), headers=headers) as resp:
            assert resp.status == 403
        # The MAC is over the raw bytes: the same JSON re-serialised differently fails.
        respaced = json.dumps(event)
        async with session.post(oa.url, data=respaced.encode(), headers=headers) as resp:
            assert resp.status == 403
    for model in (ProcessedUpdate, Conversation, Reporter, OutboxMessage):
        assert await count(oa.app.db, model) == 0, model
    assert not oa.server.calls_of("message/cs")


def test_signature_accepts_with_or_without_mac_prefix() -> None:
    raw = raw_event_body(oa_text_event(USER, "Xin chào")).encode()
    mac = sign_event(FAKE_APP_ID, raw, "123", FAKE_OA_SECRET_KEY)
    assert signature_valid(mac, FAKE_APP_ID, raw, "123", FAKE_OA_SECRET_KEY)
    assert signature_valid(mac.removeprefix("mac="), FAKE_APP_ID, raw, "123", FAKE_OA_SECRET_KEY)
    assert not signature_valid(mac, FAKE_APP_ID, raw, "124", FAKE_OA_SECRET_KEY)


async def test_slow_processing_still_answers_fast_and_finishes(oa: OA) -> None:
    receive = oa.app.receive

    async def slow_receive(event: Any) -> None:
        await asyncio.sleep(0.5)
        await receive(event)

    oa.app.receive = slow_receive  # type: ignore[method-assign]
    oa.webhook.budget = 0.05
    started = time.monotonic()
    assert await oa.post(oa_text_event(USER, "/start", msg_id="slow-1")) == 200
    assert time.monotonic() - started < 0.4
    await oa.webhook.close()
    await oa.drain()
    assert any("Xin chào" in t for t in oa.server.sent_texts(USER))


async def test_ignored_events_answer_200_and_store_nothing(oa: OA) -> None:
    seen = {**oa_text_event(USER, "x"), "event_name": "user_seen_message"}
    assert await oa.post(seen) == 200
    assert await count(oa.app.db, ProcessedUpdate) == 0


# -- tokens --------------------------------------------------------------------------------


async def test_expired_token_is_refreshed_persisted_and_the_message_delivered(oa: OA) -> None:
    await oa.say("/start")
    oa.server.expire_token()  # answers -216 until a refresh
    await oa.relay("Tổ công tác đã nhận phản ánh của bạn và đang kiểm tra.")
    assert oa.server.sent_texts(USER)[-1] == "Tổ công tác đã nhận phản ánh của bạn và đang kiểm tra."
    assert oa.server.token_refreshes == 1
    [refresh] = oa.server.calls_of("access_token")
    assert refresh.headers.get("secret_key") == FAKE_APP_SECRET  # the app's secret, not the OA's
    assert refresh.params == {
        "app_id": FAKE_APP_ID,
        "refresh_token": "fake-oa-refresh-0",
        "grant_type": "refresh_token",
    }
    async with oa.app.db.session() as session:
        stored = json.loads(await repo.kv_get(session, TOKENS_KEY) or "{}")
    assert (stored["access_token"], stored["refresh_token"]) == ("fake-oa-access-1", "fake-oa-refresh-1")
    assert stored["expires_at"] > time.time() + 24 * 3600  # expires_in "90000" (a string)
    assert not await oa.rows("failed") and not await oa.rows("pending")

    # A restart with the same (now dead) pair in the environment reads the stored pair first.
    restarted = make_tokens(oa.app.db, oa.http, oa.server, oa.clock)
    assert (await restarted.current()).access_token == "fake-oa-access-1"


async def test_concurrent_sends_refresh_once(oa: OA) -> None:
    users = ["111", "222", "333", "444"]
    for user in users:
        await oa.say("/start", user=user)
    oa.server.expire_token(code=-220)
    async with oa.app.db.session() as session:
        await enqueue(session, [Outgoing(CHANNEL, u, Reply(f"Trả lời {u}"), purpose="relay") for u in users])
    await oa.drain()
    assert oa.server.token_refreshes == 1
    refused = [c for c in oa.server.calls_of("message/cs") if c.response.get("error") == -220]
    # Usually several sends meet the expired token at once (how many depends on scheduling);
    # however many did, there was exactly one refresh and every reply arrived.
    assert len(refused) >= 1
    for user in users:
        assert oa.server.sent_texts(user)[-1] == f"Trả lời {user}"


async def test_operator_supplied_pair_replaces_a_stored_one(oa: OA) -> None:
    oa.server.expire_token()
    await oa.say("/start")  # refreshed to pair 1 and stored
    assert oa.server.token_refreshes == 1
    newer = OATokens(
        oa.app.db,
        oa.http,
        app_id=FAKE_APP_ID,
        app_secret=FAKE_APP_SECRET,
        oauth_base=oa.server.base_url,
        initial_access_token="operator-access",
        initial_refresh_token="operator-refresh",
    )
    assert (await newer.current()).access_token == "operator-access"


async def test_refused_refresh_waits_instead_of_failing(oa: OA) -> None:
    await oa.say("/start")
    oa.server.expire_token()
    oa.server.refresh_token = "rotated-elsewhere"  # our refresh token is dead
    with pytest.raises(RetryLater, match="refresh refused"):
        await oa.sender.send(USER, Reply("x").to_dict())
