"""One picture in, its masked text and error lines out (blocking; see bot.ocr.pictures for the
asynchronous side)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.ocr import tesseract
from bot.ocr.errors import error_lines
from bot.ocr.mask import mask_numbers
from bot.ocr.prepare import flatten, open_picture, prepare, to_png


@dataclass(frozen=True)
class Recognised:
    text: str  # the whole screen, CCCD and phone numbers masked
    error_lines: list[str]  # the lines that make its error message (masked too)
    seconds: float


def recognise(data: bytes, *, timeout: float = 8.0) -> Recognised:
    """Read the picture `data` (JPEG, PNG, WebP…). Raises NotAPicture, OcrUnavailable, OcrFailed."""
    started = time.perf_counter()
    page = prepare(open_picture(data))
    text = mask_numbers(tesseract.recognise_png(to_png(page), timeout=timeout))
    lines = error_lines(text)
    if not lines:
        # No message found: often a dialog over a dimmed screen, read again on a flat background.
        left = max(1.0, timeout - (time.perf_counter() - started))
        second = mask_numbers(tesseract.recognise_png(to_png(flatten(page)), timeout=left))
        second_lines = error_lines(second)
        if second_lines:
            text, lines = second, second_lines
    return Recognised(text, lines, time.perf_counter() - started)
