"""The bots' "/" menus: citizens' (Vietnamese, and English for English-language Telegram apps) and the
staff group's own (scope: that chat), set at start-up."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from bot.telegram.staff_group import set_staff_menu

COMMANDS = [
    BotCommand(command="batdau", description="Bắt đầu lại"),
    BotCommand(command="huy", description="Hủy thao tác đang làm"),
    BotCommand(command="tracuu", description="Tra cứu phản ánh theo mã"),
    BotCommand(command="bosung", description="Gửi thêm thông tin cho phản ánh"),
    BotCommand(command="trogiup", description="Hướng dẫn sử dụng"),
    BotCommand(command="xoadulieu", description="Xóa dữ liệu cá nhân của tôi"),
    BotCommand(command="en", description="English"),
]
# The same menu for people whose Telegram app is in English (the bot still greets in Vietnamese).
COMMANDS_EN = [
    BotCommand(command="start", description="Start again"),
    BotCommand(command="cancel", description="Cancel what you are doing"),
    BotCommand(command="status", description="Check a report by its code"),
    BotCommand(command="add", description="Send more information for a report"),
    BotCommand(command="help", description="How to use this bot"),
    BotCommand(command="deletemydata", description="Delete my personal data"),
    BotCommand(command="en", description="English"),
    BotCommand(command="vi", description="Tiếng Việt"),
]


async def set_commands(bot: Bot, staff_chat_id: int | None = None) -> str | None:
    """The command menu; returns the bot's username (commands addressed to other bots are not ours)."""
    await bot.set_my_commands(COMMANDS)
    await bot.set_my_commands(COMMANDS_EN, language_code="en")
    if staff_chat_id is not None:
        await set_staff_menu(bot, staff_chat_id)
    me = await bot.get_me()
    return me.username
