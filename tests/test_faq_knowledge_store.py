"""The knowledge base in the database (issue #20): the migration from the YAML-only version, the
seed on first start, `python -m bot faq export/import` both ways, and the sync every instance runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import Application
from bot.knowledge import import_topics, install, keep_in_sync, seed, sync_once
from bot.settings import load_settings
from faq.knowledge import load_knowledge_base
from storage.db import Database
from storage.faq_models import FaqStatus, FaqTopicRecord, FaqTopicVersion
from storage.migrate import upgrade_async
from tests.support.transcript import Transcript
from tests.test_storage import _columns, _empty, _migrate, _tables


def _cli(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "faq", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DATABASE_URL": url},
    )
    return done.stdout


async def test_upgrade_from_the_yaml_only_version_keeps_rows_and_seeds_once(
    tmp_path: Path, postgres_url: str
) -> None:
    for url in (f"sqlite:///{tmp_path}/from-0005.db", postgres_url):
        db = await _empty(url)
        await upgrade_async(url, "0005")
        assert "faqtopic" not in await _tables(db), url
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO reporter (channel, external_id, display_name, created_at) "
                "VALUES ('telegram', '77', 'Lan', '2025-11-23 09:00:00')"
            )
        _migrate(url)  # `python -m bot db upgrade`: 0005 → head
        assert {"faqtopic", "faqtopicversion", "faqevalrow"} <= await _tables(db), url
        assert "draft_of" in await _columns(db, "faqtopic")
        async with db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT display_name FROM reporter")).scalar() == "Lan"
        # First start: the empty tables get faq/data's topics, published, version 1, once.
        assert await seed(db) is True
        assert await seed(db) is False
        shipped = load_knowledge_base()
        async with db.session() as session:
            rows = (await session.exec(select(FaqTopicRecord))).all()
            versions = (await session.exec(select(FaqTopicVersion))).all()
        assert {r.slug for r in rows} == set(shipped.topics), url
        assert all(r.status == FaqStatus.PUBLISHED and r.version == 1 for r in rows)
        assert len(versions) == len(rows) and {v.changed_by for v in versions} == {"seed"}
        await db.dispose()


async def test_export_is_the_shipped_yaml_and_an_import_is_a_new_version(
    tmp_path: Path, db: Database
) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    await seed(db)
    print(_cli(url, "export", str(tmp_path / "out")))
    exported = load_knowledge_base(_copy_support(tmp_path / "out"))
    shipped = load_knowledge_base()
    assert exported.topics == shipped.topics  # the same topics, field for field
    assert {p.name for p in (tmp_path / "out" / "topics").glob("*.yaml")} == {
        p.name for p in (Path("faq/data/topics")).glob("*.yaml")
    }
    # Someone edits the exported YAML (reviewed in git) and imports it: one new version, with the diff.
    path = tmp_path / "out" / "topics" / "vneid.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Quên mật khẩu hoặc passcode VNeID", "Quên mật khẩu VNeID")
    )
    out = _cli(url, "import", str(tmp_path / "out"))
    assert "0 chủ đề mới, 1 chủ đề thay đổi" in out
    async with db.session() as session:
        [row] = (
            await session.exec(select(FaqTopicRecord).where(FaqTopicRecord.slug == "quen_mat_khau_vneid"))
        ).all()
        [change] = (
            await session.exec(
                select(FaqTopicVersion).where(
                    FaqTopicVersion.topic_id == row.id, FaqTopicVersion.version == 2
                )
            )
        ).all()
    assert row.title == "Quên mật khẩu VNeID" and row.version == 2
    assert change.changed_by == "import" and "Quên mật khẩu VNeID" in (change.diff or "")
    assert await import_topics(db, tmp_path / "out") == (0, 0)  # nothing changed: nothing written


def _copy_support(directory: Path) -> Path:
    """An export holds topics only; the checks (required topics, out-of-scope) come from faq/data."""
    for name in ("required_topics.txt", "out_of_scope.yaml"):
        (directory / name).write_text((Path("faq/data") / name).read_text(encoding="utf-8"), encoding="utf-8")
    return directory


async def test_a_topic_changed_in_the_database_is_answered_without_restart(db: Database) -> None:
    app = Application(load_settings(), db=db)
    knowledge = install(app)
    assert knowledge is not None
    await seed(db)
    assert await sync_once(db, knowledge) is False  # same topics as faq/data: no rebuild
    async with db.session() as session:
        [row] = (
            await session.exec(select(FaqTopicRecord).where(FaqTopicRecord.slug == "khong_nhan_otp"))
        ).all()
        row.answer = "Mã OTP về trong 5 phút; bạn kiểm tra hộp tin nhắn rác."
        from storage import faq_repo

        await faq_repo.record_change(session, row, actor="test", reason="sửa câu trả lời", before={})
    assert await sync_once(db, knowledge) is True
    chat = Transcript(app, user="2001")
    await chat.say("ko nhan dc ma otp khi dang ky vneid")
    chat.expect("Mã OTP về trong 5 phút")


async def test_a_database_without_the_tables_leaves_the_shipped_topics_answering(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite:///{tmp_path}/old.db")
    await upgrade_async(f"sqlite:///{tmp_path}/old.db", "0005")  # started with --no-migrate
    app = Application(load_settings(), db=db)
    knowledge = install(app)
    assert knowledge is not None
    task = asyncio.create_task(keep_in_sync(db, knowledge, seconds=0.05))
    await asyncio.sleep(0.5)
    task.cancel()
    failures = [r for r in caplog.records if "FAQ knowledge base check failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelname == "WARNING"  # once, not every 50 ms
    chat = Transcript(app, user="2002")
    await chat.say("ko nhan dc ma otp khi dang ky vneid")
    chat.expect("OTP")
    await db.dispose()


async def test_two_instances_starting_together_seed_once(pg: Database, postgres_url: str) -> None:
    other = Database(postgres_url)
    try:
        results = await asyncio.gather(seed(pg), seed(other))
    finally:
        await other.dispose()
    assert sorted(results) == [False, True]
    async with pg.session() as session:
        rows = (await session.exec(select(FaqTopicRecord))).all()
    assert len(rows) == len(load_knowledge_base().topics)
