"""Text in pictures (issue #21), piece by piece: masking, the error lines of a screen, reading the
committed screenshots with the real Tesseract, the picture reader and incident grouping
(the staff card: tests/test_ocr_card.py).

The pictures in tests/data/ocr were drawn by benchmarks.ocr.testdata (no font needed here).
Under CI Tesseract must be installed (.ci/run installs it); elsewhere its tests are skipped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from bot.ocr import tesseract
from bot.ocr.errors import error_lines
from bot.ocr.mask import CCCD_MASK, PHONE_MASK, mask_numbers
from bot.ocr.pictures import PictureReader
from bot.ocr.recognise import recognise
from bot.zalo.files import FetchedFile
from handlers.events import AttachmentRef, ChatKind, Incoming, Kind
from handlers.incidents.detect import ReportSignal, detect_incidents, format_incident_alert_vi
from handlers.pictures import error_signature

DATA = Path(__file__).parent / "data" / "ocr"
TRUTH = json.loads((DATA / "truth.json").read_text(encoding="utf-8"))
IN_CI = __import__("os").environ.get("CI", "").lower() == "true"


def needs_tesseract() -> None:
    if not tesseract.available():
        if IN_CI:
            pytest.fail("tesseract with Vietnamese is required under CI (.ci/run installs it)")
        pytest.skip("tesseract-ocr-vie is not installed")


def cer(truth: list[str], seen: list[str]) -> float:
    want = " ".join(" ".join(truth).split())
    return Levenshtein.distance(want, " ".join(" ".join(seen).split())) / len(want)


# -- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["034111162333", "0341 1116 2333", "034 111 162333", "0341.1116.2333", "O34111162333"],
    ids=["plain", "4-4-4", "3-3-6", "dots", "O-for-zero"],
)
def test_a_cccd_however_grouped_is_masked(written: str) -> None:
    masked = mask_numbers(f"Số định danh: {written}.")
    assert masked == f"Số định danh: {CCCD_MASK}."
    assert not re.search(r"\d{3}", masked)


@pytest.mark.parametrize(
    "written", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"]
)
def test_a_phone_number_is_masked(written: str) -> None:
    assert mask_numbers(f"gọi {written} nhé") == f"gọi {PHONE_MASK} nhé"


@pytest.mark.parametrize(
    "kept",
    [
        "Mã hồ sơ: H31.68-250430-6618",
        "000.00.23.H31-250430-0001",
        "Mã lỗi: ERR-500",
        "ngày 01/7/2025 lúc 10:30",
        "Lệ phí 125.000.000.000 đồng",
    ],
)
def test_dossier_codes_dates_and_amounts_are_kept(kept: str) -> None:
    assert mask_numbers(kept) == kept


# -- the error lines of a screen ---------------------------------------------------------

SCREEN = """14:02 4G 76%

Cổng Dịch vụ công quốc gia

Họ và tên: Lê Thu Hà
Số định danh: [số CCCD đã ẩn]

Tiếp nhận hồ sơ
Hồ sơ đang xử lý
Thông báo
Tài khoản định danh điện tử của tổ chức

chưa được kích hoạt. Vui lòng liên hệ quản trị

hệ thống.

Thử lại
"""


def test_error_lines_are_the_message_not_the_menus_labels_or_buttons() -> None:
    assert error_lines(SCREEN) == [
        "Tài khoản định danh điện tử của tổ chức",
        "chưa được kích hoạt. Vui lòng liên hệ quản trị",
        "hệ thống.",
    ]


def test_a_dialog_title_alone_is_left_out_and_a_screen_without_error_gives_nothing() -> None:
    assert error_lines("Lỗi ký số\n\nKý số không thành công. Không tìm thấy USB Token.\n") == [
        "Ký số không thành công. Không tìm thấy USB Token."
    ]
    assert error_lines("Trang chủ\nVí giấy tờ\n\nThủ tục hành chính\n") == []


# -- reading the committed screenshots ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_a_screenshot_is_read_into_its_error_lines(name: str) -> None:
    needs_tesseract()
    truth = TRUTH[name]
    seen = recognise((DATA / f"{name}.jpg").read_bytes())
    want = [mask_numbers(line) for line in truth["error_lines"]]
    assert cer(want, seen.error_lines) <= 0.05, seen.error_lines
    digits = re.sub(r"\D", "", seen.text)
    for number in truth["pii"]:
        assert number not in digits  # neither the form's CCCD/phone nor a number in the message
    assert seen.seconds < 5


def test_a_cccd_inside_the_error_message_is_masked() -> None:
    needs_tesseract()
    seen = recognise((DATA / "cccd_in_message.jpg").read_bytes())
    joined = " ".join(seen.error_lines)
    assert CCCD_MASK in joined and PHONE_MASK in joined and "định danh mức 2" in joined
    assert "2333" not in joined and "345 678" not in joined


class Files:
    def __init__(self, content: bytes) -> None:
        self.content = content
        self.asked: list[str] = []

    async def fetch(self, file_ref: str, max_bytes: int) -> FetchedFile:
        self.asked.append(file_ref)
        return FetchedFile(self.content)


def photo_event(*attachments: AttachmentRef) -> Incoming:
    return Incoming("telegram", "1", "1", Kind.ATTACHMENT, attachments=list(attachments))


async def test_the_reader_puts_the_error_lines_on_the_picture_and_leaves_files_alone() -> None:
    needs_tesseract()
    files = Files((DATA / "vneid_muc2_phone.jpg").read_bytes())
    reader = PictureReader({"telegram": files})
    pdf = AttachmentRef("document", "doc-1", "don.pdf", "application/pdf", 1000)
    event = await reader.read(photo_event(AttachmentRef("photo", "shot-1", None, "image/jpeg", 30000), pdf))
    photo, document = event.attachments
    assert photo.text is not None and "định danh mức 2" in photo.text
    assert document == pdf and files.asked == ["shot-1"]
    assert AttachmentRef.from_dict(photo.to_dict()) == photo  # kept through the conversation


async def test_a_picture_over_the_size_limit_or_unreadable_is_not_read() -> None:
    needs_tesseract()
    reader = PictureReader({"telegram": Files(b"not a picture")}, max_bytes=1000)
    big = photo_event(AttachmentRef("photo", "big", None, "image/jpeg", 5000))
    assert await reader.read(big) == big
    broken = photo_event(AttachmentRef("photo", "broken", None, "image/jpeg", 500))
    assert await reader.read(broken) == broken


async def test_without_tesseract_pictures_go_on_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tesseract, "tesseract_path", lambda: None)
    files = Files((DATA / "vneid_muc2_phone.jpg").read_bytes())
    event = photo_event(AttachmentRef("photo", "shot-1", None, "image/jpeg", 30000))
    assert await PictureReader({"telegram": files}).read(event) == event
    assert files.asked == []  # not even downloaded
    with pytest.raises(tesseract.OcrUnavailable):
        recognise((DATA / "vneid_muc2_phone.jpg").read_bytes())


# -- incidents -----------------------------------------------------------------------------

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_reports_the_faq_could_not_place_are_grouped_by_the_same_error_in_their_screenshots() -> None:
    read = ["Mã lỗi E1023: Không kết nối được", "Cơ sở dữ liệu quốc gia về dân cư."]
    misread = ["Mã lỗi E1023: Không kết nối được", "Cơ sở dữ liệu quốc gia vế dân cư"]  # OCR noise late on
    signature = error_signature(read)
    assert signature == error_signature(misread) == "ma loi e1023 khong ket noi duoc co so du"
    signals = [
        ReportSignal(f"PA-{i}", NOW - timedelta(minutes=i), unit, "khac", None, picture_error=signature)
        for i, unit in enumerate(["30001", "30002", "30003", "30001", "30004"])
    ]
    signals.append(ReportSignal("PA-typed", NOW, "30005", "khac", None))  # no picture: nothing in common
    [candidate] = detect_incidents(signals, NOW)
    assert candidate.key == f"error:{signature}" and candidate.count == 5
    alert = format_incident_alert_vi(candidate, {})
    assert "5 phản ánh về cùng thông báo lỗi trong ảnh «ma loi e1023" in alert


def test_a_faq_topic_still_comes_before_the_picture() -> None:
    signals = [
        ReportSignal(f"PA-{i}", NOW, unit, "vneid", "vneid_loi_he_thong", picture_error=sig)
        for i, (unit, sig) in enumerate(
            [
                ("1", "he thong dang bao tri"),
                ("2", None),
                ("3", "he thong dang bao tri vui long"),
                ("4", None),
                ("5", None),
            ]
        )
    ]
    [candidate] = detect_incidents(signals, NOW)
    assert candidate.key == "topic:vneid_loi_he_thong" and candidate.count == 5


# -- Zalo: pictures by URL ---------------------------------------------------------------------


async def test_a_zalo_picture_is_fetched_by_url_within_the_size_limit() -> None:
    needs_tesseract()
    from aiohttp import web

    from bot.ocr.pictures import UrlFiles

    content = (DATA / "vneid_muc2_phone.jpg").read_bytes()
    app = web.Application()

    async def serve(_request: web.Request) -> web.Response:
        return web.Response(body=content, content_type="image/jpeg")

    app.router.add_get("/shot.jpg", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/shot.jpg"
    try:
        event = Incoming("zalo_bot", "z1", "z1", Kind.ATTACHMENT, attachments=[AttachmentRef("photo", url)])
        read = await PictureReader({"zalo_bot": UrlFiles()}).read(event)
        assert read.attachments[0].text and "định danh mức 2" in read.attachments[0].text
        assert read.attachments[0].file_ref == url  # only the reference is kept
        capped = await PictureReader({"zalo_bot": UrlFiles()}, max_bytes=len(content) - 1).read(event)
        assert capped == event  # cut at the cap while downloading, not read
    finally:
        await runner.cleanup()


class SlowFiles(Files):
    async def fetch(self, file_ref: str, max_bytes: int) -> FetchedFile:
        await asyncio.sleep(5)
        return await super().fetch(file_ref, max_bytes)


async def test_a_picture_slower_than_the_time_cap_is_left_unread_and_staff_pictures_are_not_read() -> None:
    needs_tesseract()
    content = (DATA / "vneid_muc2_phone.jpg").read_bytes()
    event = photo_event(AttachmentRef("photo", "shot-1", None, "image/jpeg", 30000))
    started = time.monotonic()
    assert await PictureReader({"telegram": SlowFiles(content)}, seconds=0.5).read(event) == event
    assert time.monotonic() - started < 2  # the person's message goes on without waiting
    files = Files(content)
    staff = dataclasses.replace(event, chat_kind=ChatKind.STAFF)
    assert await PictureReader({"telegram": files}).read(staff) == staff
    assert files.asked == []  # a file staff send to the reporter is not read
