"""Text menus on channels without buttons (Zalo, console) under an FAQ answer that has numbered
steps of its own: the choices sit under a rule with keycap numbers ("2️⃣"), the steps keep "2. ",
so the person can tell which "2" to answer, and answering "2" still picks the second choice."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import Application
from bot.console import ConsoleSender, line_to_incoming
from bot.settings import load_settings
from bot.zalo.bot_api import plan_parts
from faq.knowledge import load_knowledge_base
from handlers.choices import Prompt, resolve_choice
from handlers.citizen import texts
from handlers.citizen.language import texts_for
from handlers.events import MENU_RULE, Choice, Incoming, Kind, Reply, keycap, render_numbered
from storage.db import Database
from tests.support.transcript import Transcript

KEYCAP = "\ufe0f\u20e3"
STEP = re.compile(r"^\d+\. ", re.MULTILINE)
AFTER_ANSWER = [
    Choice("faqafter:ok", texts.FAQ_HELPFUL),
    Choice("faqafter:report", texts.FAQ_REPORT),
    Choice("faqafter:more", texts.FAQ_MORE),
]


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    yield Application(load_settings(conversation={"flood_messages": 500}), db=db)


def on_zalo(replies: list[Reply]) -> str:
    """What the person reads on Zalo: the texts the Zalo senders send for these replies."""
    return "\n\n".join(part.text for reply in replies for part in plan_parts(reply) if part.text)


def number_of(menu: str, label: str) -> str:
    """The number of the choice ``label`` in a rendered menu (what a person would type)."""
    for line in menu.split(MENU_RULE)[-1].splitlines():
        match = re.match(rf"^((?:\d{KEYCAP})+) (.*)$", line)
        if match and label.lower() in match.group(2).lower():
            return match.group(1).replace(KEYCAP, "")
    raise AssertionError(f"no choice {label!r} in:\n{menu}")


def split_menu(message: str) -> tuple[str, list[str]]:
    """The message's text and the lines under its (single) menu rule."""
    assert message.count(MENU_RULE) == 1, message
    text, _, menu = message.partition(MENU_RULE)
    return text, menu.strip("\n").splitlines()


async def test_an_faq_answer_with_steps_and_its_choices_on_zalo(app: Application) -> None:
    topic = load_knowledge_base().topics["tra_cuu_tinh_trang"]
    chat = Transcript(app, channel="zalo_bot", name=None)
    menu = on_zalo(await chat.say("/start"))
    await chat.say(number_of(menu, "Câu hỏi thường gặp"))
    shown = on_zalo(await chat.say("tra cứu hồ sơ ở đâu"))

    assert shown == (
        f"📌 {topic.title}\n\n{topic.answer}\n\n"
        "━━━━━━━━━━\n"
        "1️⃣ 👍 Đã rõ, cảm ơn\n"
        "2️⃣ 📝 Gửi phản ánh\n"
        "3️⃣ ❓ Câu hỏi khác\n"
        "👉 Trả lời 1, 2 hoặc 3 (hoặc gõ nội dung lựa chọn)."
    )
    text, menu_lines = split_menu(shown)
    assert [step[:3] for step in STEP.findall(text)] == ["1. ", "2. ", "3. "]  # the answer's own steps
    assert KEYCAP not in text
    assert [line for line in menu_lines if KEYCAP in line] == menu_lines[:3]  # keycaps: the choices only
    assert not STEP.search("\n".join(menu_lines))

    await chat.say("2")  # the second choice, not the answer's step 2
    chat.expect("Nghị định 13/2023")  # "Gửi phản ánh": the report starts with the consent question
    chat.expect_not("📌")


async def test_the_same_answer_in_the_console_and_a_number_typed_there(app: Application) -> None:
    chat = Transcript(app, channel="console", name=None)
    await chat.say("/start")
    await chat.say(number_of(render_numbered(chat.last), "Câu hỏi thường gặp"))
    chat.expect(texts.FAQ_BROWSE)
    await chat.say("quen mat khau vneid")
    chat.expect("📌 ", "Quên passcode")
    stream = io.StringIO()
    await ConsoleSender(stream).send("local", chat.last.to_dict())
    printed = stream.getvalue()
    assert "\n   1. Mở ứng dụng VNeID" in printed  # a step, indented like every line of the bot's message
    assert printed.endswith(
        "\n   ━━━━━━━━━━\n   1️⃣ 👍 Đã rõ, cảm ơn\n   2️⃣ 📝 Gửi phản ánh\n   3️⃣ ❓ Câu hỏi khác\n"
        "   👉 Trả lời 1, 2 hoặc 3 (hoặc gõ nội dung lựa chọn).\n"
    )
    event = line_to_incoming("3\n", chat.user, 1)  # what the console makes of a typed line
    await chat.send(replace(event, update_key="console-3"))
    chat.expect(texts.FAQ_BROWSE)  # "Câu hỏi khác": the FAQ's first screen again


async def test_an_english_reader_gets_the_same_layout_with_english_words(app: Application) -> None:
    chat = Transcript(app, channel="zalo_bot", name=None)
    await chat.say("/en")
    menu = on_zalo(await chat.say("/start"))
    assert "👉 Reply 1, 2" in menu and KEYCAP in menu
    await chat.say(number_of(menu, "Common questions"))
    shown = on_zalo(await chat.say("tra cứu hồ sơ ở đâu"))
    text, menu_lines = split_menu(shown)
    assert text.startswith("📌") and STEP.search(text) and KEYCAP not in text
    texts_en = texts_for("en")
    assert menu_lines == [
        f"1️⃣ {texts_en.FAQ_HELPFUL}",
        f"2️⃣ {texts_en.FAQ_REPORT}",
        f"3️⃣ {texts_en.FAQ_MORE}",
        "👉 Reply 1, 2 or 3 (or type your choice).",
    ]
    await chat.say("1")
    chat.expect("Glad I could help")


def test_no_faq_answer_can_be_mistaken_for_its_menu() -> None:
    for topic in load_knowledge_base().topics.values():
        message = render_numbered(
            Reply(texts.FAQ_ANSWER.format(title=topic.title, answer=topic.answer), AFTER_ANSWER)
        )
        text, menu_lines = split_menu(message)
        assert KEYCAP not in text and MENU_RULE not in topic.answer, topic.id
        assert [line.split(" ", 1)[0] for line in menu_lines[:3]] == ["1️⃣", "2️⃣", "3️⃣"], topic.id
        assert not STEP.search("\n".join(menu_lines)), topic.id


def test_long_menus_number_every_digit_and_typed_numbers_still_resolve() -> None:
    assert keycap(1) == "1️⃣" and keycap(12) == "1️⃣2️⃣"
    choices = [Choice(f"unit:{n}", f"Xã {n}") for n in range(1, 13)]
    message = render_numbered(Reply("Bạn chọn đơn vị:", choices))
    assert "\n1️⃣2️⃣ Xã 12\n👉 Trả lời 1, 2, 3" in message
    assert number_of(message, "Xã 12") == "12"
    typed = Incoming("zalo_bot", "u", "u", Kind.TEXT, text="12")
    assert resolve_choice(typed, Prompt("Bạn chọn đơn vị:", choices)).choice == "unit:12"
    assert render_numbered(Reply("Không có lựa chọn")) == "Không có lựa chọn"
