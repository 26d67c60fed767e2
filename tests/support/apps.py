"""The application the typed-conversation transcripts run against: a staff group, one staff member."""

from __future__ import annotations

from bot.app import Application
from bot.settings import load_settings
from handlers.services import StaticStaff
from storage.db import Database

GROUP = "-100777"
STAFF = "900"


def transcript_app(db: Database) -> Application:
    # People in these transcripts answer faster than anyone types: the flood limit has its own tests.
    application = Application(
        load_settings(staff_chat_id=int(GROUP), conversation={"flood_messages": 500}), db=db
    )
    application.staff_directory = StaticStaff({STAFF}, set())
    return application
