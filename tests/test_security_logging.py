"""No token, phone number, CCCD number or password reaches a log line in clear."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import MaskingFormatter, mask, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed", TOKEN),
        (f"token is {TOKEN}", TOKEN),
        ("token 123456789:TEST-fake-token-not-real", "TEST-fake-token-not-real"),
        ("gọi 0912345678 giúp", "0912345678"),
        ("sđt 0912 345 678", "0912 345 678"),
        ("sđt 0912.345.678", "0912.345.678"),
        ("sđt 0912-345-678", "0912-345-678"),
        ("sđt +84 912 345 678", "912 345 678"),
        ("contact 84912345678", "84912345678"),
        ("máy bàn 02253 842 123", "842 123"),
        ("CCCD 001234567890", "001234567890"),
        ("CCCD 001 234 567 890", "001 234 567 890"),
        ("CCCD 001.234.567.890", "001.234.567.890"),
        ("GET /oa?access_token=abc.DEF-123&x=1", "abc.DEF-123"),
        ('{"refresh_token": "r3fr3sh", "ok": true}', "r3fr3sh"),
        ("secret_key=k3y", "k3y"),
        ("X-Telegram-Bot-Api-Secret-Token: hook-secret-1", "hook-secret-1"),
        ("DATABASE_URL=postgresql://bot:p4ss@db.internal:5432/bot", "p4ss"),
        ("sđt (+84) 912 345 678", "912 345 678"),
        ("CCCD 031-095-001-234", "001-234"),
        ("zalo 1234567890123456789:abcDEFghiJKLmnoPQRstuVWX", "abcDEFghiJKLmnoPQRstuVWX"),
        ("access_token: abc.DEF-123 expired", "abc.DEF-123"),
        ("refresh failed: {'access_token': 'a1b2c3', 'expires_in': '90000'}", "a1b2c3"),
        ("headers {'secret_key': 'app-s3cret'}", "app-s3cret"),
        ("X-Bot-Api-Secret-Token: zalo-hook-secret", "zalo-hook-secret"),
        ("REDIS_URL=redis://:r3dis-pw@cache:6379/0", "r3dis-pw"),
    ],
)
def test_mask_hides_secrets_and_personal_numbers(line: str, secret: str) -> None:
    assert secret not in mask(line)


@pytest.mark.parametrize(
    "line",
    [
        "update 912345 processed in 12 ms",
        "case PA-250101-AB7K status da_dong",
        "chat -1001234567890 thread 17",
        "outbox row 48213 sent after 3 attempts",
        "2025-07-01 08:00:00 digest sent",
    ],
)
def test_mask_leaves_ordinary_numbers_alone(line: str) -> None:
    assert mask(line) == line


@pytest.fixture
def configured_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging("INFO")
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_log_records_and_tracebacks_are_masked(configured_logging: None) -> None:
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, MaskingFormatter)]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    handler.setStream(stream)
    log = logging.getLogger("bot.test")
    log.warning("người dân %s gửi số %s, CCCD %s", "Lan", "0912 345 678", "001234567890")
    try:
        raise ConnectionError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getUpdates")
    except ConnectionError:
        log.exception("polling failed for phone %s", "+84912345678")
    err = stream.getvalue()
    assert "Lan" in err and "<phone>" in err and "<cccd>" in err and "<token>" in err
    for secret in ("0912 345 678", "001234567890", TOKEN, "912345678"):
        assert secret not in err, f"{secret!r} leaked into the log:\n{err}"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("CCCD 0312 3456 7890", "0312 3456 7890"),
        ("CCCD 031-234-567890", "031-234-567890"),
        ("CCCD 031234 567890", "567890"),
        ("số định danh 031.2345.67890", "67890"),
    ],
)
def test_mask_hides_id_numbers_in_any_grouping(line: str, secret: str) -> None:
    assert secret not in mask(line)
    assert "<cccd>" in mask(line)
