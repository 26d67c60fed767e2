"""Editing a live topic from the staff group (/suafaq), /traloi in English, and the draft card's
refusals — through the engine as transcripts (the wire-level flow: test_staff_knowledge_base.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select

from bot.app import Application
from bot.knowledge import install, post_gaps, seed, sync_once
from bot.settings import load_settings
from handlers.services import StaticStaff
from storage import repo
from storage.db import Database
from storage.faq_models import FaqStatus, FaqTopicRecord, FaqTopicVersion
from storage.models import OutboxMessage, Reporter
from tests.support.transcript import StaffChat, Transcript
from tests.test_staff_commands import GROUP, LEADER, STAFF, new_case


@pytest.fixture
async def app(db: Database) -> AsyncIterator[Application]:
    application = Application(load_settings(staff_chat_id=int(GROUP)), db=db)
    application.staff_directory = StaticStaff({STAFF}, {LEADER})
    knowledge = install(application)
    assert knowledge is not None
    await seed(db)
    await sync_once(db, knowledge)
    yield application


async def approve(app: Application, leader: StaffChat, draft_id: int | None) -> str:
    """✅ Duyệt pressed by `leader`: the gate runs in the background, then the application
    publishes (or refuses) in its own transaction; what the group was told, in order."""
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage.id))).all()
    seen = max((r for r in rows if r is not None), default=0)
    await leader.press(f"staff:faq:approve.{draft_id}")
    said = [leader.group_text]
    await app._knowledge.publisher.settled()  # type: ignore[attr-defined]
    async with app.db.session() as session:
        statement = select(OutboxMessage).where(col(OutboxMessage.id) > seen, OutboxMessage.chat_id == GROUP)
        said += [
            r.payload["text"] for r in (await session.exec(statement.order_by(col(OutboxMessage.id)))).all()
        ]
    return "\n".join(said)


async def delivered(app: Application, purpose: str) -> int:
    """The message id Telegram gave the bot's last message of this purpose (the outbox worker
    stores it when it sends; here it is stored as if sent), for a staff reply to it."""
    async with app.db.session() as session:
        statement = select(OutboxMessage).where(OutboxMessage.purpose == purpose)
        row = (await session.exec(statement.order_by(col(OutboxMessage.id).desc()))).first()
        assert row is not None and row.id is not None
        row.sent_message_id = str(90000 + row.id)
        return 90000 + row.id


async def draft_of(app: Application, slug: str) -> FaqTopicRecord:
    async with app.db.session() as session:
        statement = select(FaqTopicRecord).where(
            FaqTopicRecord.slug == slug, FaqTopicRecord.status == FaqStatus.DRAFT
        )
        return (await session.exec(statement.order_by(col(FaqTopicRecord.id).desc()))).first()  # type: ignore[return-value]


async def test_a_leader_edits_a_live_topic_and_it_answers_once_approved(app: Application) -> None:
    staff = StaffChat(app, user=STAFF)
    await staff.say("/suafaq khong_nhan_otp")
    assert "mở bản sửa" in staff.group_text and "vẫn trả lời như cũ" in staff.group_text
    assert "✏️ BẢN SỬA CHỦ ĐỀ khong_nhan_otp" in staff.group_text
    draft = await draft_of(app, "khong_nhan_otp")
    # A second /suafaq shows the pending edit again, no second copy.
    await staff.say("/suafaq khong_nhan_otp")
    assert f"bản sửa #{draft.id} chưa duyệt" in staff.group_text
    card = await delivered(app, f"faq_card:{draft.id}")
    await staff.say("trả lời:\nMã OTP có hiệu lực 5 phút.\nBạn bấm Gửi lại mã.", reply_to=card)
    assert "đã sửa câu trả lời" in staff.group_text
    # Until approved the live topic answers as before.
    chat = Transcript(app, user="3001")
    await chat.say("ko nhan dc ma otp khi dang ky vneid")
    chat.expect_not("có hiệu lực 5 phút")

    leader = StaffChat(app, user=LEADER, username="truong_nhom")
    said = await approve(app, leader, draft.id)
    assert said.index("Đang kiểm tra") < said.index("@truong_nhom đã duyệt chủ đề") and "phiên bản 2" in said
    chat = Transcript(app, user="3002")
    await chat.say("ko nhan dc ma otp khi dang ky vneid")
    chat.expect("Mã OTP có hiệu lực 5 phút.\nBạn bấm Gửi lại mã.")
    async with app.db.session() as session:
        rows = (
            await session.exec(select(FaqTopicRecord).where(FaqTopicRecord.slug == "khong_nhan_otp"))
        ).all()
        live = next(r for r in rows if r.status == FaqStatus.PUBLISHED)
        [change] = (
            await session.exec(
                select(FaqTopicVersion).where(
                    FaqTopicVersion.topic_id == live.id, FaqTopicVersion.version == 2
                )
            )
        ).all()
    assert {r.status for r in rows} == {FaqStatus.PUBLISHED, FaqStatus.MERGED}
    assert change.changed_by == "@truong_nhom" and f"duyệt bản sửa #{draft.id} (@canbo_an)" == change.reason
    assert "answer:" in (change.diff or "") and change.snapshot["answer"].startswith(
        "Mã OTP có hiệu lực 5 phút"
    )
    # The merged draft's buttons are gone: a stale ✅ changes nothing.
    await leader.press(f"staff:faq:approve.{draft.id}")
    assert not leader.group_text


async def test_traloi_answers_in_english_to_an_english_reporter(app: Application) -> None:
    case = await new_case(app)
    async with app.db.session() as session:
        reporter = await session.get(Reporter, case.reporter_id)
        assert reporter is not None
        reporter.language = "en"
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/traloi {case.code} khong_nhan_otp")
    [sent] = staff.to("1001")
    assert "An OTP code is only valid for a few minutes" in sent.reply.text and sent.reply.language == "en"
    assert "(bằng tiếng Anh)" in staff.group_text
    await staff.say(f"/traloi {case.code} khong_nhan_otpp")
    assert "Ý bạn là: khong_nhan_otp" in staff.group_text and not staff.to("1001")
    await staff.say(f"/traloi {case.code}")
    assert "ghi mã chủ đề" in staff.group_text


async def test_a_draft_short_of_examples_is_not_approved_and_a_dropped_one_is_gone(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/taofaq {case.code}")
    assert "chưa có kết quả giải quyết" in staff.group_text
    await staff.say(f"/dong {case.code} Ngân hàng đã hoàn tất đối soát, hồ sơ đã cập nhật.")
    await staff.say(f"/taofaq {case.code} đã trả tiền mà hồ sơ chưa cập nhật, gọi 0912 345 678")
    assert "<số điện thoại>" in staff.group_text and "0912" not in staff.group_text
    draft = await draft_of(app, "nhap_" + case.code.lower().replace("-", "_"))
    leader = StaffChat(app, user=LEADER, username="truong_nhom")
    await leader.press(f"staff:faq:approve.{draft.id}")
    assert "chưa duyệt được" in leader.group_text and "cần ít nhất 6" in leader.group_text
    await staff.press(f"staff:faq:drop.{draft.id}")
    assert "đã bỏ bản nháp" in staff.group_text
    assert (await draft_of(app, draft.slug)) is None


async def test_thongke_faq_counts_per_topic_and_the_weekly_gaps_start_drafts(app: Application) -> None:
    solved = Transcript(app, user="4001")
    await solved.say("ko nhan dc ma otp khi dang ky vneid")
    await solved.tap("Đã rõ, cảm ơn")
    # Two people asked the same thing in their reports and the FAQ had nothing (the question log).
    async with app.db.session() as session:
        for user, text in (
            ("4002", "cách đổi ảnh đại diện trên cổng dịch vụ công"),
            ("4003", "doi anh dai dien tren cong dich vu cong the nao"),
        ):
            await repo.record_faq_query(
                session,
                channel="telegram",
                user_id=user,
                text=text,
                topic=None,
                score=20.0,
                solved=None,
                source="intake",
            )
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    await staff.say(f"/traloi {case.code} da_tru_tien_chua_cap_nhat")

    await staff.say("/thongke faq")
    said = staff.group_text
    assert "Câu hỏi thường gặp, 30 ngày qua" in said
    assert "(khong_nhan_otp): 1 · 1 · 0 · 0" in said
    assert "(da_tru_tien_chua_cap_nhat): " in said
    assert said.split("(da_tru_tien_chua_cap_nhat): ")[1].split("\n")[0].endswith(" · 1")  # one /traloi
    assert (
        "1. (2 lần) doi anh dai dien tren cong dich vu cong" in said
    )  # two phrasings of one question, grouped
    await staff.say("/thongke")
    assert "Thống kê" in staff.group_text  # /thongke alone is unchanged

    # The weekly digest: posted once a week whatever the number of instances, each group a button.
    assert await post_gaps(app) is True
    assert await post_gaps(app) is False
    async with app.db.session() as session:
        [digest] = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "faq_gaps"))
        ).all()
    assert "(2 lần)" in digest.payload["text"]
    key = next(c[0] for c in digest.payload["choices"] if c[1] == "📝 Nháp 1")
    await staff.press(key)
    assert "đã tạo bản nháp" in staff.group_text and "Doi anh dai dien tren cong" in staff.group_text
    assert "Câu hỏi mẫu (1, cần ít nhất 6)" in staff.group_text


async def test_a_leader_retires_a_topic_and_a_required_one_stays(app: Application) -> None:
    case = await new_case(app)
    staff = StaffChat(app, user=STAFF)
    leader = StaffChat(app, user=LEADER, username="truong_nhom")
    await staff.say(f"/dong {case.code} Tài khoản bị khóa tạm thời 24 giờ sau 5 lần nhập sai, sau đó tự mở.")
    await staff.say(f"/taofaq {case.code} tài khoản vneid bị khóa tạm thời")
    draft = await draft_of(app, "nhap_" + case.code.lower().replace("-", "_"))
    examples = (
        "câu hỏi:\nvneid báo tài khoản bị tạm khóa 24 giờ\nnhập sai mật khẩu nhiều lần bị khóa vneid\n"
        "vneid bi khoa tam thoi phai lam sao\ntai khoan dinh danh bi khoa do nhap sai\nbao lau thi vneid het bi khoa"
    )
    english = (
        "câu hỏi tiếng anh:\nmy vneid account is temporarily locked\nvneid locked after too many wrong passwords\n"
        "how long until my locked vneid account opens again"
    )
    answer_en = "trả lời tiếng anh: The VNeID account is locked for 24 hours after 5 wrong passwords, then opens again."
    for edit in (examples, "bỏ câu hỏi: 2", "mã: vneid_bi_khoa", english, answer_en):
        await staff.say(edit, reply_to=await delivered(app, f"faq_card:{draft.id}"))
    assert "đã duyệt chủ đề" in await approve(app, leader, draft.id)
    assert app.faq.topic("vneid_bi_khoa") is not None
    foreigner = Transcript(app, user="5000")
    await foreigner.say("/en")
    await foreigner.say("My VNeID account is temporarily locked, what should I do?")
    foreigner.expect("locked for 24 hours after 5 wrong passwords")

    await staff.say("/suafaq vneid_bi_khoa")
    edit_draft = await draft_of(app, "vneid_bi_khoa")
    assert "🗄 Ngừng dùng chủ đề" in [c.label for o in staff.outgoing for c in o.reply.choices]
    await staff.press(f"staff:faq:retire.{edit_draft.id}")
    assert app.faq.topic("vneid_bi_khoa") is not None  # not a leader: nothing changed
    await leader.press(f"staff:faq:retire.{edit_draft.id}")
    assert "đã cho ngừng dùng chủ đề" in leader.group_text
    assert app.faq.topic("vneid_bi_khoa") is None
    chat = Transcript(app, user="5001")
    await chat.say("vneid bi khoa tam thoi phai lam sao")
    chat.expect_not("24 giờ sau 5 lần nhập sai")

    await staff.say("/suafaq khong_nhan_otp")
    required = await draft_of(app, "khong_nhan_otp")
    await leader.press(f"staff:faq:retire.{required.id}")
    assert "danh sách bắt buộc" in leader.group_text and app.faq.topic("khong_nhan_otp") is not None


async def test_a_draft_edited_while_the_gate_runs_is_not_published(app: Application) -> None:
    staff = StaffChat(app, user=STAFF)
    leader = StaffChat(app, user=LEADER, username="truong_nhom")
    await staff.say("/suafaq khong_nhan_otp")
    draft = await draft_of(app, "khong_nhan_otp")
    await staff.say(
        "trả lời: Mã OTP có hiệu lực 5 phút.", reply_to=await delivered(app, f"faq_card:{draft.id}")
    )
    await leader.press(f"staff:faq:approve.{draft.id}")
    assert "Đang kiểm tra" in leader.group_text
    # Someone changes the answer while the gate runs: the leader approved the other text.
    await staff.say(
        "trả lời: Mã OTP có hiệu lực 10 phút.", reply_to=await delivered(app, f"faq_card:{draft.id}")
    )
    await app._knowledge.publisher.settled()  # type: ignore[attr-defined]
    async with app.db.session() as session:
        texts = [r.payload["text"] for r in (await session.exec(select(OutboxMessage))).all()]
    assert any("vừa được sửa trong lúc kiểm tra" in t for t in texts)
    topic = app.faq.topic("khong_nhan_otp")
    assert topic is not None and "5 phút" not in topic.answer and "10 phút" not in topic.answer
    assert (await draft_of(app, "khong_nhan_otp")).answer == "Mã OTP có hiệu lực 10 phút."


def test_a_card_with_many_long_examples_fits_one_message() -> None:
    from handlers.events import ChatKind, Incoming, Kind
    from handlers.knowledge.card import card

    row = FaqTopicRecord(
        id=7,
        slug="nhap_x",
        title="Tiêu đề",
        answer="Trả lời. " * 200,
        answer_en="Answer. " * 100,
        examples=[f"câu hỏi mẫu số {n} " + "rất dài " * 30 for n in range(60)],
        examples_en=["an english phrasing"],
        status=FaqStatus.DRAFT,
    )
    event = Incoming("telegram", STAFF, GROUP, Kind.CHOICE, chat_kind=ChatKind.STAFF)
    text = card(event, row, figures="Trước: đúng 1043/1044 … " * 3).reply.text
    assert len(text) <= 4096 and "1. câu hỏi mẫu số 0" in text and "… (+" in text
    assert "Câu hỏi mẫu (60, cần ít nhất 6)" in text and text.endswith(
        "(xem cách ghi khi bấm ✏️ Sửa)."
    )  # nothing cut at the end
