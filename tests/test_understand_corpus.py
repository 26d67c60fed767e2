"""The interpreter on the two blind corpora of typed replies (tests/data/typed-replies*.jsonl:
written by people who never saw it, ≥ 25 replies per question, most of them not the plain
answer). What a person would notice: a final branch (solved, anonymous, cancel, submit) taken
on a reply that did not mean it — never — and how often a reply is read as meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.understand.__main__ import score

DATA = Path(__file__).parent / "data"
CORPORA = sorted(DATA.glob("typed-replies*.jsonl"))


@pytest.mark.parametrize("path", CORPORA, ids=[p.stem for p in CORPORA])
def test_no_final_branch_is_taken_on_a_reply_that_did_not_mean_it(path: Path) -> None:
    result = score(path)
    assert result.dangerous == [], "\n".join(result.dangerous)


@pytest.mark.parametrize("path", CORPORA, ids=[p.stem for p in CORPORA])
def test_most_replies_are_read_as_meant_at_every_question(path: Path) -> None:
    result = score(path)
    # Measured 0.889 and 0.864 (the second corpus untouched: 0.730): a floor, not a target.
    assert result.accuracy >= 0.85, f"{result.accuracy:.3f}"
    weak = {q: c["ok"] / c["all"] for q, c in result.per_question.items() if c["ok"] / c["all"] < 0.6}
    assert not weak, weak


def test_both_corpora_are_there() -> None:
    # Two large corpora (≥ 500 replies each) and smaller later batches (typed-replies-3: questions
    # about one's case and words of an option's label, typed mid-report).
    assert sum(1 for p in CORPORA if sum(1 for _ in p.open()) >= 500) >= 2
