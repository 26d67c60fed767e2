"""Settings: defaults from config.yaml, environment overrides, secrets only from the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings


def test_defaults_work_without_any_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.sqlalchemy_url.startswith("sqlite:///") and settings.sqlalchemy_url.endswith(
        "data/bot.db"
    )
    assert settings.conversation.max_attachments == 5
    assert settings.timezone == "Asia/Ho_Chi_Minh"


def test_environment_overrides_nested_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK__PORT", "9443")
    monkeypatch.setenv("STAFF_CHAT_ID", "-100123")
    settings = load_settings()
    assert settings.webhook.port == 9443 and settings.staff_chat_id == -100123


def test_bad_setting_fails_with_one_sentence_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK__PORT", "cổng-tám-nghìn")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert "webhook.port" in str(error.value) and "WEBHOOK__PORT" in str(error.value)
    assert str(error.value).count("\n") == 0


def test_database_pool_settings_from_the_environment_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE__POOL_SIZE", "8")
    monkeypatch.setenv("DATABASE__INTAKE_TRANSACTIONS", "6")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/bot")  # a secret beside the section: no clash
    settings = load_settings()
    assert (settings.database.pool_size, settings.database.intake_transactions) == (8, 6)
    assert settings.database_url == "postgresql://bot@db/bot"
    monkeypatch.setenv("DATABASE__INTAKE_TRANSACTIONS", "12")
    with pytest.raises(ConfigError, match="intake_transactions"):
        load_settings()


def test_secret_in_config_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("telegram_bot_token: '123:abc'\n", encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG_FILE", str(config))
    with pytest.raises(ConfigError, match="telegram_bot_token"):
        load_settings()


def test_cli_reports_bad_config_and_exits(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "WEBHOOK__PORT": "abc", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 2
    assert "webhook.port" in result.stderr and "Traceback" not in result.stderr


def test_console_channel_runs_a_scripted_conversation(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/c.db",
        "MPLCONFIGDIR": str(tmp_path),
    }
    script = "1\n1\nnguoi dan\nle chan\n1\n3\n/huy\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=script,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Xin chào" in out and "Nghị định 13/2023" in out and "Phường Lê Chân" in out
    assert "mô tả ngắn gọn" in out and "Đã hủy" in out
