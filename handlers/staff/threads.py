"""Where a staff message in the group belongs, and what it is: an answer for a reporter (relayed),
the question or result a prompt asked for, a correction of an answer, or talk among staff.

A message belongs to a case when it replies to the case's card or to any of the bot's messages
about it (every one is an outbox row linked to the case: relays, follow-ups, confirmations,
prompts), to a colleague's relayed answer, or when it is written in the case's forum topic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from handlers.citizen.lookup import find_code
from handlers.events import Incoming, Kind, Outgoing
from handlers.staff import texts as S
from handlers.staff.actions import ASK_PROMPT, CLOSE_PROMPT
from handlers.staff.common import say
from handlers.textutil import clean_text
from storage import repo
from storage.models import Case, CaseMessage, OutboxMessage

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers.staff.desk import StaffDesk

# A staff message the desk cannot place (no case, no reply) is answered at most this often per person.
UNPLACED_HINT_SECONDS = 3600.0


@dataclass(frozen=True)
class Place:
    """Where a staff message belongs: its case, and the bot's message it answers (if any)."""

    case: Case | None
    replied_purpose: str | None = None  # the bot message replied to: its prompt, or its outbox purpose
    to_bot: bool = False  # a reply to one of the bot's messages (the card, a relay, a prompt…)


class Threads:
    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk
        self._hinted: dict[str, float] = {}

    async def place(self, session: AsyncSession, event: Incoming) -> Place:
        replied = event.reply_to_message_id
        # In a forum, a message that replies to nothing still "replies" to the topic's first message.
        if replied is not None and replied == event.thread_id:
            replied = None
        if replied is not None:
            found = await self._replied(session, event, replied)
            if found.case is not None or found.to_bot:
                return found
        if event.thread_id:
            case = (await session.exec(select(Case).where(Case.staff_thread_id == event.thread_id))).first()
            if case is not None:
                return Place(case)
        if event.topic_name and (code := find_code(event.topic_name)):
            case = await repo.case_by_code(session, code)
            if case is not None:
                return Place(case)
        return Place(None)

    async def _replied(self, session: AsyncSession, event: Incoming, message_id: int) -> Place:
        case = (await session.exec(select(Case).where(Case.card_message_id == message_id))).first()
        if case is not None:
            return Place(case, "card", to_bot=True)
        row = (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == event.chat_id, OutboxMessage.sent_message_id == str(message_id)
                )
            )
        ).first()
        if row is not None:
            case = await session.get(Case, row.case_id) if row.case_id is not None else None
            return Place(case, row.payload.get("prompt") or row.purpose, to_bot=True)
        # A reply to a colleague's answer that was relayed: the same case.
        relayed = (
            await session.exec(select(CaseMessage).where(CaseMessage.staff_message_id == message_id))
        ).first()
        if relayed is not None:
            return Place(await session.get(Case, relayed.case_id))
        return Place(None)

    async def message(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """A staff member's text or files in the group: an answer for a reporter, or talk."""
        if not await self.desk.directory.is_staff(event.user_id):
            return
        place = await self.place(session, event)
        case = place.case
        if case is None:
            self._unplaced(event, out, place)
            return
        text = clean_text(event.text)
        if place.replied_purpose == ASK_PROMPT and text:
            await self.desk.actions.ask(session, event, out, case, text)
        elif place.replied_purpose == CLOSE_PROMPT and text:
            await self.desk.actions.close(session, event, out, case, text)
        elif event.thread_id and not place.to_bot and self.desk.topic_messages == "replies":
            return  # talk among staff in the case's topic: not for the reporter
        else:
            await self.desk.actions.relay(session, event, out, case)

    def _unplaced(self, event: Incoming, out: list[Outgoing], place: Place) -> None:
        """Say that a message went nowhere when it looks meant for a reporter: a reply to one of
        the bot's messages that is about no case (a list, an alert), or a message replying to
        nothing. At most once an hour per person, so a conversation among staff in the group
        (or answers to the bot's alerts) is not answered line by line."""
        if event.thread_id and not place.to_bot:
            return  # another topic of the forum (an incident's, the staff's own)
        replied = event.reply_to_message_id is not None and event.reply_to_message_id != event.thread_id
        if replied and not place.to_bot:
            return  # a reply to a colleague
        now = time.monotonic()
        if now - self._hinted.get(event.user_id, -UNPLACED_HINT_SECONDS) < UNPLACED_HINT_SECONDS:
            return
        self._hinted[event.user_id] = now
        say(event, out, S.UNPLACED)

    async def edited(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        """An edit of a staff answer already relayed: sent again as a correction. Edits of
        commands or of talk that was never relayed change nothing."""
        if event.kind not in (Kind.TEXT, Kind.ATTACHMENT) or event.message_id is None:
            return
        if not await self.desk.directory.is_staff(event.user_id):
            return
        message = (
            await session.exec(
                select(CaseMessage).where(
                    CaseMessage.staff_message_id == event.message_id, col(CaseMessage.direction) == "out"
                )
            )
        ).first()
        if message is not None:
            await self.desk.actions.correct(session, event, out, message)
