"""The delivery interface: what every channel's sender implements.

Handlers never send; they return `Outgoing` replies which are stored in the outbox and
handed to the sender of their channel by the outbox worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery.ratelimit import Limit


class SendError(Exception):
    pass


class RetryLater(SendError):
    """The messenger asked to slow down (429) or is temporarily failing (5xx, network)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(SendError):
    """It will never work: the person blocked the bot, the chat is gone, the request is invalid."""


class Misplaced(PermanentFailure):
    """The place the row was addressed to is gone (a forum topic or a card staff deleted): not
    failed, the outbox asks its hooks for a new place and sends it again."""


class DeliveryDeferred(SendError):
    """Not deliverable now but not failed either (a Zalo OA reply outside the free window)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


@dataclass
class SendResult:
    message_id: str | None = None
    thread_id: int | None = None


class Sender(Protocol):
    channel: str

    def limits(self, chat_id: str) -> list[tuple[str, Limit]]: ...

    async def send(self, chat_id: str, payload: dict[str, Any]) -> SendResult: ...


class Pacer(Protocol):
    """The outbox's rate limiter, as far as a sender needs it."""

    async def acquire(self, limits: list[tuple[str, Limit]]) -> None: ...


def sent_parts(payload: dict[str, Any]) -> int:
    """How many parts of this row earlier attempts delivered (the outbox stores it in the payload)."""
    try:
        return max(0, int(payload.get("sent_parts") or 0))
    except (TypeError, ValueError):
        return 0
