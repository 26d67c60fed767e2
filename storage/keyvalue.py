"""A small key-value table for state not worth a table of its own (the Zalo OA reply window
and inbox, the "staff told today" mark of the Zalo quota). Reached as storage.repo.kv_get /
kv_set too."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import KeyValue, utcnow


async def kv_get(session: AsyncSession, key: str) -> str | None:
    row = await session.get(KeyValue, key)
    return row.value if row else None


async def kv_set(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
