"""A property test: random sequences of events from several people, straight into the engine.

Hypothesis draws what each person does next — types text (menu words, unit names, numbers,
empty, over-long, markup, anything), presses one of the buttons the bot just showed them or a
stale/foreign one, sends a command, a contact, a file, a sticker, or has an earlier update
delivered again. After every event:

* nothing raised;
* every person is at a step the engine knows;
* each person has exactly as many cases as confirmations of theirs were processed (every
  confirmed complaint is a case, no case without a confirmed complaint);
* every case belongs to its person, has its "created" audit event, and keeps no phone when
  it was filed anonymously;
* a redelivered update changes nothing and says nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.app import Application
from bot.delivery.outbox import enqueue
from bot.settings import load_settings
from handlers.choices import Prompt, resolve_choice
from handlers.citizen import texts as T
from handlers.directory import KnowledgeBaseFaq
from handlers.events import AttachmentRef, ChatKind, Choice, Incoming, Kind
from handlers.textutil import clean_text
from storage.db import Database
from storage.models import Case, CaseEvent, Conversation, Reporter

FAQ = KnowledgeBaseFaq()  # loading the knowledge base once keeps each example quick
PEOPLE = ["9001", "9002", "9003"]
MENU_LEVEL_STEPS = frozenset(
    {
        "new",
        "idle",
        "lookup",
        "faq_browse",
        "faq_topics",
        "faq_answered",
        "rating",
        "rating_comment",
        "followup_pick",
        "resume",
    }
)
CONFIRM_PROMPT = Prompt(
    "",
    [Choice("confirm:submit", T.SUBMIT), Choice("confirm:edit", T.EDIT), Choice("confirm:cancel", T.CANCEL)],
)

TEXTS = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "3",
            "9",
            "0",
            "",
            "   ",
            "ok",
            "xong",
            "bỏ qua",
            "không",
            "le chan",
            "Lê Chân",
            "thuy nguyen",
            "Đồng ý",
            "người dân",
            "VNeID",
            "Gửi phản ánh",
            "Tiếp tục",
            "Sửa",
            "Hủy",
            "Đăng nhập VNeID báo lỗi hệ thống từ sáng, thử nhiều lần vẫn không vào được",
            "Thanh toán phí xong nhưng hồ sơ vẫn báo chưa nộp phí",
            "0912345678",
            "PA-250101-ABCD",
            "<b>x</b> *y* _z_",
            "a" * 3500,
        ]
    ),
    st.text(max_size=40),
)
RAW_KEYS = st.sampled_from(
    [
        "menu:report",
        "menu:lookup",
        "menu:faq",
        "menu:help",
        "consent:yes",
        "consent:no",
        "role:can_bo_xa",
        "unit:skip",
        "system:vneid",
        "attach:done",
        "faq:solved",
        "faq:not_solved",
        "faqpick:none",
        "dossier:skip",
        "procedure:skip",
        "phone:skip",
        "confirm:submit",
        "confirm:edit",
        "confirm:cancel",
        "edit:description",
        "edit:back",
        "resume:continue",
        "resume:restart",
        "rate:1:hai_long",
        "rate:999:x",
        "followup:new",
        "comment:skip",
        "x" * 64,
        "",
    ]
)
ACTIONS = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("offered"), st.integers(0, 9)),
    st.tuples(st.just("offered"), st.integers(0, 9)),  # pressing what is shown is the common case
    st.tuples(st.just("key"), RAW_KEYS),
    st.tuples(
        st.just("command"),
        st.sampled_from(
            [
                "/start",
                "/batdau",
                "/huy",
                "/tracuu",
                "/tracuu PA-250101-ABCD",
                "/bosung",
                "/trogiup",
                "/phananh",
                "/xyz",
            ]
        ),
    ),
    st.tuples(st.just("contact"), st.sampled_from(["84912345678", "+84 987 654 321", "12"])),
    st.tuples(
        st.just("file"),
        st.sampled_from(
            [
                ("photo", "image/jpeg", 2000),
                ("document", "application/pdf", 10_000),
                ("document", "application/x-msdownload", 10),
                ("document", "application/pdf", 50 * 1024 * 1024),
            ]
        ),
    ),
    st.tuples(st.just("sticker"), st.none()),
    st.tuples(st.just("again"), st.none()),
    # "forward": what someone who wants to file a complaint does next; without it random
    # presses would rarely get far enough to confirm anything.
    st.tuples(st.just("forward"), st.none()),
    st.tuples(st.just("forward"), st.none()),
    st.tuples(st.just("forward"), st.none()),
)
FORWARD = [
    "menu:report",
    "consent:yes",
    "consent:no",
    "role:nguoi_dan",
    "unit:skip",
    "system:vneid",
    "attach:done",
    "faq:not_solved",
    "faqpick:none",
    "dossier:skip",
    "procedure:skip",
    "phone:skip",
    "confirm:submit",
    "resume:continue",
]
DESCRIPTION = "Đăng nhập VNeID báo lỗi hệ thống từ sáng, thử nhiều lần vẫn không vào được"
SCRIPTS = st.lists(st.tuples(st.sampled_from(PEOPLE), ACTIONS), min_size=1, max_size=70)


@dataclass
class Model:
    offered: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    confirmations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last: dict[str, Incoming] = field(default_factory=dict)
    updates: int = 0


def make_event(model: Model, person: str, action: tuple[str, Any]) -> Incoming | None:
    kind, value = action
    model.updates += 1
    base: dict[str, Any] = {
        "channel": "telegram",
        "user_id": person,
        "chat_id": person,
        "display_name": f"Người {person}",
        "update_key": f"p{model.updates}",
        "chat_kind": ChatKind.PRIVATE,
    }
    if kind == "again":
        return model.last.get(person)
    if kind == "forward":
        keys = model.offered[person]
        wanted = next((k for k in FORWARD if k in keys), None)
        if wanted is not None:
            return Incoming(kind=Kind.CHOICE, choice=wanted, **base)
        if not keys and model.last.get(person) is not None:
            return Incoming(kind=Kind.TEXT, text=DESCRIPTION, **base)  # a question without buttons
        return Incoming(kind=Kind.COMMAND, text="/start", command="start", **base)
    if kind == "text":
        return Incoming(kind=Kind.TEXT, text=value, **base)
    if kind == "offered":
        keys = model.offered[person]
        if not keys:
            return Incoming(kind=Kind.COMMAND, text="/start", command="start", **base)
        return Incoming(kind=Kind.CHOICE, choice=keys[value % len(keys)], **base)
    if kind == "key":
        return Incoming(kind=Kind.CHOICE, choice=value, **base)
    if kind == "command":
        head, _, rest = value.partition(" ")
        return Incoming(kind=Kind.COMMAND, text=value, command=head[1:], args=rest, **base)
    if kind == "contact":
        return Incoming(kind=Kind.CONTACT, phone=value, **base)
    if kind == "file":
        file_kind, mime, size = value
        return Incoming(
            kind=Kind.ATTACHMENT,
            attachments=[AttachmentRef(file_kind, f"f{model.updates}", "tệp", mime, size)],
            **base,
        )
    return Incoming(kind=Kind.UNSUPPORTED, **base)


def confirms(step_before: str, event: Incoming, max_text: int) -> bool:
    if step_before != "confirm":
        return False
    if event.kind == Kind.CHOICE:
        return event.choice == "confirm:submit"
    if event.kind == Kind.TEXT and clean_text(event.text) and len(event.text) <= max_text:
        return resolve_choice(event, CONFIRM_PROMPT).choice == "confirm:submit"
    return False


async def state(db: Database, person: str) -> tuple[str, int]:
    async with db.session() as session:
        conversation = (
            await session.exec(select(Conversation).where(Conversation.user_id == person))
        ).first()
        reporter = (await session.exec(select(Reporter).where(Reporter.external_id == person))).first()
        cases = 0
        if reporter is not None:
            cases = (
                await session.exec(
                    select(func.count()).select_from(Case).where(Case.reporter_id == reporter.id)
                )
            ).one()
    return (conversation.step if conversation else "new"), cases


async def play(script: list[tuple[str, tuple[str, Any]]], directory: Path) -> int:
    """Run the script, checking the invariants after every event; returns the number of cases."""
    db = Database(f"sqlite:///{directory}/bot.db")
    await db.create_all()
    config = load_settings(conversation={"flood_messages": 10_000})  # floods have their own test
    app = Application(config, db=db, faq=FAQ)
    engine = app.engine
    known = lambda step: engine.intake.owns(step) or step in MENU_LEVEL_STEPS  # noqa: E731
    model = Model()
    try:
        for person, action in script:
            event = make_event(model, person, action)
            if event is None:
                continue
            step_before, cases_before = await state(db, person)
            async with db.session() as session:
                out = await engine.handle(session, event)
                await enqueue(session, out)
            step_after, cases_after = await state(db, person)
            if action[0] == "again":
                assert out == [] and (step_after, cases_after) == (step_before, cases_before), (
                    "a redelivery had an effect"
                )
                continue
            model.last[person] = event
            if confirms(step_before, event, config.conversation.max_text_length):
                model.confirmations[person] += 1
            mine = [o for o in out if o.chat_id == person]
            if mine:
                model.offered[person] = [c.key for o in mine for c in o.reply.choices]
            assert known(step_after), f"unknown step {step_after!r}"
            assert cases_after == model.confirmations[person], (
                f"{person}: {cases_after} cases for {model.confirmations[person]} confirmations "
                f"(step {step_before} → {step_after}, event {event.kind} {event.choice or event.text[:30]!r})"
            )
        async with db.session() as session:
            for case in (await session.exec(select(Case))).all():
                reporter = await session.get(Reporter, case.reporter_id)
                assert reporter is not None and reporter.external_id == case.chat_id
                kinds = (await session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id))).all()
                assert "created" in kinds
                if case.anonymous:
                    assert case.phone is None
            return int((await session.exec(select(func.count()).select_from(Case))).one())
    finally:
        await db.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(SCRIPTS)
def test_random_conversations_keep_the_invariants(script: list[tuple[str, tuple[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        cases = asyncio.run(play(script, Path(directory)))
    note("cases filed" if cases else "no case filed")


def test_a_scripted_walk_reaches_a_case() -> None:
    """The strategy can file a complaint at all (else the case invariant would be vacuous)."""
    walk: list[tuple[str, tuple[str, Any]]] = [
        ("9001", ("command", "/start")),
        ("9001", ("key", "menu:report")),
        ("9001", ("key", "consent:yes")),
        ("9001", ("text", "người dân")),
        ("9001", ("key", "unit:skip")),
        ("9001", ("key", "system:vneid")),
        ("9001", ("text", "Đăng nhập VNeID báo lỗi hệ thống từ sáng, thử nhiều lần vẫn không vào được")),
        ("9001", ("key", "attach:done")),
        ("9001", ("key", "faq:not_solved")),
        ("9001", ("key", "faqpick:none")),
        ("9001", ("key", "dossier:skip")),
        ("9001", ("key", "procedure:skip")),
        ("9001", ("key", "phone:skip")),
        ("9001", ("key", "confirm:submit")),
        ("9001", ("again", None)),
    ]

    with tempfile.TemporaryDirectory() as directory:
        assert asyncio.run(play(walk, Path(directory))) == 1
