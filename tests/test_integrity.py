"""Integrity of what `notices issue` writes and records.

* The register records a document only with the SHA-256 of the bytes the issuing run
  wrote: a file swapped between writing and recording is refused, named, and the
  number stays reserved; the re-run refuses to take the foreign file up.
* `notices register verify` re-hashes every recorded file and names each one changed
  or missing, with a non-zero exit.
* write_atomic: temporary files of dead processes are removed from the folder being
  written (and only those), an identical file is accepted only when asked, new files
  get the usual permissions.
* The database: WAL journal, synchronous FULL on every connection.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from notices.cli import main
from notices.errors import NoticesError
from notices.file import outputs
from notices.file.outputs import pid_alive, sweep_temps, temp_prefix, write_atomic
from notices.file.register import Register
from notices.file.store import Store
from notices.project import Project, db_path
from test_ladder import cli, office  # noqa: F401  (fixture)
from test_status import A

DAY = ["--as-of", "2026-11-29", "--date", "2026-11-30"]


def _register(root) -> Register:
    return Register(db_path(Project(root)), root)


def _run(root, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args])


# --- the register refuses a file it did not write -------------------------------------------------
def test_file_swapped_between_write_and_record_is_refused(office, monkeypatch):  # noqa: F811
    from notices.jobs import issue

    real = issue.write_atomic
    swapped = []

    def write_then_swap(path, data, **kw):
        written = real(path, data, **kw)
        written.write_bytes(data.replace(b"word/document.xml", b"word/document.xmL"))  # someone else's file
        swapped.append(written)
        return written

    monkeypatch.setattr(issue, "write_atomic", write_then_swap)
    result = _run(office, "issue", "duban", *DAY, "--unit", A)
    assert result.exit_code == 1 and "Traceback" not in result.output
    (path,) = swapped
    assert f"未登记 某安委办函〔2026〕1号 的输出文件：文件内容与生成时不符（SHA-256 不一致）：{path}" in result.output
    (record,) = _register(office).list()
    assert (record.status, record.outputs) == ("reserved", ())

    # the re-run does not take the foreign file up either: it names it and leaves it
    monkeypatch.setattr(issue, "write_atomic", real)
    foreign = path.read_bytes()
    again = _run(office, "issue", "duban", *DAY, "--unit", A)
    assert again.exit_code == 1 and f"文件已存在且内容与本次生成的不同，未覆盖：{path}" in again.output
    assert path.read_bytes() == foreign and _register(office).list()[0].status == "reserved"
    # moved away, the re-run writes the document under the same number
    path.unlink()
    cli(office, "issue", "duban", *DAY, "--unit", A)
    (record,) = _register(office).list()
    assert record.status == "issued" and record.doc_number == "某安委办函〔2026〕1号"
    assert record.outputs[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_recorded_hash_is_of_the_bytes_written(office, monkeypatch):  # noqa: F811
    """What the issuing run passes to the register (record_many) is the digest of its own bytes."""
    from notices.file import register as register_module
    from notices.jobs import issue

    calls = []
    real_record = register_module.Register.record_many
    real_write = issue.write_atomic
    written = {}

    def spy_write(path, data, **kw):
        written[path] = data
        return real_write(path, data, **kw)

    def spy_record(self, documents, actor=""):
        documents = [(number, list(outs)) for number, outs in documents]
        calls.extend(outs for _, outs in documents)
        return real_record(self, documents, actor)

    monkeypatch.setattr(issue, "write_atomic", spy_write)
    monkeypatch.setattr(register_module.Register, "record_many", spy_record)
    apart(office)
    cli(office, "issue", "tongbao", *DAY)
    ((main_doc, attachment),) = calls
    for path, sha in (main_doc, attachment):
        assert sha == hashlib.sha256(written[path]).hexdigest()


# --- register verify ----------------------------------------------------------------------------
def apart(office) -> None:
    """The 通报's 附件2 issued as a file of its own: a document with two outputs."""
    cli(office, "config", "set", "layout.bind_table", "false")


def test_register_verify_names_each_changed_and_missing_file(office):  # noqa: F811
    apart(office)
    cli(office, "issue", "duban", *DAY)
    cli(office, "issue", "tongbao", *DAY)
    assert "共核对 4 个文件，全部与登记时一致" in cli(office, "register", "verify")
    folder = office / "outputs" / "2026"
    letter_a = folder / "督办函" / "某安委办函〔2026〕1号-应急管理局.docx"
    letter_b = folder / "督办函" / "某安委办函〔2026〕2号-教育局.docx"
    attachment = folder / "通报" / "某安委办〔2026〕1号-附件2-序时进度表.docx"
    letter_a.write_bytes(letter_a.read_bytes() + b"\0")  # one byte more
    attachment.unlink()
    letter_b.write_bytes(letter_b.read_bytes())  # rewritten, same bytes: still intact
    result = _run(office, "register", "verify")
    assert result.exit_code == 1 and "Traceback" not in result.output
    out = result.output
    assert "某安委办函〔2026〕1号  outputs/2026/督办函/某安委办函〔2026〕1号-应急管理局.docx：已被改动" in out
    assert "某安委办〔2026〕1号  outputs/2026/通报/某安委办〔2026〕1号-附件2-序时进度表.docx：文件不存在" in out
    assert "教育局.docx" not in out and "-通报.docx" not in out  # the intact ones are not listed as problems
    assert "共核对 4 个文件，2 个与登记时不符" in out


# --- temporary files ----------------------------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not pid_alive(proc.pid)
    return proc.pid


def test_sweep_removes_only_dead_runs_temporary_files_in_that_folder(tmp_path):
    dead = _dead_pid()
    tag = outputs._host_tag()
    folder, other = tmp_path / "督办函", tmp_path / "通报"
    (folder / "sub").mkdir(parents=True)
    other.mkdir()
    names = {
        f".~{dead}@{tag}-1a2b3c4d.docx": "dead run's temporary file",
        f".~{dead}@{tag}-归档暂存-x1": "dead run's staging folder",
        f".~{os.getpid()}@{tag}-5e6f7a8b.docx": "this process's own",
        f".~{dead}@{'0' * 8 if tag != '0' * 8 else '1' * 8}-9c0d1e2f.docx": "another computer's",
        ".~tmpabc123.docx": "not of this form (an older version, another program)",
        f"~$某安委办函〔2026〕1号-{dead}.docx": "Word's lock file",
        "某安委办函〔2026〕1号-应急管理局.docx": "a document",
    }
    for name in names:
        if "归档暂存" in name:
            (folder / name / "0").mkdir(parents=True)
            (folder / name / "0" / "a.pdf").write_bytes(b"%PDF")
        else:
            (folder / name).write_bytes(b"x")
    (folder / "sub" / f".~{dead}@{tag}-aaaa.docx").write_bytes(b"x")
    (other / f".~{dead}@{tag}-bbbb.docx").write_bytes(b"x")
    removed = sweep_temps(folder, force=True)
    assert sorted(p.name for p in removed) == sorted([f".~{dead}@{tag}-1a2b3c4d.docx", f".~{dead}@{tag}-归档暂存-x1"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        {*names} - {p.name for p in removed} | {"sub"})
    assert (folder / "sub" / f".~{dead}@{tag}-aaaa.docx").exists()  # only the folder itself
    assert (other / f".~{dead}@{tag}-bbbb.docx").exists()  # only the folder being written


def test_write_atomic_cleans_the_folder_it_writes_once_per_process(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_swept", set())
    dead = _dead_pid()
    stale = tmp_path / f".~{dead}@{outputs._host_tag()}-00000000.docx"
    stale.write_bytes(b"half a document")
    write_atomic(tmp_path / "a.docx", b"a")
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx"]
    assert temp_prefix() == f".~{os.getpid()}@{outputs._host_tag()}-"


def test_write_atomic_never_overwrites_and_accepts_an_identical_file_only_when_asked(tmp_path):
    path = tmp_path / "a.docx"
    write_atomic(path, b"one")
    with pytest.raises(NoticesError, match="文件已存在，未覆盖"):
        write_atomic(path, b"one")
    assert write_atomic(path, b"one", identical_ok=True) == path
    with pytest.raises(NoticesError, match="文件已存在，未覆盖"):
        write_atomic(path, b"two", identical_ok=True)
    assert path.read_bytes() == b"one"
    assert write_atomic(path, b"two", overwrite=True).read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]  # no temporary file left behind


def test_write_atomic_identical_file_appearing_meanwhile(tmp_path, monkeypatch):
    """Another run of the same batch links the same document first: accepted, not an error."""
    path = tmp_path / "a.docx"
    real_link = os.link

    def other_run_first(src, dst):
        with open(dst, "xb") as fh:
            fh.write(b"doc")
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", other_run_first)
    assert write_atomic(path, b"doc", identical_ok=True) == path
    path.unlink()
    with pytest.raises(NoticesError, match="文件已存在，未覆盖"):
        monkeypatch.setattr(os, "link", lambda src, dst: (open(dst, "xb").write(b"other"), real_link(src, dst)))
        write_atomic(path, b"doc", identical_ok=True)
    assert path.read_bytes() == b"other" and [p.name for p in tmp_path.iterdir()] == ["a.docx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_written_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "a.docx", b"a")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600: colleagues can read the letters


def test_pid_alive():
    assert pid_alive(os.getpid())
    assert not pid_alive(_dead_pid())
    assert socket.gethostname()  # the host tag has something to hash


# --- the database -------------------------------------------------------------------------------
def test_database_is_wal_with_full_sync(tmp_path):
    store = Store(tmp_path / "notices.db")
    with store._connect() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with store._connect() as conn:  # every connection, not only the first
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert sqlite3.connect(tmp_path / "notices.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
