"""Plugs the optional parts into the runtime: Zalo channels, staff queue, scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def extend(runtime: Runtime) -> None:
    if {"zalo-bot", "zalo-oa"} & set(runtime.channels):
        from bot.zalo import setup as zalo_setup

        await zalo_setup.setup(runtime)

    # Staff commands /baocao and /suco, the incident listener, and the job scheduler
    # (every instance runs one; the leader lease lets exactly one of them run the jobs).
    from bot.scheduler import attach

    await attach(runtime)

    # The knowledge base in the database: seeded on first start, kept in sync every few seconds,
    # /taofaq, /suafaq, /traloi and /thongke faq in the staff group (after the scheduler, whose
    # /thongke it extends), the weekly unanswered questions (bot/knowledge.py).
    from bot.knowledge import attach as attach_knowledge

    await attach_knowledge(runtime)

    # The web dashboard and its /dangnhap command (settings.dashboard.enabled); when it is off,
    # /dangnhap still answers staff (that it is off) instead of saying nothing.
    if runtime.settings.dashboard.enabled:
        from bot.dashboard import install

        install(runtime)
    else:
        from bot.dashboard.login import COMMAND, disabled

        runtime.app.desk.register(COMMAND, disabled)
