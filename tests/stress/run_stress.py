"""The concurrency and kill-and-rerun tests at any scale, outside pytest.

    python tests/stress/run_stress.py                       # the CI amounts: 20 rounds, 24 kills
    python tests/stress/run_stress.py --rounds 200 --kills 400 --seed 7
    python tests/stress/run_stress.py --spawn --rounds 20   # new interpreters (python -m notices) instead of forks

Each part runs in a fresh project in a temporary folder (kept with --keep) and stops
at the first broken invariant with the failing assertion. The suite runs the same
code with the CI amounts (tests/test_concurrency.py, tests/test_crash.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS.parent)]

import crash_kit  # noqa: E402
from test_concurrency import distinct_rounds, same_batch_rounds  # noqa: E402
from test_crash import SEED, kill_and_rerun  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="rounds of each concurrency test (default 20)")
    parser.add_argument("--kills", type=int, default=24, help="killed and re-run batches (default 24)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the kill plan (default {SEED})")
    parser.add_argument("--spawn", action="store_true", help="a new interpreter per run instead of forks")
    parser.add_argument("--keep", action="store_true", help="keep the projects and logs")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="notices-stress-"))
    runner = crash_kit.launcher("spawn" if args.spawn else "zygote")
    try:
        parts = [
            ("2 runs at once, different batches", lambda o, l: distinct_rounds(runner, o, l, 2, args.rounds)),
            ("8 runs at once, different batches", lambda o, l: distinct_rounds(runner, o, l, 8, args.rounds)),
            ("8 runs at once, one batch", lambda o, l: same_batch_rounds(runner, o, l, args.rounds)),
        ]
        if args.kills:
            def kills(office, logs):
                scratch = crash_kit.make_office(base / "scratch")
                counts = crash_kit.calibrate(runner, scratch, ["issue", "--plan",
                                             str(crash_kit.plan_file(scratch, crash_kit.day(0)))], logs / "cal.txt")
                seen = kill_and_rerun(runner, office, logs, args.kills, args.seed, counts)
                print(f"    {dict(seen['killed at'])}; batches with reserved numbers {seen['reserved']}, "
                      f"temporary files {seen['temps']}, unrecorded files {seen['unrecorded']}; "
                      f"re-runs killed {seen['rerun killed']}")
            parts.append((f"{args.kills} batches killed and re-run (seed {args.seed})", kills))
        for n, (title, part) in enumerate(parts):
            office = crash_kit.make_office(base / f"office-{n}")
            logs = base / f"logs-{n}"
            logs.mkdir()
            start = time.monotonic()
            print(f"{title} …", flush=True)
            part(office, logs)
            print(f"    ok in {time.monotonic() - start:.1f} s", flush=True)
    finally:
        runner.close()
        if args.keep:
            print(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
