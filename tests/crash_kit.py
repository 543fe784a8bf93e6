"""Real `notices` processes run side by side or killed with SIGKILL at chosen points, and
the invariant the register and the output folders must keep whatever happens.

Used by test_concurrency.py and test_crash.py (in CI) and by tests/stress/run_stress.py
(as many rounds as asked).

Every run is a process of its own running `python -m notices …`'s code path
(``runpy.run_module("notices")`` with its arguments). Two ways to start them:

* ``Spawner``: a new interpreter per run (``python -m notices`` itself when no
  kill point is wanted); ~0.3 s each, mostly imports.
* ``Zygote``: one interpreter imports notices once and forks a child per run (POSIX).
  The children share nothing with each other but the imported code: each has its own
  pid, database connections and files, like a new interpreter, at ~0.05 s instead of
  ~0.3 s. Its ``race`` lets all runs of a round start their work at the same instant
  (they wait on one pipe), so they truly collide.

A run can be *marked*: it connects to a socket of the test and, at each point of
interest, sends the point's name and waits for a go-ahead, so the test can kill it
exactly there or a random moment after: before any allocation, between allocating a
number and writing its file, with the temporary file flushed but not yet linked,
linked but not yet recorded, written, recorded (a batch's numbers are taken in one
transaction and its records written in a few: a kill at "alloc" or "recorded" lands
inside such a transaction); for `archive`, with a PDF moved into
the package but its 件 not yet committed, or just after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from notices.file.outputs import pid_alive
from notices.file.register import Register
from notices.project import Project, db_path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
A, B = "县应急管理局", "县教育局"  # the two units the tiny registry of test_status.py flags
AS_OF = "2026-11-29"
FIRST_DAY = dt.date(2026, 11, 30)
TIMEOUT = 120  # seconds any one run may take before the test gives up on it

# Runs in the child: the marks, and running notices with its exit code.
CHILD = r'''
import os, runpy, socket, stat, sys, traceback


def install_marks(port):
    conn = socket.create_connection(("127.0.0.1", port))
    free = []

    def mark(name):
        if free:
            return
        conn.sendall(name.encode() + b"\n")
        if not conn.recv(1):  # the test let go: run on without stopping
            free.append(True)

    def around(owner, name, before=None, after=None):
        real = getattr(owner, name)

        def wrapped(*args, **kw):
            if before:
                mark(before)
            result = real(*args, **kw)
            if after:
                mark(after(args) if callable(after) else after)
            return result
        setattr(owner, name, wrapped)

    from notices.file import archive, register
    from notices.jobs import issue
    # a batch's numbers are reserved in one transaction and its files recorded in
    # chunks: "alloc" before each number (inside the transaction), "allocated" once
    # they are committed, "recorded" after each document's record (inside its chunk's)
    around(register.Register, "_reserve_one", "alloc")
    around(register.Register, "reserve", after="allocated")
    around(register.Register, "_record_one", after="recorded")
    around(issue, "_write", after="written")
    around(archive.Archive, "file", after="filed")
    around(os, "fsync", after=lambda a: "fsync-dir" if stat.S_ISDIR(os.fstat(a[0]).st_mode) else "fsync-tmp")
    around(os, "link", after="linked")
    around(os, "replace", after="replaced")
    mark("ready")


def run_notices(args, port=0):
    """Run notices as `python -m notices args` does; never returns."""
    code = 0
    try:
        if port:
            install_marks(port)
        sys.argv = ["notices", *args]
        runpy.run_module("notices", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
'''

SPAWNED = CHILD + r'''
run_notices(sys.argv[2:], int(sys.argv[1]))
'''

ZYGOTE = CHILD + r'''
import json
import notices.cli, notices.jobs.issue, notices.jobs.archive  # loaded once, before any fork


def child(log):
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def reply(data):
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def status(pid):
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["cmd"] == "race":
        gate_r, gate_w = os.pipe()
        pids = []
        for run in cmd["runs"]:
            pid = os.fork()
            if pid == 0:
                os.close(gate_w)
                child(run["log"])
                os.read(gate_r, 1)  # every child waits here until all are forked
                run_notices(run["args"])
            pids.append(pid)
        os.close(gate_r)
        os.write(gate_w, b"g" * len(pids))
        os.close(gate_w)
        reply({"pids": pids, "codes": [status(p) for p in pids]})
    elif cmd["cmd"] == "start":
        pid = os.fork()
        if pid == 0:
            child(cmd["log"])
            run_notices(cmd["args"], cmd["port"])
        reply({"pid": pid})
    elif cmd["cmd"] == "wait":
        reply({"code": status(cmd["pid"])})
'''

# The points of a run of `issue` a kill is aimed at (see CHILD).
PHASES = ("ready", "alloc", "allocated", "fsync-tmp", "linked", "written", "recorded")


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [e.get("PYTHONPATH")])])
    return e


# --- a project ------------------------------------------------------------------------------
def make_office(root: Path) -> Path:
    """The ladder's tiny project (test_ladder.py): A overdue, B unreported, C clean."""
    if str(TESTS) not in sys.path:  # run from tests/stress/run_stress.py
        sys.path.insert(0, str(TESTS))
    from test_ladder import CONFIG, save_round
    from test_status import REPORTS, write_registry

    write_registry(root / "registry")
    (root / "outputs").mkdir(parents=True)
    # the 通报's 附件2 as a file of its own: a document written as two files
    (root / "notices.toml").write_text(CONFIG + "\n[layout]\nbind_table = false\n", encoding="utf-8")
    for round_id in sorted({r.round_id for r in REPORTS}):
        save_round(root, round_id, [r for r in REPORTS if r.round_id == round_id])
    return root


def day(n: int) -> str:
    return (FIRST_DAY + dt.timedelta(days=n)).isoformat()


def plan_file(root: Path, issued_on: str) -> Path:
    """A plan of four documents in two number sequences, five files in three folders:
    督办函 to A and B, the 通报 naming A (with its 附件2), a 约谈通知书 to A. The same
    documents day after day go against the escalation ladder: each says why (原因)."""
    why = "    原因: 编号测试\n"
    path = root / f"plan-{issued_on}.yaml"
    path.write_text(f"截至日期: {AS_OF}\n成文日期: {issued_on}\n进度轮次: 2026-11\n"
                    f"督办函:\n  - 单位: {A}\n{why}  - 单位: {B}\n{why}"
                    f"通报:\n  原因: 编号测试\n  点名批评:\n    - 单位: {A}\n  {why}"
                    f"约谈通知书:\n  - 单位: {A}\n{why}", encoding="utf-8")
    return path


def kind_args(kind: str, unit: str, issued_on: str) -> list[str]:
    """`issue <kind>` for one unit (the 通报: naming it) on one date; forced, since the
    runs issue what the ladder would not (what they test is the numbering)."""
    return ["issue", kind, "--unit", unit, "--as-of", AS_OF, "--date", issued_on, "--force", "--reason", "编号测试"]


def distinct_round(n: int, offset: int) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    """``n`` (2 or 8) commands that each make a document of its own: (commands, the
    expected (kind, unit, date) of each). A round of 8 uses two dates; 督办函 and
    约谈通知书 share one number sequence, the 通报 has another."""
    first, second = day(offset), day(offset + 1)
    plan = [("督办函", A, first), ("督办函", B, first), ("约谈通知书", A, first), ("通报", A, first),
            ("督办函", A, second), ("督办函", B, second), ("约谈通知书", B, second), ("通报", B, second)]
    if n == 2:
        plan = [("督办函", A, first), ("督办函", B, first)]
    return [kind_args(k, u, d) for k, u, d in plan], plan


# --- running ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    args: list[str]
    returncode: int
    out: str

    @property
    def numbers(self) -> list[str]:
        """The 文号 the run reports, new or found."""
        return re.findall(r"^(?:已发|已存在)：\S+ (\S+号)", self.out, re.M)


class Spawner:
    """A new interpreter per run."""

    def race(self, root: Path, commands: list[list[str]], logs: Path) -> list[Outcome]:
        """`python -m notices -C root …` for every command, all started at once."""
        procs = [subprocess.Popen([sys.executable, "-m", "notices", "-C", str(root), *cmd], cwd=ROOT, env=env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for cmd in commands]
        outs = [p.communicate(timeout=TIMEOUT)[0].decode("utf-8", "replace") for p in procs]
        return [Outcome(cmd, p.returncode, out) for cmd, p, out in zip(commands, procs, outs)]

    def start(self, root: Path, args: list[str], log: Path, port: int):
        with log.open("wb") as fh:
            return subprocess.Popen([sys.executable, "-c", SPAWNED, str(port), "-C", str(root), *args], cwd=ROOT,
                                    env=env(), stdout=fh, stderr=subprocess.STDOUT)

    def kill(self, proc) -> None:
        proc.send_signal(signal.SIGKILL)

    def wait(self, proc) -> int:
        return proc.wait(timeout=TIMEOUT)

    def close(self) -> None:
        pass


class Zygote:
    """One interpreter with notices imported that forks a child per run (POSIX)."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, env=env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def _ask(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote died (exit {self.proc.wait()})")
        return json.loads(line)

    def race(self, root: Path, commands: list[list[str]], logs: Path) -> list[Outcome]:
        """Fork one child per command; they start their work at the same instant."""
        logs.mkdir(parents=True, exist_ok=True)
        runs = [{"args": ["-C", str(root), *cmd], "log": str(logs / f"run-{k}.txt")} for k, cmd in enumerate(commands)]
        codes = self._ask(cmd="race", runs=runs)["codes"]
        return [Outcome(cmd, code, Path(run["log"]).read_text(encoding="utf-8", errors="replace"))
                for cmd, code, run in zip(commands, codes, runs)]

    def start(self, root: Path, args: list[str], log: Path, port: int) -> int:
        return self._ask(cmd="start", args=["-C", str(root), *args], log=str(log), port=port)["pid"]

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)  # our own child's child, not yet reaped: the pid is still its

    def wait(self, pid: int) -> int:
        return self._ask(cmd="wait", pid=pid)["code"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)
        self.proc.stdout.close()


def launcher(kind: str = "zygote"):
    return Zygote() if kind == "zygote" else Spawner()


class Marked:
    """A marked run: ``next()`` is the point it waits at, ``release()`` lets it go on."""

    def __init__(self, runner, root: Path, args: list[str], log: Path):
        self.runner = runner
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(TIMEOUT)
        self.handle = runner.start(root, args, log, server.getsockname()[1])
        self.log = log
        try:
            self.conn, _ = server.accept()
        finally:
            server.close()
        self.conn.settimeout(TIMEOUT)
        self._lines = self.conn.makefile("rb")
        self.seen: list[str] = []
        self.code: int | None = None

    def next(self) -> str | None:
        try:
            line = self._lines.readline()
        except OSError:
            line = b""
        if not line:
            return None
        self.seen.append(line.decode().strip())
        return self.seen[-1]

    def release(self) -> None:
        self.conn.sendall(b"g")

    def free(self) -> None:
        """Let it run on without stopping again."""
        try:
            self.conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def kill(self) -> int:
        self.runner.kill(self.handle)
        return self.finish()

    def finish(self) -> int:
        """Wait for the end; its exit code (-9: killed by SIGKILL)."""
        self.free()
        while self.next() is not None:
            pass
        self.code = self.runner.wait(self.handle)
        self._lines.close()
        self.conn.close()
        return self.code


@dataclass
class Kill:
    """Where to kill: at the ``nth`` (from 1) point ``phase``, ``delay`` seconds after it
    (0: while the run waits there); phase "time": ``delay`` seconds after "ready"."""
    phase: str
    nth: int = 1
    delay: float = 0.0

    def __str__(self) -> str:
        return f"{self.phase}#{self.nth}+{self.delay * 1000:.0f}ms"


def run_killed(runner, root: Path, args: list[str], kill: Kill, log: Path) -> Marked:
    """Run ``args`` and SIGKILL it where ``kill`` says; the run (``code`` -9 when the
    kill found it running, else its own exit code; ``seen``: the points it reached)."""
    run = Marked(runner, root, args, log)
    if kill.phase == "time":
        run.next()  # "ready"
        run.free()
        time.sleep(kill.delay)
        run.kill()
        return run
    count = 0
    while (point := run.next()) is not None:
        if point == kill.phase:
            count += 1
            if count == kill.nth:
                if kill.delay:
                    run.free()
                    time.sleep(kill.delay)
                run.kill()
                return run
        run.release()
    run.finish()
    return run


def calibrate(runner, root: Path, args: list[str], log: Path) -> Counter:
    """How often a complete run of ``args`` reaches each point."""
    run = Marked(runner, root, args, log)
    while run.next() is not None:
        run.release()
    code = run.finish()
    assert code == 0, log.read_text(encoding="utf-8", errors="replace")
    return Counter(run.seen)


def kill_plan(rng: random.Random, reps: int, counts: Counter, phases=PHASES, max_time: float = 0.15) -> list[Kill]:
    """``reps`` kills cycling through ``phases`` and "time", each at a random occurrence
    of its point. The first cycle kills exactly there (so every kind of point is hit
    whatever the machine's speed); later ones half of the time a random few
    milliseconds late, and "time" anywhere in the first ``max_time`` seconds."""
    cycle = [*phases, "time"]
    plan = []
    for k in range(reps):
        phase, first = cycle[k % len(cycle)], k < len(cycle)
        if phase == "time":
            plan.append(Kill("time", delay=rng.uniform(0.0, 0.03 if first else max_time)))
        else:
            late = 0.0 if first else rng.choice([0.0, rng.uniform(0.0, 0.01)])
            plan.append(Kill(phase, rng.randint(1, counts[phase]), late))
    return plan


# --- the invariant --------------------------------------------------------------------------------
@dataclass
class State:
    records: int = 0
    reserved: int = 0
    unrecorded_files: list[str] = field(default_factory=list)  # whole files a killed run wrote, not recorded
    temps: list[str] = field(default_factory=list)  # temporary files a killed run left


def _docx_ok(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def check_register(root: Path, complete: bool, cache: dict | None = None) -> State:
    """The register and outputs/ as they must be after any run, finished or killed.

    Always: per 机关代字 and year the serials are 1..n (no gap, no duplicate); each
    batch has at most one live record; every record is reserved or issued; every
    issued record's files exist with their recorded SHA-256; every file under a final
    name is a whole .docx and is an issued record's output or — only after a kill, and
    only for a reserved number — the file its run wrote before it could record it;
    temporary files are ours (.~<pid>@<host>-…) and of dead processes.
    ``complete`` (after a finished run): every record issued, the files exactly the
    recorded ones, no temporary file anywhere under outputs/.

    ``cache`` (a dict kept between calls): files already found whole and, for recorded
    ones, hashing to their SHA-256 are not read again while their size and mtime stay
    the same — for long runs; without it every file is read and `Register.verify`
    re-hashes every recorded one.
    """
    reg = Register(db_path(Project(root)), root)
    records = reg.list()
    state = State(records=len(records))
    sequences: dict[tuple[str, int], list[int]] = {}
    for r in records:
        sequences.setdefault((r.organ_code, r.year), []).append(r.serial)
    for (code, year), serials in sequences.items():
        assert serials == list(range(1, len(serials) + 1)), f"{code}〔{year}〕: {serials}"
    keys = Counter(r.batch_key for r in records if r.status != "void")
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
    statuses = {r.status for r in records}
    assert statuses <= ({"issued"} if complete else {"issued", "reserved"}), statuses
    state.reserved = sum(r.status == "reserved" for r in records)
    if cache is None:
        bad = [(c.doc_number, c.path, c.state) for c in reg.verify() if c.state != "ok"]
    else:
        bad = []
        for r in records:
            for o in r.outputs if r.status == "issued" else ():
                path = reg.resolve(o.path)
                if not path.is_file():
                    bad.append((r.doc_number, o.path, "missing"))
                elif cache.get(("sha", path)) != (_stamp(path), o.sha256):
                    if hashlib.sha256(path.read_bytes()).hexdigest() != o.sha256:
                        bad.append((r.doc_number, o.path, "changed"))
                    else:
                        cache[("sha", path)] = (_stamp(path), o.sha256)
    assert not bad, bad

    recorded = {reg.resolve(o.path).resolve() for r in records for o in r.outputs}
    reserved = {r.doc_number for r in records if r.status == "reserved"}
    on_disk = set()
    for path in (root / "outputs").rglob("*"):
        if path.name.startswith(".~"):
            m = re.match(r"^\.~(\d+)@[0-9a-f]{8}-", path.name)
            assert m and not complete, f"temporary file left: {path}"
            assert not pid_alive(int(m.group(1))), f"temporary file of a live process: {path}"
            state.temps.append(path.name)
            continue
        if not path.is_file() or path.name.startswith("notices.db") or "归档" in path.relative_to(root).parts:
            continue
        if cache is None or cache.get(("whole", path)) != _stamp(path):
            assert _docx_ok(path), f"partial or broken file under a final name: {path}"
            if cache is not None:
                cache[("whole", path)] = _stamp(path)
        on_disk.add(path.resolve())
        if path.resolve() not in recorded:
            number = path.name.split("-", 1)[0]
            assert not complete and number in reserved, f"file nobody recorded: {path}"
            state.unrecorded_files.append(path.name)
    assert recorded <= on_disk
    if complete:
        assert on_disk == recorded
    return state


@pytest.fixture(scope="module")
def zygote():
    """One forking interpreter per test module."""
    z = Zygote()
    yield z
    z.close()
