"""Latency of reading one typed reply (handlers.understand.interpret): p50/p99 per message.

    .venv/bin/python benchmarks/understand_bench.py

Every line of both labelled corpora (tests/data/typed-replies*.jsonl), at its own question, with
the real unit search; the caches are cleared before each round so that a round measures first
readings, not repeated ones. Target (issue 16): p99 < 5 ms.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import table, write_result  # noqa: E402
from handlers.understand import interpret  # noqa: E402
from handlers.understand.__main__ import SCREENS, unit_search  # noqa: E402
from handlers.understand.normalize import _normalized  # noqa: E402

DATA = ROOT / "tests" / "data"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(rounds: int = 5) -> dict[str, float]:
    items = [
        json.loads(line)
        for path in sorted(DATA.glob("typed-replies*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    search = unit_search()
    interpret("khởi động", SCREENS["menu"], search)  # load the unit index and the vocabulary once
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        _normalized.cache_clear()  # first readings, not cache hits
        for item in items:
            screen = SCREENS[item["q"]]
            start_wall, start_cpu = time.perf_counter(), time.thread_time()
            interpret(item["text"], screen, search)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start_wall) * 1000)
    result = {
        "messages": len(items) * rounds,
        "wall_p50_ms": round(statistics.median(wall), 3),
        "wall_p99_ms": round(percentile(wall, 0.99), 3),
        "cpu_p99_ms": round(percentile(cpu, 0.99), 3),
        "wall_max_ms": round(max(wall), 3),
    }
    print("Reading typed replies (handlers.understand.interpret)")
    print(table(list(result), [list(result.values())]))
    print("target: p99 < 5 ms", "✓" if result["wall_p99_ms"] < 5 else "✗")
    write_result("understand", result)
    return result


if __name__ == "__main__":
    main()
