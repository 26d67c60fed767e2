"""Outbox hooks for the staff queue: place messages in the case thread, remember the card,
and tell staff when a message to a reporter could not be delivered."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import SendResult
from handlers import staff_texts as S
from handlers.events import Outgoing, Reply
from handlers.queue import Queue
from handlers.textutil import shorten
from storage.models import Case, OutboxMessage

# Messages addressed to reporters: staff want to know when one cannot be delivered.
REPORTER_PURPOSES = frozenset({"relay", "notice", "rating_request", "reply"})


class QueueDeliveryHooks:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]:
        payload = dict(row.payload)
        if row.case_id is None or row.chat_id != self.queue.staff_chat_id:
            return payload
        case = await session.get(Case, row.case_id)
        if case is None:
            return payload
        if row.purpose == "card_edit":
            # Only once the card exists; before that the new card already shows the latest state.
            if case.card_message_id:
                payload["edit_message_id"] = case.card_message_id
            else:
                payload["skip"] = True
            return payload
        if row.purpose == "card":
            if not case.staff_thread_id:
                payload["create_topic"] = self.queue.topic_name(case)
            else:
                payload["thread_id"] = case.staff_thread_id
        elif case.staff_thread_id:
            payload["thread_id"] = case.staff_thread_id
        elif case.card_message_id:
            payload["reply_to_message_id"] = case.card_message_id
        return payload

    async def delivered(self, session: AsyncSession, row: OutboxMessage, result: SendResult) -> list[Outgoing]:
        if row.purpose == "card" and row.case_id is not None:
            case = await session.get(Case, row.case_id)
            if case is not None:
                case.staff_chat_id = row.chat_id
                case.staff_thread_id = result.thread_id
                if result.message_id and result.message_id.isdigit():
                    case.card_message_id = int(result.message_id)
        return []

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]:
        if row.case_id is None or row.purpose not in REPORTER_PURPOSES or row.chat_id == self.queue.staff_chat_id:
            return []
        case = await session.get(Case, row.case_id)
        if case is None:
            return []
        notice = self.queue.to_thread(case, Reply(S.UNDELIVERED.format(code=case.code, reason=shorten(reason, 300))))
        return [notice] if notice else []
