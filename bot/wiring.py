"""Plugs the optional parts into the runtime: Zalo channels, staff queue, scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def extend(runtime: Runtime) -> None:
    if {"zalo-bot", "zalo-oa"} & set(runtime.channels):
        from bot import zalo_setup  # type: ignore[attr-defined]

        await zalo_setup.setup(runtime)
