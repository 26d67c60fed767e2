"""The ``zalo:`` section of the settings (config.yaml; environment ``ZALO__…``)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator


class ZaloSettings(BaseModel):
    # Zalo Bot polling: at least this many seconds between the starts of two getUpdates calls
    # (the API has been measured re-serving an update at once, ~12 calls a second, docs/zalo.md).
    poll_min_gap_seconds: float = Field(1.0, ge=0, le=30)
    # Zalo OA API requests a minute for the whole app (every instance together, through the
    # shared limiter); Zalo's limit is 4,000, the rest is left to token refreshes and other tools.
    oa_requests_per_minute: int = Field(3000, ge=1, le=4000)
    # A staff picture sent to a Zalo Bot reporter is served by the bot's web server at a signed
    # link that works this long (Zalo fetches it while it handles sendPhoto).
    file_link_seconds: float = Field(600, ge=30, le=86400)
    # Zalo's domain verification for the OA webhook domain: the value Zalo gives for its
    # ``zalo-platform-site-verification`` meta tag. When set, the web server answers "/" (and the
    # file ``/zalo_verifier<value>.html``) with a page carrying that tag.
    site_verification: str = ""
    # An OA webhook event whose signed timestamp is further than this from now (stale, replayed,
    # or from the future) is refused: a captured event cannot be replayed later.
    oa_event_max_age_seconds: float = Field(300, ge=30, le=86400)

    @field_validator("site_verification")
    @classmethod
    def _token(cls, value: str) -> str:
        value = value.strip()
        # Zalo gives a code, not markup: refuse anything that could break out of the attribute.
        if value and not re.fullmatch(r"[A-Za-z0-9_\-.]{4,200}", value):
            raise ValueError("chỉ gồm chữ, số, '-', '_' hoặc '.' (mã Zalo cấp trong thẻ meta)")
        return value
