"""Passwordless login: one-time links sent by /dangnhap, sessions, and the audit trail.

Links and sessions live in the KeyValue table, not in this process: with several instances
the link is issued by whichever one handled the Telegram update and opened on another.
Only a SHA-256 of each token is stored, so a database dump gives no way in. A link is
consumed by a DELETE whose row count says who won: two instances opening the same link at
once cannot both log in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import repo
from storage.models import DashboardAudit, KeyValue, utcnow

LINK_PREFIX = "dashboard:link:"
SESSION_PREFIX = "dashboard:session:"
COOKIE_NAME = "bdk_phien"


@dataclass(frozen=True)
class Identity:
    """Who a link or session belongs to (a staff member or a leader, by Telegram id)."""

    user_id: str
    name: str
    leader: bool


@dataclass(frozen=True)
class Session:
    identity: Identity
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _encode(identity: Identity, expires_at: datetime) -> str:
    return json.dumps({**asdict(identity), "exp": expires_at.isoformat()})


def _decode(raw: str) -> Session | None:
    try:
        data = json.loads(raw)
        identity = Identity(str(data["user_id"]), str(data["name"]), bool(data["leader"]))
        return Session(identity, datetime.fromisoformat(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None


async def audit(
    session: AsyncSession,
    identity: Identity | None,
    action: str,
    *,
    case_id: int | None = None,
    detail: str | None = None,
    user_id: str | None = None,
) -> None:
    session.add(
        DashboardAudit(
            user_id=identity.user_id if identity else (user_id or "?"),
            user_name=identity.name if identity else None,
            action=action,
            case_id=case_id,
            detail=detail,
        )
    )


async def issue_link(
    session: AsyncSession, identity: Identity, minutes: float, *, now: datetime | None = None
) -> str:
    """A new one-time login token for `identity` (the caller builds the URL around it)."""
    token = secrets.token_urlsafe(32)
    expires = (now or utcnow()) + timedelta(minutes=minutes)
    await repo.kv_set(session, LINK_PREFIX + _digest(token), _encode(identity, expires))
    await audit(session, identity, "link", detail=f"hết hạn {expires.isoformat(timespec='seconds')}")
    return token


async def consume_link(
    session: AsyncSession, token: str, session_hours: float, *, now: datetime | None = None
) -> tuple[Identity, str] | None:
    """Trade a link token for a new session token; None if unknown, used or expired.

    The link row is deleted in every case: an expired link is gone, a used one was gone."""
    now = now or utcnow()
    key = LINK_PREFIX + _digest(token)
    row = await session.get(KeyValue, key)
    if row is None:
        await audit(session, None, "link_refused", detail="liên kết không tồn tại hoặc đã dùng", user_id="?")
        return None
    found = _decode(row.value)
    result = await session.exec(delete(KeyValue).where(col(KeyValue.key) == key))  # type: ignore[call-overload]
    if result.rowcount != 1 or found is None:
        await audit(session, None, "link_refused", detail="liên kết đã được dùng", user_id="?")
        return None
    if found.expires_at <= now:
        await audit(session, found.identity, "link_refused", detail="liên kết đã hết hạn")
        return None
    session_token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=session_hours)
    session.add(KeyValue(key=SESSION_PREFIX + _digest(session_token), value=_encode(found.identity, expires)))
    await audit(session, found.identity, "login", detail=f"phiên đến {expires.isoformat(timespec='seconds')}")
    await _forget_expired(session, now)
    return found.identity, session_token


async def session_of(
    session: AsyncSession, token: str | None, *, now: datetime | None = None
) -> Session | None:
    if not token or len(token) > 100:
        return None
    row = await session.get(KeyValue, SESSION_PREFIX + _digest(token))
    found = _decode(row.value) if row is not None else None
    if found is None or found.expires_at <= (now or utcnow()):
        return None
    return found


async def end_session(session: AsyncSession, token: str) -> None:
    await session.exec(delete(KeyValue).where(col(KeyValue.key) == SESSION_PREFIX + _digest(token)))  # type: ignore[call-overload]


async def _forget_expired(session: AsyncSession, now: datetime) -> None:
    """Old links and sessions are dropped at each login (they are few: one per login)."""
    # KeyValue has no expiry column: read the few dashboard rows and judge each.
    rows = (
        await session.exec(
            select(KeyValue).where(
                col(KeyValue.key).like(LINK_PREFIX + "%") | col(KeyValue.key).like(SESSION_PREFIX + "%")
            )
        )
    ).all()
    stale = [row.key for row in rows if (found := _decode(row.value)) is None or found.expires_at <= now]
    if stale:
        await session.exec(delete(KeyValue).where(col(KeyValue.key).in_(stale)))  # type: ignore[call-overload]
