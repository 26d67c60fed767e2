"""Zalo OA: the reply window (free 48 hours by default), deferred replies, staff replies to OA reporters."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import select

from bot.app import Application
from bot.delivery.channel import DeliveryDeferred, PermanentFailure, RetryLater
from bot.delivery.outbox import enqueue
from bot.settings import ConfigError, load_settings
from bot.zalo.oa import (
    CHANNEL,
    REASON_QUOTA,
    REASON_WINDOW,
)
from bot.zalo.oa_window import ReplyWindow
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind, Outgoing, Reply
from handlers.services import StaticStaff
from storage.db import Database
from storage.models import OutboxMessage
from tests.test_zalo_bot import only_case, text_only_intake
from tests.test_zalo_oa import OA, USER, Clock, oa_channel


@pytest.fixture
async def oa(db: Database) -> AsyncIterator[OA]:
    async with oa_channel(db) as channel:
        yield channel


# -- the free reply window -----------------------------------------------------------------


async def test_a_reply_after_48_hours_goes_within_seven_days_only_when_paid_replies_are_set(
    db: Database,
) -> None:
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
