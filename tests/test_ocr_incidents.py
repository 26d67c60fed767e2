"""Incidents from screenshots (issue #21): citizens of several units send only a screenshot of the
same error the FAQ does not know; the task force gets one alert about that message, and a later
report with the same screenshot joins the incident. Through the real intake and the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app import Application
from handlers.events import AttachmentRef, Kind
from storage.db import Database
from storage.models import Case, Incident
from tests.support.transcript import Transcript
from tests.test_incident_desk import UNITS
from tests.test_jobs_support import jobs_app, outbox

# What bot.ocr put on the picture (the reading itself: tests/test_ocr.py); the FAQ places it nowhere.
SHOWN = "Lỗi E1023: phiên giao dịch TT-0042\nkhông hợp lệ"


@pytest.fixture
async def app(db: Database, tmp_path: Path) -> AsyncIterator[Application]:
    async with jobs_app(db, tmp_path) as application:
        yield application


async def screenshot_report(app: Application, user: int, unit: str) -> Transcript:
    chat = Transcript(app, user=str(user), name=f"Dân {user}")
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say(unit)
    await chat.tap(UNITS[unit])
    await chat.tap("Khác")
    picture = AttachmentRef("photo", f"shot-{user}", None, "image/jpeg", 30000, text=SHOWN)
    await chat.send(chat._event(Kind.ATTACHMENT, attachments=[picture]))  # the screenshot, no words
    chat.expect("mã hồ sơ")  # the FAQ had nothing: straight on
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    await chat.contact(f"+8491234{user:04d}")
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")
    return chat


async def test_the_same_error_in_screenshots_from_three_units_is_one_incident(app: Application) -> None:
    units = ["le chan", "an lao", "cat hai", "le chan", "an lao"]
    for i, unit in enumerate(units[:4]):
        await screenshot_report(app, 3001 + i, unit)
    assert await outbox(app.db, purpose="incident") == []  # four: not yet
    await screenshot_report(app, 3005, units[4])
    [alert] = await outbox(app.db, purpose="incident")
    text = alert.payload["text"]
    assert (
        "5 phản ánh về cùng thông báo lỗi trong ảnh «loi e1023 phien giao dich tt 0042 khong hop le»" in text
    )
    [incident] = await _all(app, Incident)
    assert incident.key == "error:loi e1023 phien giao dich tt 0042 khong hop le"

    later = await screenshot_report(app, 3006, "hong bang")
    cases = await _all(app, Case)
    assert {c.incident_id for c in cases} == {incident.id}  # the five and the one after
    assert all(c.faq_topic is None and c.system == "khac" for c in cases)
    later.expect("Đã tiếp nhận")


async def _all(app: Application, model: Any) -> list[Any]:
    async with app.db.session() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def test_erasing_a_persons_data_erases_what_was_read_in_their_pictures(app: Application) -> None:
    from storage.erasure import erase_cases
    from storage.models import Attachment

    await screenshot_report(app, 3101, "le chan")
    async with app.db.unit() as session:
        cases = list((await session.exec(select(Case))).all())
        assert cases[0].picture_text == SHOWN
        await erase_cases(session, cases)
    [case] = await _all(app, Case)
    [picture] = await _all(app, Attachment)
    assert case.picture_text is None and picture.text is None and picture.file_ref == ""


async def test_a_screenshot_with_a_few_words_keeps_the_words_and_still_gets_the_faq(app: Application) -> None:
    chat = Transcript(app, user="3201", name="Dân")
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("le chan")
    await chat.tap("Phường Lê Chân")
    await chat.tap("VNeID")
    shown = "Tài khoản chưa được định danh mức 2. Vui\nlòng kích hoạt tài khoản định danh điện tử"
    picture = AttachmentRef("photo", "shot-3201", None, "image/jpeg", 30000, text=shown)
    await chat.send(chat._event(Kind.ATTACHMENT, text="lỗi này ạ", attachments=[picture]))
    chat.expect("Có phải bạn gặp vấn đề này?", "Tài khoản VNeID mới mức 1, cần mức 2")
    await chat.tap("Chưa, gửi Tổ công tác")
    await chat.tap("Bỏ qua")  # dossier code
    await chat.tap("Bỏ qua")  # procedure
    await chat.contact("+84912340001")
    chat.expect("lỗi này ạ")  # their words, as typed
