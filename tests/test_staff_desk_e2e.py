"""The staff desk as a busy team uses it (issue #24), over the wire: the real aiogram client and
runners against the fake Bot API, a citizen filing over Telegram and staff in the group.

Status-aware cards and pop-up refusals, prompts instead of empty requests, replies to any bot
message reaching the reporter, corrections, the roster behind /giao, /hangdoi at 40 cases,
/tim without accents, the group's own command menu.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from storage.models import Case, CaseMessage, CaseStatus, Reporter
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, callback_update, group_text_update, text_update
from tests.support.telegram_bot import STAFF_USER, answer, press, running_bot
from tests.test_telegram_e2e import CITIZEN, file_case

KIEN = 903
OTHER = 904
GROUP_LINK = "t.me/c/1234567890/"


def card_message(tg: FakeTelegramServer, code: str) -> dict[str, Any]:
    return next(
        m for m in tg.sent_messages(STAFF_GROUP_ID) if code in m.get("text", "") and m.get("reply_markup")
    )


def labels(markup: dict[str, Any] | None) -> list[str]:
    return [b["text"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


def button(markup: dict[str, Any] | None, label: str) -> str:
    return next(
        b["callback_data"]
        for row in (markup or {}).get("inline_keyboard", [])
        for b in row
        if label in b["text"]
    )


def edited(update: dict[str, Any], text: str) -> dict[str, Any]:
    """The same message, changed by its author (Telegram's edited_message)."""
    message = {**update["message"], "text": text, "edit_date": int(time.time())}
    return {"update_id": update["update_id"] + 100000, "edited_message": message}


async def popup(tg: FakeTelegramServer, contains: str) -> dict[str, Any]:
    [call] = await tg.wait_for(
        "answerCallbackQuery", lambda c: contains in str(c.params.get("text", "")), timeout=10
    )
    return call.params


async def stored_case(runtime: Any, code: str) -> Case:
    async with runtime.app.db.session() as session:
        return (await session.exec(select(Case).where(Case.code == code))).one()


async def test_forum_card_follows_the_case_and_a_stale_button_changes_nothing(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            code = await file_case(tg)
            card = await answer(tg, STAFF_GROUP_ID, code)
            lines = card.splitlines()
            assert lines[0].startswith("🆕 PHẢN ÁNH MỚI") and "VNeID của tôi bị khóa" in lines[1]
            [topic] = tg.calls_of("createForumTopic")
            assert topic.params["name"].startswith("🆕 " + code)
            message = card_message(tg, code)
            thread = message["message_thread_id"]
            assert labels(message["reply_markup"]) == [
                "🙋 Nhận xử lý",
                "❓ Hỏi thêm",
                "✅ Đóng",
                "👤 Giao",
                "📋 Lịch sử",
            ]
            ask_key = button(message["reply_markup"], "Hỏi thêm")

            # "Đóng" asks for the result; the reply to that prompt closes the case with it.
            tg.push_update(
                callback_update(
                    STAFF_USER,
                    button(message["reply_markup"], "Đóng"),
                    message["message_id"],
                    chat_id=STAFF_GROUP_ID,
                    message_thread_id=thread,
                )
            )
            await answer(tg, STAFF_GROUP_ID, "Kết quả giải quyết phản ánh")
            prompt = tg.sent_messages(STAFF_GROUP_ID)[-1]
            tg.push_update(
                group_text_update(
                    STAFF_USER,
                    "Đã mở khóa tài khoản, bạn đăng nhập lại nhé.",
                    message_thread_id=thread,
                    reply_to_message=prompt,
                    username="canbo_an",
                )
            )
            result = await answer(tg, CITIZEN, "đã được giải quyết")
            assert "Đã mở khóa tài khoản" in result
            await tg.wait_for(
                "editForumTopic", lambda c: str(c.params.get("name", "")).startswith("✅"), timeout=10
            )
            await press(tg, CITIZEN, "Hài lòng")
            await tg.wait_for("closeForumTopic", timeout=10)
            await tg.wait_for("editMessageText", lambda c: "ĐÃ ĐÓNG" in str(c.params.get("text")), timeout=10)
            closed_card = [
                c for c in tg.calls_of("editMessageText") if "ĐÃ ĐÓNG" in str(c.params.get("text"))
            ][-1]
            assert labels(closed_card.params["reply_markup"]) == ["🔄 Mở lại", "📋 Lịch sử"]

            # The old card's "Hỏi thêm", pressed after the case closed: nothing changes, and only
            # the one who pressed is told why.
            before = len(tg.sent_messages(CITIZEN))
            group_before = len(tg.sent_messages(STAFF_GROUP_ID))
            tg.push_update(
                callback_update(
                    STAFF_USER,
                    ask_key,
                    message["message_id"],
                    chat_id=STAFF_GROUP_ID,
                    message_thread_id=thread,
                )
            )
            alert = await popup(tg, "đã đóng")
            assert alert["show_alert"] is True and code in alert["text"]
            case = await stored_case(runtime, code)
            assert case.status == CaseStatus.CLOSED and case.rating == "hai_long"
            assert len(tg.sent_messages(CITIZEN)) == before
            assert len(tg.sent_messages(STAFF_GROUP_ID)) == group_before

            # "Mở lại" on the closed card reopens the case and its topic.
            tg.push_update(
                callback_update(
                    STAFF_USER,
                    button(closed_card.params["reply_markup"], "Mở lại"),
                    message["message_id"],
                    chat_id=STAFF_GROUP_ID,
                    message_thread_id=thread,
                )
            )
            await answer(tg, CITIZEN, "mở lại")
            await tg.wait_for("reopenForumTopic", timeout=10)
            assert (await stored_case(runtime, code)).status == CaseStatus.IN_PROGRESS


async def test_plain_group_replies_edits_prompts_and_refreshed_card(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=False, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            code = await file_case(tg)
            await answer(tg, STAFF_GROUP_ID, code)
            card = card_message(tg, code)

            tg.push_update(group_text_update(STAFF_USER, "/nhan", reply_to_message=card, username="canbo_an"))
            await answer(tg, STAFF_GROUP_ID, "đã nhận xử lý")
            confirmation = tg.sent_messages(STAFF_GROUP_ID)[-1]
            # A reply to the bot's confirmation (not to the card) is an answer for the reporter.
            reply = group_text_update(
                STAFF_USER,
                "Chào bạn, bạn thử đăng nhập lại sau 30 phút nhé.",
                reply_to_message=confirmation,
                username="canbo_an",
            )
            tg.push_update(reply)
            relayed = await answer(tg, CITIZEN, "Tổ công tác trả lời")
            assert "sau 30 phút" in relayed
            # The staff member fixes a typo in that answer: the reporter gets the corrected text.
            tg.push_update(edited(reply, "Chào bạn, bạn thử đăng nhập lại sau 60 phút nhé."))
            correction = await answer(tg, CITIZEN, "sửa lại tin nhắn trước")
            assert "sau 60 phút" in correction and code in correction
            await answer(tg, STAFF_GROUP_ID, "Đã gửi lại bản sửa")
            async with runtime.app.db.session() as session:
                texts = [
                    m.text for m in (await session.exec(select(CaseMessage))).all() if m.direction == "out"
                ]
            assert "Chào bạn, bạn thử đăng nhập lại sau 60 phút nhé." in texts

            # /chobosung with no question asks for it; the reply to the prompt goes to the reporter.
            sent = len(tg.sent_messages(CITIZEN))
            tg.push_update(
                group_text_update(STAFF_USER, "/chobosung", reply_to_message=card, username="canbo_an")
            )
            asking = await answer(tg, STAFF_GROUP_ID, "Câu hỏi cho người phản ánh")
            assert asking.startswith("@canbo_an ")  # the reply box opens for them (ForceReply, selective)
            [call] = [c for c in tg.calls_of("sendMessage") if c.params.get("text") == asking]
            assert call.params["reply_markup"] == {"force_reply": True, "selective": True}
            assert len(tg.sent_messages(CITIZEN)) == sent  # nothing empty went out
            prompt = tg.sent_messages(STAFF_GROUP_ID)[-1]
            tg.push_update(
                group_text_update(
                    STAFF_USER,
                    "Bạn gửi giúp ảnh màn hình báo khóa nhé",
                    reply_to_message=prompt,
                    username="canbo_an",
                )
            )
            asked = await answer(tg, CITIZEN, "ảnh màn hình báo khóa")
            assert "bổ sung" in asked
            await tg.wait_for(
                "editMessageText", lambda c: "CHỜ NGƯỜI PHẢN ÁNH" in str(c.params.get("text")), timeout=10
            )

            # The reporter answers: the card no longer says it waits for them.
            tg.push_update(text_update(CITIZEN, "Đây ạ, màn hình báo tài khoản bị khóa 24 giờ"))
            await answer(tg, STAFF_GROUP_ID, "màn hình báo tài khoản bị khóa")
            await tg.wait_for(
                "editMessageText", lambda c: "🛠️ ĐANG XỬ LÝ" in str(c.params.get("text")), timeout=10
            )

            # A message that replies to nothing goes nowhere, and the group is told so (once).
            tg.push_update(
                group_text_update(STAFF_USER, "Bạn kiểm tra lại giúp mình nhé", username="canbo_an")
            )
            await answer(tg, STAFF_GROUP_ID, "Tin này chưa gửi cho ai")


async def test_giao_accepts_only_staff_seen_in_the_group(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=False, title="Tổ công tác")
        for user in (STAFF_USER, KIEN):
            tg.set_member(STAFF_GROUP_ID, user, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            code = await file_case(tg)
            await answer(tg, STAFF_GROUP_ID, code)
            card = card_message(tg, code)
            tg.push_update(group_text_update(KIEN, "/hangdoi", username="kien_tct", first_name="Kiên"))
            await answer(tg, STAFF_GROUP_ID, "Hàng đợi")

            tg.push_update(
                group_text_update(STAFF_USER, "/giao @kienn_tct", reply_to_message=card, username="canbo_an")
            )
            refused = await answer(tg, STAFF_GROUP_ID, "chưa giao được")
            assert "@kienn_tct" in refused and "Ý bạn là @kien_tct?" in refused
            case = await stored_case(runtime, code)
            assert case.assignee_name is None and case.status == CaseStatus.NEW
            picker = tg.sent_messages(STAFF_GROUP_ID)[-1]
            assert labels(picker["reply_markup"])[0] == "@kien_tct"

            tg.push_update(
                callback_update(
                    STAFF_USER,
                    button(picker["reply_markup"], "@kien_tct"),
                    picker["message_id"],
                    chat_id=STAFF_GROUP_ID,
                )
            )
            await tg.wait_for(
                "editMessageText", lambda c: "đã giao cho @kien_tct" in str(c.params.get("text")), timeout=10
            )
            case = await stored_case(runtime, code)
            assert case.assignee_name == "@kien_tct" and case.assignee_id == KIEN

            # Someone else presses the card's old "Nhận xử lý": a pop-up for them, nothing taken.
            tg.set_member(STAFF_GROUP_ID, OTHER, "member")
            tg.push_update(
                callback_update(
                    OTHER,
                    button(card["reply_markup"], "Nhận xử lý"),
                    card["message_id"],
                    chat_id=STAFF_GROUP_ID,
                )
            )
            alert = await popup(tg, "đang do @kien_tct xử lý")
            assert alert["show_alert"] is True
            assert (await stored_case(runtime, code)).assignee_id == KIEN

            # A mistyped command: a suggestion, not the whole help.
            tg.push_update(
                group_text_update(STAFF_USER, "/dongg xong", reply_to_message=card, username="canbo_an")
            )
            suggestion = await answer(tg, STAFF_GROUP_ID, "Ý bạn là /dong?")
            assert len(suggestion) < 120
            commands = tg.commands.get(
                (json.dumps({"chat_id": STAFF_GROUP_ID, "type": "chat"}, sort_keys=True), "")
            )
            assert commands and {"hangdoi", "nhan", "dong", "giao"} <= {c["command"] for c in commands}


async def _seed(runtime: Any, now: datetime) -> list[str]:
    """40 overdue cases (4 urgent) and 5 on time, as if filed over the past days."""
    codes = []
    async with runtime.app.db.unit() as session:
        reporter = Reporter(channel="telegram", external_id="7001", display_name="Nguyễn Thị Hoà")
        session.add(reporter)
        await session.flush()
        assert reporter.id is not None
        for index in range(45):
            overdue = index < 40
            due = now - timedelta(hours=45 - index) if overdue else now + timedelta(hours=index)
            code = f"PA-261201-{index:04d}"
            case = Case(
                code=code,
                reporter_id=reporter.id,
                channel="telegram",
                chat_id="7001",
                status=CaseStatus.IN_PROGRESS,
                priority="urgent" if index % 10 == 9 else "normal",
                unit_code=None,
                system="vneid",
                description=f"Hồ sơ số {index} cấp phiếu lý lịch tư pháp trực tuyến bị treo ở bước thanh toán",
                created_at=now - timedelta(days=3),
                resolution_due=due,
                first_response_due=due,
                first_response_at=now - timedelta(days=2),
                staff_chat_id=str(STAFF_GROUP_ID),
                card_message_id=2000 + index,
            )
            session.add(case)
            codes.append(code)
    return codes


async def test_queue_pages_overdue_first_and_search_ignores_accents(sqlite_url: str) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=False, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        async with running_bot(tg, sqlite_url) as runtime:
            codes = await _seed(runtime, datetime.now(UTC))
            tg.push_update(group_text_update(STAFF_USER, "/hangdoi quahan", username="canbo_an"))
            page = await answer(tg, STAFF_GROUP_ID, "Hàng đợi (quá hạn)")
            lines = page.splitlines()
            assert "40 phản ánh" in lines[0] and "trang 1/4" in lines[0]
            case_lines = [li for li in lines if "PA-261201-" in li]
            assert len(case_lines) == 10 and case_lines[0].split()[1] == codes[0]  # the most overdue first
            assert all("QUÁ HẠN" in li for li in case_lines) and "🚨" in page
            assert f"{GROUP_LINK}2000" in page and "cấp phiếu lý…" in page
            assert len(page) < 2000
            listing = tg.sent_messages(STAFF_GROUP_ID)[-1]
            assert labels(listing["reply_markup"]) == ["Trang sau ▶️"]

            tg.push_update(
                callback_update(
                    STAFF_USER,
                    button(listing["reply_markup"], "Trang sau"),
                    listing["message_id"],
                    chat_id=STAFF_GROUP_ID,
                )
            )
            [edit] = await tg.wait_for(
                "editMessageText", lambda c: "trang 2/4" in str(c.params.get("text")), timeout=10
            )
            assert edit.params["message_id"] == listing["message_id"] and codes[10] in edit.params["text"]

            tg.push_update(group_text_update(STAFF_USER, "/tim ly lich tu phap so 7", username="canbo_an"))
            found = await answer(tg, STAFF_GROUP_ID, "Tìm “ly lich tu phap so 7”")
            assert codes[7] in found and f"{GROUP_LINK}2007" in found
            tg.push_update(group_text_update(STAFF_USER, "/tim nguyen thi hoa", username="canbo_an"))
            by_name = await answer(tg, STAFF_GROUP_ID, "Tìm “nguyen thi hoa”")
            assert "45 phản ánh" in by_name
