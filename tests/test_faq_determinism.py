"""The same message gets the same pick list, in the same order, in every process.

Topics with equal scores were ordered by a set's iteration, i.e. by the process's hash seed:
two bot processes (or a restart) could offer the line below (from faq-dev-2026-12-07c.jsonl,
a regression set) its two topics tied at 59.0 in opposite orders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Good afternoon. My wife cannot get into the online public service site with her VNeID, "
    "the page just refreshes."
)
SCRIPT = (
    "import json, sys\n"
    "from faq.matcher import default_matcher\n"
    "r = default_matcher().match(sys.argv[1])\n"
    "print(json.dumps([r.topic, r.alternatives]))\n"
)


def _run(seed: str) -> list[object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, TEXT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


def test_pick_list_order_does_not_depend_on_the_hash_seed() -> None:
    assert _run("1") == _run("2") == _run("4")
