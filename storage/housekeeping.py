"""Rows that only serve for a while: deleted by the daily cleanup job (bot.jobs.JobRunner.cleanup)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate

log = logging.getLogger(__name__)


async def delete_processed_updates(session: AsyncSession, before: datetime) -> int:
    """Processed-update rows received before `before`: they only make a redelivered update a
    no-op, and messengers stop redelivering within a day. Returns how many were deleted."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < before))  # type: ignore[call-overload]
    deleted = int(result.rowcount or 0)
    log.info("cleanup: %d processed-update row(s) received before %s deleted", deleted, f"{before:%Y-%m-%d}")
    return deleted
