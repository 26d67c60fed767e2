"""/dangnhap: a staff member or leader asks the bot, in a private chat, for a login link.

Registered on the staff desk (StaffDesk.register), so the desk's own check runs first: the
sender must be staff, exactly as for every staff command; anyone else gets the desk's
refusal and no link. The link is only ever sent in a private chat: in the group everyone
would see it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dashboard.auth import Identity, issue_link
from handlers.events import ChatKind, Incoming, Outgoing, Reply
from handlers.services import StaffDirectory
from handlers.staff.desk import actor_name

COMMAND = "dangnhap"

ONLY_PRIVATE = (
    "🔒 Lệnh /dangnhap chỉ dùng trong tin nhắn riêng với bot (liên kết đăng nhập không được gửi vào nhóm)."
)
ONLY_TELEGRAM = "🔒 Đăng nhập bảng điều khiển chỉ dùng được từ tài khoản Telegram của cán bộ."
LINK_TEXT = (
    "🔑 Liên kết đăng nhập bảng điều khiển ({role}), dùng một lần, hiệu lực {minutes:g} phút:\n{url}\n\n"
    "Không chuyển liên kết này cho người khác. Phiên đăng nhập hết hạn sau {hours:g} giờ."
)

DISABLED = "Bảng điều khiển chưa được bật trên máy chủ này (dashboard.enabled trong config.yaml)."

Handler = Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]


async def disabled(session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
    """/dangnhap where the dashboard is off: staff learn why, rather than hearing nothing."""
    out.append(
        Outgoing(event.channel, event.chat_id, Reply(DISABLED), thread_id=event.thread_id, purpose="staff")
    )


def login_command(
    directory: StaffDirectory, *, login_url: Callable[[str], str], link_minutes: float, session_hours: float
) -> Handler:
    """The /dangnhap handler; `login_url` turns a token into the link staff open."""

    async def handle(session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        def say(text: str) -> None:
            out.append(
                Outgoing(
                    event.channel, event.chat_id, Reply(text), thread_id=event.thread_id, purpose="staff"
                )
            )

        if event.chat_kind != ChatKind.PRIVATE:
            say(ONLY_PRIVATE)
            return
        if event.channel != "telegram":
            # Staff are known by Telegram id: a Zalo id that happened to be equal is not them.
            say(ONLY_TELEGRAM)
            return
        leader = directory.is_leader(event.user_id)
        identity = Identity(event.user_id, actor_name(event), leader)
        token = await issue_link(session, identity, link_minutes)
        role = "lãnh đạo" if leader else "cán bộ"
        say(LINK_TEXT.format(role=role, minutes=link_minutes, url=login_url(token), hours=session_hours))

    return handle
