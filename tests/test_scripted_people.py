"""Scripted people typing free answers at every question, against the real bot on the console channel.

Each person of tests/data/scripted-people*.yaml (the first set and independent later ones) reads
the bot's last message (as the console prints it: choices as a numbered list), types the `say` of the first rule whose `when` matches, and goes on
until the bot confirms a case or the person's `until` shows; then the end state they expect is
checked against the database, the transcript and what reached the staff group. A person may
start with a case already filed (`setup: open_case`) or already resolved by staff with /dong
(`setup: resolved_case`: the result and its rating question arrive after the console's /start).
A person the rules cannot answer is stuck, a question asked three times in a row is a loop: both
fail with the whole transcript.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from bot.app import Application
from handlers.directory import OfficialUnits
from handlers.events import Reply, render_numbered
from storage.db import Database
from storage.models import Case
from tests.support.apps import GROUP, STAFF, transcript_app
from tests.support.transcript import StaffChat, Transcript

PEOPLE_FILE = Path(__file__).parent / "data" / "scripted-people.yaml"
PEOPLE_FILES = sorted(PEOPLE_FILE.parent.glob("scripted-people*.yaml"))
CONFIRMED = r"Đã tiếp nhận phản ánh|Your report has been received"
RESOLUTION = "Hồ sơ đã được cập nhật trạng thái thanh toán, bạn tải lại trang là thấy"
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def plain(text: str) -> str:
    """Lower case without diacritics (đ → d), symbols kept: for matching a regex either way."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def matches(pattern: str, text: str) -> bool:
    return bool(re.search(pattern, text, re.IGNORECASE) or re.search(plain(pattern), plain(text)))


def load_people(path: Path = PEOPLE_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["people"])


def params() -> list[Any]:
    """Every person of every file; ids of the first file stay bare, others get the file's stem."""
    out = []
    for path in PEOPLE_FILES:
        prefix = "" if path == PEOPLE_FILE else f"{path.stem}:"
        for person in load_people(path):
            marks = []
            if person.get("known_failure"):
                marks.append(pytest.mark.xfail(strict=True, reason=str(person["known_failure"])))
            out.append(pytest.param(person, id=prefix + person["name"], marks=marks))
    return out


@dataclass
class Run:
    """What was said, both ways, as the person saw it."""

    lines: list[str] = field(default_factory=list)
    last: str = ""  # the bot's last message (the last bubble of its last answer)
    answer: str = ""  # the bot's whole last answer
    all_bot: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)  # what reached the staff group while the person typed

    def person(self, text: str) -> None:
        self.lines.append(f"👤 {text}")

    def bot(self, replies: list[Reply]) -> None:
        shown = [render_numbered(r) for r in replies if r.text or r.choices]
        for text in shown:
            self.lines.append("🤖 " + text.replace("\n", "\n   "))
        self.all_bot.extend(shown)
        if shown:
            self.last = shown[-1]
            self.answer = "\n".join(shown)
        else:
            self.lines.append("🤖 (no answer)")
            self.answer = ""

    def dump(self) -> str:
        return "\n".join(self.lines)


def question_key(message: str) -> str:
    """The question a message asks, without what it quotes back from the person."""
    return " ".join(QUOTED.sub("“…”", message).split())


@pytest.fixture
async def app(db: Database) -> Application:
    return transcript_app(db)


async def all_cases(db: Database) -> list[Case]:
    async with db.session() as session:
        return list((await session.exec(select(Case).order_by(Case.id))).all())  # type: ignore[arg-type]


async def open_case(chat: Transcript) -> str:
    """A case filed the ordinary way (buttons), before the person's script starts."""
    await chat.say("/start")
    await chat.tap("Gửi phản ánh")
    await chat.tap("Tôi đồng ý")
    await chat.tap("Người dân")
    await chat.say("an lao")
    await chat.tap("Xã An Lão")
    await chat.tap("Thanh toán")
    await chat.say("Đã nộp lệ phí qua ngân hàng nhưng hồ sơ vẫn báo chưa thanh toán")
    await chat.skip_to_summary()
    await chat.tap("Gửi phản ánh")
    chat.expect("Đã tiếp nhận")
    return chat.text.split("Mã phản ánh: ")[1].split()[0]


async def resolve_case(app: Application, chat: Transcript, code: str) -> list[Reply]:
    """Staff close the case from the group with /dong; what the person receives (result, rating)."""
    out = await StaffChat(app, user=STAFF, group=GROUP).say(f"/dong {code} {RESOLUTION}")
    return [o.reply for o in out if o.chat_id == chat.user and o.channel == chat.channel]


async def case_by_code(db: Database, code: str) -> Case:
    async with db.session() as session:
        return (await session.exec(select(Case).where(Case.code == code))).one()


def fill(value: Any, code: str) -> Any:
    if isinstance(value, str):
        return value.replace("{code}", code)
    if isinstance(value, list):
        return [fill(v, code) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, code) for k, v in value.items()}
    return value


def check_case(case: Case, expect: dict[str, Any]) -> list[str]:
    problems: list[str] = []

    def differs(name: str, want: Any, got: Any) -> None:
        if want != got:
            problems.append(f"{name}: expected {want!r}, got {got!r}")

    if "unit" in expect:
        want = expect["unit"]
        unit = OfficialUnits().get(case.unit_code) if case.unit_code else None
        if want is None:
            differs("unit", None, unit.full_name if unit else None)
        elif unit is None or plain(want) not in plain(unit.full_name):
            problems.append(
                f"unit: expected {want!r}, got {unit.full_name if unit else None!r} ({case.unit_code})"
            )
    if "system" in expect:
        want = expect["system"]
        allowed = want if isinstance(want, list) else [want]
        if case.system not in allowed:
            problems.append(f"system: expected one of {allowed!r}, got {case.system!r}")
    if "role" in expect:
        differs("role", expect["role"], case.reporter_role)
    if "dossier_code" in expect:
        differs("dossier_code", expect["dossier_code"], case.dossier_code)
    if "phone" in expect:
        differs("phone", expect["phone"], case.phone)
    if "priority" in expect:
        differs("priority", expect["priority"], case.priority)
    if "anonymous" in expect:
        differs("anonymous", expect["anonymous"], case.anonymous)
    if "procedure" in expect:
        differs("procedure", expect["procedure"], case.procedure_name)
    if "procedure_contains" in expect:
        want = expect["procedure_contains"]
        if not case.procedure_name or plain(want) not in plain(case.procedure_name):
            problems.append(f"procedure: expected to contain {want!r}, got {case.procedure_name!r}")
    for word in expect.get("description_contains", []):
        if plain(word) not in plain(case.description):
            problems.append(f"description: expected to contain {word!r}, got {case.description!r}")
    return problems


async def drive(app: Application, person: dict[str, Any]) -> tuple[Run, list[str]]:
    """Run one person's script; the problems found (empty: the person got what they expected)."""
    chat = Transcript(app, user=f"c-{person['name']}", channel="console", name=None)
    run = Run()
    code = ""
    setup = person.get("setup")
    if setup in ("open_case", "resolved_case"):
        code = await open_case(chat)
        run.lines.append(f"(setup: case {code} filed with buttons)")
    elif setup:
        raise AssertionError(f"unknown setup {person['setup']!r}")
    before = len(await all_cases(app.db))

    rules = [(str(rule["when"]), fill(rule["say"], code)) for rule in person.get("rules", [])]
    until = str(fill(person.get("until", CONFIRMED), code))
    max_turns = int(person.get("max_turns", 20))
    expect: dict[str, Any] = fill(person.get("expect", {}), code)
    used: dict[int, int] = {}
    keys: list[str] = []
    problems: list[str] = []

    async def type_(text: str) -> None:
        run.person(text)
        run.bot(await chat.say(text))
        run.staff.extend(o.reply.text for o in chat.outgoing if o.chat_id == GROUP)
        if run.last:
            keys.append(question_key(run.last))

    # The console greets every session with /start before the person types anything.
    await type_("/start")
    if setup == "resolved_case":
        run.lines.append(f"(setup: staff close {code} with /dong {RESOLUTION})")
        run.bot(await resolve_case(app, chat, code))
        keys.append(question_key(run.last))
    firsts = person.get("first", [])
    for text in fill(firsts if isinstance(firsts, list) else [firsts], code):
        await type_(text)

    ended = matches(until, run.answer)
    turns = 0
    while not ended:
        if len(keys) >= 3 and keys[-1] == keys[-2] == keys[-3]:
            problems.append(f"loop: the bot asked the same question 3 times in a row:\n{run.last}")
            break
        if keys and keys[-6:].count(keys[-1]) >= 3:  # the same question back every other message
            problems.append(
                f"loop: the bot asked the same question 3 times in its last 6 messages:\n{run.last}"
            )
            break
        if turns >= max_turns:
            problems.append(f"no end within max_turns={max_turns} (until: {until!r})")
            break
        for index, (when, say) in enumerate(rules):
            if matches(when, run.last):
                n = used.get(index, 0)
                used[index] = n + 1
                text = say[min(n, len(say) - 1)] if isinstance(say, list) else say
                break
        else:
            problems.append(f"stuck: no rule matches the bot's last message:\n{run.last}")
            break
        turns += 1
        await type_(str(text))
        ended = matches(until, run.answer)

    if problems:
        return run, problems

    cases = await all_cases(app.db)
    new = cases[before:]
    if "cases" in expect and len(cases) != expect["cases"]:
        problems.append(f"cases: expected {expect['cases']}, there are {len(cases)}")
    if "case_filed" in expect:
        if expect["case_filed"] and len(new) != 1:
            problems.append(f"case_filed: expected one new case, got {len(new)}")
        if not expect["case_filed"] and new:
            problems.append(f"case_filed: expected no case, got {[c.code for c in new]}")
        if expect["case_filed"] and len(new) == 1:
            problems.extend(check_case(new[0], expect))
    for fragment in expect.get("last_contains", []):
        if plain(fragment) not in plain(run.answer):
            problems.append(f"last answer: expected to contain {fragment!r}")
    wanted_any = expect.get("last_contains_any", [])
    if wanted_any and not any(plain(f) in plain(run.answer) for f in wanted_any):
        problems.append(f"last answer: expected one of {wanted_any!r}")
    for fragment in expect.get("staff_sees", []):
        if not any(plain(fragment) in plain(text) for text in run.staff):
            problems.append(f"staff_sees: {fragment!r} did not reach the staff group; it got {run.staff!r}")
    if code and ("rating" in expect or "status" in expect):
        first = await case_by_code(app.db, code)
        for name, got in (("rating", first.rating), ("status", first.status)):
            if name in expect:
                allowed = expect[name] if isinstance(expect[name], list) else [expect[name]]
                if got not in allowed:
                    problems.append(f"{name} of {code}: expected one of {allowed!r}, got {got!r}")
    for pattern in expect.get("never_asked", []):
        for said in run.all_bot:
            if matches(pattern, said):
                problems.append(f"never_asked: the bot said {pattern!r}:\n{said}")
                break
    return run, problems


@pytest.mark.parametrize("person", params())
async def test_scripted_person(app: Application, person: dict[str, Any]) -> None:
    run, problems = await drive(app, person)
    assert not problems, (
        f"{person['name']} ({person.get('note', '')}):\n- "
        + "\n- ".join(problems)
        + "\n\nTranscript:\n"
        + run.dump()
    )


@pytest.mark.parametrize("path", PEOPLE_FILES, ids=[p.stem for p in PEOPLE_FILES])
def test_the_people_file_is_complete(path: Path) -> None:
    people = load_people(path)
    assert len(people) >= 24
    names = [p["name"] for p in people]
    assert len(names) == len(set(names)), "names are test ids: unique"
    for person in people:
        assert person.get("expect"), person["name"]
        for rule in person.get("rules", []):
            re.compile(rule["when"])
            assert rule.get("say"), (person["name"], rule)
