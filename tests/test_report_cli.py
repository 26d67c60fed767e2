"""``python -m bot report`` as an operator runs it: a subprocess on a seeded SQLite file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from matplotlib.image import imread
from openpyxl import load_workbook

from bot.settings import PROJECT_ROOT
from handlers.schedule.worktime import VN_TZ
from storage.db import Database
from storage.models import CaseStatus
from tests.test_jobs_support import make_app, seed_case


def vn(d: int, hh: int) -> datetime:
    return datetime(2025, 11, d, hh, tzinfo=VN_TZ)


def seed(url: str) -> None:
    async def go() -> None:
        db = Database(url)
        await db.create_all()
        app = make_app(db)
        await seed_case(
            app,
            vn(17, 8),
            unit="11383",
            system="vneid",
            status=CaseStatus.CLOSED,
            first_response_at=vn(17, 9),
            resolved_at=vn(17, 10),
            rating="hai_long",
        )
        await seed_case(app, vn(18, 9), unit="11629", system="thanh_toan")
        await seed_case(
            app,
            vn(19, 9),
            unit="11629",
            system="thanh_toan",
            escalated=True,
            escalation_reason="Ngoài thẩm quyền",
        )
        await seed_case(app, vn(25, 9), unit="11383")  # outside the period
        await db.dispose()

    asyncio.run(go())


def run(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_command_writes_workbook_and_chart(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    seed(f"sqlite:///{database}")
    out = tmp_path / "out" / "bao-cao-tuan.xlsx"
    result = run("--from", "2025-11-17", "--to", "2025-11-23", "--out", str(out), database=database)
    assert result.returncode == 0, result.stderr
    assert "BÁO CÁO PHẢN ÁNH 17/11/2025 – 23/11/2025" in result.stdout
    assert "Tiếp nhận mới: 3" in result.stdout and str(out) in result.stdout

    wb = load_workbook(out)
    ws = wb["Tổng hợp"]
    # The organisation from config.yaml heads the first sheet, then the period.
    assert ws["A1"].value == "Sở Khoa học và Công nghệ Hải Phòng — Tổ công tác"
    assert "17/11/2025 – 23/11/2025" in ws["A3"].value and "10/11/2025 – 16/11/2025" in ws["A3"].value
    summary = {row[0]: row[1:4] for row in ws.iter_rows(min_row=7, values_only=True) if row[0]}
    assert summary["Phản ánh tiếp nhận"] == (3, 0, 3)
    assert summary["Vượt thẩm quyền"][0] == 1
    units = [row[1:3] for row in wb["Theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert units == [
        ("Xã An Lão", 2),
        ("Phường Lê Chân", 1),
        ("Các đơn vị khác (0 phản ánh)", 0),
        ("Tổng cộng", 3),
    ]
    png = out.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert imread(str(png)).shape[1] > 1000


def test_report_command_refuses_bad_arguments(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    seed(f"sqlite:///{database}")
    backwards = run(
        "--from", "2025-11-23", "--to", "2025-11-17", "--out", str(tmp_path / "r.xlsx"), database=database
    )
    assert backwards.returncode == 2 and "--to phải sau" in backwards.stderr
    not_a_date = run(
        "--from", "17/11/2025", "--to", "2025-11-23", "--out", str(tmp_path / "r.xlsx"), database=database
    )
    assert not_a_date.returncode == 2 and "YYYY-MM-DD" in not_a_date.stderr
    wrong_suffix = run(
        "--from", "2025-11-17", "--to", "2025-11-23", "--out", str(tmp_path / "r.csv"), database=database
    )
    assert wrong_suffix.returncode == 2
    missing = run(
        "--from",
        "2025-11-17",
        "--to",
        "2025-11-23",
        "--out",
        str(tmp_path / "r.xlsx"),
        database=tmp_path / "none.db",
    )
    assert missing.returncode == 1 and "không tìm thấy cơ sở dữ liệu" in missing.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "r.xlsx").exists()
