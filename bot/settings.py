"""Settings: config.yaml for every non-secret value, the environment for overrides and secrets.

Secrets (tokens, webhook secrets, OA keys, the database URL) are accepted only from the
environment so that they never end up in a committed file.
"""

from __future__ import annotations

import os
import re
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from bot.zalo.settings import ZaloSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.yaml"
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]+")

SECRET_FIELDS = frozenset(
    {
        "telegram_bot_token",
        "telegram_webhook_secret",
        "database_url",
        "redis_url",
        "zalo_bot_token",
        "zalo_bot_webhook_secret",
        "zalo_oa_app_id",
        "zalo_oa_secret_key",
        "zalo_oa_access_token",
        "zalo_oa_refresh_token",
        "zalo_oa_app_secret",
    }
)


class ConfigError(Exception):
    """A setting is wrong; the message is one sentence naming the setting."""


class WebhookSettings(BaseModel):
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = ""
    telegram_path: str = "/webhook/telegram"
    zalo_bot_path: str = "/webhook/zalo-bot"
    zalo_oa_path: str = "/webhook/zalo-oa"


class ConversationSettings(BaseModel):
    resume_after_hours: float = Field(24, gt=0)
    max_text_length: int = Field(3000, ge=100)
    min_description_length: int = Field(10, ge=1)
    max_attachments: int = Field(5, ge=0, le=20)
    max_attachment_mb: float = Field(20, gt=0)
    allowed_mime_types: list[str] = Field(default_factory=list)
    flood_messages: int = Field(20, ge=1)
    flood_window_seconds: float = Field(60, gt=0)
    # Cases one person may have open at once; a new report beyond it is refused politely.
    max_open_cases: int = Field(3, ge=1)
    # Follow-ups of one person relayed to the staff group one by one per minute; the rest
    # are merged into one message sent at most `followup_digest_seconds` later.
    followup_relays_per_minute: int = Field(3, ge=1)
    followup_digest_seconds: float = Field(60, gt=0)


class StaffSettings(BaseModel):
    allowlist: list[int] = Field(default_factory=list)
    leaders: list[int] = Field(default_factory=list)
    membership_cache_seconds: float = Field(300, ge=0)
    autoclose_after_days: float = Field(3, gt=0)
    # Where /taofaq writes draft FAQ topics (never loaded until staff move them into faq/data/topics).
    faq_drafts_dir: str = "data/faq-drafts"
    # Plain messages in a case's forum topic: "all" are relayed to the reporter; "replies": only
    # replies to the bot's messages of the case (talk among staff in the topic stays there).
    topic_messages: Literal["all", "replies"] = "all"


class SlaLevel(BaseModel):
    first_response_hours: float = Field(gt=0)
    resolution_hours: float = Field(gt=0)


class SlaSettings(BaseModel):
    normal: SlaLevel = SlaLevel(first_response_hours=4, resolution_hours=16)
    urgent: SlaLevel = SlaLevel(first_response_hours=1, resolution_hours=4)


class CalendarSettings(BaseModel):
    office_hours: list[tuple[time, time]] = Field(
        default_factory=lambda: [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
    )
    extra_days_off: list[date] = Field(default_factory=list)
    makeup_workdays: list[date] = Field(default_factory=list)

    @field_validator("office_hours")
    @classmethod
    def _ordered(cls, value: list[tuple[time, time]]) -> list[tuple[time, time]]:
        for start, end in value:
            if start >= end:
                raise ValueError(f"khung giờ {start:%H:%M}–{end:%H:%M} phải bắt đầu trước khi kết thúc")
        return value


class DeliverySettings(BaseModel):
    telegram_global_per_second: float = Field(25, gt=0)
    telegram_per_chat_per_second: float = Field(1, gt=0)
    telegram_group_per_minute: float = Field(19, gt=0)
    zalo_per_second: float = Field(8, gt=0)
    # Zalo OA reply window: a reply more than this many hours after the person's last message
    # waits until they write again. Free within 48 h; 48 h to 7 days is charged (refused without a
    # funded Zalo Cloud Account), so more than 48 needs zalo_oa_paid_replies (docs/zalo.md 2.4).
    zalo_oa_window_hours: float = Field(48, gt=0, le=168)
    zalo_oa_paid_replies: bool = False
    # Replies allowed per window; 0 = no cap (a verified OA has none; since 1/1/2026 free replies
    # within 48 h are unlimited).
    zalo_oa_free_replies: int = Field(0, ge=0)
    # A message that keeps failing for transient reasons (5xx, network) is retried, with a
    # backoff of at most max_backoff_seconds, until it is this old; then it is "expired" (kept,
    # and sent again as soon as the channel delivers again). A 429's wait is not a failure.
    give_up_after_hours: float = Field(48, gt=0)
    max_backoff_seconds: float = Field(300, gt=0)
    poll_interval_seconds: float = Field(0.5, gt=0)
    # A row being sent by a worker that has not marked it after this long is sent again
    # (its worker died): longer than any API call may take.
    claim_lease_seconds: float = Field(120, gt=0)
    # /healthz reports the outbox as stuck when a message due this long ago is still unsent.
    health_backlog_minutes: float = Field(10, gt=0)

    @model_validator(mode="after")
    def _paid_window_is_explicit(self) -> DeliverySettings:
        if self.zalo_oa_window_hours > 48 and not self.zalo_oa_paid_replies:
            raise ValueError(
                "zalo_oa_window_hours trên 48 giờ là tin tư vấn tính phí: đặt thêm zalo_oa_paid_replies: true"
            )
        return self


class DatabaseSettings(BaseModel):
    """PostgreSQL connections of one worker (SQLite has one writer and ignores these)."""

    # Connections kept open. Under load every one is in use; the pool opens up to
    # `max_overflow` more for peaks and closes them again.
    pool_size: int = Field(20, ge=1)
    max_overflow: int = Field(10, ge=0)
    # Incoming messages processed at the same time; the rest wait their turn in the worker.
    # Kept below `pool_size`: a peak then never opens and closes connections for every
    # message (a new PostgreSQL connection costs the server a process), and the outbox and
    # the scheduler always find a pooled connection free.
    intake_transactions: int = Field(12, ge=1)
    # A database that stops answering fails a message within seconds (storage/db.py says how
    # these add up, about statement + 1 s), and the messenger delivers it again later.
    connect_timeout_seconds: float = Field(5, gt=0)
    statement_timeout_seconds: float = Field(5, gt=0)

    @model_validator(mode="after")
    def _intake_fits_the_pool(self) -> DatabaseSettings:
        if self.intake_transactions > self.pool_size:
            raise ValueError("intake_transactions phải không lớn hơn pool_size")
        return self


class RetentionSettings(BaseModel):
    personal_data_days: int = Field(730, ge=1)
    # Processed-update rows only stop a redelivered update from acting twice (Telegram gives
    # up redelivering within a day): deleted by the daily cleanup job after this many days.
    processed_update_days: int = Field(7, ge=2)


class IncidentSettings(BaseModel):
    """Many similar reports from several units in a short window are one incident."""

    enabled: bool = True
    min_reports: int = Field(5, ge=2)
    min_units: int = Field(3, ge=1)
    window_minutes: float = Field(30, gt=0)
    # A detected incident with no new linked report for this long is over: the next burst
    # of the same topic is alerted again.
    quiet_minutes: float = Field(120, gt=0)
    # Incident mode: reports linked to a detected incident are not posted as their own card
    # (staff open them from the incident card); the card is edited at most this often.
    hold_linked: bool = True
    card_edit_seconds: float = Field(60, gt=0)


class JobsSettings(BaseModel):
    """Scheduled jobs (run by exactly one instance, see bot/leader.py)."""

    enabled: bool = True
    digest_time: time = time(8, 0)
    weekly_report_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_report_time: time = time(8, 0)
    monthly_report_day: int = Field(1, ge=1, le=28)
    monthly_report_time: time = time(8, 0)
    overdue_list_time: time = time(14, 0)
    # Daily retention purge (bot/purge.py, retention.personal_data_days), at a quiet hour.
    purge_time: time = time(3, 0)
    reminder_lead_hours: float = Field(1, ge=0)
    escalation_margin_hours: float = Field(2, ge=0)
    sla_check_minutes: int = Field(5, ge=1, le=60)
    autoclose_check_minutes: int = Field(60, ge=1, le=1440)
    reports_dir: str = "data/reports"
    lease_seconds: float = Field(30, ge=3)
    lease_renew_seconds: float = Field(10, gt=0)
    incidents: IncidentSettings = IncidentSettings()

    @model_validator(mode="after")
    def _renew_often_enough(self) -> JobsSettings:
        if self.lease_renew_seconds * 2 > self.lease_seconds:
            raise ValueError("lease_renew_seconds phải nhỏ hơn hoặc bằng một nửa lease_seconds")
        return self


class DashboardSettings(BaseModel):
    """The web dashboard (bot/dashboard), served by the bot's own web server when enabled."""

    enabled: bool = False
    path: str = "/bang-dieu-khien"
    # Base of the login links /dangnhap sends (e.g. https://bot.example.gov.vn); empty: the
    # webhook's public_url, else http://<webhook host>:<port> for a local look.
    public_url: str = ""
    # A one-time login link works this long; a session lasts a working day.
    link_minutes: float = Field(10, gt=0, le=60)
    session_hours: float = Field(9, gt=0, le=24)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        value = value.rstrip("/")
        if not value.startswith("/") or len(value) < 2:
            raise ValueError("phải bắt đầu bằng / và không phải là / (ví dụ /bang-dieu-khien)")
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="forbid",
    )

    # Secrets: environment only (refused in config.yaml, see _reject_secrets_in_yaml).
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    database_url: str | None = None
    redis_url: str | None = None
    zalo_bot_token: str | None = None
    zalo_bot_webhook_secret: str | None = None
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: str | None = None
    zalo_oa_access_token: str | None = None
    zalo_oa_refresh_token: str | None = None
    zalo_oa_app_secret: str | None = None

    # Endpoints (overridable so tests can point at fake servers).
    telegram_api_base: str | None = None
    zalo_bot_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    staff_chat_id: int | None = None

    sqlite_path: str = "data/bot.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    # Who the reports are from: the first line of every report workbook and /baocao text.
    organisation: str = "Sở Khoa học và Công nghệ Hải Phòng — Tổ công tác"
    log_level: str = "INFO"
    webhook: WebhookSettings = WebhookSettings()
    conversation: ConversationSettings = ConversationSettings()
    staff: StaffSettings = StaffSettings()
    sla: SlaSettings = SlaSettings()
    calendar: CalendarSettings = CalendarSettings()
    delivery: DeliverySettings = DeliverySettings()
    database: DatabaseSettings = DatabaseSettings()
    retention: RetentionSettings = RetentionSettings()
    jobs: JobsSettings = JobsSettings()
    zalo: ZaloSettings = ZaloSettings()
    dashboard: DashboardSettings = DashboardSettings()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("phải là DEBUG, INFO, WARNING hoặc ERROR")
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"múi giờ '{value}' không tồn tại") from exc
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        # Telegram accepts 1–256 characters of A–Z a–z 0–9 _ -; a short one can be guessed.
        if value is not None and (len(value) < 16 or len(value) > 256 or not _SECRET_CHARS.fullmatch(value)):
            raise ValueError(
                "mã bí mật webhook phải dài 16–256 ký tự, chỉ gồm chữ, số, _ và - "
                "(webhook secret must be 16–256 characters of A–Z, a–z, 0–9, _ and -; "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("telegram_api_base", "zalo_bot_api_base", "zalo_oa_api_base", "zalo_oa_oauth_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("phải là địa chỉ http:// hoặc https://")
        return value.rstrip("/") if value else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get("BOT_CONFIG_FILE", DEFAULT_CONFIG_FILE))
        yaml_source = YamlConfigSettingsSource(settings_cls, yaml_file=config_file)
        return (init_settings, env_settings, _SecretFreeYaml(yaml_source))

    @property
    def sqlalchemy_url(self) -> str:
        """The configured database URL, or the SQLite file under the project root."""
        if self.database_url:
            return self.database_url
        path = Path(self.sqlite_path)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        return f"sqlite:///{path}"


class _SecretFreeYaml(PydanticBaseSettingsSource):
    """Wraps the YAML source and refuses secrets written into config.yaml."""

    def __init__(self, inner: YamlConfigSettingsSource) -> None:
        super().__init__(inner.settings_cls)
        self._inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        values = self._inner()
        leaked = sorted(SECRET_FIELDS & {key.lower() for key in values})
        if leaked:
            raise ConfigError(
                f"Setting '{leaked[0]}' is a secret and must come from the environment "
                f"({leaked[0].upper()}), not from config.yaml."
            )
        return values


def load_settings(**overrides: Any) -> Settings:
    """Load and validate settings; raise ConfigError with one sentence on the first problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "?"
        env_name = name.replace(".", "__").upper()
        raise ConfigError(f"Setting '{name}' (environment {env_name}) is invalid: {first['msg']}.") from None
