"""SIGKILL in the middle of a burst of conversations, then start again.

The bot runs as a child process (`python -m bot run --channel telegram`) against the fake Bot
API. Forty people file complaints at once, each step answered as soon as the bot asks. When a
third of the replies are out the process is killed with SIGKILL — mid-transaction, mid-send,
wherever it is. Then:

* what was committed is consistent: every person's processed updates are a prefix of what
  they sent (in order, nothing skipped), their conversation is at the step that prefix leads
  to, and there is a case exactly for those whose confirmation was processed;
* after the restart the fake redelivers what was never confirmed (polling offset), everybody
  finishes: one case each, none lost, none twice, every conversation resumed where it stood;
* a reply may be sent twice only if it was mid-send at the kill (at-least-once delivery).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import func, select

from storage.db import Database
from storage.models import Case, Conversation, OutboxMessage, ProcessedUpdate
from tests.fakes.telegram import FakeTelegramServer
from tests.support.process_bot import CASE_DONE, Inbox, Person, ProcessBot

PEOPLE = 40


async def committed_state(
    url: str,
) -> tuple[dict[str, set[str]], dict[str, str], dict[str, int], dict[str, int]]:
    """Per person: processed update ids, conversation step, number of cases; and outbox statuses."""
    db = Database(url)
    try:
        async with db.session() as session:
            processed: dict[str, set[str]] = {}
            for user_id, key in (
                await session.exec(select(ProcessedUpdate.user_id, ProcessedUpdate.update_key))
            ).all():
                processed.setdefault(str(user_id), set()).add(key)
            steps = {c.user_id: c.step for c in (await session.exec(select(Conversation))).all()}
            cases: dict[str, int] = {}
            for chat_id, count in (
                await session.exec(select(Case.chat_id, func.count()).group_by(Case.chat_id))
            ).all():  # type: ignore[call-overload]
                cases[chat_id] = count
            outbox: dict[str, int] = {}
            for status, count in (
                await session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            ).all():  # type: ignore[call-overload]
                outbox[status] = count
    finally:
        await db.dispose()
    return processed, steps, cases, outbox


def check_consistent(
    people: list[Person], processed: dict[str, set[str]], steps: dict[str, str], cases: dict[str, int]
) -> int:
    """The invariants of a committed state; returns how many people had been fully processed."""
    finished = 0
    for person in people:
        uid = str(person.user_id)
        done = processed.get(uid, set())
        sent_ids = [str(update_id) for update_id, _ in person.sent]
        count = len(done)
        assert set(sent_ids[:count]) == done, f"{uid}: processed updates are not a prefix of what was sent"
        if count == 0:
            assert steps.get(uid, "new") == "new"
            assert cases.get(uid, 0) == 0
            continue
        expected_steps = person.sent[count - 1][1]
        assert steps[uid] in expected_steps, (
            f"{uid}: at {steps[uid]!r} after {count} updates, expected {expected_steps}"
        )
        submitted = count == len(person.sent) and person.sent[-1][1] == frozenset({"idle"}) and count > 1
        assert cases.get(uid, 0) == (1 if submitted else 0), (
            f"{uid}: cases {cases.get(uid, 0)} (submitted: {submitted})"
        )
        finished += submitted
    return finished


@pytest.mark.timeout(300)
async def test_sigkill_mid_burst_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    schema = Database(url)
    await schema.create_all()
    await schema.dispose()
    async with FakeTelegramServer() as tg:
        inbox = Inbox(tg)
        inbox.start()
        log = tmp_path / "bot.log"
        bot = ProcessBot(tg.base_url, url, log_path=log)
        again = ProcessBot(tg.base_url, url, log_path=log)
        await bot.start(tg)
        people = [
            Person(600_000 + i, lambda _chat, update: tg.push_update(update), inbox) for i in range(PEOPLE)
        ]
        runs = [asyncio.create_task(p.run(timeout=90)) for p in people]
        try:
            # Each person gets about 13 replies: kill when a third of all of them are out.
            target = PEOPLE * 13 // 3
            for _ in range(1200):
                if sum(len(inbox.messages[p.user_id]) for p in people) >= target:
                    break
                await asyncio.sleep(0.025)
            bot.kill()
            processed, steps, cases, outbox = await committed_state(url)
            finished_before = check_consistent(people, processed, steps, cases)
            in_flight = outbox.get("sending", 0) + outbox.get("claimed", 0)
            assert sum(len(v) for v in processed.values()) > 0 and finished_before < PEOPLE, (
                "killed mid-burst"
            )

            await again.start(tg)
            await asyncio.wait_for(asyncio.gather(*runs), timeout=120)
            # Let the outbox finish (staff cards, last replies).
            for _ in range(400):
                *_, outbox = await committed_state(url)
                if not {"pending", "claimed", "sending"} & set(outbox):
                    break
                await asyncio.sleep(0.05)
            await again.stop()
        finally:
            for run in runs:
                run.cancel()
            bot.kill()
            again.kill()
            await inbox.stop()
        processed, steps, cases, outbox = await committed_state(url)
        assert check_consistent(people, processed, steps, cases) == PEOPLE
        assert all(p.done for p in people)
        assert all(steps[str(p.user_id)] == "idle" for p in people)
        assert {str(p.user_id): 1 for p in people} == cases, "one case per person: none lost, none twice"
        assert set(outbox) == {"sent"}, outbox
        db = Database(url)
        async with db.session() as session:
            for person in people:
                case = (await session.exec(select(Case).where(Case.chat_id == str(person.user_id)))).one()
                assert case.description == person.description and case.system == person.system
        await db.dispose()
        # Each outbox row is one sendMessage here; extra copies only for rows caught mid-send.
        delivered = len([c for c in tg.calls_of("sendMessage") if c.ok])
        assert 0 <= delivered - outbox["sent"] <= in_flight
        for person in people:
            confirmations = [m for m in inbox.messages[person.user_id] if CASE_DONE in str(m.get("text"))]
            assert 1 <= len(confirmations) <= 1 + in_flight
