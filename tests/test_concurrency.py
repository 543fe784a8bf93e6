"""Two and eight `notices issue` processes at once against one register, ROUNDS times
(default 20; NOTICES_STRESS_ROUNDS to change; tests/stress/run_stress.py for long runs).

The processes of a round are forked from one interpreter that has notices imported
(crash_kit.Zygote) and start their work at the same instant; a last test runs plain
`python -m notices` interpreters. After each round the whole register and outputs/
are checked (crash_kit.check_register): per 机关代字 and year the numbers are 1..n with
no gap and no duplicate, every document's files are there once with their recorded
SHA-256, nothing else is in the folders, `register verify` finds every file intact.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from crash_kit import Spawner, check_register, day, distinct_round, make_office, plan_file
from notices.file.register import Register
from notices.project import Project, db_path
from crash_kit import zygote  # noqa: F401  (fixture)
from test_ladder import cli

ROUNDS = int(os.environ.get("NOTICES_STRESS_ROUNDS", "20"))

pytestmark = pytest.mark.skipif(os.name != "posix", reason="forks and SIGKILL: POSIX only")


@pytest.fixture
def office(tmp_path):
    return make_office(tmp_path / "office")


def _records(root):
    return Register(db_path(Project(root)), root).list()


def distinct_rounds(runner, office, logs, n: int, rounds: int) -> None:
    """``rounds`` rounds of ``n`` runs that each issue a document of their own."""
    expected, cache = [], {}
    for r in range(rounds):
        commands, plan = distinct_round(n, 2 * r)
        outcomes = runner.race(office, commands, logs / f"round-{r}")
        for o in outcomes:
            assert o.returncode == 0, (o.args, o.out)
            assert len(o.numbers) == 1, o.out
        assert len({number for o in outcomes for number in o.numbers}) == n  # nobody shares a number
        expected += plan
        assert check_register(office, complete=True, cache=cache).records == len(expected)
    assert check_register(office, complete=True).records == len(expected)  # every file read again
    records = _records(office)
    assert Counter((r.kind, next(iter(r.subjects)), r.issued_on.isoformat()) for r in records) == Counter(expected)


def same_batch_rounds(runner, office, logs, rounds: int) -> None:
    """``rounds`` rounds of eight runs of one plan (4 documents, 5 files) each."""
    cache = {}
    for r in range(rounds):
        plan = plan_file(office, day(r))
        outcomes = runner.race(office, [["issue", "--plan", str(plan)]] * 8, logs / f"round-{r}")
        for o in outcomes:
            assert o.returncode == 0, (o.args, o.out)
        numbers = {tuple(o.numbers) for o in outcomes}
        assert len(numbers) == 1 and len(next(iter(numbers))) == 4, numbers  # all report the same four
        assert check_register(office, complete=True, cache=cache).records == 4 * (r + 1)
    assert check_register(office, complete=True).records == 4 * rounds  # every file read again
    folders = Counter(p.parent.name for p in (office / "outputs").rglob("*.docx"))
    assert folders == {"督办函": 2 * rounds, "通报": 2 * rounds, "约谈通知书": rounds}


@pytest.mark.parametrize("n", [2, 8])
def test_concurrent_runs_of_different_batches_get_consecutive_numbers(zygote, office, tmp_path, n):
    """Each run issues a document of its own: 督办函, 约谈通知书 (one sequence) and 通报
    (another), two dates a round, from late December on also in 2027's sequences."""
    distinct_rounds(zygote, office, tmp_path / "logs", n, ROUNDS)
    if n == 8 and ROUNDS >= 17:  # round 17 issues on 2027-01-01
        assert {r.year for r in _records(office)} == {2026, 2027}
    assert "全部与登记时一致" in cli(office, "register", "verify")


def test_eight_runs_of_one_batch_make_each_document_once(zygote, office, tmp_path):
    """All eight run the same plan: each document gets one number and one set of files,
    every run succeeds and reports the same numbers."""
    same_batch_rounds(zygote, office, tmp_path / "logs", ROUNDS)


def test_eight_python_m_notices_processes(office, tmp_path):
    """The same with eight plain `python -m notices` interpreters, started together (one
    round; they collide less, the interpreters' start-up spreads them out)."""
    distinct_rounds(Spawner(), office, tmp_path / "logs", 8, 1)
