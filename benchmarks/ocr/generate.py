"""Make the OCR benchmark set: four pictures per FAQ topic (144), with their true text.

    .venv/bin/python -m benchmarks.ocr.generate [--out benchmarks/results/ocr-set] [--seed 21]

Per topic: a screenshot in the screen's own layout (phone for VNeID, desktop for the one-stop
software, either for the portal), a second screenshot (the other layout, dark mode, scaled down,
harder compression), a photo of the screen, and a photo of the phone in dark mode. Fonts are
Debian's (fonts-roboto-unhinted, fonts-liberation2, fonts-dejavu-core); the set is rebuilt
deterministically from the seed.
Writes ``<name>.jpg`` and ``truth.jsonl`` (name, topic, kind, layout, error_lines, message, pii).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from benchmarks.ocr.messages import MESSAGES, ScreenMessage
from benchmarks.ocr.render import (
    Screen,
    desktop_screen,
    installed_families,
    jpeg,
    phone_screen,
    photo_of_screen,
    telegram_scaled,
)

DEFAULT_OUT = Path("benchmarks/results/ocr-set")


def _layout(msg: ScreenMessage, index: int) -> str:
    if msg.screen == "vneid":
        return "phone"
    if msg.screen == "onestop":
        return "desktop"
    return "phone" if index % 2 else "desktop"


def _draw(msg: ScreenMessage, layout: str, rng: random.Random, family: str, dark: bool = False) -> Screen:
    if layout == "phone":
        return phone_screen(msg, rng, family, dark)
    return desktop_screen(msg, rng, family)


def pictures(seed: int = 21) -> Iterator[tuple[str, bytes, dict]]:
    """(name, JPEG bytes, truth) for every picture of the set."""
    rng = random.Random(seed)
    families = installed_families()
    if not families:
        raise SystemExit("no font with Vietnamese glyphs: apt-get install fonts-dejavu-core")
    for index, msg in enumerate(MESSAGES):
        layout = _layout(msg, index)
        other = "desktop" if layout == "phone" and msg.screen != "vneid" else "phone"
        variants = (
            ("a", "screenshot", layout, False, lambda img: telegram_scaled(img), rng.randint(75, 90)),
            (
                "b",
                "screenshot",
                other,
                index % 3 == 0,
                lambda img: telegram_scaled(_shrink(img, rng.uniform(0.75, 1.0))),
                rng.randint(50, 80),
            ),
            (
                "c",
                "photo",
                layout,
                False,
                lambda img: telegram_scaled(photo_of_screen(img, rng)),
                rng.randint(70, 85),
            ),
            (
                "d",
                "photo",
                "phone",
                True,
                lambda img: telegram_scaled(photo_of_screen(img, rng)),
                rng.randint(70, 85),
            ),
        )
        for suffix, kind, shape, dark, degrade, quality in variants:
            family = rng.choice(families)
            screen = _draw(msg, shape, rng, family, dark)
            data = jpeg(degrade(screen.image), quality)
            name = f"{index:02d}{suffix}_{msg.topic}"
            truth = {
                "name": name,
                "topic": msg.topic,
                "kind": kind,
                "layout": shape + ("-dark" if dark else ""),
                "font": family,
                "jpeg_quality": quality,
                "error_lines": screen.error_lines,
                "message": msg.message,
                "pii": screen.pii,
            }
            yield name, data, truth


def _shrink(image: Image.Image, ratio: float) -> Image.Image:
    return image.resize((round(image.width * ratio), round(image.height * ratio)), Image.Resampling.LANCZOS)


def build(out: Path = DEFAULT_OUT, seed: int = 21) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for name, data, truth in pictures(seed):
        (out / f"{name}.jpg").write_bytes(data)
        truths.append(truth)
    with (out / "truth.jsonl").open("w", encoding="utf-8") as f:
        for truth in truths:
            f.write(json.dumps(truth, ensure_ascii=False) + "\n")
    return truths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    truths = build(args.out, args.seed)
    print(f"{len(truths)} pictures in {args.out}")


if __name__ == "__main__":
    main()
