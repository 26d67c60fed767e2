"""One turn of a conversation: the incoming event, the person, their saved state, the replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.citizen.language import ENGLISH, texts_for
from handlers.events import Choice, Incoming, Outgoing, Reply
from storage.models import Conversation, Reporter


@dataclass
class Turn:
    session: AsyncSession
    event: Incoming
    reporter: Reporter
    conversation: Conversation
    now: datetime
    out: list[Outgoing] = field(default_factory=list)
    # The person had not done anything yet when this message came (their conversation was "new").
    first_contact: bool = False

    @property
    def language(self) -> str:
        """The person's language: "en" when they chose English, else "vi"."""
        return ENGLISH if self.reporter.language == ENGLISH else "vi"

    @property
    def t(self) -> ModuleType:
        """What the bot says, in the person's language (handlers.citizen.texts, translated: language.texts_for)."""
        return texts_for(self.reporter.language)

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    @property
    def step(self) -> str:
        return self.conversation.step

    def go(self, step: str) -> None:
        self.conversation.step = step

    def set(self, **values: Any) -> None:
        # JSON columns do not notice in-place changes: replace the dict and flag it.
        self.conversation.data = {**self.conversation.data, **values}
        flag_modified(self.conversation, "data")

    def reset(self, step: str = "idle", **keep: Any) -> None:
        self.conversation.data = dict(keep)
        flag_modified(self.conversation, "data")
        self.conversation.step = step

    def say(
        self,
        text: str,
        choices: list[Choice] | None = None,
        *,
        request_contact: bool = False,
        columns: int = 1,
    ) -> None:
        reply = Reply(
            text=text,
            choices=list(choices or []),
            request_contact=request_contact,
            columns=columns,
            language=self.language,
        )
        self.out.append(Outgoing(channel=self.event.channel, chat_id=self.event.chat_id, reply=reply))

    def send(self, outgoing: list[Outgoing]) -> None:
        self.out.extend(outgoing)
