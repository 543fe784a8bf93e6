"""A register that cannot be lost or forked (issue 12), through the CLI: each case of
the issue reproduced, and what now happens instead.

The ladder's tiny project (test_ladder.py): A = 县应急管理局 (overdue), B = 县教育局
(unreported), C = 县消防救援大队 (nothing flagged).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from notices.cli import main
from notices.file.register import Register
from notices.project import Project, db_path
from test_ladder import CONFIG, REPORTS, cli, issued, save_round
from test_ladder import office  # noqa: F401  (fixture)
from test_status import A, B

DAY = ["--as-of", "2026-11-29", "--date", "2026-11-30"]
LETTERS = Path("outputs") / "2026" / "督办函"


def register(root) -> Register:
    return Register(db_path(Project(root)), root)


def run(root, *args, cwd=None, timeout=120, env=None):
    """`python -m notices -C root …` as staff run it: (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "notices", "-C", str(root), *args], cwd=cwd or ROOT,
                          capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def lose_database(root: Path, how: str) -> None:
    """The database deleted, or left at 0 bytes, as staff manage to do."""
    db = db_path(Project(root))
    for part in db.parent.glob("notices.db*"):
        part.unlink()
    if how == "empty":
        db.write_bytes(b"")


def collect_again(root: Path) -> None:
    """The rounds collected again, as after a lost database."""
    for round_id in sorted({r.round_id for r in REPORTS}):
        save_round(root, round_id, [r for r in REPORTS if r.round_id == round_id])


def names(root: Path) -> list[str]:
    return sorted(p.name for p in (root / LETTERS).glob("*.docx"))


# --- the database missing or empty ------------------------------------------------------------
@pytest.mark.parametrize("how", ["deleted", "empty"])
def test_a_lost_database_never_numbers_again_what_is_on_disk(office, how):  # noqa: F811
    cli(office, "issue", "duban", *DAY, "--unit", A)  # 某安委办函〔2026〕1号
    cli(office, "issue", "tongbao", *DAY)
    before = names(office)
    lose_database(office, how)
    collect_again(office)
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-05", "--unit", B, ok=False)
    assert "某安委办函〔2026〕1号" in out and "登记簿中没有" in out and "notices register rebuild" in out
    assert "Traceback" not in out
    assert names(office) == before and issued(office) == []  # nothing numbered, nothing written
    out = cli(office, "register", "rebuild")
    assert "据输出文件补登 2 个文号" in out
    cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-05", "--unit", B)
    assert names(office) == sorted(before + ["某安委办函〔2026〕2号-教育局.docx"])  # after the highest seen
    assert "全部与登记时一致" in cli(office, "register", "verify")


def test_a_database_from_elsewhere_is_told_apart_by_the_register_id(office, tmp_path):  # noqa: F811
    cli(office, "issue", "duban", *DAY, "--unit", A)
    # another office's database that happens to know the same number
    other = tmp_path / "other"
    shutil.copytree(office, other)
    lose_database(other, "deleted")
    collect_again(other)
    register(other).allocate("督办函", "某安委办函", 2026, "别处的函")
    for part in (office / "outputs").glob("notices.db*"):
        part.unlink()
    for part in (other / "outputs").glob("notices.db*"):
        shutil.copy(part, office / "outputs" / part.name)
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-05", "--unit", B, ok=False)
    assert "另一个登记簿编号的" in out and "某安委办函〔2026〕1号-应急管理局.docx" in out
    # rebuilding does not take the foreign record for ours, nor its id for the documents'
    out = CliRunner().invoke(main, ["-C", str(office), "register", "rebuild"]).output
    assert "某安委办函〔2026〕1号：登记簿中的记录" in out and "移走" in out
    cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-05", "--unit", B, ok=False)


# --- outside a working folder ------------------------------------------------------------------
def test_commands_that_write_refuse_a_folder_without_notices_toml(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(empty, "progress", "sample", "--round", "2026-11", "--out", str(empty / "报回"))
    assert code == 0, err  # read-only use of the shipped defaults is fine
    for args in (["progress", "collect", str(empty / "报回"), "--round", "2026-11", "--as-of", "2026-11-29",
                  "--accept-warnings"],
                 ["issue", "督办函", "--unit", "应急局", "--as-of", "2026-11-29", "--date", "2026-11-30"],
                 ["plan", "--as-of", "2026-11-29", "--save", str(empty / "计划.yaml")],
                 ["register", "list"], ["archive", "--year", "2026"]):
        code, out, err = run(empty, *args)
        assert code == 1 and "不是 notices 工作目录" in err and "notices init" in err and "-C" in err, (args, err)
    assert not (empty / "outputs").exists() and not (empty / "计划.yaml").exists()
    # from another folder, -C names the working folder
    code, out, err = run(tmp_path / "nowhere", "register", "list", cwd=empty)
    assert code == 1 and str(tmp_path / "nowhere") in err


# --- messages that tell the truth --------------------------------------------------------------------
def _read_only(folder: Path):
    """Make ``folder`` and everything in it read-only for whoever runs the tests (root
    passes mode bits: immutable files and folders stop root too). Returns the undo, or
    None where neither works."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        return lambda: subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)
    done = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True)
        return None
    return lambda: subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


@pytest.mark.parametrize("where", ["outputs", "letters"])
def test_a_read_only_folder_is_called_read_only_not_damaged(office, where):  # noqa: F811
    cli(office, "issue", "duban", *DAY, "--unit", A)
    folder = office / "outputs" if where == "outputs" else office / LETTERS
    undo = _read_only(folder)
    if undo is None:
        pytest.skip("cannot make a folder read-only here")
    try:
        code, out, err = run(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-01", "--unit", B)
    finally:
        undo()
    assert code == 1, out + err
    assert "只读" in err and "没有损坏" in err and "损坏或不是" not in err and "程序内部出错" not in err, err
    assert "restore" not in err and "Traceback" not in err


def _unshare() -> list[str] | None:
    if not shutil.which("unshare"):
        return None
    for cmd in (["unshare", "-m"], ["unshare", "-rm"]):
        if subprocess.run([*cmd, "true"], capture_output=True).returncode == 0:
            return cmd
    return None


FULL = r"""
set -e
OUT=$1; SAVED=$2; shift 2
mount -t tmpfs -o size=2m tmpfs "$OUT"
cp -a "$SAVED"/. "$OUT"/
dd if=/dev/zero of="$OUT/填满" bs=4k 2>/dev/null || true
exec "$@"
"""


def test_a_full_disk_is_called_a_full_disk(office, tmp_path):  # noqa: F811
    """outputs/ on a 2 MB RAM disk filled up (a mount namespace of its own)."""
    unshare = _unshare()
    if unshare is None:
        pytest.skip("no mount namespace here")
    cli(office, "issue", "duban", *DAY, "--unit", A)
    saved = shutil.copytree(office / "outputs", tmp_path / "saved")
    proc = subprocess.run([*unshare, "sh", "-c", FULL, "full", str(office / "outputs"), str(saved), sys.executable,
                           "-m", "notices", "-C", str(office), "issue", "duban", "--as-of", "2026-11-29",
                           "--date", "2026-12-01", "--unit", B], capture_output=True, cwd=ROOT, timeout=120)
    err = proc.stderr.decode("utf-8")
    if "mount:" in err:
        pytest.skip(f"cannot mount a RAM disk here: {err}")
    assert proc.returncode == 1, err
    assert "磁盘空间已满" in err and "没有损坏" in err and "损坏或不是" not in err and "程序内部出错" not in err, err


def test_a_damaged_database_is_the_one_case_that_asks_for_a_backup(office):  # noqa: F811
    cli(office, "issue", "duban", *DAY, "--unit", A)
    db = db_path(Project(office))
    for part in db.parent.glob("notices.db-*"):
        part.unlink()
    db.write_bytes(b"this is not a database at all" * 200)
    code, out, err = run(office, "register", "list")
    assert code == 1 and "已损坏" in err and "notices register restore" in err and "备份" in err, err


def test_a_locked_database_names_the_holder_and_does_not_hang(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG + "\n[register]\nlock_wait = 2\n", encoding="utf-8")
    cli(office, "issue", "duban", *DAY, "--unit", A)
    holder = sqlite3.connect(db_path(Project(office)), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing and not letting go
    try:
        started = dt.datetime.now()
        code, out, err = run(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-01",
                             "--unit", B, timeout=25)
        took = (dt.datetime.now() - started).total_seconds()
    finally:
        holder.rollback()
        holder.close()
    assert code == 1 and took < 20, (took, err)
    assert "正被另一个程序占用" in err and "正在等待" in err and "未做任何改动" in err, err
    if Path("/proc").is_dir():
        assert f"进程 {os.getpid()}" in err  # who holds it: this test
    assert "程序内部出错" not in err and "损坏" not in err
    assert [r.serial for r in register(office).list()] == [1]


def _boom(*args, **kw):
    raise RuntimeError("内部故障演示")


def test_an_unexpected_error_is_logged_in_the_project_and_named_by_full_path(office, tmp_path, monkeypatch):  # noqa: F811
    from notices.jobs import issue

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(issue.Batch, "run", _boom)
    result = CliRunner().invoke(main, ["-C", str(office), "issue", "duban", *DAY, "--unit", A])
    log = (office / "outputs" / "notices-error.log").resolve()
    assert result.exit_code == 2 and f"详情已记录在 {log}" in result.output, result.output
    assert "RuntimeError: 内部故障演示" in log.read_text(encoding="utf-8")
    assert not (elsewhere / "outputs").exists() and "Traceback" not in result.output


def test_an_unexpected_error_without_a_writable_log_says_what_it_was(office, tmp_path, monkeypatch):  # noqa: F811
    import tempfile

    from notices.jobs import issue

    monkeypatch.setattr(issue.Batch, "run", _boom)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the log folder would be")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked / "tmp"))
    (office / "outputs").rename(office / "outputs-moved")
    (office / "outputs").write_text("a file where outputs/ should be")
    try:
        result = CliRunner().invoke(main, ["-C", str(office), "issue", "duban", *DAY, "--unit", A])
    finally:
        (office / "outputs").unlink()
        (office / "outputs-moved").rename(office / "outputs")
    assert result.exit_code != 0 and "Traceback" not in result.output
    if "程序内部出错" in result.output:
        assert "该文件" not in result.output and "内部故障演示" in result.output and "错误记录也无法写入" in result.output


# --- dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-01"])
def test_dates_outside_the_window_are_refused(office, day):  # noqa: F811
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", day, "--unit", A, ok=False)
    assert f"成文日期 {day} 超出允许的范围" in out and "2023年1月1日至2027年12月31日" in out
    assert "程序内部出错" not in out and issued(office) == []
    out = cli(office, "status", "--as-of", day, ok=False) if False else ""  # status is read-only; the window is for writes
    out = cli(office, "issue", "duban", "--as-of", day, "--date", "2026-11-30", "--unit", A, ok=False)
    assert f"截至日期 {day} 超出允许的范围" in out and issued(office) == []


def test_the_window_is_configurable(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG + '\n[dates]\nearliest = "2026-11-01"\nlatest = "2026-12-31"\n',
                                         encoding="utf-8")
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2027-01-04", "--unit", A, ok=False)
    assert "2026年11月1日至2026年12月31日" in out and "[dates]" in out


def test_an_earlier_date_than_the_sequence_has_needs_force_and_is_recorded(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG + "\n[register]\nearlier_date_grace = 0\n", encoding="utf-8")
    cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-07", "--unit", A)
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-01", "--unit", B, ok=False)
    assert "成文日期2026年12月1日早于某安委办函〔2026〕1号的成文日期2026年12月7日" in out and "--force" in out
    assert len(issued(office)) == 1
    cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-01", "--unit", B, "--force",
        "--reason", "补发漏发的函")
    shown = cli(office, "register", "show", "某安委办函〔2026〕2号")
    assert "日期确认" in shown and "经确认（--force）仍予登记" in shown
    # the 通报 has a sequence of its own: nothing earlier there
    cli(office, "issue", "tongbao", "--as-of", "2026-11-29", "--date", "2026-12-01")


def test_an_earlier_date_just_after_another_window_numbered_is_a_warning(office):  # noqa: F811
    cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-07", "--unit", A)
    result = CliRunner().invoke(main, ["-C", str(office), "issue", "duban", "--as-of", "2026-11-29",
                                       "--date", "2026-12-01", "--unit", B])
    assert result.exit_code == 0 and "注意：某安委办函〔2026〕2号的成文日期2026年12月1日早于" in result.output


def test_a_rest_day_is_a_warning(office):  # noqa: F811
    result = CliRunner().invoke(main, ["-C", str(office), "issue", "duban", "--as-of", "2026-11-29",
                                       "--date", "2026-12-05", "--unit", A])
    assert result.exit_code == 0 and "注意：成文日期2026年12月5日是周末，不是工作日" in result.output
    assert len(issued(office)) == 1


# --- counts, modes, progress ---------------------------------------------------------------------------
def test_concurrent_runs_each_report_what_they_issued(office, tmp_path):  # noqa: F811
    from crash_kit import Zygote, plan_file

    runner = Zygote()
    try:
        for k in range(4):
            plan = plan_file(office, (dt.date(2026, 11, 30) + dt.timedelta(days=k)).isoformat())
            outcomes = runner.race(office, [["issue", "--plan", str(plan)]] * 2, tmp_path / f"race-{k}")
            counts = []
            for o in outcomes:
                assert o.returncode == 0, o.out
                counts.append(int(o.out.split("新发 ")[1].split(" 份")[0]))
            assert sum(counts) == 4, [o.out for o in outcomes]  # four documents, each issued by one run
    finally:
        runner.close()


def test_every_output_file_gets_the_same_mode(office, tmp_path):  # noqa: F811
    cli(office, "issue", "duban", *DAY, "--unit", A)
    cli(office, "table", "--xlsx", "--as-attachment", "1")
    cli(office, "status", "--as-of", "2026-11-29", "--xlsx", str(office / "outputs" / "汇总.xlsx"))
    cli(office, "registry", "import", str(next((office / "outputs" / "序时进度表").glob("*.xlsx"))),
        "--to", str(tmp_path / "imported"))
    modes = {p.relative_to(office).as_posix() if p.is_relative_to(office) else p.name: p.stat().st_mode & 0o777
             for p in [*(office / "outputs").rglob("*.docx"), *(office / "outputs").rglob("*.xlsx"),
                       *(tmp_path / "imported").glob("*.yaml")]}
    assert len(modes) >= 5 and len(set(modes.values())) == 1, modes


def test_progress_never_follows_the_summary(office):  # noqa: F811
    code, out, err = run(office, "issue", "duban", *DAY)
    assert code == 0, err
    assert "正在生成" not in err
    assert out.index("正在生成") < out.index("共 2 份，新发 2 份。")
    assert out.rstrip().endswith("新发 2 份。")


# --- the documents name their number and register -------------------------------------------------
def test_issued_documents_carry_their_register_facts(office):  # noqa: F811
    from notices.render.ooxml import read_custom_properties

    cli(office, "issue", "--plan", str(_plan(office)), "--print-file")
    reg = register(office)
    rid = reg.register_id
    for record in reg.list():
        for k, out in enumerate(record.outputs):
            props = read_custom_properties(office / out.path)
            assert props["文号"] == record.doc_number and props["文种"] == record.kind
            assert props["批次"] == record.batch_key and props["登记簿"] == rid
            assert props["单位"] == (record.recipients[0] if record.kind != "通报" else "全体")
            assert props["部分"] == ("正文" if k == 0 else "附件2-序时进度表")
            assert json.loads(props["主送"]) == list(record.recipients) and props["成文日期"] == "2026-11-30"
    (combined,) = (office / LETTERS).glob("打印合订本-*.docx")
    assert read_custom_properties(combined) == {}  # a print copy is no registered document
    with zipfile.ZipFile(combined) as z:
        assert "docProps/custom.xml" not in z.namelist() and "custom" not in z.read("_rels/.rels").decode()


def _plan(root: Path) -> Path:
    cli(root, "plan", *DAY, "--save", str(root / "plan.yaml"))
    return root / "plan.yaml"


# --- backups and restore ---------------------------------------------------------------------------
def test_backups_after_each_change_rotated_and_restore_refuses_an_older_one(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG + "\n[register]\nbackup_count = 3\n", encoding="utf-8")
    folder = office / "outputs" / "备份"
    cli(office, "issue", "duban", *DAY, "--unit", A)
    first = sorted(folder.glob("notices.db.*.bak"))
    assert len(first) == 1
    older = office / "旧的备份.bak"  # kept aside by staff: the register knew 1号 only
    shutil.copy(first[0], older)
    cli(office, "issue", "duban", *DAY, "--unit", A)  # nothing new: no new backup
    assert sorted(folder.glob("notices.db.*.bak")) == first
    cli(office, "issue", "duban", *DAY, "--unit", B)
    cli(office, "register", "reply", "某安委办函〔2026〕1号", "--date", "2026-12-04")
    cli(office, "register", "void", "某安委办函〔2026〕2号", "--reason", "主送有误")
    backups = sorted(folder.glob("notices.db.*.bak"))
    assert len(backups) == 3 and first[0] not in backups  # rotated: the three newest
    listed = cli(office, "register", "backups")
    assert backups[-1].name in listed and "某安委办函〔2026〕2号" in listed
    # a backup from before 2号 existed would give it out again
    out = cli(office, "register", "restore", str(older), ok=False)
    assert "比输出文件夹中的公文旧" in out and "某安委办函〔2026〕2号-教育局.docx" in out and "--force" in out
    assert [r.serial for r in register(office).list()] == [1, 2]
    out = cli(office, "register", "restore", str(older), "--force")
    assert "原数据库已另存" in out and "register rebuild" in out
    assert [r.serial for r in register(office).list()] == [1]
    out = cli(office, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-02", "--unit", A, ok=False)
    assert "notices register rebuild" in out  # still refuses to number 2号 again
    # the newest backup puts everything back
    newest = max(p for p in folder.glob("notices.db.*.bak") if "恢复前" in p.name)
    cli(office, "register", "restore", str(newest))
    records = register(office).list()
    assert [(r.serial, r.status) for r in records] == [(1, "issued"), (2, "void")]
    assert len(register(office).replies("某安委办函〔2026〕1号")) == 1


# --- rebuild on the ladder --------------------------------------------------------------------------
def _ladder(root: Path) -> None:
    """The three rounds of test_ladder.test_three_rounds, issued through plans."""
    from test_ladder import ROUND_2, ROUND_3

    cli(root, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30", "--save", str(root / "r1.yaml"))
    cli(root, "issue", "--plan", str(root / "r1.yaml"))
    save_round(root, "2026-12", ROUND_2)
    cli(root, "register", "reply", "某安委办函〔2026〕2号", "--date", "2026-12-04", "--note", "已完成排查")
    cli(root, "plan", "--as-of", "2026-12-09", "--date", "2026-12-09", "--save", str(root / "r2.yaml"))
    cli(root, "issue", "--plan", str(root / "r2.yaml"))
    cli(root, "issue", "duban", "--as-of", "2026-12-09", "--date", "2026-12-10", "--unit", A,
        "--force", "--reason", "误以为前函未送达")
    cli(root, "register", "void", "某安委办函〔2026〕3号", "--reason", "重复发文")
    save_round(root, "2027-01", ROUND_3)
    cli(root, "plan", "--as-of", "2027-01-08", "--date", "2027-01-08", "--save", str(root / "r3.yaml"))
    cli(root, "issue", "--plan", str(root / "r3.yaml"))


def _rows(records) -> list[tuple]:
    return [(r.doc_number, r.kind, r.title, r.recipients, r.milestones, r.subjects, r.round_id, r.as_of, r.issued_on,
             r.reply_due, r.status, r.void_reason, r.batch_key, tuple((o.path, o.sha256) for o in r.outputs))
            for r in records]


def test_rebuild_restores_the_ladder_register(office):  # noqa: F811
    _ladder(office)
    listed = cli(office, "register", "list")
    rows = _rows(register(office).list())
    plan_before = cli(office, "plan", "--as-of", "2027-01-08", "--date", "2027-01-08")
    lose_database(office, "deleted")
    collect_again(office)
    for round_id, reports in (("2026-12", __import__("test_ladder").ROUND_2), ("2027-01", __import__("test_ladder").ROUND_3)):
        save_round(office, round_id, reports)
    out = cli(office, "register", "rebuild")
    assert "参考的备份" in out and "未能恢复" not in out
    assert cli(office, "register", "list") == listed
    assert _rows(register(office).list()) == rows
    assert cli(office, "plan", "--as-of", "2027-01-08", "--date", "2027-01-08") == plan_before
    assert "全部与登记时一致" in cli(office, "register", "verify")
    # re-running a batch of round 3 finds its documents; a new one continues the sequence
    assert "新发 0 份" in cli(office, "issue", "--plan", str(office / "r3.yaml"))


def test_rebuild_without_any_backup_recovers_what_the_documents_hold(office):  # noqa: F811
    _ladder(office)
    listed = cli(office, "register", "list")
    rows = {r[0]: r for r in _rows(register(office).list())}
    lose_database(office, "deleted")
    shutil.rmtree(office / "outputs" / "备份")
    out = CliRunner().invoke(main, ["-C", str(office), "register", "rebuild"]).output
    assert "没有可用的备份" in out
    # the voided 3号 left its file; nothing records why it was voided
    after = {r[0]: r for r in _rows(register(office).list())}
    assert set(after) == set(rows)
    for number, row in rows.items():
        if number == "某安委办函〔2026〕3号":
            continue
        assert after[number] == row, number
    # what the list shows differs only in the reply nobody could know of, 3号's status and the count
    def fields(text):
        return {line.split()[0]: line.split() for line in text.splitlines()[1:]}

    before, now = fields(listed), fields(cli(office, "register", "list"))
    assert set(before) == set(now)
    assert {k for k in before if before[k] != now[k]} == {"某安委办函〔2026〕2号", "某安委办函〔2026〕3号", "共"}
    assert before["某安委办函〔2026〕2号"][5] == "1" and now["某安委办函〔2026〕2号"][5] == "未答复"


def test_rebuild_recognises_documents_made_before_they_carried_properties(office):  # noqa: F811
    from notices.render.ooxml import _parts_of, without_custom_properties, zip_bytes

    cli(office, "issue", "--plan", str(_plan(office)))
    rows = {r.doc_number: r for r in register(office).list()}
    for path in (office / "outputs" / "2026").rglob("*.docx"):
        path.write_bytes(zip_bytes(without_custom_properties(_parts_of(path.read_bytes()))))
    lose_database(office, "deleted")
    shutil.rmtree(office / "outputs" / "备份")
    collect_again(office)
    out = CliRunner().invoke(main, ["-C", str(office), "register", "rebuild"]).output
    assert "据输出文件补登 3 个文号" in out and "未能恢复：某安委办〔2026〕1号" in out and "点名批评的单位" in out
    for record in register(office).list():
        old = rows[record.doc_number]
        assert (record.kind, record.title, record.recipients, record.issued_on, record.status) == (
            old.kind, old.title, old.recipients, old.issued_on, "issued"), record.doc_number
        if record.kind == "督办函":
            assert (record.reply_due, record.milestones, record.batch_key) == (old.reply_due, old.milestones,
                                                                                old.batch_key)
    assert "新发 0 份" in cli(office, "issue", "duban", *DAY)  # the letters' batches are known again
