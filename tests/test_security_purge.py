"""Personal-data retention: `python -m bot purge --older-than DAYS` erases people, keeps statistics."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.purge import ERASED, purge_personal_data
from storage.db import Database
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    Conversation,
    FaqQuery,
    OutboxMessage,
    Reporter,
    utcnow,
)

ROOT = Path(__file__).resolve().parents[1]


async def seed(db: Database) -> dict[str, int]:
    now = utcnow()
    old, recent = now - timedelta(days=800), now - timedelta(days=10)
    ids: dict[str, int] = {}
    async with db.session() as session:
        lan = Reporter(
            channel="telegram",
            external_id="501",
            display_name="Nguyễn Thị Lan",
            username="lan_hp",
            phone="0912345678",
        )
        binh = Reporter(
            channel="telegram", external_id="502", display_name="Trần Văn Bình", phone="0987654321"
        )
        session.add_all([lan, binh])
        await session.flush()
        assert lan.id and binh.id

        def case(
            code: str, reporter: Reporter, status: str, closed: datetime | None, created: datetime
        ) -> Case:
            assert reporter.id is not None
            return Case(
                code=code,
                reporter_id=reporter.id,
                channel="telegram",
                chat_id=reporter.external_id,
                status=status,
                reporter_role="nguoi_dan",
                unit_code="31",
                system="vneid",
                faq_topic="vneid_khoa_tai_khoan",
                description="Tài khoản VNeID của tôi (CCCD 031190001234, sđt 0912345678) bị khóa",
                dossier_code="000.00.31.H26-250101-0001",
                phone=reporter.phone,
                rating="hai_long",
                procedure_name="Khai sinh cho bé Nguyễn Minh An",
                rating_comment="Cảm ơn chị Hoa",
                resolution="Đã mở khóa cho anh Bình",
                created_at=created,
                closed_at=closed,
                resolved_at=closed,
            )

        cases = {
            "old_lan": case("PA-230101-AAAA", lan, CaseStatus.CLOSED, old, old),
            "recent_lan": case("PA-250101-BBBB", lan, CaseStatus.CLOSED, recent, recent),
            "old_binh": case("PA-230101-CCCC", binh, CaseStatus.CLOSED, old, old),
            "old_open": case("PA-230101-DDDD", binh, CaseStatus.IN_PROGRESS, None, old),
            "old_resolved": case("PA-230101-EEEE", binh, CaseStatus.RESOLVED, old, old),
        }
        session.add_all(list(cases.values()))
        await session.flush()
        for name, item in cases.items():
            assert item.id is not None
            ids[name] = item.id
            session.add(
                CaseMessage(case_id=item.id, direction="in", author="reporter", text="Số tôi là 0912345678")
            )
            session.add(
                Attachment(
                    case_id=item.id,
                    channel="telegram",
                    kind="photo",
                    file_ref="AgAD-file-id",
                    file_name="cccd.jpg",
                )
            )
            session.add(
                CaseEvent(case_id=item.id, kind="note", actor="@canbo", note="Anh Bình gọi lại 0987654321")
            )
            session.add(
                OutboxMessage(
                    channel="telegram",
                    chat_id=item.chat_id,
                    case_id=item.id,
                    status="sent",
                    payload={"text": "Tổ công tác trả lời anh Bình"},
                    created_at=item.created_at,
                )
            )
        session.add(
            OutboxMessage(
                channel="telegram",
                chat_id="502",
                status="pending",
                case_id=ids["old_binh"],
                payload={"text": "chưa gửi"},
            )
        )
        session.add(
            FaqQuery(
                channel="telegram",
                user_id="501",
                text="vneid bi khoa 0912345678",
                source="intake",
                created_at=old,
            )
        )
        session.add(
            FaqQuery(
                channel="telegram", user_id="501", text="hôm nay lỗi", source="intake", created_at=recent
            )
        )
        session.add(
            Conversation(
                channel="telegram",
                user_id="503",
                chat_id="503",
                step="description",
                data={"phone": "0911111111"},
                updated_at=old,
            )
        )
    return ids


async def test_purge_erases_personal_data_of_old_closed_cases_and_keeps_statistics(any_db: Database) -> None:
    ids = await seed(any_db)
    report = await purge_personal_data(any_db, 730)
    assert report.cases == 2
    async with any_db.session() as session:
        cases = {name: await session.get(Case, case_id) for name, case_id in ids.items()}
        for name in ("old_lan", "old_binh"):
            case = cases[name]
            assert case is not None and case.personal_data_erased
            assert case.description == ERASED and case.phone is None and case.dossier_code is None
            assert case.procedure_name is None
            assert case.rating_comment is None and case.resolution == ERASED
            # The statistics stay.
            assert (case.unit_code, case.system, case.faq_topic, case.status, case.rating) == (
                "31",
                "vneid",
                "vneid_khoa_tai_khoan",
                CaseStatus.CLOSED,
                "hai_long",
            )
            assert case.created_at is not None and case.closed_at is not None and case.code.startswith("PA-")
            messages = (await session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id))).all()
            assert [m.text for m in messages] == [ERASED]
            [attachment] = (await session.exec(select(Attachment).where(Attachment.case_id == case.id))).all()
            assert attachment.file_ref == "" and attachment.file_name is None and attachment.kind == "photo"
            [event] = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()
            assert event.note is None and event.kind == "note" and event.actor == "@canbo"
            sent = (
                await session.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.case_id == case.id, OutboxMessage.status == "sent"
                    )
                )
            ).all()
            assert all(row.payload == {"text": ERASED} for row in sent)
        for name in ("recent_lan", "old_open", "old_resolved"):
            case = cases[name]
            assert case is not None and not case.personal_data_erased and "0912345678" in case.description
        pending = (await session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending"))).one()
        assert pending.payload == {"text": "chưa gửi"}, "what is still to be delivered is left alone"
        lan = (await session.exec(select(Reporter).where(Reporter.external_id == "501"))).one()
        binh = (await session.exec(select(Reporter).where(Reporter.external_id == "502"))).one()
        assert lan.display_name == "Nguyễn Thị Lan", "a recent case still needs her name"
        assert binh.display_name == "Trần Văn Bình", "an open case still needs his name and phone"
        texts = sorted(q.text for q in (await session.exec(select(FaqQuery))).all())
        assert texts == sorted([ERASED, "hôm nay lỗi"])
        draft = (await session.exec(select(Conversation).where(Conversation.user_id == "503"))).one()
        assert draft.data == {} and draft.step == "idle"

    again = await purge_personal_data(any_db, 730)
    assert again.cases == 0 and again.messages == 0


async def test_a_reporter_with_only_erased_cases_is_anonymised(db: Database) -> None:
    ids = await seed(db)
    async with db.session() as session:
        for name in ("old_open", "old_resolved"):
            case = await session.get(Case, ids[name])
            assert case is not None
            case.status = CaseStatus.CLOSED
            case.closed_at = utcnow() - timedelta(days=900)
    report = await purge_personal_data(db, 730)
    assert report.cases == 4 and report.reporters == 1
    async with db.session() as session:
        binh = (await session.exec(select(Reporter).where(Reporter.external_id == "502"))).one()
        assert (binh.display_name, binh.username, binh.phone) == (None, None, None)


async def test_dry_run_changes_nothing(db: Database) -> None:
    await seed(db)
    report = await purge_personal_data(db, 730, dry_run=True)
    assert report.cases == 2
    async with db.session() as session:
        erased = (await session.exec(select(Case).where(Case.personal_data_erased == True))).all()  # noqa: E712
    assert erased == []


async def test_purge_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    db = Database(url)
    await db.create_all()
    await seed(db)
    await db.dispose()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=url, LOG_LEVEL="WARNING")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "purge", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    dry = run("--older-than", "730", "--dry-run")
    assert dry.returncode == 0 and "cases erased: 2" in dry.stdout and "dry run" in dry.stdout
    done = run("--older-than", "730")
    assert done.returncode == 0 and "cases erased: 2" in done.stdout
    default = run()  # retention.personal_data_days from config.yaml (730)
    assert default.returncode == 0 and "cases erased: 0" in default.stdout
    assert run("--older-than", "0").returncode == 2
