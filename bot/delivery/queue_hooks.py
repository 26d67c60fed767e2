"""Outbox hooks for the staff queue: place messages in the case thread, remember the card,
and tell staff when a message to a reporter could not be delivered.

Incident mode (issue #23, handlers/incidents/hold.py): a message for the group about a case
held by an incident is parked ("hold"), and the incident's card and its edits are rendered
here, at send time, from the database — so an edit shows everything linked until then."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import SendResult
from handlers.events import Outgoing, Reply
from handlers.staff import texts as S
from handlers.staff.queue import Queue, earlier_cases
from handlers.textutil import shorten
from storage.models import Case, Incident, OutboxMessage, Reporter, aware, utcnow

# Messages addressed to reporters: staff want to know when one cannot be delivered.
REPORTER_PURPOSES = frozenset({"relay", "notice", "rating_request", "reply"})
# Said on top of a card posted again because its topic (or the card) was deleted.
MOVED_NOTE = (
    "♻️ Chủ đề cũ của phản ánh này đã bị xóa (hoặc không còn tìm thấy) nên bot mở chủ đề mới; "
    "các tin sau của phản ánh sẽ vào đây."
)
# Where a row was addressed; cleared when that place is gone (parts sent there went with it).
_PLACE_KEYS = (
    "thread_id",
    "reply_to_message_id",
    "sent_parts",
    "first_message_id",
    "create_topic",
    "edit_message_id",
)


class _NotedCard(Outgoing):
    """A card posted again: its text is rendered at send time (prepare), under MOVED_NOTE."""

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "note": MOVED_NOTE}


class QueueDeliveryHooks:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    async def prepare(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any]:
        payload = dict(row.payload)
        if row.chat_id != self.queue.staff_chat_id:
            return payload
        if row.purpose in ("incident_card", "incident_edit"):
            return await self._incident(session, row, payload)
        if row.case_id is None or row.purpose == "staff":
            return payload  # a staff answer goes where the desk addressed it (linked to its case)
        case = await session.get(Case, row.case_id)
        if case is None:
            return payload
        if case.incident_held:
            payload["hold"] = True
            return payload
        if row.purpose == "card_edit":
            # Only once the card exists; before that the new card already shows the latest state.
            if case.card_message_id:
                payload["edit_message_id"] = case.card_message_id
            else:
                payload["skip"] = True
            return payload
        if row.purpose == "card":
            # A card released from an incident hold may be minutes old: show the case as it is now.
            reporter = await session.get(Reporter, case.reporter_id)
            payload["text"] = self.queue.card_text(case, reporter, await earlier_cases(session, case))
            if payload.get("note"):
                payload["text"] = f"{payload['note']}\n\n{payload['text']}"
            if not case.staff_thread_id:
                payload["create_topic"] = self.queue.topic_name(case)
            else:
                payload["thread_id"] = case.staff_thread_id
        elif case.staff_thread_id:
            payload["thread_id"] = case.staff_thread_id
        elif case.card_message_id:
            payload["reply_to_message_id"] = case.card_message_id
        return payload

    async def _incident(
        self, session: AsyncSession, row: OutboxMessage, payload: dict[str, Any]
    ) -> dict[str, Any]:
        cards = self.queue.incident_cards
        incident_id = payload.get("incident_id")
        incident = await session.get(Incident, int(incident_id)) if isinstance(incident_id, int) else None
        reply = await cards.render(session, incident.id) if cards and incident and incident.id else None
        if incident is None or cards is None or reply is None:
            payload["skip"] = True
            return payload
        payload.update(reply.to_dict())
        if row.purpose == "incident_edit" or incident.card_message_id:
            # An edit, or a card row sent again after a restart when the card is already out.
            if incident.card_message_id:
                payload["edit_message_id"] = incident.card_message_id
            else:
                payload["skip"] = True  # the card itself is still to go, and renders everything
        elif incident.thread_id:
            payload["thread_id"] = incident.thread_id
        else:
            payload["create_topic"] = cards.topic_name(incident)
        return payload

    async def delivered(
        self, session: AsyncSession, row: OutboxMessage, result: SendResult
    ) -> list[Outgoing]:
        if row.purpose in ("incident_card", "incident_edit"):
            incident_id = row.payload.get("incident_id")
            incident = await session.get(Incident, int(incident_id)) if isinstance(incident_id, int) else None
            if incident is None:
                return []
            if row.purpose == "incident_card" and result.message_id and result.message_id.isdigit():
                incident.thread_id = result.thread_id
                incident.card_message_id = int(result.message_id)
            # The next edit is counted from when this one went out (the limiter may have held
            # it back), so two edits are never closer than the interval.
            sent = utcnow()
            if incident.next_edit_at is None or aware(incident.next_edit_at) < sent:
                incident.next_edit_at = sent
            return []
        if row.purpose == "card" and row.case_id is not None:
            case = await session.get(Case, row.case_id)
            if case is not None:
                case.staff_chat_id = row.chat_id
                case.staff_thread_id = result.thread_id
                if result.message_id and result.message_id.isdigit():
                    case.card_message_id = int(result.message_id)
                if case.incident_held and self.queue.incident_cards is not None:
                    # Posted while an incident took hold of it (claimed just before the
                    # detection): staff can see it, so nothing more of it is held, and its
                    # topic says which incident it belongs to, like the others posted before.
                    case.incident_held = False
                    pointer = await self.queue.incident_cards.pointer(session, case)
                    return [pointer] if pointer is not None else []
        return []

    async def relocate(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing] | None:
        """The row's topic, card or replied-to message is gone (bot.delivery.channel.Misplaced).

        A case message: the case forgets its topic and card, and the card is posted again (in
        a new topic, under MOVED_NOTE) ahead of the row, which then follows it there; a card
        edit finds no card and is skipped. Anything else (a staff answer in a deleted topic)
        goes to the group's main thread, never into the thread that failed."""
        row.payload = {key: value for key, value in row.payload.items() if key not in _PLACE_KEYS}
        if row.chat_id != self.queue.staff_chat_id or row.case_id is None:
            return []
        case = await session.get(Case, row.case_id)
        if case is None:
            return []
        case.staff_thread_id = None
        case.card_message_id = None
        if row.purpose == "card":
            row.payload = {**row.payload, "note": MOVED_NOTE}
            return []
        card = Reply("", self.queue.card_buttons(case), columns=3)  # the text is rendered at send time
        return [_NotedCard(self.queue.staff_channel, row.chat_id, card, case_id=case.id, purpose="card")]

    async def failed(self, session: AsyncSession, row: OutboxMessage, reason: str) -> list[Outgoing]:
        if (
            row.case_id is None
            or row.purpose not in REPORTER_PURPOSES
            or row.chat_id == self.queue.staff_chat_id
        ):
            return []
        case = await session.get(Case, row.case_id)
        if case is None:
            return []
        notice = self.queue.to_thread(
            case, Reply(S.UNDELIVERED.format(code=case.code, reason=shorten(reason, 300)))
        )
        return [notice] if notice else []
