"""A database full of plausible cases for the dashboard's tests and benchmark.

Deterministic (one random seed), written with Core executemany so 20,000 cases take seconds.
Cases are spread over the last `days` days with every status, deadline, rating and channel;
some descriptions carry a phone and a CCCD number (the pages must hide them), two incidents
have linked cases and notices, and the FAQ log has answered and unmatched questions.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from faq.units import load_units
from storage.db import Database
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    FaqQuery,
    Incident,
    OutboxMessage,
    Reporter,
)

SYSTEMS = ["dvc_quoc_gia", "he_thong_tthc_thanh_pho", "vneid", "thanh_toan", "chu_ky_so", "khac"]
CHANNELS = ["telegram", "telegram", "zalo_bot", "zalo_oa"]
STAFF = ["@canbo_an", "@canbo_binh", "@canbo_chi", None]
CCCD = "031095001234"
UNMATCHED = ["làm sao đổi mật khẩu cổng dịch vụ công", "nộp hồ sơ đất đai ở đâu", "phí chứng thực bao nhiêu"]
TOPICS = ["dang_nhap_dvc_vneid", "thanh_toan_truc_tuyen", "tra_cuu_ho_so"]


def _table(model: Any) -> Any:
    return model.__table__


async def seed(
    db: Database, cases: int, *, now: datetime | None = None, days: int = 90, rng_seed: int = 22
) -> None:
    rng = random.Random(rng_seed)
    now = now or datetime.now(UTC)
    units = [u.code for u in load_units()]
    busy = units[:20]  # a few units get most of the cases, as in life
    people = max(1, cases // 3)
    reporters = [
        {"id": i + 1, "channel": CHANNELS[i % len(CHANNELS)], "external_id": str(500000 + i),
         "display_name": f"Người dân {i + 1}", "phone": f"09{rng.randrange(10**7, 10**8)}", "consent": True,
         "created_at": now - timedelta(days=days)}
        for i in range(people)
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i in range(cases):
        created = now - timedelta(seconds=rng.uniform(0, days * 86400))
        age = (now - created).total_seconds() / 3600
        status = (
            rng.choices(CaseStatus.ALL, weights=[1, 2, 1, 3, 4])[0]
            if age > 48
            else rng.choice(CaseStatus.ALL[:4])
        )
        priority = "urgent" if rng.random() < 0.1 else "normal"
        first = created + timedelta(hours=rng.uniform(0.2, 30)) if status != CaseStatus.NEW else None
        first = first if first is None or first < now else None
        resolved = None
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            resolved = min(now, (first or created) + timedelta(hours=rng.uniform(0.5, 120)))
        reporter = reporters[i % people]
        escalated = rng.random() < 0.05
        description = f"Không nộp được hồ sơ trên cổng, mã lỗi {rng.randrange(100, 999)}."
        if i % 17 == 0:
            description += f" SĐT liên hệ {reporter['phone']}, CCCD {CCCD}."
        rows.append({
            "id": i + 1, "code": f"PA-{created:%y%m%d}-{i:04X}"[:20], "reporter_id": reporter["id"],
            "channel": reporter["channel"], "chat_id": reporter["external_id"], "status": status, "priority": priority,
            "reporter_role": "nguoi_dan", "unit_code": rng.choice(busy if rng.random() < 0.7 else units),
            "system": rng.choice(SYSTEMS), "description": description, "faq_topic": rng.choice([*TOPICS, None]),
            "phone": reporter["phone"], "anonymous": False, "created_at": created, "updated_at": resolved or first or created,
            "first_response_due": created + timedelta(hours=8 if priority == "normal" else 2),
            "resolution_due": created + timedelta(hours=rng.choice([24, 48, 72]) if priority == "normal" else 8),
            "first_response_at": first, "resolved_at": resolved,
            "closed_at": resolved + timedelta(days=1) if status == CaseStatus.CLOSED and resolved else None,
            "assignee_name": None if status == CaseStatus.NEW else rng.choice(STAFF),
            "escalated": escalated, "escalated_at": (first or created) + timedelta(hours=1) if escalated else None,
            "escalation_reason": "Ngoài thẩm quyền của Tổ công tác" if escalated else None,
            "resolution": "Đã hướng dẫn nộp lại hồ sơ" if resolved else None,
            "rating": rng.choice(["hai_long", "hai_long", "binh_thuong", "khong_hai_long", None]) if resolved else None,
            "staff_chat_id": "-1001234567890", "staff_thread_id": 1000 + i, "personal_data_erased": False,
        })  # fmt: skip
        messages.append(
            {
                "case_id": i + 1,
                "direction": "in",
                "author": None,
                "text": "Em bổ sung ảnh chụp màn hình ạ.",
                "created_at": created + timedelta(minutes=5),
            }
        )
        if first is not None:
            messages.append(
                {
                    "case_id": i + 1,
                    "direction": "out",
                    "author": "@canbo_an",
                    "text": "Tổ công tác đã nhận, đang kiểm tra.",
                    "created_at": first,
                }
            )
            events.append(
                {
                    "case_id": i + 1,
                    "kind": "status",
                    "from_status": "moi",
                    "to_status": "dang_xu_ly",
                    "actor": "@canbo_an",
                    "created_at": first,
                }
            )
        if resolved is not None:
            events.append(
                {
                    "case_id": i + 1,
                    "kind": "status",
                    "from_status": "dang_xu_ly",
                    "to_status": "da_giai_quyet",
                    "actor": "@canbo_an",
                    "note": "Đã hướng dẫn",
                    "created_at": resolved,
                }
            )
    incidents = [
        {"id": 1, "key": "system:vneid", "status": "open", "notice": "VNeID đang gián đoạn, đang khắc phục.", "opened_by": "@canbo_an",
         "detected_at": now - timedelta(hours=5), "opened_at": now - timedelta(hours=4)},
        {"id": 2, "key": "topic:thanh_toan_truc_tuyen", "status": "closed", "notice": "Lỗi thanh toán.", "result": "Đã khắc phục.",
         "detected_at": now - timedelta(days=3), "opened_at": now - timedelta(days=3), "closed_at": now - timedelta(days=2)},
    ]  # fmt: skip
    outbox: list[dict[str, Any]] = []
    for n, row in enumerate(rows[:12]):
        row["incident_id"] = 1 if n < 8 else 2
        outbox.append({"channel": row["channel"], "chat_id": row["chat_id"], "payload": {"text": "Thông báo sự cố"},
                       "case_id": row["id"], "purpose": "notice", "status": "sent", "attempts": 1, "next_attempt_at": now,
                       "created_at": now, "sent_at": now})  # fmt: skip
    faq: list[dict[str, Any]] = []
    for i in range(max(30, cases // 4)):
        unmatched = rng.random() < 0.3
        faq.append({
            "channel": "telegram", "user_id": str(600000 + i),
            "text": rng.choice(UNMATCHED) if unmatched else "không đăng nhập được vneid",
            "topic": None if unmatched else rng.choice(TOPICS), "score": 0.9,
            "solved": None if unmatched else rng.choice([True, True, False, None]), "source": "intake",
            "created_at": now - timedelta(seconds=rng.uniform(0, days * 86400)),
        })  # fmt: skip
    attachment = {"case_id": 1, "channel": "telegram", "kind": "photo", "file_ref": "AgACAgIAAxk-fake", "file_name": "anh-chup.jpg",
                  "mime_type": "image/jpeg", "size": 1000, "created_at": rows[0]["created_at"] if rows else now}  # fmt: skip
    async with db.session() as session:
        for model, values in (
            (Reporter, reporters), (Incident, incidents), (Case, rows), (CaseMessage, messages),
            (CaseEvent, events), (OutboxMessage, outbox), (FaqQuery, faq), (Attachment, [attachment] if rows else []),
        ):  # fmt: skip
            keys = {k for v in values for k in v}  # executemany wants the same keys in every row
            values = [dict.fromkeys(keys) | v for v in values]
            for start in range(0, len(values), 2000):
                await session.exec(insert(_table(model)), params=values[start : start + 2000])  # type: ignore[call-overload]
