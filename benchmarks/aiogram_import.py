"""Resident memory of importing aiogram: as written vs through bot.telegram.aiogram_types.

    .venv/bin/python benchmarks/aiogram_import.py

Each way runs in a fresh interpreter that imports aiogram and parses one Update (what the bot
does before its first message), then reports its peak RSS (ru_maxrss).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, resource, sys
if sys.argv[1] == "deferred":
    import bot.telegram.aiogram_types  # noqa: F401
from aiogram.types import Update
Update.model_validate({"update_id": 1, "message": {"message_id": 1, "date": 0,
    "chat": {"id": 1, "type": "private"}, "text": "/start"}})
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(way: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, way], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"])


def main() -> dict[str, Any]:
    eager, deferred = measure("eager"), measure("deferred")
    data = {
        "eager_peak_mb": round(eager, 1),
        "deferred_peak_mb": round(deferred, 1),
        "saved_mb": round(eager - deferred, 1),
    }
    print(
        f"aiogram import, peak RSS: as written {eager:.1f} MB, deferred {deferred:.1f} MB, saved {eager - deferred:.1f} MB"
    )
    return data


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import write_result

    print(f"written {write_result('aiogram_import', main())}")
