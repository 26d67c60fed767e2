"""The jobs in the real running bot (wiring, scheduler, outbox, aiogram) against the fake Bot API:
the weekly report arrives in the staff group as text, workbook and chart; an escalation names
the leader by @username; /baocao and /suco work over the wire.

The generated files go through the real ``TelegramSender`` (attachment kind "upload").
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import select

from handlers.schedule.worktime import VN_TZ
from storage.models import JobRun
from tests.fakes.base import UploadedFile
from tests.fakes.telegram import FakeTelegramServer
from tests.fakes.updates import STAFF_GROUP_ID, group_text_update
from tests.support.telegram_bot import LEADER_USER, STAFF_USER, answer, running_bot
from tests.test_jobs_support import seed_case


def uploaded(call: Any, field: str) -> UploadedFile:
    value = call.params[field]
    assert isinstance(value, UploadedFile), value
    return value


async def test_weekly_report_and_escalation_in_the_staff_group(sqlite_url: str, tmp_path: Path) -> None:
    async with FakeTelegramServer() as tg:
        tg.set_chat(STAFF_GROUP_ID, type="supergroup", is_forum=True, title="Tổ công tác")
        tg.set_member(STAFF_GROUP_ID, STAFF_USER, "member")
        tg.set_member(
            STAFF_GROUP_ID,
            LEADER_USER,
            "administrator",
            {"id": LEADER_USER, "is_bot": False, "first_name": "Trưởng", "username": "truong_to"},
        )
        async with running_bot(tg, sqlite_url, jobs={"reports_dir": str(tmp_path / "reports")}) as runtime:
            scheduler = runtime.scheduler  # type: ignore[attr-defined]
            for _ in range(200):
                if scheduler.elector.is_leader:
                    break
                await asyncio.sleep(0.02)
            assert scheduler.elector.is_leader
            app = runtime.app
            monday = datetime(2025, 12, 1, 8, 0, tzinfo=VN_TZ)
            await seed_case(app, datetime(2025, 11, 25, 9, 0, tzinfo=VN_TZ), unit="11383")
            await seed_case(
                app, datetime(2025, 11, 26, 9, 0, tzinfo=VN_TZ), unit="11629", system="thanh_toan"
            )
            # Case due long ago and never answered: the leaders are called in.
            late = await seed_case(app, datetime(2025, 11, 27, 9, 0, tzinfo=VN_TZ), unit="11914")

            assert await scheduler.runner.run_periodic("weekly_report", monday) == "ran"
            text = await answer(tg, STAFF_GROUP_ID, "BÁO CÁO PHẢN ÁNH 24/11/2025 – 30/11/2025")
            assert "Tiếp nhận mới: 3" in text
            await tg.wait_for("sendPhoto", lambda call: True, timeout=10)
            [document] = tg.calls_of("sendDocument")
            [photo] = tg.calls_of("sendPhoto")
            xlsx = uploaded(document, "document")
            assert xlsx.filename == "BaoCao_24-11-2025_30-11-2025.xlsx"
            summary = {
                r[0]: r[1]
                for r in load_workbook(io.BytesIO(xlsx.content))["Tổng hợp"].iter_rows(values_only=True)
            }
            assert summary["Phản ánh tiếp nhận"] == 3
            assert uploaded(photo, "photo").content.startswith(b"\x89PNG\r\n\x1a\n")
            assert document.params["chat_id"] == photo.params["chat_id"] == STAFF_GROUP_ID
            # Order in the group: text, workbook, chart.
            order = [c.method for c in tg.calls if c.method in ("sendMessage", "sendDocument", "sendPhoto")]
            start = order.index("sendDocument")
            assert order[start - 1 : start + 2] == ["sendMessage", "sendDocument", "sendPhoto"]

            assert await scheduler.runner.sla_watch() == 1
            escalation = await answer(tg, STAFF_GROUP_ID, "BÁO CÁO LÃNH ĐẠO")
            assert "Kính gửi: @truong_to" in escalation and late.code in escalation

            # The staff commands are wired into the running bot.
            tg.push_update(group_text_update(STAFF_USER, "/suco", username="canbo_an"))
            await answer(tg, STAFF_GROUP_ID, "Không có sự cố nào đang theo dõi")
            tg.push_update(
                group_text_update(STAFF_USER, "/baocao 25/11/2025 26/11/2025", username="canbo_an")
            )
            await answer(tg, STAFF_GROUP_ID, "BÁO CÁO PHẢN ÁNH 25/11/2025 – 26/11/2025")
            await tg.wait_for("sendPhoto", lambda call: len(tg.calls_of("sendPhoto")) >= 2, timeout=10)

            async with app.db.session() as session:
                runs = (await session.exec(select(JobRun.job, JobRun.period))).all()
            assert ("weekly_report", "2025-11-24/2025-11-30") in runs
        # Shut down: the lease was released for the next instance.
        assert scheduler.elector.is_leader is False
