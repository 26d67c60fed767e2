"""Transcript helper: drive the engine like a person and read what the bot answered.

chat = Transcript(app)
await chat.say("/start")        # what the person sends
chat.expect("Xin chào")         # what the bot answers
await chat.tap("Gửi phản ánh")  # press a button by (part of) its label
"""

from __future__ import annotations

import itertools

from bot.app import Application
from bot.delivery.outbox import enqueue
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind, Outgoing, Reply
from handlers.textutil import fold

_updates = itertools.count(1)


class Transcript:
    def __init__(
        self, app: Application, user: str = "1001", channel: str = "telegram", name: str | None = "Lan"
    ) -> None:
        self.app = app
        self.user = user
        self.channel = channel
        self.name = name
        self.replies: list[Reply] = []
        self.outgoing: list[Outgoing] = []

    @property
    def last(self) -> Reply:
        assert self.replies, "the bot has not answered"
        return self.replies[-1]

    @property
    def text(self) -> str:
        """Everything the bot said in its last answer, joined."""
        return "\n".join(r.text for r in self.replies)

    async def send(self, event: Incoming) -> list[Reply]:
        async with self.app.db.unit() as session:  # the transaction app.receive uses
            out = await self.app.engine.handle(session, event)
            await enqueue(session, out)
        self.outgoing = out
        mine = [o.reply for o in out if o.chat_id == self.user and o.channel == self.channel]
        self.replies = mine
        return mine

    def _event(self, kind: Kind, **fields: object) -> Incoming:
        return Incoming(
            channel=self.channel,
            user_id=self.user,
            chat_id=self.user,
            kind=kind,
            display_name=self.name,
            update_key=f"t{next(_updates)}",
            chat_kind=ChatKind.PRIVATE,
            **fields,  # type: ignore[arg-type]
        )

    async def say(self, text: str) -> list[Reply]:
        if text.startswith("/") and len(text) > 1:
            head, _, rest = text.partition(" ")
            return await self.send(self._event(Kind.COMMAND, text=text, command=head[1:].lower(), args=rest))
        return await self.send(self._event(Kind.TEXT, text=text))

    def choice_key(self, label: str) -> str:
        for reply in reversed(self.replies):
            for choice in reply.choices:
                if fold(label) in fold(choice.label):
                    return choice.key
        raise AssertionError(f"no button like {label!r}; buttons: {self.buttons()}")

    async def tap(self, label: str) -> list[Reply]:
        return await self.send(self._event(Kind.CHOICE, choice=self.choice_key(label)))

    async def tap_key(self, key: str) -> list[Reply]:
        return await self.send(self._event(Kind.CHOICE, choice=key))

    async def contact(self, phone: str) -> list[Reply]:
        return await self.send(self._event(Kind.CONTACT, phone=phone))

    async def attach(
        self,
        kind: str = "photo",
        file_ref: str = "file-1",
        *,
        caption: str = "",
        name: str | None = None,
        mime: str | None = "image/jpeg",
        size: int | None = 1000,
    ) -> list[Reply]:
        attachment = AttachmentRef(kind, file_ref, name, mime, size)
        return await self.send(self._event(Kind.ATTACHMENT, text=caption, attachments=[attachment]))

    async def sticker(self) -> list[Reply]:
        return await self.send(self._event(Kind.UNSUPPORTED))

    async def decline_faq(self) -> None:
        """If the FAQ stage offered an answer, say it did not help (the intake goes on)."""
        if "Có phải bạn gặp" in self.text or "giống một trong" in self.text:
            await self.tap("gửi Tổ công tác")

    async def skip_to_summary(self) -> None:
        """From the attachments step: no FAQ help, no dossier, no procedure, no phone."""
        await self.tap("Tiếp tục")
        await self.decline_faq()
        await self.tap("Bỏ qua")  # dossier code
        await self.tap("Bỏ qua")  # procedure
        if "số điện thoại" in self.text:
            await self.tap("Bỏ qua")  # phone

    def buttons(self) -> list[str]:
        return [c.label for r in self.replies for c in r.choices]

    def expect(self, *fragments: str) -> None:
        said = self.text
        for fragment in fragments:
            assert fragment in said, f"expected {fragment!r} in bot answer:\n{said}"

    def expect_button(self, *labels: str) -> None:
        buttons = " | ".join(self.buttons())
        for label in labels:
            assert label in buttons, f"expected a button {label!r}; buttons: {buttons}"

    def expect_not(self, *fragments: str) -> None:
        said = self.text
        for fragment in fragments:
            assert fragment not in said, f"did not expect {fragment!r} in bot answer:\n{said}"


class StaffChat:
    """A staff member writing in the task force's group (through the same engine)."""

    def __init__(
        self, app: Application, user: str = "900", username: str = "canbo_an", group: str = "-100777"
    ) -> None:
        self.app = app
        self.user = user
        self.username = username
        self.group = group
        self.outgoing: list[Outgoing] = []

    async def say(
        self, text: str, *, thread: int | None = None, reply_to: int | None = None
    ) -> list[Outgoing]:
        kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
        head, _, rest = text.partition(" ")
        event = Incoming(
            channel="telegram",
            user_id=self.user,
            chat_id=self.group,
            kind=kind,
            text=text,
            command=head[1:].lower() if kind == Kind.COMMAND else None,
            args=rest if kind == Kind.COMMAND else "",
            username=self.username,
            display_name="Cán bộ An",
            update_key=f"s{next(_updates)}",
            chat_kind=ChatKind.STAFF,
            thread_id=thread,
            reply_to_message_id=reply_to,
        )
        async with self.app.db.unit() as session:  # the transaction app.receive uses
            self.outgoing = await self.app.engine.handle(session, event)
            await enqueue(session, self.outgoing)
        return self.outgoing

    async def press(self, key: str) -> list[Outgoing]:
        event = Incoming(
            "telegram",
            self.user,
            self.group,
            Kind.CHOICE,
            choice=key,
            username=self.username,
            update_key=f"s{next(_updates)}",
            chat_kind=ChatKind.STAFF,
        )
        async with self.app.db.unit() as session:  # the transaction app.receive uses
            self.outgoing = await self.app.engine.handle(session, event)
            await enqueue(session, self.outgoing)
        return self.outgoing

    @property
    def group_text(self) -> str:
        return "\n".join(o.reply.text for o in self.outgoing if o.chat_id == self.group)

    def to(self, chat_id: str) -> list[Outgoing]:
        return [o for o in self.outgoing if o.chat_id == chat_id]
