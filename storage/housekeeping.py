"""Rows that only serve for a while: deleted by the daily cleanup job (bot.jobs.JobRunner.cleanup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def delete_processed_updates(session: AsyncSession, before: datetime) -> int:
    """Processed-update rows received before `before`: they only make a redelivered update a
    no-op, and messengers stop redelivering within a day. Returns how many were deleted."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < before))  # type: ignore[call-overload]
    return int(result.rowcount or 0)
