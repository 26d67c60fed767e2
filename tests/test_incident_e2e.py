"""One outage, one thread (issue #23), end to end: the real aiogram client against the fake Bot
API enforcing Telegram's limits, the morning of a VNeID outage scaled down in time.

Time runs SCALE times faster than in life: the group's 20 messages a minute are 20 per
60/SCALE seconds (in the fake and in the bot's own limiter), the incident card is edited at most
once per 60/SCALE seconds, and "within one minute" is within 60/SCALE seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlmodel import col, select

from bot.delivery.ratelimit import Limit
from bot.runtime import Runtime
from storage.models import Case, Incident, OutboxMessage
from tests.fakes.telegram import FakeTelegramServer, TelegramLimits
from tests.fakes.updates import (
    STAFF_GROUP_ID,
    callback_update,
    contact_update,
    group_text_update,
    text_update,
)
from tests.support.telegram_bot import STAFF_USER, press, running_bot

# INCIDENT_E2E_SCALE=1 runs the morning in real time (about six minutes).
SCALE = float(os.environ.get("INCIDENT_E2E_SCALE", "4"))
MINUTE = 60.0 / SCALE
OUTAGE = "VNeID báo hệ thống đang bảo trì, không đăng nhập được"
PAYMENT = "Đã thanh toán lệ phí trực tuyến nhưng hồ sơ vẫn báo chưa nộp phí, trừ tiền hai lần"
UNITS = [
    "An Biên", "An Dương", "An Hải", "Bạch Đằng", "Chu Văn An", "Dương Kinh", "Gia Viên", "Hòa Bình",
    "Hải An", "Hồng Bàng", "Kiến An", "Lê Chân", "Ngô Quyền", "Nam Triệu", "Thủy Nguyên", "Trần Liễu",
]  # fmt: skip


def limits() -> TelegramLimits:
    return TelegramLimits(private_per_second=50, global_per_second=300, group_window_seconds=MINUTE)


@asynccontextmanager
async def bot(tg: FakeTelegramServer, url: str) -> AsyncIterator[Runtime]:
    """The bot with Telegram's group limit scaled like the fake's, and the card edit interval too."""
    async with running_bot(tg, url, jobs={"incidents": {"card_edit_seconds": MINUTE}}) as runtime:
        sender: Any = runtime.app.senders["telegram"]
        sender._group = Limit(19, MINUTE)  # the bot keeps under the limit, as with 19 a minute
        yield runtime


class Inbox:
    """What the bot sent to each chat, read once: with 60 people waiting at a time, each
    looking through every call the fake recorded (tests.support.telegram_bot.answer) is too slow."""

    def __init__(self, tg: FakeTelegramServer) -> None:
        self.tg = tg
        self.position = 0
        self.texts: dict[str, list[str]] = defaultdict(list)
        self.read: dict[str, int] = defaultdict(int)

    def _scan(self) -> None:
        calls = self.tg.calls
        for call in calls[self.position :]:
            if call.method == "sendMessage" and call.ok:
                self.texts[str(call.params.get("chat_id"))].append(str(call.params.get("text", "")))
        self.position = len(calls)

    async def next(self, chat: int, contains: str = "", timeout: float = 60) -> str:
        """The bot's next text to ``chat`` containing ``contains`` (skipping those before it)."""
        key = str(chat)

        def found() -> int | None:
            self._scan()
            fresh = self.texts[key][self.read[key] :]
            return next((i for i, text in enumerate(fresh) if contains in text), None)

        changed = self.tg._changed
        assert changed is not None
        async with asyncio.timeout(timeout), changed:
            await changed.wait_for(lambda: found() is not None)
        index = found()
        assert index is not None
        text = self.texts[key][self.read[key] + index]
        self.read[key] += index + 1
        return text


async def file_case(
    tg: FakeTelegramServer,
    inbox: Inbox,
    user: int,
    unit: str,
    system: str = "VNeID",
    text: str = OUTAGE,
    timing: dict[str, float] | None = None,
) -> str:
    """A citizen's whole intake over the wire; returns the case code."""
    tg.push_update(text_update(user, "/start", first_name=f"Dân {user}"))
    await inbox.next(user, "Xin chào")
    await press(tg, user, "Gửi phản ánh")
    await inbox.next(user, "Nghị định 13/2023")
    await press(tg, user, "Tôi đồng ý")
    await inbox.next(user, "Bạn là:")
    await press(tg, user, "Người dân")
    await inbox.next(user, "xã, phường hay đặc khu")
    tg.push_update(text_update(user, f"phường {unit}"))
    if "hệ thống nào" not in await inbox.next(user):
        await press(tg, user, unit)
        await inbox.next(user, "hệ thống nào")
    await press(tg, user, system)
    await inbox.next(user, "mô tả ngắn gọn")
    tg.push_update(text_update(user, text))
    await inbox.next(user, "Đã ghi nhận mô tả")
    await press(tg, user, "Tiếp tục")
    reply = await inbox.next(user)
    if "Có phải" in reply or "giống một trong" in reply:
        await press(tg, user, "gửi Tổ công tác")
        reply = await inbox.next(user)
    if "mã hồ sơ" not in reply:
        await inbox.next(user, "mã hồ sơ")
    await press(tg, user, "Bỏ qua")
    await inbox.next(user, "thủ tục gì")
    await press(tg, user, "Bỏ qua")
    await inbox.next(user, "số điện thoại")
    tg.push_update(contact_update(user, f"8491{user:07d}"))
    await inbox.next(user, "kiểm tra lại")
    if timing is not None:
        timing["submitted"] = time.monotonic()
    await press(tg, user, "Gửi phản ánh")
    done = await inbox.next(user, "Đã tiếp nhận")
    return done.split("Mã phản ánh: ")[1].split()[0]


def group_messages(tg: FakeTelegramServer) -> list[str]:
    """Messages the group received (new messages; edits are not counted)."""
    return [str(m.get("text", "")) for m in tg.sent_messages(STAFF_GROUP_ID)]


def told(tg: FakeTelegramServer, user: int) -> bool:
    return any("Nhiều người đang phản ánh" in t or "sự cố chung" in t for t in tg.sent_texts(user))


async def until(check: Any, timeout: float, step: float = 0.1) -> float:
    """Wait until ``check()`` is true; returns how long it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(step)
    return time.monotonic() - start


async def burst(tg: FakeTelegramServer, inbox: Inbox, users: range, spread: float) -> list[str]:
    """Citizens reporting the outage, one every ``spread / len(users)`` seconds."""

    async def one(index: int, user: int) -> str:
        await asyncio.sleep(index * spread / len(users))
        return await file_case(tg, inbox, user, UNITS[index % len(UNITS)])

    return list(await asyncio.gather(*(one(i, u) for i, u in enumerate(users))))


async def db_rows(runtime: Runtime, model: Any) -> list[Any]:
    async with runtime.app.db.session() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


@pytest.mark.timeout(200 + 800 / SCALE)
async def test_vneid_outage_morning_gives_one_thread(sqlite_url: str) -> None:
    """60 citizens from 16 units in 90 (scaled) seconds, an unrelated case in the middle, and a
    restart of the bot half way: every case filed, ≤ 15 messages to the group, at least half
    the citizens told at once, the unrelated case in the group within a (scaled) minute."""
    async with FakeTelegramServer(enforce_limits=limits()) as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        inbox = Inbox(tg)
        async with bot(tg, sqlite_url) as runtime:
            first = burst(tg, inbox, range(6001, 6031), spread=45 / SCALE)
            unrelated: dict[str, Any] = {}

            async def payment_case() -> None:
                await asyncio.sleep(25 / SCALE)
                timing: dict[str, float] = {}
                code = await file_case(
                    tg, inbox, 7001, "Lê Chân", system="Thanh toán", text=PAYMENT, timing=timing
                )
                unrelated["code"] = code
                await until(lambda: any(code in t for t in group_messages(tg)), 3 * MINUTE)
                # From the citizen pressing "Gửi phản ánh" to the card reaching the group (fake's clock).
                [card] = [
                    c
                    for c in tg.calls_of("sendMessage")
                    if c.ok
                    and code in str(c.params.get("text"))
                    and str(c.params.get("chat_id")) == str(STAFF_GROUP_ID)
                ]
                unrelated["latency"] = card.time - timing["submitted"]

            started = time.monotonic()
            codes, _ = await asyncio.gather(first, payment_case())
            latency = float(unrelated["latency"])
        # Restart in the middle of the burst: the rest of it after a new start.
        async with bot(tg, sqlite_url) as runtime:
            codes += await burst(tg, inbox, range(6031, 6061), spread=45 / SCALE)
            await asyncio.sleep(2 * MINUTE)  # the queue settles, the last card edit is due
            cases = await db_rows(runtime, Case)
            incidents = await db_rows(runtime, Incident)
            rows = await db_rows(runtime, OutboxMessage)
            elapsed = time.monotonic() - started

    group = group_messages(tg)
    users = range(6001, 6061)
    told_share = sum(told(tg, u) for u in users) / len(users)
    edits = [c for c in tg.calls_of("editMessageText") if c.ok]
    print(
        f"\nburst: {len(cases)} cases, {len(group)} messages to the group, "
        f"{told_share:.0%} of citizens told, unrelated case in the group after {latency:.1f} s "
        f"(= {latency * SCALE:.0f} s unscaled), {len(edits)} card edits, "
        f"{sum('Trạng thái:' in t for t in group)} case cards: "
        + " | ".join(t[:60].replace("\n", " ") for t in group)
    )
    # Every case filed, once.
    assert len(codes) == 60 and len(set(codes)) == 60 and len(cases) == 61
    [incident] = incidents
    linked = [c for c in cases if c.incident_id == incident.id]
    assert len(linked) == 60 and incident.card_message_id is not None
    # The group: the cards before detection, lines pointing them to the incident, the alert and
    # the incident card, the unrelated case; nothing posted twice across the restart.
    assert len(group) <= 15, group
    assert sum("CẢNH BÁO NGHI CÓ SỰ CỐ" in t for t in group) == 1
    assert all(len(cards_of(tg, c)) <= 1 for c in codes)
    topics = {m.get("message_thread_id") for m in tg.sent_messages(STAFF_GROUP_ID)} - {None}
    assert len(tg.calls_of("createForumTopic")) == len(topics)
    assert told_share >= 0.5
    assert latency <= MINUTE
    # The incident card shows the whole burst, edited in place no more than once a (scaled) minute.
    card = [c for c in edits if c.params.get("message_id") == incident.card_message_id]
    assert card and "60 phản ánh" in str(card[-1].params["text"])
    assert len(card) <= elapsed / MINUTE + 1
    gaps = [b.time - a.time for a, b in itertools.pairwise(card)]
    assert all(gap >= MINUTE - 0.5 for gap in gaps), gaps  # at most once a (scaled) minute
    assert len([c for c in tg.calls_of("createForumTopic") if "Sự cố" in str(c.params.get("name"))]) == 1
    held = [r for r in rows if r.status == "held"]
    assert {r.case_id for r in held} <= {c.id for c in linked}
    assert not [r for r in rows if r.status in ("pending", "claimed", "sending")]


SIGNING = "Không ký số được hồ sơ trên cổng dịch vụ công, báo lỗi không kết nối được máy chủ chữ ký số"


def cards_of(tg: FakeTelegramServer, code: str) -> list[str]:
    """The case cards the group received for ``code`` (the card shows the status line)."""
    return [t for t in group_messages(tg) if code in t and "Trạng thái:" in t]


@pytest.mark.timeout(300)
async def test_two_outages_merge_unlink_open_and_dismiss(sqlite_url: str) -> None:
    """Two different outages at once are two incidents; staff merge them, unlink one case, open
    one from the card's button and finally dismiss: every held case is then posted, once."""
    async with FakeTelegramServer(enforce_limits=limits()) as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        inbox = Inbox(tg)
        async with bot(tg, sqlite_url) as runtime:

            async def one(index: int, user: int, system: str, text: str) -> str:
                await asyncio.sleep(index * 0.4)
                return await file_case(tg, inbox, user, UNITS[index % len(UNITS)], system=system, text=text)

            vneid = [one(i, 8001 + i, "VNeID", OUTAGE) for i in range(7)]
            signing = [one(i, 8101 + i, "Chữ ký số", SIGNING) for i in range(7)]
            codes = list(await asyncio.gather(*vneid, *signing))

            async def incidents() -> list[Incident]:
                return await db_rows(runtime, Incident)

            async def cases() -> dict[str, Case]:
                return {c.code: c for c in await db_rows(runtime, Case)}

            async def settled(check: Any, timeout: float = 3 * MINUTE) -> None:
                start = time.monotonic()
                while not await check():
                    assert time.monotonic() - start < timeout, "not settled"
                    await asyncio.sleep(0.2)

            async def cards_out() -> bool:
                return all(i.card_message_id for i in await incidents())

            await settled(cards_out)
            first, second = await incidents()
            assert len({first.key, second.key}) == 2  # two different outages, two incidents
            assert sum("CẢNH BÁO NGHI CÓ SỰ CỐ" in t for t in group_messages(tg)) == 2
            by_code = await cases()
            held = [c for c in by_code.values() if c.incident_held]
            assert held and all(not cards_of(tg, c.code) for c in held)

            def staff(text: str, thread: int | None = None) -> None:
                tg.push_update(
                    group_text_update(STAFF_USER, text, message_thread_id=thread, username="canbo_an")
                )

            # Merge the second outage into the first: one incident, its card counts all 14.
            staff(f"/suco gop {first.id} {second.id}")
            await inbox.next(STAFF_GROUP_ID, f"Đã gộp sự cố #{second.id} vào #{first.id}")
            merged = {i.id: i for i in await incidents()}
            assert merged[second.id].status == "merged"
            assert {c.incident_id for c in (await cases()).values()} == {first.id}

            # Unlink one held case: it is posted as a normal card (its own topic).
            unlinked = held[0]
            staff(f"/suco tach {unlinked.code}", thread=first.thread_id)
            await inbox.next(STAFF_GROUP_ID, f"Đã tách {unlinked.code}")
            await until(lambda: len(cards_of(tg, unlinked.code)) == 1, 2 * MINUTE)
            assert (await cases())[unlinked.code].incident_id is None

            # Open another from the incident card's button: its topic is created, it stays linked.
            opened = held[1]
            tg.push_update(
                callback_update(
                    STAFF_USER,
                    f"staff:xem:{opened.id}",
                    int(first.card_message_id or 0),
                    chat_id=STAFF_GROUP_ID,
                    message_thread_id=first.thread_id,
                )
            )
            await until(lambda: len(cards_of(tg, opened.code)) == 1, 2 * MINUTE)
            now = await cases()
            assert now[opened.code].incident_id == first.id and not now[opened.code].incident_held

            # Not an incident after all: every case still held is posted as a normal card.
            staff(f"/suco bo {first.id}")
            await inbox.next(STAFF_GROUP_ID, f"Đã bỏ sự cố #{first.id}")
            await until(lambda: all(cards_of(tg, code) for code in codes), 3 * MINUTE)
            await asyncio.sleep(MINUTE / 2)
            final = await cases()
            rows = await db_rows(runtime, OutboxMessage)

    assert all(len(cards_of(tg, code)) == 1 for code in codes)  # nothing lost, nothing twice
    assert not any(c.incident_held for c in final.values())
    assert not [r for r in rows if r.status in ("held", "pending", "claimed", "sending")]
    # Every citizen heard at once that the problem is known.
    assert all(told(tg, user) for user in [*range(8001, 8008), *range(8101, 8108)])
