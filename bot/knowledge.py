"""The knowledge base in the database, wired into the application (issue #20).

* ``install(app)``: /taofaq, /suafaq, /traloi, /taifaq and the draft cards' buttons and replies
  (handlers.knowledge) on the staff desk.
* ``seed(db)``: on first start the empty tables get the topics of faq/data (one instance wins;
  a second seeding at the same moment fails on the marker row and changes nothing).
* ``keep_in_sync(app)``: every ``SYNC_SECONDS`` a ``SELECT max(id)`` of the change history;
  a change published on any instance is answered here within seconds, without a restart.
* ``python -m bot faq import [DIR] [--eval FILE…]`` / ``python -m bot faq export DIR``: YAML in
  the faq/data/topics format both ways, reviewable in git (bot/, because it reads the database).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.delivery.outbox import enqueue
from faq.knowledge import DATA_DIR, KnowledgeBaseError, load_knowledge_base
from handlers.directory import KnowledgeBaseFaq
from handlers.events import Incoming, Outgoing
from handlers.knowledge.card import BUTTON
from handlers.knowledge.desk import KnowledgeDesk, KnowledgeStaff
from handlers.knowledge.live import LiveKnowledge
from handlers.knowledge.stats import GAP_DAYS, gaps, gaps_message, stats_command
from handlers.staff.history import stats
from handlers.textutil import fold
from storage import faq_repo
from storage.faq_models import FaqEvalRow, FaqStatus, FaqTopicRecord
from storage.models import KeyValue

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import Application
    from bot.runtime import Runtime
    from storage.db import Database

log = logging.getLogger(__name__)

SYNC_SECONDS = 2.0
GAPS_WEEKDAY, GAPS_HOUR = 0, 8  # Monday 08:00, before the week's work starts
SEEDED = "faq:seeded"


def install(app: Application) -> KnowledgeDesk | None:
    """Once per application; None when the FAQ stage is not the knowledge base (tests' stubs)."""
    existing = getattr(app, "_knowledge", None)
    if isinstance(existing, KnowledgeDesk):
        return existing
    if not isinstance(app.faq, KnowledgeBaseFaq):
        return None
    knowledge = KnowledgeDesk(app.desk, LiveKnowledge(app.faq))
    for command, handler in (
        ("taofaq", knowledge.taofaq),
        ("suafaq", knowledge.suafaq),
        ("traloi", knowledge.traloi),
        ("taifaq", knowledge.reload),
    ):
        app.desk.register(command, handler)
    app.desk.register_button(BUTTON, knowledge.button)
    app.engine.staff = KnowledgeStaff(app.engine.staff or app.desk, knowledge)
    knowledge.publisher.later = app.receive  # the gate runs off the transaction, then publishes
    _with_faq_stats(app, knowledge)
    app._knowledge = knowledge  # type: ignore[attr-defined]
    return knowledge


async def attach(runtime: Runtime) -> None:
    """Runtime start (after the scheduler's commands): install, seed, load what is published,
    check every few seconds, and post the unanswered questions to the staff group weekly."""
    knowledge = install(runtime.app)
    if knowledge is None:
        return
    app = runtime.app
    runtime.supervise("faq-sync", lambda: keep_in_sync(app.db, knowledge))
    runtime.supervise("faq-gaps", lambda: weekly_gaps(app, knowledge))


def _with_faq_stats(app: Application, knowledge: KnowledgeDesk) -> None:
    """/thongke faq: per-topic figures and the unanswered questions; /thongke otherwise as before."""
    previous = app.desk.extra.get("thongke")

    async def thongke(session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        if fold(event.args).split()[:1] == ["faq"]:
            await stats_command(session, event, out, knowledge.live.knowledge)
        elif previous is not None:
            await previous(session, event, out)
        else:
            await stats(app.desk, session, event, out)

    app.desk.register("thongke", thongke)


def _week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


async def post_gaps(app: Application, now: datetime | None = None) -> bool:
    """This week's digest of unanswered questions, once across every instance (a marker row
    written in the same transaction); False when already posted or nothing to post."""
    now = now or datetime.now(UTC)
    key = f"faq_gaps:{_week(now.astimezone(ZoneInfo(app.settings.timezone)))}"
    try:
        async with app.db.session() as session:
            if await session.get(KeyValue, key) is not None:
                return False
            session.add(KeyValue(key=key, value=now.isoformat()))
            await session.flush()
            reply = gaps_message(await gaps(session, now - timedelta(days=GAP_DAYS)), GAP_DAYS)
            message = app.queue.to_group(reply, purpose="faq_gaps") if reply is not None else None
            if message is None:
                return False
            await enqueue(session, [message])
    except IntegrityError:
        return False
    return True


async def weekly_gaps(app: Application, knowledge: KnowledgeDesk, check_seconds: float = 600) -> None:
    """Monday from 08:00 (local time): the week's unanswered questions, each with 📝 Nháp."""
    tz = ZoneInfo(app.settings.timezone)
    while True:
        local = datetime.now(tz)
        if local.weekday() == GAPS_WEEKDAY and local.hour >= GAPS_HOUR:
            try:
                await post_gaps(app)
            except (OSError, TimeoutError) as exc:
                log.warning(
                    "weekly FAQ gaps digest not posted (%s); next try in %d s",
                    type(exc).__name__,
                    check_seconds,
                )
        await asyncio.sleep(check_seconds)


async def keep_in_sync(db: Database, knowledge: KnowledgeDesk, seconds: float = SYNC_SECONDS) -> None:
    """Seed once, then check every `seconds`. A database that is down or not migrated leaves the
    loaded topics answering; the failure is logged once, and again only when it changes."""
    seeded = False
    failing = ""
    while True:
        try:
            if not seeded:
                await seed(db)
                seeded = True
            await sync_once(db, knowledge)
            if failing:
                log.info("FAQ knowledge base check works again")
            failing = ""
        except (OSError, TimeoutError, KnowledgeBaseError, SQLAlchemyError) as exc:
            if type(exc).__name__ != failing:
                log.warning(
                    "FAQ knowledge base check failed (%s: %s); answering from what is loaded",
                    type(exc).__name__,
                    str(exc).splitlines()[0][:200] if str(exc) else "",
                )
            failing = type(exc).__name__
        await asyncio.sleep(seconds)


async def sync_once(db: Database, knowledge: KnowledgeDesk) -> bool:
    async with db.session() as session:
        return await knowledge.live.refresh(session)


# -- seeding, import and export ------------------------------------------------------------------


def read_topic_files(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, entry) of every topic under directory/topics, validated like faq check."""
    load_knowledge_base(directory)  # raises KnowledgeBaseError with the file and entry
    found = []
    topics = directory / "topics"
    for path in sorted(topics.glob("*.yaml")) + sorted(topics.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data.get("topics") if isinstance(data, dict) else data
        found += [(path.name, dict(entry)) for entry in entries or []]
    return found


def _row(entry: dict[str, Any], file: str, actor: str) -> FaqTopicRecord:
    return FaqTopicRecord(
        slug=str(entry["id"]),
        title=str(entry["title"]).strip(),
        audience=entry["audience"],
        system=entry["system"],
        answer=str(entry["answer"]).strip(),
        answer_en=str(entry["answer_en"]).strip() if entry.get("answer_en") else None,
        examples=[str(x).strip() for x in entry.get("examples") or []],
        examples_en=[str(x).strip() for x in entry.get("examples_en") or []],
        keywords=[str(x).strip() for x in entry.get("keywords") or []],
        status=FaqStatus.PUBLISHED,
        file=file,
        created_by=actor,
    )


async def import_topics(
    db: Database, directory: Path = DATA_DIR, *, actor: str = "import"
) -> tuple[int, int]:
    """Each topic of the YAML: added when new, a new version when changed; returns (added, changed)."""
    found = await asyncio.to_thread(read_topic_files, directory)
    added = changed = 0
    async with db.session() as session:
        for file, entry in found:
            new = _row(entry, file, actor)
            live = await faq_repo.live_by_slug(session, new.slug)
            if live is None:
                await faq_repo.record_change(session, new, actor=actor, reason=f"nhập từ {file}", bump=False)
                added += 1
                continue
            before = faq_repo.as_entry(live)
            if before == faq_repo.as_entry(new) and live.status == FaqStatus.PUBLISHED:
                continue
            for name in (
                "title",
                "audience",
                "system",
                "answer",
                "answer_en",
                "examples",
                "examples_en",
                "keywords",
            ):
                setattr(live, name, getattr(new, name))
            live.status, live.file = FaqStatus.PUBLISHED, file
            await faq_repo.record_change(session, live, actor=actor, reason=f"nhập từ {file}", before=before)
            changed += 1
    return added, changed


async def seed(db: Database, directory: Path = DATA_DIR) -> bool:
    """First start: the empty tables get faq/data's topics. True if this call seeded them."""
    async with db.session() as session:
        marker = await session.get(KeyValue, SEEDED)
        if marker is not None or await faq_repo.topic_count(session):
            return False
    try:
        async with db.session() as session:
            session.add(KeyValue(key=SEEDED, value="faq/data"))
            await session.flush()  # a concurrent seeder stops here (primary key)
            found = await asyncio.to_thread(read_topic_files, directory)
            for file, entry in found:
                row = _row(entry, file, "seed")
                await faq_repo.record_change(
                    session, row, actor="seed", reason=f"khởi tạo từ faq/data ({file})", bump=False
                )
    except IntegrityError:
        return False
    log.info("FAQ knowledge base seeded from %s: %d topics", directory, len(found))
    return True


def _dump(entries: list[dict[str, Any]]) -> str:
    class Dumper(yaml.SafeDumper):
        """Multi-line answers as | blocks, like the hand-written topic files."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    header = "# Xuất từ cơ sở dữ liệu (python -m bot faq export); sửa trong nhóm Tổ công tác bằng /suafaq.\n"
    return header + yaml.dump(
        {"topics": entries}, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=110
    )


async def export_topics(db: Database, directory: Path) -> dict[str, int]:
    """The published topics as directory/topics/<file>.yaml; returns topics per file written."""
    async with db.session() as session:
        rows = await faq_repo.published(session)
    files: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        files.setdefault(row.file or f"{row.system}.yaml", []).append(faq_repo.as_entry(row))
    target = directory / "topics"
    target.mkdir(parents=True, exist_ok=True)
    for name, entries in files.items():
        (target / name).write_text(_dump(entries), encoding="utf-8")
    return {name: len(entries) for name, entries in files.items()}


async def import_eval(db: Database, paths: list[Path]) -> int:
    """Labelled JSON lines ({"text", "topic"}) into the gate's evaluation rows."""
    from faq.evaluate import read_labelled

    count = 0
    async with db.session() as session:
        for path in paths:
            for item in read_labelled(path):
                session.add(FaqEvalRow(text=item.text, topic=item.topic, source=path.name[:120]))
                count += 1
    return count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot faq", description="Bộ câu hỏi thường gặp trong cơ sở dữ liệu"
    )
    parser.add_argument("--database-url", default=None, help="mặc định: DATABASE_URL của bot")
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="nhập chủ đề từ YAML (mặc định faq/data) vào cơ sở dữ liệu")
    imp.add_argument("directory", nargs="?", type=Path, default=DATA_DIR)
    imp.add_argument(
        "--eval", nargs="*", type=Path, default=[], help="tệp JSON lines có nhãn cho bộ đánh giá"
    )
    exp = sub.add_parser("export", help="xuất các chủ đề đang dùng ra DIR/topics/*.yaml")
    exp.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    from bot.settings import load_settings
    from storage.db import Database

    db = Database(args.database_url or load_settings().sqlalchemy_url)

    async def run() -> int:
        try:
            if args.action == "import":
                added, changed = await import_topics(db, args.directory)
                rows = await import_eval(db, args.eval) if args.eval else 0
                print(f"Đã nhập: {added} chủ đề mới, {changed} chủ đề thay đổi, {rows} câu đánh giá.")
            else:
                written = await export_topics(db, args.directory)
                print(
                    f"Đã xuất {sum(written.values())} chủ đề vào {len(written)} tệp trong {args.directory / 'topics'}."
                )
            return 0
        except KnowledgeBaseError as exc:
            print(f"Lỗi dữ liệu FAQ: {exc}", file=sys.stderr)
            return 1
        finally:
            await db.dispose()

    return asyncio.run(run())
