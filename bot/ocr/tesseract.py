"""The `tesseract` command, called directly (no Python wrapper to install).

The image goes in on stdin and the text comes out on stdout, so the picture never touches the
disk. One recognition uses one core (``OMP_THREAD_LIMIT=1``): the bot shares a small machine
with its database, and a second OpenMP thread buys little on a screenshot.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

# What the person sees in the log when recognition is off (bot start): one line, what to do.
INSTALL_HINT = (
    "reading text in pictures is off: tesseract with Vietnamese is not installed "
    "(Debian/Ubuntu: apt-get install -y tesseract-ocr tesseract-ocr-vie)"
)


class OcrUnavailable(Exception):
    """Tesseract (or its Vietnamese data) is not installed."""


class OcrFailed(Exception):
    """This picture could not be read (too slow, unreadable): the report goes on without its text."""


@functools.cache
def tesseract_path() -> str | None:
    """The command when it is installed with Vietnamese; None otherwise (checked once per process)."""
    command = shutil.which("tesseract")
    if command is None:
        return None
    try:
        listed = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    langs = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    return command if "vie" in langs else None


def available() -> bool:
    return tesseract_path() is not None


def recognise_png(png: bytes, *, timeout: float = 8.0, psm: int = 3, lang: str = "vie") -> str:
    """The text of an encoded image (PNG or any format leptonica reads), line by line.

    Blocking: call it from a worker thread. Raises OcrUnavailable or OcrFailed."""
    command = tesseract_path()
    if command is None:
        raise OcrUnavailable(INSTALL_HINT)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [command, "stdin", "stdout", "-l", lang, "--psm", str(psm), "--oem", "1"],
            input=png,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"recognition took more than {timeout:.0f} s") from None
    except OSError as exc:
        raise OcrFailed(f"tesseract could not run ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise OcrFailed(f"tesseract exited with {done.returncode}")
    return done.stdout.decode("utf-8", errors="replace")
