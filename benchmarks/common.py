"""Shared pieces of the benchmarks: the machine, result files, percentiles, a webhook load
generator that behaves like Telegram, and child processes (the bot, the echo bot)."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "test-webhook-secret-123"  # the same as tests/support/telegram_bot.py
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def percentile(samples: Sequence[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return path


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [
        [f"{c:.1f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the load: people walking the first steps, the way Telegram delivers them ----------------


def conversation_updates(user_id: int, steps: int, first: str = "/start") -> list[bytes]:
    """A person's first `steps` updates: /start (or `first`), then the buttons of the intake."""
    from tests.fakes.updates import callback_update, text_update

    presses = ["menu:report", "consent:yes", "role:nguoi_dan", "unit:skip", "system:vneid"]
    updates = [text_update(user_id, first, first_name="Dân")]
    updates += [callback_update(user_id, key, message_id=1, first_name="Dân") for key in presses[: steps - 1]]
    return [json.dumps(u).encode() for u in updates]


@dataclass
class LoadResult:
    messages: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


async def drive_webhook(
    url: str | list[str],
    people: int,
    per_person: int,
    *,
    first_user: int = 1_000_000,
    connections: int = 40,
    first: str = "/start",
) -> LoadResult:
    """POST every person's updates in sequence (the next after the 200, as Telegram does per
    chat), all people at once over at most `connections` connections (Telegram's default
    max_connections is 40). Bodies are prepared before the clock starts."""
    import aiohttp

    bodies = [conversation_updates(first_user + i, per_person, first) for i in range(people)]
    urls = [url] if isinstance(url, str) else url
    turn = 0  # several instances: each request to the next one, as Telegram would spread them
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(connections)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def person(updates: list[bytes]) -> None:
            nonlocal errors
            nonlocal turn
            for body in updates:
                while True:
                    target = urls[turn % len(urls)]
                    turn += 1
                    async with gate:
                        started = time.perf_counter()
                        async with session.post(target, data=body, headers=headers) as response:
                            await response.read()
                            status = response.status
                    if status == 200:
                        latencies.append((time.perf_counter() - started) * 1000)
                        break
                    errors += 1  # Telegram would deliver it again
                    await asyncio.sleep(0.05)

        started = time.perf_counter()
        await asyncio.gather(*(person(b) for b in bodies))
        elapsed = time.perf_counter() - started
    return LoadResult(people * per_person, elapsed, latencies, errors)


async def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"child exited with {process.returncode}")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port}")


def start_echo_bot(api_base: str, port: int, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "echo_bot.py"),
            "--port",
            str(port),
            "--api-base",
            api_base,
            "--mode",
            mode,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def fresh_postgres() -> str | None:
    """A new, empty database on the local PostgreSQL (None when there is none)."""
    try:
        import asyncpg  # type: ignore[import-untyped]

        admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")
        conn = await asyncpg.connect(admin, timeout=3)
    except Exception:
        return None
    name = f"bench_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


async def drop_postgres(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def create_schema(url: str) -> None:
    from storage.db import Database

    db = Database(url)
    await db.create_all()
    await db.dispose()
