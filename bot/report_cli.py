"""``python -m bot report --from 2025-11-01 --to 2025-11-30 --out bao-cao.xlsx``

Writes the report workbook and, next to it, the chart (``bao-cao.png``) for the cases received
from ``--from`` to ``--to`` (inclusive, Asia/Ho_Chi_Minh), read from the configured database
(``DATABASE_URL``, else the SQLite file of ``sqlite_path``). Read-only: nothing is changed and
nothing is sent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from storage.db import Database

MAX_DAYS = 366


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' không phải ngày dạng YYYY-MM-DD") from None


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="lập báo cáo Excel và biểu đồ cho một khoảng ngày",
        description="Lập báo cáo (tệp .xlsx và biểu đồ .png cạnh nó) từ cơ sở dữ liệu.",
    )
    parser.add_argument("--from", dest="start", required=True, type=_date, help="ngày bắt đầu, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, type=_date, help="ngày kết thúc, YYYY-MM-DD")
    parser.add_argument("--out", required=True, type=Path, help="tệp .xlsx; biểu đồ ghi cạnh đó (.png)")


def run_report(settings: Settings, args: argparse.Namespace) -> int:
    start, end, out = args.start, args.end, Path(args.out)
    if end < start:
        print("Lỗi: --to phải sau hoặc bằng --from.", file=sys.stderr)
        return 2
    if (end - start).days + 1 > MAX_DAYS:
        print(f"Lỗi: mỗi báo cáo tối đa {MAX_DAYS} ngày.", file=sys.stderr)
        return 2
    if out.suffix.lower() != ".xlsx":
        print("Lỗi: --out phải là tệp .xlsx.", file=sys.stderr)
        return 2
    from sqlalchemy.engine import make_url

    from storage.db import Database

    url = settings.sqlalchemy_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        # Opening a missing SQLite file would create an empty database and report zeros.
        print(f"Lỗi: không tìm thấy cơ sở dữ liệu {parsed.database}.", file=sys.stderr)
        return 1
    db = Database(url, statement_timeout=None)  # an operator's report may read a lot
    try:
        text, xlsx, png = asyncio.run(_make(settings, db, start, end, out))
    except Exception as exc:
        print(f"Lỗi khi lập báo cáo: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(text)
    print(f"\nĐã ghi: {xlsx}\nĐã ghi: {png}")
    return 0


async def _make(
    settings: Settings, db: Database, start: date, end: date, out: Path
) -> tuple[str, Path, Path]:
    from bot.app import work_calendar
    from handlers.directory import KnowledgeBaseFaq
    from handlers.reports.desk import ReportMaker

    try:
        maker = ReportMaker(
            work_calendar(settings), out.parent, faq=KnowledgeBaseFaq(), organisation=settings.organisation
        )
        async with db.session() as session:
            report = await maker.build(session, start, end, datetime.now(UTC))
    finally:
        await db.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    files = await asyncio.to_thread(maker.render_sync, report, out)
    return files.text, files.xlsx, files.png
