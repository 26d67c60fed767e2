"""Text in pictures end to end (issue #21): the real aiogram client against the fake Bot API, the
real Tesseract reading the screenshot the citizen sends (downloaded with getFile), the real
database. What the citizen and the task force notice: a screenshot alone gets the right FAQ
answer, the card says what the picture says (never the CCCD or phone number in it), /tim finds
it; without Tesseract the bot answers as it always did and says once at start how to install it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.ocr import tesseract
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import (
    photo_update,
    text_update,
)
from tests.support.telegram_bot import answer, running_bot
from tests.test_ocr import needs_tesseract

DATA = Path(__file__).parent / "data" / "ocr"
CITIZEN = 611


def screenshot(tg: FakeTelegramServer, name: str) -> str:
    """The picture as Telegram would serve it for its file id; returns the file id."""
    tg.add_file(name, (DATA / f"{name}.jpg").read_bytes(), f"photos/{name}.jpg")
    return name


async def test_a_screenshot_alone_at_the_menu_gets_the_faq_answer(sqlite_url: str) -> None:
    needs_tesseract()
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url):
        tg.push_update(text_update(CITIZEN, "/start", first_name="Lan"))
        await answer(tg, CITIZEN, "Xin chào Lan")
        tg.push_update(photo_update(CITIZEN, screenshot(tg, "vneid_muc2_phone")))
        reply = await answer(tg, CITIZEN, "📌")
        assert "Tài khoản VNeID mới mức 1, cần mức 2" in reply and "công an" in reply
        assert [c for c in tg.calls_of("getFile") if c.params.get("file_id") == "vneid_muc2_phone"]


async def test_without_tesseract_the_bot_answers_as_before_and_says_how_to_install_it(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tesseract, "tesseract_path", lambda: None)
    caplog.set_level(logging.INFO)
    async with FakeTelegramServer() as tg, running_bot(tg, sqlite_url):
        tg.push_update(text_update(CITIZEN, "/start", first_name="Lan"))
        await answer(tg, CITIZEN, "Xin chào Lan")
        tg.push_update(photo_update(CITIZEN, screenshot(tg, "vneid_muc2_phone")))
        reply = await answer(tg, CITIZEN, "")
        assert "📌" not in reply  # the menu's usual answer to a picture, no FAQ from it
        assert not tg.calls_of("getFile")  # not even downloaded
    hints = [r for r in caplog.records if "tesseract-ocr-vie" in r.getMessage()]
    assert len(hints) == 1 and "apt-get install" in hints[0].getMessage()
