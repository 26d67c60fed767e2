"""Commands in the staff group that name a bot: ours are handled, another bot's are left to it."""

from __future__ import annotations

from aiogram.types import Update

from bot.telegram.adapter import update_to_incoming
from handlers.events import Incoming, Kind
from tests.fakes.updates import STAFF_GROUP_ID, group_text_update, text_update

OURS = "hp_tthc_bot"


def parsed(raw: dict) -> Incoming | None:
    return update_to_incoming(Update.model_validate(raw), STAFF_GROUP_ID, OURS)


def test_a_group_command_for_another_bot_is_not_ours() -> None:
    assert parsed(group_text_update(900, "/hangdoi@OtherBot")) is None


def test_a_group_command_for_this_bot_is_handled() -> None:
    event = parsed(group_text_update(900, f"/tim@{OURS.upper()} 0912345678"))
    assert event is not None and event.kind == Kind.COMMAND
    assert (event.command, event.args) == ("tim", "0912345678")


def test_a_private_command_naming_another_bot_still_gets_an_answer() -> None:
    # Only this bot reads its private chat: the person typed a name wrong, answer them anyway.
    event = parsed(text_update(501, "/start@OtherBot"))
    assert event is not None and event.command == "start"
