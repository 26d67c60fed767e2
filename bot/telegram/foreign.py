"""Groups other than the staff group (issue #17): nothing of them is stored, and the bot leaves.

With Group Privacy off (as the README advises for the staff group) a bot added to any other
group receives every message there. Those updates are dropped before anything is written — no
processed-update row, no sender id — and the bot leaves the group once (``leaveChat``), with
one log line. Until the staff group is configured nothing is left: the operator may be adding
the bot to the group whose id they are about to configure.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Chat, Update

log = logging.getLogger(__name__)

# Groups a bot has left (or is leaving) are kept on that Bot object (two Bots with the same
# token compare equal, so a registry keyed by Bot would mix two runtimes): each group is left
# once, however many updates come.
_LEFT = "_hp_left_groups"
_tasks: set[asyncio.Task[None]] = set()


def foreign_chat(update: Update, staff_chat_id: int | None) -> Chat | None:
    """The group this update comes from, if it is not a private chat and not the staff group."""
    query = update.callback_query
    member = update.my_chat_member
    candidates = (
        update.message.chat if update.message else None,
        update.edited_message.chat if update.edited_message else None,
        query.message.chat if query is not None and query.message is not None else None,
        member.chat if member is not None else None,
    )
    for chat in candidates:
        if chat is not None and chat.type != "private" and chat.id != staff_chat_id:
            return chat
    return None


def drop_foreign(bot: Bot, update: Update, staff_chat_id: int | None) -> bool:
    """True when the update comes from another group: the caller drops it, and the bot leaves
    that group (unless the update says it already left or was removed)."""
    chat = foreign_chat(update, staff_chat_id)
    if chat is None:
        return False
    member = update.my_chat_member
    if member is None or member.new_chat_member.status not in ("left", "kicked"):
        leave_once(bot, chat, staff_chat_id)
    return True


def leave_once(bot: Bot, chat: Chat, staff_chat_id: int | None) -> None:
    """Leave `chat` in the background (the update is acknowledged at once), once."""
    left: set[int] = getattr(bot, _LEFT, None) or set()
    setattr(bot, _LEFT, left)
    if staff_chat_id is None or chat.id in left:
        return
    left.add(chat.id)
    log.warning(
        "leaving group %s (%s): the bot serves only the staff group %s; nothing of this group is stored",
        chat.id,
        chat.type,
        staff_chat_id,
    )
    task = asyncio.create_task(_leave(bot, chat.id, left))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _leave(bot: Bot, chat_id: int, left: set[int]) -> None:
    try:
        await bot.leave_chat(chat_id)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        left.discard(chat_id)  # tried again on the group's next update
        log.warning("leaveChat %s failed: %s", chat_id, type(exc).__name__)
