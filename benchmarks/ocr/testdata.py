"""The few pictures committed in tests/data/ocr (so the tests need no font), and their truth.

    .venv/bin/python -m benchmarks.ocr.testdata

Drawn like the benchmark set (benchmarks.ocr.render), with fixed seeds.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from benchmarks.ocr.messages import MESSAGES, ScreenMessage
from benchmarks.ocr.render import desktop_screen, jpeg, phone_screen, photo_of_screen, telegram_scaled

OUT = Path("tests/data/ocr")
BY_TOPIC = {m.topic: m for m in MESSAGES}
# A message that itself holds a CCCD and a phone number: they must never reach the card.
WITH_NUMBERS = ScreenMessage(
    "tai_khoan_muc_2",
    "vneid",
    "Thông báo",
    "Số định danh 0341 1116 2333 chưa được định danh mức 2. Vui lòng gọi 0912 345 678 để được hỗ trợ.",
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    truth = {}
    cases = (
        (
            "vneid_muc2_phone",
            lambda rng: phone_screen(BY_TOPIC["tai_khoan_muc_2"], rng, "roboto", False),
            False,
        ),
        (
            "motcua_token_desktop",
            lambda rng: desktop_screen(BY_TOPIC["cb_token_ky_so_loi"], rng, "liberation"),
            False,
        ),
        (
            "vneid_baotri_photo",
            lambda rng: phone_screen(BY_TOPIC["vneid_loi_he_thong"], rng, "dejavu", False),
            True,
        ),
        ("cccd_in_message", lambda rng: phone_screen(WITH_NUMBERS, rng, "roboto", False), False),
    )
    for seed, (name, draw, photo) in enumerate(cases, start=1):
        rng = random.Random(seed)
        screen = draw(rng)
        image = photo_of_screen(screen.image, rng) if photo else screen.image
        (OUT / f"{name}.jpg").write_bytes(jpeg(telegram_scaled(image, 1000), 70))
        truth[name] = {"error_lines": screen.error_lines, "pii": screen.pii}
    (OUT / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
