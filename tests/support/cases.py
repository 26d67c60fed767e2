"""A stored case and its reporter, for tests of what happens to a case's messages."""

from __future__ import annotations

from storage.db import Database
from storage.models import Case, Reporter


async def stored_case(db: Database, *, external_id: str, chat_id: str, code: str, description: str) -> Case:
    """A Telegram reporter ("Lan") and one case of theirs, written to the database."""
    async with db.session() as session:
        reporter = Reporter(channel="telegram", external_id=external_id, display_name="Lan")
        session.add(reporter)
        await session.flush()
        assert reporter.id is not None
        case = Case(
            code=code,
            reporter_id=reporter.id,
            channel="telegram",
            chat_id=chat_id,
            description=description,
        )
        session.add(case)
        await session.flush()
        return case
