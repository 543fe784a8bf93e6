"""`notices issue` and `notices archive` killed with SIGKILL at random points, then re-run.

The kills are scripted (crash_kit.kill_plan, fixed seed): each one aims at a point of
the run — before any allocation, between allocating a number and writing its file,
with the temporary file flushed but not linked, linked but not recorded, written,
recorded — or at a random moment, half of them a few random milliseconds after the
point. After every kill the register must be consistent and no partial file may carry
a final name (crash_kit.check_register); the same batch is then run again (a quarter of
the re-runs are killed too, then run once more) and must complete: every number
issued, consecutive, each file once, no temporary file left.

KILLS (default 24, i.e. each of the 8 kinds of kill point 3 times): NOTICES_KILL_REPS;
tests/stress/run_stress.py for long runs.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import needs_soffice
from crash_kit import (PHASES, Kill, calibrate, check_register, day, kill_plan, make_office, plan_file,
                       run_killed)
from notices.cli import main
from crash_kit import zygote  # noqa: F401  (fixture)
from test_ladder import cli

SEED = 20261130
KILLS = int(os.environ.get("NOTICES_KILL_REPS", "24"))

pytestmark = pytest.mark.skipif(os.name != "posix", reason="forks and SIGKILL: POSIX only")


def kill_and_rerun(runner, office: Path, logs: Path, reps: int, seed: int, counts: Counter) -> dict:
    """``reps`` batches, each killed as planned and re-run to completion; returns what was seen."""
    logs.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cache: dict = {}  # files checked before and unchanged are not read again; the end checks all
    seen = {"killed at": Counter(), "reserved": 0, "temps": 0, "unrecorded": 0, "rerun killed": 0}
    for k, kill in enumerate(kill_plan(rng, reps, counts)):
        args = ["issue", "--plan", str(plan_file(office, day(k)))]
        run = run_killed(runner, office, args, kill, logs / f"{k}-killed.txt")
        state = check_register(office, complete=False, cache=cache)
        if run.code == -9:
            seen["killed at"][kill.phase] += 1
        seen["reserved"] += state.reserved > 0
        seen["temps"] += bool(state.temps)
        seen["unrecorded"] += bool(state.unrecorded_files)
        if rng.random() < 0.25:  # the re-run killed as well
            again = Kill(rng.choice(PHASES[1:]), 1, rng.choice([0.0, rng.uniform(0.0, 0.01)]))
            seen["rerun killed"] += run_killed(runner, office, args, again, logs / f"{k}-killed-again.txt").code == -9
            check_register(office, complete=False, cache=cache)
        (outcome,) = runner.race(office, [args], logs / f"{k}-rerun")
        assert outcome.returncode == 0, (str(kill), outcome.out)
        assert len(outcome.numbers) == 4, outcome.out
        assert check_register(office, complete=True, cache=cache).records == 4 * (k + 1), str(kill)
    assert check_register(office, complete=True).records == 4 * reps
    return seen


def test_killed_issue_runs_leave_a_consistent_register_and_complete_on_rerun(zygote, tmp_path):
    counts = calibrate(zygote, make_office(tmp_path / "scratch"),
                       ["issue", "--plan", str(plan_file(tmp_path / "scratch", day(0)))], tmp_path / "calibrate.txt")
    assert counts["alloc"] == 4 and counts["fsync-tmp"] == 5 and counts["recorded"] == 4  # 4 documents, 5 files
    office = make_office(tmp_path / "office")
    seen = kill_and_rerun(zygote, office, tmp_path / "logs", KILLS, SEED, counts)
    # every kind of kill point was hit while the run was running, and the kills left
    # what a re-run has to take up: reserved numbers, whole unrecorded files, temporary files
    if KILLS >= len(PHASES) + 1:
        assert set(seen["killed at"]) == {*PHASES, "time"}, seen
        assert seen["reserved"] and seen["temps"] and seen["unrecorded"], seen
    assert "全部与登记时一致" in cli(office, "register", "verify")


# --- archive ----------------------------------------------------------------------------------------
ARCHIVE = '\n[archive]\nfonds = "Z109"\norg_code = "AWB"\n'


def _wait_for_orphans(marker: str, patience: float = 60.0) -> None:
    """LibreOffice runs in a session of its own and outlives a killed `archive`: wait
    (never kill) until no process names the staging folder ``marker`` any more."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        busy = False
        for entry in Path("/proc").iterdir():
            try:
                busy |= entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes()
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.2)


def _archive_consistent(office: Path, complete: bool) -> None:
    import sqlite3

    from notices.project import Project, db_path

    conn = sqlite3.connect(db_path(Project(office)))
    pieces = {}
    for retention, piece in conn.execute("SELECT retention, piece FROM archive_items ORDER BY id"):
        pieces.setdefault(retention, []).append(piece)
    conn.close()
    for retention, numbers in pieces.items():
        assert numbers == list(range(1, len(numbers) + 1)), (retention, numbers)
    if complete:
        assert "核对通过" in cli(office, "archive", "verify", "--year", "2026")
        assert not [p for p in (office / "outputs").rglob(".~*")], "temporary files left"
    elif pieces:  # at most files nobody recorded yet (the killed run's): nothing changed, missing or skipped
        out = CliRunner().invoke(main, ["-C", str(office), "archive", "verify", "--year", "2026"]).output
        assert "已被改动" not in out and "缺失" not in out and "件号不连续" not in out and "Traceback" not in out, out


@needs_soffice
def test_killed_archive_run_completes_on_rerun(zygote, tmp_path):
    """Killed while LibreOffice converts, with a 件's PDF moved into the package but the
    件 not committed, and just after the first 件 is committed; the fourth run completes
    the package and `archive verify` passes."""
    office = make_office(tmp_path / "office")
    with (office / "notices.toml").open("a", encoding="utf-8") as fh:
        fh.write(ARCHIVE)
    cli(office, "issue", "--plan", str(plan_file(office, day(0))))  # 4 documents, 5 files
    # "linked": LibreOffice's first PDF placed in the staging folder, the others still converting
    for k, kill in enumerate([Kill("linked", 1), Kill("replaced", 1), Kill("filed", 1)]):
        run = run_killed(zygote, office, ["archive", "--year", "2026"], kill, tmp_path / f"archive-{k}.txt")
        assert run.code == -9, (str(kill), run.seen)
        _wait_for_orphans(f".~{run.handle}@")
        _archive_consistent(office, complete=False)
    (outcome,) = zygote.race(office, [["archive", "--year", "2026"]], tmp_path / "archive-rerun")
    assert outcome.returncode == 0, outcome.out
    _archive_consistent(office, complete=True)
    assert "新归档" in outcome.out
