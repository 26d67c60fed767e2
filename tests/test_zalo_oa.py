"""The Zalo Official Account channel over the real wire: signed webhook events in, cs messages out
(FakeZaloOAServer on 127.0.0.1 serves both the OpenAPI and the OAuth host)."""

from __future__ import annotations

import asyncio
import json
import logging
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
from bot.delivery import DeliveryDeferred, PermanentFailure, RetryLater, SendResult
from bot.outbox import enqueue
from bot.settings import ConfigError, load_settings
from bot.zalo_oa import (
    CHANNEL,
    OPERATOR_WAIT,
    REASON_QUOTA,
    REASON_RECIPIENT_QUOTA,
    REASON_WINDOW,
    TOKENS_KEY,
    event_to_incoming,
    signature_valid,
)
from bot.zalo_oa_sender import ZaloOASender
from bot.zalo_oa_tokens import OATokens
from bot.zalo_oa_webhook import ZaloOAWebhook
from bot.zalo_oa_window import ReplyWindow
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind, Outgoing, Reply
from handlers.services import StaticStaff
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
class RecordingHooks:
    """Outbox hooks that remember what staff would be told (the integrator's hooks post it)."""

    failed_reasons: list[tuple[str, str]] = field(default_factory=list)

    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]:
        return dict(row.payload)

    async def delivered(
        self, session: AsyncSession, row: OutboxMessage, result: SendResult
    ) -> list[Outgoing]:
        return []

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


# -- the free reply window -----------------------------------------------------------------


async def test_a_reply_after_48_hours_goes_within_seven_days_only_when_paid_replies_are_set(db: Database) -> None:
    # Zalo charges a consultation reply after 48 hours but sends it (with a funded Zalo Cloud
    # Account); it refuses only after 7 days. An explicit setting, never the default.
    paid = {"zalo_oa_window_hours": 168, "zalo_oa_paid_replies": True}
    async with oa_channel(db, delivery=paid) as oa:
        await oa.say("/start")
        oa.clock.offset = 6 * 86400
        await oa.relay("Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé.")
        assert oa.server.sent_texts(USER)[-1] == "Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé."
        assert not await oa.rows("deferred") and not oa.hooks.failed_reasons


async def test_by_default_a_reply_after_48_hours_waits_for_the_person(oa: OA) -> None:
    await oa.say("/start")
    oa.clock.offset = 49 * 3600
    await oa.relay("Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé.")
    assert len(await oa.rows("deferred")) == 1
    assert oa.hooks.failed_reasons == [(USER, REASON_WINDOW.format(window="48 giờ"))]
    assert "khắc phục" not in "\n".join(oa.server.sent_texts(USER))  # no charged message


def test_a_paid_window_must_be_explicit() -> None:
    with pytest.raises(ConfigError, match="zalo_oa_paid_replies"):
        load_settings(delivery={"zalo_oa_window_hours": 168})
    with pytest.raises(ConfigError, match="zalo_oa_window_hours"):
        load_settings(delivery={"zalo_oa_window_hours": 200, "zalo_oa_paid_replies": True})


async def test_out_of_window_reply_is_deferred_then_delivered_when_the_person_writes(oa: OA) -> None:
    await oa.say("/start")
    oa.clock.offset = 8 * 86400  # eight days later, the person silent
    await oa.relay("Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé.")
    [deferred] = await oa.rows("deferred")
    assert deferred.chat_id == USER
    expected = REASON_WINDOW.format(window="48 giờ")
    assert oa.hooks.failed_reasons == [(USER, expected)]  # staff are told why, in Vietnamese
    assert "Đã quá 48 giờ kể từ tin nhắn cuối" in expected and "8 tin" not in expected
    assert "khắc phục" not in "\n".join(oa.server.sent_texts(USER))  # nothing was even tried
    oa.clock.offset = 0

    out = await oa.say("Mình vẫn chưa đăng nhập được")
    texts = oa.server.sent_texts(USER)
    assert "Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé." in out
    assert (
        texts.index("Tổ công tác: lỗi đã được khắc phục, bạn thử lại nhé.") < len(texts) - 1
    )  # delivered first
    assert not await oa.rows("deferred")
    assert len(oa.hooks.failed_reasons) == 1


async def test_zalo_refusal_defers_and_later_replies_wait_without_calls(oa: OA) -> None:
    await oa.say("/start")
    oa.server.close_window(USER, code=-230)
    await oa.relay("Trả lời thứ nhất")
    calls = len(oa.server.calls_of("message/cs"))
    await oa.relay("Trả lời thứ hai")
    assert len(oa.server.calls_of("message/cs")) == calls  # known closed: Zalo is not asked again
    assert len(await oa.rows("deferred")) == 2
    assert all("-230" in reason for _, reason in oa.hooks.failed_reasons)
    oa.server.open_window(USER)
    await oa.say("alo")
    texts = oa.server.sent_texts(USER)
    assert texts.index("Trả lời thứ nhất") < texts.index("Trả lời thứ hai")
    assert not await oa.rows("deferred")


async def test_no_reply_cap_by_default(oa: OA) -> None:
    # Free consultation replies are unlimited within 48 h since 1/1/2026; a verified OA has no cap.
    await oa.say("/start")
    for n in range(10):
        await oa.relay(f"Tin {n}")
    assert oa.server.sent_texts(USER)[-10:] == [f"Tin {n}" for n in range(10)]
    assert not await oa.rows("deferred")


async def test_a_configured_cap_and_48_hour_window(db: Database) -> None:
    # What an operator who must never send a charged message (or an unverified OA) configures.
    limits = {"zalo_oa_window_hours": 48, "zalo_oa_free_replies": 8}
    async with oa_channel(db, delivery=limits) as oa:
        await oa.say("/start")
        sent_after_start = len(oa.server.sent_texts(USER))
        for n in range(10):
            await oa.relay(f"Tin {n}")
        assert len(oa.server.sent_texts(USER)) == 8  # the greeting counted too
        assert len(await oa.rows("deferred")) == 10 - (8 - sent_after_start)
        assert oa.hooks.failed_reasons[0][1] == REASON_QUOTA.format(count=8, window="48 giờ")
        assert "Đã gửi đủ 8 tin trong 48 giờ" in oa.hooks.failed_reasons[0][1]

        await oa.say("Cảm ơn")  # a new window: what waited goes out
        assert not await oa.rows("deferred")
        oa.clock.offset = 49 * 3600
        await oa.relay("Sau hai ngày")
        assert oa.hooks.failed_reasons[-1][1] == REASON_WINDOW.format(window="48 giờ")


async def test_long_reply_split_at_2000(oa: OA) -> None:
    await oa.say("/start")
    text = ("Hướng dẫn chi tiết cách xử lý lỗi thanh toán trực tuyến trên Cổng DVC quốc gia. " * 60).strip()
    assert len(text) > 4000
    async with oa.app.db.session() as session:
        reply = Reply(text, choices=[Choice("a", "Đã làm được"), Choice("b", "Vẫn lỗi")])
        await enqueue(session, [Outgoing(CHANNEL, USER, reply, purpose="relay")])
    await oa.drain()
    parts = oa.server.sent_texts(USER)[1:]
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert parts[-1].endswith("👉 Trả lời 1 hoặc 2 (hoặc gõ nội dung lựa chọn).")


async def test_photo_by_url_and_other_errors(oa: OA) -> None:
    await oa.say("/start")
    reply = Reply(
        "Ảnh hướng dẫn", attachments=[AttachmentRef("photo", "https://f.zdn.vn/hd.png", None, None, None)]
    )
    await oa.sender.send(USER, reply.to_dict())
    photo = next(c for c in oa.server.calls_of("message/cs") if "attachment" in c.params["message"])
    assert photo.params["message"]["attachment"]["payload"]["elements"] == [
        {"media_type": "image", "url": "https://f.zdn.vn/hd.png"}
    ]
    oa.server.fail_api("message/cs", -201, "user_id is invalid!")
    with pytest.raises(PermanentFailure):
        await oa.sender.send(USER, Reply("x").to_dict())
    oa.server.fail_api("message/cs", -32)
    with pytest.raises(RetryLater):
        await oa.sender.send(USER, Reply("x").to_dict())
    oa.server.fail("message/cs", 503)
    with pytest.raises(RetryLater):
        await oa.sender.send(USER, Reply("x").to_dict())


# -- runtime wiring ------------------------------------------------------------------------


async def test_runtime_serves_the_oa_webhook(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    async with FakeZaloOAServer(app_secret=FAKE_APP_SECRET) as server:
        server.expire_token()  # the reply needs a refresh: the app secret is checked too
        runtime = await _runtime(
            tmp_path,
            ["zalo-oa"],
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
        try:
            webhook = runtime.settings.webhook
            url = f"http://127.0.0.1:{webhook.port}{webhook.zalo_oa_path}"
            for _ in range(50):  # the web server starts inside serve()
                try:
                    event = oa_text_event(USER, "/start")
                    result = await post_event(url, event, secret_key=FAKE_OA_SECRET_KEY)
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert result.status == 200
            await server.wait_for("message/cs", lambda c: c.ok and "Xin chào" in str(c.params), timeout=10)
            assert server.token_refreshes == 1
        finally:
            stop.set()
            await serving
            await runtime.close()


async def test_runtime_names_the_missing_oa_setting(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    runtime = await _runtime(tmp_path, ["zalo-oa"], zalo_oa_app_id=FAKE_APP_ID, zalo_oa_secret_key=None)
    with pytest.raises(ConfigError, match="ZALO_OA_SECRET_KEY"):
        await runtime.setup()
    await runtime.close()
    runtime = await _runtime(
        tmp_path,
        ["zalo-oa"],
        zalo_oa_app_id=FAKE_APP_ID,
        zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
        zalo_oa_app_secret=FAKE_APP_SECRET,
    )
    with pytest.raises(ConfigError, match="ZALO_OA_ACCESS_TOKEN"):
        await runtime.setup()
    await runtime.close()


async def test_window_state_survives_in_the_database(db: Database) -> None:
    clock = Clock()
    window = ReplyWindow(db, free_messages=8, clock=clock)
    async with db.session() as session:
        await window.opened(session, USER, time.time())
    await window.spent(USER, 3)
    again = ReplyWindow(db, free_messages=8, clock=clock)  # another instance / a restart
    state = await again.load(USER)
    assert state.sent == 3 and again.blocked(state, 5) is None and again.blocked(state, 6) is not None
    async with db.session() as session:  # a redelivered (older) event does not reset the quota
        await window.opened(session, USER, (state.last_in or 0) - 10)
    assert (await again.load(USER)).sent == 3


# -- staff replies ---------------------------------------------------------------------------

GROUP = "-100777"
STAFF = "900"


async def staff_says(app: Application, text: str) -> None:
    """A staff member's command in the Telegram staff group (the Telegram side is tested elsewhere)."""
    head, _, rest = text.partition(" ")
    event = Incoming(
        channel="telegram",
        user_id=STAFF,
        chat_id=GROUP,
        kind=Kind.COMMAND,
        text=text,
        command=head[1:],
        args=rest,
        username="canbo_an",
        display_name="Cán bộ An",
        update_key=f"staff-{time.monotonic_ns()}",
        chat_kind=ChatKind.STAFF,
    )
    await app.receive(event)


async def test_staff_reply_reaches_the_oa_reporter_or_waits_for_the_window(db: Database) -> None:
    async with oa_channel(db, record_hooks=False, staff_chat_id=int(GROUP)) as oa:
        oa.app.staff_directory = StaticStaff({STAFF}, set())
        await text_only_intake(oa.say)
        case = await only_case(oa.app.db)

        await staff_says(oa.app, f"/chobosung {case.code} Bạn gửi giúp ảnh màn hình báo lỗi nhé")
        await oa.drain()
        assert "Bạn gửi giúp ảnh màn hình báo lỗi nhé" in oa.server.sent_texts(USER)[-1]

        # Eight days of silence: Zalo would refuse the next staff message; staff are told in the case thread.
        oa.clock.offset = 8 * 86400
        await staff_says(oa.app, f"/chobosung {case.code} Bạn còn gặp lỗi không?")
        await oa.drain()
        assert "Bạn còn gặp lỗi không?" not in "\n".join(oa.server.sent_texts(USER))
        async with oa.app.db.session() as session:
            to_group = (await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP))).all()
        [notice] = [r for r in to_group if "Chưa gửi được tin nhắn tới người phản ánh" in r.payload["text"]]
        assert case.code in notice.payload["text"] and "48 giờ" in notice.payload["text"]
        assert notice.case_id == case.id

        oa.clock.offset = 0
        out = await oa.say("Vẫn lỗi ạ, đây là ảnh")
        assert "Bạn còn gặp lỗi không?" in out
        assert not await oa.rows("deferred")


async def test_quiet_oa_refreshes_a_stale_pair(oa: OA) -> None:
    assert await oa.tokens.refresh_if_stale(7 * 86400)  # the environment's pair: age unknown
    assert oa.server.token_refreshes == 1
    assert not await oa.tokens.refresh_if_stale(7 * 86400)  # just refreshed
    oa.clock.offset = 8 * 86400  # a week later: stale (and the 25-hour access token long expired)
    await oa.tokens.refresh_if_stale(7 * 86400)
    assert oa.server.token_refreshes == 2
    stop = asyncio.Event()
    task = asyncio.create_task(oa.tokens.keep_fresh(stop, every=0.05, max_age=0))
    await oa.server.wait_for("access_token", count=3, timeout=5)
    stop.set()
    await asyncio.wait_for(task, timeout=5)


async def test_refusal_in_the_middle_of_a_long_reply_keeps_the_progress(oa: OA) -> None:
    await oa.say("/start")
    greeting_count = len(oa.server.sent_texts(USER))
    text = ("Hướng dẫn chi tiết cách xử lý lỗi thanh toán trực tuyến trên Cổng DVC quốc gia. " * 60).strip()
    payload = Reply(text).to_dict()
    assert len(oa.sender.messages(payload)) == 3

    async def close_after_first_part(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/message/cs"):
            oa.server.close_window(USER, code=-230)  # Zalo stops accepting after this part

    oa.http.event_hooks["response"].append(close_after_first_part)
    with pytest.raises(DeliveryDeferred) as caught:
        await oa.sender.send(USER, payload)
    oa.http.event_hooks["response"].clear()
    assert getattr(caught.value, "progress", None) == {"sent_parts": 1}
    assert (await oa.sender.window.load(USER)).sent == greeting_count + 1  # the part that went out counts

    oa.server.open_window(USER)
    async with oa.app.db.session() as session:  # the person writes again
        await oa.sender.window.opened(session, USER)
    await oa.sender.send(USER, {**payload, "sent_parts": 1})  # what the outbox keeps for the next attempt
    texts = oa.server.sent_texts(USER)[greeting_count:]
    assert len(texts) == 3 and " ".join(texts).count("Cổng DVC quốc gia") == 60


# -- settings and Zalo's error codes ---------------------------------------------------------


async def test_window_settings_reach_the_runtime(tmp_path: Any) -> None:
    from tests.test_zalo_bot import _runtime

    defaults = load_settings().delivery  # config.yaml: the free 48 hours, no cap
    assert (defaults.zalo_oa_window_hours, defaults.zalo_oa_free_replies) == (48, 0)
    assert not defaults.zalo_oa_paid_replies
    for delivery, expected in (
        ({}, (48, 0)),
        ({"zalo_oa_window_hours": 168, "zalo_oa_paid_replies": True, "zalo_oa_free_replies": 8}, (168, 8)),
    ):
        runtime = await _runtime(
            tmp_path,
            ["zalo-oa"],
            delivery=delivery,
            zalo_oa_app_id=FAKE_APP_ID,
            zalo_oa_secret_key=FAKE_OA_SECRET_KEY,
            zalo_oa_app_secret=FAKE_APP_SECRET,
            zalo_oa_access_token="fake-oa-access-0",
            zalo_oa_refresh_token="fake-oa-refresh-0",
        )
        try:
            await runtime.setup()
            window = runtime.app.senders[CHANNEL].window
            assert (window.hours, window.free_messages) == expected
        finally:
            await runtime.close()


@pytest.mark.parametrize("code", [-233, -244])
async def test_codes_that_never_succeed_fail_at_once(oa: OA, code: int) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", code)
    with pytest.raises(PermanentFailure, match=str(code)):
        await oa.sender.send(USER, Reply("x").to_dict())


@pytest.mark.parametrize("code", [-211, -219, -221, -223, -224])
async def test_operator_codes_wait_long_and_log_an_error(
    oa: OA, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", code, times=2)
    for _ in range(2):
        with pytest.raises(RetryLater) as caught:
            await oa.sender.send(USER, Reply("x").to_dict())
        assert caught.value.retry_after == OPERATOR_WAIT
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.zalo_oa_sender"]
    assert len(errors) == 1 and str(code) in errors[0].getMessage()  # once, not once per reply
    assert not await oa.rows("deferred")


async def test_an_unknown_code_is_retried_as_before(oa: OA) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", -999, "Something new")
    with pytest.raises(RetryLater) as caught:
        await oa.sender.send(USER, Reply("x").to_dict())
    assert caught.value.retry_after is None


async def test_recipient_quota_defers_until_the_person_writes(oa: OA) -> None:
    await oa.say("/start")
    oa.server.fail_api("message/cs", -218)  # "Out of quota receive"
    await oa.relay("Trả lời thứ nhất")
    calls = len(oa.server.calls_of("message/cs"))
    await oa.relay("Trả lời thứ hai")
    assert len(oa.server.calls_of("message/cs")) == calls  # known refused: Zalo is not asked again
    assert len(await oa.rows("deferred")) == 2
    assert oa.hooks.failed_reasons == [(USER, REASON_RECIPIENT_QUOTA)] * 2
    await oa.say("alo")
    texts = oa.server.sent_texts(USER)
    assert texts.index("Trả lời thứ nhất") < texts.index("Trả lời thứ hai")
    assert not await oa.rows("deferred")


async def test_rate_limit_answered_in_the_body_waits_a_minute(oa: OA) -> None:
    await oa.say("/start")
    oa.server.requests_per_minute = oa.server.rate_used  # this minute's budget is spent
    limited: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        limited.append(response)

    oa.http.event_hooks["response"].append(keep)
    with pytest.raises(RetryLater) as caught:
        await oa.sender.send(USER, Reply("x").to_dict())
    oa.http.event_hooks["response"].clear()
    assert caught.value.retry_after == 60
    [response] = limited
    assert response.status_code == 200 and response.headers["X-RateLimit-Remain"] == "0"
    await response.aread()
    assert response.json()["error"] == -32
    assert not await oa.rows("deferred")  # a wait, not a refusal that needs the person

    oa.server.requests_per_minute = 4000
    await oa.sender.send(USER, Reply("x").to_dict())
