"""Every benchmark in one go (`make bench`): prints each table and writes benchmarks/results/*.json.

    .venv/bin/python benchmarks/run_all.py            # the issue's sizes (about 10 minutes here)
    .venv/bin/python benchmarks/run_all.py --quick    # a smaller run to see that it all works

Each benchmark also runs alone: webhook_throughput.py, memory.py, pacing.py, faq_bench.py,
dashboard_bench.py, understand_bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import aiogram_import, memory, pacing, webhook_throughput  # noqa: E402
from benchmarks.common import machine, write_result  # noqa: E402


async def run(quick: bool) -> None:
    print("Machine:", machine())
    throughput = await webhook_throughput.main(["--people", "400" if quick else "2000", "--workers", "1"])
    mem = await memory.main(["--people", "2000" if quick else "10000"])
    aiogram_saving = aiogram_import.main()  # what bot/telegram/aiogram_types.py buys (issue 19)
    pace = await pacing.main(["--chats", "100" if quick else "500", "--group", "21" if quick else "38"])
    faq = ROOT / "benchmarks" / "faq_bench.py"
    if faq.exists():  # the FAQ matcher's own benchmark (kept by its owner)
        subprocess.run([sys.executable, str(faq)], cwd=ROOT, check=False)
    # Reading one typed reply (issue 16): p99 < 5 ms.
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "understand_bench.py")], cwd=ROOT, check=False)
    # The dashboard's page render times (issue 22): 20,000 cases, SQLite and PostgreSQL.
    dashboard = ROOT / "benchmarks" / "dashboard_bench.py"
    subprocess.run(
        [sys.executable, str(dashboard), "--cases", "5000" if quick else "20000"], cwd=ROOT, check=False
    )
    # Text in pictures (issue 21): CER, FAQ top-1 from the picture, time per picture; needs Tesseract.
    if shutil.which("tesseract"):
        subprocess.run([sys.executable, "-m", "benchmarks.ocr.generate"], cwd=ROOT, check=False)
        subprocess.run([sys.executable, "-m", "benchmarks.ocr.run"], cwd=ROOT, check=False)
    write_result(
        "summary",
        {
            "quick": quick,
            "webhook_throughput": throughput,
            "memory": mem,
            "aiogram_import": aiogram_saving,
            "pacing": pace,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.quick))


if __name__ == "__main__":
    main()
