"""`/xoadulieu`: a person withdraws consent and has their personal data erased (Decree 13/2023).

/xoadulieu ─► erase_confirm: what will be erased, the open cases named (they will be closed)
   ├─ 🗑️ button, "1", or a clear phrase ("xóa", "đồng ý xóa") ─► erased, staff told per open case ─► idle
   ├─ ↩️ button, "2", "không", "giữ lại" ─► nothing changes ─► idle
   └─ anything else ─► "nothing deleted yet" and the two buttons again (never acts on an unclear reply)

Open cases are closed (staff read a line in each case's thread saying why); every case keeps its
anonymous statistics (storage.erasure). The person may start again later: consent is asked anew.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.events import Choice, Kind
from handlers.staff import texts as S
from handlers.textutil import clean_text, fold
from handlers.turn import Turn
from storage import repo
from storage.erasure import erase_person
from storage.models import CaseStatus

if TYPE_CHECKING:
    from handlers.citizen.engine import Engine

STEP = "erase_confirm"
COMMANDS = frozenset({"xoadulieu", "xoa_du_lieu", "deletemydata", "erase"})
_YES = "erase:yes"
_NO = "erase:no"
# Typed words that say yes without doubt: they name the deletion itself.
_YES_WORDS = frozenset(
    {
        "xoa",
        "xoa di",
        "xoa du lieu",
        "xoa du lieu cua toi",
        "dong y xoa",
        "co xoa",
        "toi dong y xoa",
        "delete",
        "delete my data",
        "yes delete",
    }
)
_NO_WORDS = frozenset(
    {
        "khong",
        "ko",
        "k",
        "khong xoa",
        "giu",
        "giu lai",
        "giu nguyen",
        "thoi",
        "khong can",
        "no",
        "keep",
        "no keep it",
    }
)


def choices(turn: Turn) -> list[Choice]:
    t = turn.t
    return [Choice(_YES, t.ERASE_YES), Choice(_NO, t.ERASE_NO)]


_ASKED_IN_WORDS = frozenset(
    {
        "xoa du lieu",
        "xoa du lieu cua toi",
        "toi muon xoa du lieu",
        "xoa thong tin ca nhan",
        "xoa thong tin cua toi",
        "delete my data",
    }
)


def asked_in_words(text: str) -> bool:
    """ "xóa dữ liệu của tôi" typed at the menu (no slash on Zalo's keyboard): what /xoadulieu does."""
    return fold(clean_text(text)).strip(" .!?") in _ASKED_IN_WORDS


async def ask(turn: Turn) -> None:
    """What will happen, before anything does. A report being written stays as it is until the
    person says yes (a no goes back to its question)."""
    assert turn.reporter.id is not None
    t = turn.t
    text = t.ERASE_ASK
    open_cases = [
        c
        for c in await repo.cases_of_reporter(turn.session, turn.reporter.id, limit=50)
        if c.status in (*CaseStatus.OPEN, CaseStatus.RESOLVED)
    ]
    if open_cases:
        text += "\n" + t.ERASE_ASK_OPEN.format(codes=", ".join(c.code for c in open_cases))
    if turn.step != STEP:
        turn.set(erase_from=turn.step)
    turn.go(STEP)
    turn.say(text, choices(turn), columns=2)


def _reading(turn: Turn) -> str | None:
    """ "yes", "no", or None when the reply is not clear."""
    event = turn.event
    if event.kind == Kind.CHOICE:
        return {_YES: "yes", _NO: "no"}.get(event.choice or "")
    if event.kind != Kind.TEXT:
        return None
    text = clean_text(event.text)
    folded = fold(text).strip(" .!")
    if text in ("1", "1️⃣") or folded in _YES_WORDS:
        return "yes"
    if text in ("2", "2️⃣") or folded in _NO_WORDS:
        return "no"
    return None


async def answer(engine: Engine, turn: Turn) -> None:
    t = turn.t
    reading = _reading(turn)
    if reading is None:
        turn.say(t.ERASE_UNCLEAR, choices(turn), columns=2)
        return
    if reading == "no":
        back = turn.data.get("erase_from")
        turn.set(erase_from=None)
        if back and engine.intake.owns(back):
            turn.go(back)  # back to the report being written, nothing of it lost
            engine.intake.ask(turn, prefix=t.ERASE_KEPT)
            return
        turn.reset("idle")
        turn.say(t.ERASE_KEPT)
        engine.show_menu(turn)
        return
    assert turn.reporter.id is not None
    cases = list(await repo.cases_of_reporter(turn.session, turn.reporter.id, limit=1000))
    closing = [
        c for c in cases if c.status in (*CaseStatus.OPEN, CaseStatus.RESOLVED) and not c.personal_data_erased
    ]
    for case in closing:
        await repo.set_status(
            turn.session, case, CaseStatus.CLOSED, actor="reporter", note="Người phản ánh yêu cầu xóa dữ liệu"
        )
    await erase_person(turn.session, turn.reporter, turn.conversation)
    for case in closing:
        notice = S.PERSONAL_DATA_ERASED.format(code=case.code)  # staff read Vietnamese
        turn.send(await engine.queue.reporter_message(turn.session, case, turn.reporter, notice, []))
    turn.reset("idle")
    turn.conversation.recent = []
    turn.say(t.ERASE_DONE.format(cases=len(cases)))
