"""The document register: 发文字号 format, sequences, concurrency, idempotent batches,
void/reply/outputs, verification, migration from version 1, and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from notices.config import load_config
from notices.errors import NoticesError
from notices.file.register import (DocNumber, Register, batch_key, format_number, normalize_number,
                                   organ_code_for, parse_number)
from notices.file.store import SCHEMA_VERSION, Store
from notices.model import Report

from conftest import run_cli, working_folder

ROOT = Path(__file__).resolve().parents[1]
CODE = "岫安委办函"


def _alloc(reg: Register, code: str = CODE, year: int = 2026, title: str = "关于加快推进整改的督办函", **kw):
    return reg.allocate("督办函", code, year, title, **kw)


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# --- numbers -----------------------------------------------------------------------------
def test_format_number_follows_gbt9704():
    number = format_number(CODE, 2026, 12)
    assert number == "岫安委办函〔2026〕12号"
    assert "\u3014" in number and "\u3015" in number
    assert "第" not in number
    assert format_number(CODE, 2026, 1) == "岫安委办函〔2026〕1号"  # no leading zeros
    assert format_number(CODE, 2026, 100) == "岫安委办函〔2026〕100号"
    assert re.fullmatch(r"\S+〔\d{4}〕[1-9]\d*号", format_number("岫安委办", 2027, 7))
    for bad in [(CODE, 26, 1), (CODE, 2026, 0), ("", 2026, 1), ("岫安 委办", 2026, 1), ("岫安委办〔", 2026, 1)]:
        with pytest.raises(NoticesError):
            format_number(*bad)


@pytest.mark.parametrize("text", [
    "岫安委办函〔2026〕12号",
    "岫安委办函[2026]12号",
    "岫安委办函【2026】12号",
    "岫安委办函［2026］12号",
    "岫安委办函〔２０２６〕１２号",
    "岫安委办函[2026]012号",
    "岫安委办函〔2026〕第12号",
    " 岫安委办函 [ 2026 ] 12 号 ",
])
def test_parse_number_variants_normalise(text):
    assert parse_number(text) == DocNumber(CODE, 2026, 12)
    assert normalize_number(text) == "岫安委办函〔2026〕12号"


@pytest.mark.parametrize("text", ["岫安委办函〔26〕12号", "岫安委办函〔2026〕0号", "岫安委办函2026-12", "12号", "",
                                  "岫安委办函〔2026〕12"])
def test_parse_number_rejects_non_numbers(text):
    with pytest.raises(NoticesError, match="不是发文字号"):
        parse_number(text)


def test_numbering_config_section(tmp_path):
    # The example names no office: the codes are empty until notices.toml (or the registry) gives them.
    config = load_config(None)
    assert config.section("numbering") == {"督办函": "", "通报": "", "约谈通知书": "", "曝光": "", "工作提醒": ""}
    with pytest.raises(NoticesError, match="尚未填写") as info:
        organ_code_for(config, "通报")
    assert "notices config set numbering.通报" in str(info.value)
    with pytest.raises(NoticesError, match="尚未填写") as info:
        organ_code_for(config, "曝光")  # no code of its own: the 通报's sequence
    assert "numbering.通报" in str(info.value)
    with pytest.raises(NoticesError, match="没有“函件”的机关代字"):
        organ_code_for(config, "函件")
    # series of the register's own: an unnumbered 工作提醒, a 销号 record
    assert organ_code_for(config, "工作提醒") == "工作提醒" and organ_code_for(config, "销号") == "销号登记"
    # A project without notices.toml takes them from its registry's issuer (the shipped sample's here).
    from notices.project import Project

    config = Project(tmp_path).config
    assert config.section("numbering") == {"督办函": "岫安委办函", "通报": "岫安委办", "约谈通知书": "岫安委办函",
                                           "曝光": "", "工作提醒": ""}
    assert organ_code_for(config, "通报") == "岫安委办" and "numbering.通报" in config.filled
    assert organ_code_for(config, "曝光") == "岫安委办"
    # A placeholder is never a code.
    (tmp_path / "notices.toml").write_text('[numbering]\n"通报" = "待填写"\n', encoding="utf-8")
    with pytest.raises(NoticesError) as info:
        organ_code_for(Project(tmp_path).config, "通报")
    assert "仍是“待填写”" in str(info.value) and "notices.toml:2" in str(info.value)


def test_numbering_config_rejects_unknown_kind(tmp_path):
    (tmp_path / "notices.toml").write_text('[numbering]\n"督办函" = "某安委办函"\n"请示" = "某"\n', encoding="utf-8")
    with pytest.raises(NoticesError) as info:
        load_config(tmp_path / "notices.toml")
    assert "numbering.请示" in str(info.value)
    (tmp_path / "notices.toml").write_text('[numbering]\n"督办函" = "某安委办函"\n', encoding="utf-8")
    config = load_config(tmp_path / "notices.toml")
    assert organ_code_for(config, "督办函") == "某安委办函"
    assert config.section("numbering")["通报"] == ""  # default kept


# --- sequences ------------------------------------------------------------------------------
def test_sequences_per_code_and_year_and_restart_in_new_year(tmp_path):
    reg = Register(tmp_path / "notices.db")
    assert [_alloc(reg).doc_number for _ in range(3)] == [f"岫安委办函〔2026〕{n}号" for n in (1, 2, 3)]
    # 通报 has its own code and so its own sequence
    assert reg.allocate("通报", "岫安委办", 2026, "情况通报").doc_number == "岫安委办〔2026〕1号"
    # 约谈通知书 shares 岫安委办函 with 督办函: one sequence
    assert reg.allocate("约谈通知书", CODE, 2026, "约谈通知书").doc_number == "岫安委办函〔2026〕4号"
    # a new year starts again at 1
    assert _alloc(reg, year=2027).doc_number == "岫安委办函〔2027〕1号"
    assert _alloc(reg, year=2026).doc_number == "岫安委办函〔2026〕5号"
    assert [r.serial for r in reg.list(year=2026) if r.organ_code == CODE] == [1, 2, 3, 4, 5]
    assert [r.doc_number for r in reg.list(kind="通报")] == ["岫安委办〔2026〕1号"]
    assert len(reg.list()) == 7


def test_allocate_records_fields_and_step(tmp_path):
    reg = Register(tmp_path / "notices.db")
    rec = _alloc(reg, recipients=["县应急管理局", "县住建局"], milestones=["1-1", "2-3"], round_id="2026-11",
                 as_of=dt.date(2026, 11, 29), issued_on=dt.date(2026, 12, 1), reply_due="2026-12-08",
                 batch_key="k", actor="张三")
    got = reg.get("岫安委办函[2026]1号")
    assert got == rec
    assert (got.recipients, got.milestones, got.round_id) == (("县应急管理局", "县住建局"), ("1-1", "2-3"), "2026-11")
    assert (got.as_of, got.issued_on, got.reply_due) == (dt.date(2026, 11, 29), dt.date(2026, 12, 1),
                                                         dt.date(2026, 12, 8))
    assert got.status == "reserved" and got.status_zh == "已编号未生成" and got.outputs == ()
    [event] = reg.events(got.doc_number)
    assert (event.step, event.actor) == ("登记", "张三")


# --- concurrency ----------------------------------------------------------------------------
_WORKER = textwrap.dedent("""
    import sys, time
    from notices.file.register import Register
    db, tag, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    reg = Register(db)
    for i in range(50):
        rec = reg.allocate("督办函", "岫安委办函", 2026, f"{tag}-{i}")
        print(rec.serial, flush=True)
""")


@pytest.mark.parametrize("repeat", range(4))
def test_two_processes_get_distinct_consecutive_numbers(tmp_path, repeat):
    db = tmp_path / "notices.db"
    if repeat == 2:  # also race the migrations of a database that already exists at version 1
        Store(db)._connect().__enter__().close()
    start = time.time() + 1.0
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(db), tag, str(start)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    serials = [int(s) for out, _ in outs for s in out.split()]
    assert sorted(serials) == list(range(1, 101))
    records = Register(db).list()
    assert sorted(r.serial for r in records) == list(range(1, 101))
    assert len({r.doc_number for r in records}) == 100
    # each process saw its own numbers in increasing order
    for out, _ in outs:
        mine = [int(s) for s in out.split()]
        assert mine == sorted(mine)


_BATCH_WORKER = textwrap.dedent("""
    import sys, time
    from notices.file.register import Register, batch_key
    db, start = sys.argv[1], float(sys.argv[2])
    while time.time() < start:
        time.sleep(0.001)
    reg = Register(db)
    for i in range(20):
        key = batch_key("督办函", f"单位{i}", "2026-11", "2026-12-01")
        print(reg.allocate("督办函", "岫安委办函", 2026, f"督办函{i}", batch_key=key).serial, flush=True)
""")


def test_two_processes_running_the_same_batch_share_its_numbers(tmp_path):
    db = tmp_path / "notices.db"
    start = time.time() + 1.0
    procs = [subprocess.Popen([sys.executable, "-c", _BATCH_WORKER, str(db), str(start)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    first, second = ([int(s) for s in out.split()] for out, _ in outs)
    assert first == second  # the same batch got the same number in both processes
    assert sorted(first) == list(range(1, 21))
    assert len(Register(db).list()) == 20


# --- batches ----------------------------------------------------------------------------------
def test_rerunning_a_batch_returns_the_existing_record(tmp_path):
    reg = Register(tmp_path / "notices.db", root=tmp_path)
    key = batch_key("督办函", "县应急管理局", "2026-11", dt.date(2026, 12, 1))
    assert key == batch_key("督办函", "县应急管理局", "2026-11", "2026-12-01")
    assert key != batch_key("督办函", "县住建局", "2026-11", "2026-12-01")
    assert reg.find_by_batch(key) is None
    first = _alloc(reg, batch_key=key)
    assert not first.existing
    # the process died before writing the file: the re-run finds the reserved record
    again = reg.find_by_batch(key)
    assert again == first and again.existing and again.status == "reserved"
    same = _alloc(reg, batch_key=key)
    assert same.doc_number == first.doc_number and same.existing
    # the re-run writes the file and completes the record: no gap, no duplicate
    sha = _write(tmp_path / "outputs" / "a.docx", b"doc")
    issued = reg.record_outputs(first.doc_number, [(tmp_path / "outputs" / "a.docx", sha)])
    assert issued.status == "issued"
    assert _alloc(reg, batch_key=key).doc_number == first.doc_number
    other = _alloc(reg, batch_key=batch_key("督办函", "县住建局", "2026-11", "2026-12-01"))
    assert other.serial == 2
    assert len(reg.list()) == 2
    assert [e.step for e in reg.events(first.doc_number)] == ["登记", "生成"]


def test_voided_batch_allocates_a_new_number_on_rerun(tmp_path):
    reg = Register(tmp_path / "notices.db")
    first = _alloc(reg, batch_key="k")
    reg.void(first.doc_number, "标题有误")
    assert reg.find_by_batch("k") is None
    second = _alloc(reg, batch_key="k")
    assert second.serial == 2 and not second.existing


# --- void, reply, outputs -----------------------------------------------------------------------
def test_void_keeps_the_number_and_never_reuses_it(tmp_path):
    reg = Register(tmp_path / "notices.db")
    a, b = _alloc(reg), _alloc(reg)
    voided = reg.void("岫安委办函[2026]2号", "错发单位", actor="李四")
    assert (voided.status, voided.void_reason) == ("void", "错发单位")
    assert _alloc(reg).serial == 3
    assert [(r.serial, r.status) for r in reg.list()] == [(1, "reserved"), (2, "void"), (3, "reserved")]
    assert reg.events(b.doc_number)[-1].step == "作废"
    with pytest.raises(NoticesError, match="已于此前作废"):
        reg.void(b.doc_number, "再次")
    with pytest.raises(NoticesError, match="必须写明原因"):
        reg.void(a.doc_number, "  ")
    sha = _write(tmp_path / "x.docx", b"x")
    with pytest.raises(NoticesError, match="已作废"):
        reg.record_outputs(b.doc_number, [(tmp_path / "x.docx", sha)])


def test_reply_recorded(tmp_path):
    reg = Register(tmp_path / "notices.db")
    rec = _alloc(reg)
    with pytest.raises(NoticesError, match="尚未生成文件"):
        reg.reply(rec.doc_number, dt.date(2026, 12, 5), "已整改")
    sha = _write(tmp_path / "a.docx", b"a")
    reg.record_outputs(rec.doc_number, [(tmp_path / "a.docx", sha)])
    reply = reg.reply("岫安委办函【2026】1号", dt.date(2026, 12, 5), "已完成整改，附照片", actor="王五")
    assert (reply.doc_number, reply.date, reply.note) == (rec.doc_number, dt.date(2026, 12, 5), "已完成整改，附照片")
    assert [(r.date, r.note) for r in reg.replies(rec.doc_number)] == [(dt.date(2026, 12, 5), "已完成整改，附照片")]
    assert [e.step for e in reg.events(rec.doc_number)] == ["登记", "生成", "答复"]


def test_unknown_number_is_a_clear_error(tmp_path):
    reg = Register(tmp_path / "notices.db")
    _alloc(reg)
    for call in (lambda: reg.get("岫安委办函〔2026〕9号"), lambda: reg.void("岫安委办函〔2026〕9号", "x"),
                 lambda: reg.reply("岫安委办函〔2026〕9号", dt.date(2026, 12, 5), "")):
        with pytest.raises(NoticesError, match="登记簿中没有文号“岫安委办函〔2026〕9号”"):
            call()


def test_record_outputs_refuses_missing_or_different_files(tmp_path):
    reg = Register(tmp_path / "notices.db", root=tmp_path)
    rec = _alloc(reg)
    good = _write(tmp_path / "out" / "a.docx", b"content")
    with pytest.raises(NoticesError, match="文件不存在"):
        reg.record_outputs(rec.doc_number, [(tmp_path / "out" / "a.docx", good), (tmp_path / "out" / "b.pdf", good)])
    with pytest.raises(NoticesError, match="SHA-256 不一致"):
        reg.record_outputs(rec.doc_number, [(tmp_path / "out" / "a.docx", hashlib.sha256(b"other").hexdigest())])
    assert reg.get(rec.doc_number).status == "reserved"  # nothing recorded
    done = reg.record_outputs(rec.doc_number, [(tmp_path / "out" / "a.docx", good)])
    assert done.status == "issued"
    assert [(o.path, o.sha256) for o in done.outputs] == [("out/a.docx", good)]  # relative to the project
    # recording the same again is harmless; different files are refused
    assert reg.record_outputs(rec.doc_number, [(tmp_path / "out" / "a.docx", good)]) == done
    other = _write(tmp_path / "out" / "c.docx", b"c")
    with pytest.raises(NoticesError, match="已生成并登记过输出文件"):
        reg.record_outputs(rec.doc_number, [(tmp_path / "out" / "c.docx", other)])


def test_verify_catches_changed_byte_and_deleted_file(tmp_path):
    reg = Register(tmp_path / "notices.db", root=tmp_path)
    a, b = _alloc(reg), _alloc(reg)
    pa, pb, pc = tmp_path / "a.docx", tmp_path / "b.docx", tmp_path / "b.pdf"
    reg.record_outputs(a.doc_number, [(pa, _write(pa, b"aaaa"))])
    reg.record_outputs(b.doc_number, [(pb, _write(pb, b"bbbb")), (pc, _write(pc, b"pdf"))])
    assert {c.state for c in reg.verify()} == {"ok"}
    pa.write_bytes(b"aaab")
    pc.unlink()
    states = {(c.doc_number, c.path): c.state for c in reg.verify()}
    assert states == {(a.doc_number, "a.docx"): "changed", (b.doc_number, "b.docx"): "ok",
                      (b.doc_number, "b.pdf"): "missing"}


# --- migration ----------------------------------------------------------------------------------
def test_migration_from_version_1_keeps_rounds(tmp_path):
    from notices.file import store as store_module

    db = tmp_path / "notices.db"
    # a version-1 database, as the store created it before the register existed
    conn = sqlite3.connect(db, isolation_level=None)
    for statement in store_module._statements(store_module.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO rounds VALUES ('2026-11', '2026-11-29', '2026-11-30T10:00:00', 'v1', 0)")
    conn.execute("INSERT INTO reports (round_id, seq, unit, milestone_id, state) "
                 "VALUES ('2026-11', 0, '县应急管理局', '1-1', '正在推进')")
    conn.close()

    reg = Register(db)
    assert _alloc(reg).doc_number == "岫安委办函〔2026〕1号"
    named = reg.allocate("通报", "岫安委办", 2026, "关于任务进展情况的通报", ["全体"], ["1-1", "2-1"],
                         subjects={"县应急管理局": ["1-1"], "县教育局": ["2-1"]})
    assert reg.get(named.doc_number).subjects == {"县应急管理局": ("1-1",), "县教育局": ("2-1",)}
    store = Store(db)
    assert store.schema_version == SCHEMA_VERSION == 7
    assert [r.id for r in store.rounds()] == ["2026-11"]
    assert store.reports("2026-11") == [Report("县应急管理局", "1-1", "正在推进", round_id="2026-11", reported_on=None)]
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"rounds", "reports", "documents", "replies", "events"} <= tables


# --- CLI -------------------------------------------------------------------------------------------
def _cli_project(tmp_path):
    from notices.project import Project, db_path

    project = Project(working_folder(tmp_path))
    reg = Register(db_path(project), root=project.root)
    a = reg.allocate("督办函", CODE, 2026, "关于加快推进整改的督办函", ["县应急管理局"], ["1-1"],
                     issued_on="2026-12-01", reply_due="2026-12-08")
    path = project.outputs_dir / "督办函" / "县应急管理局.docx"
    reg.record_outputs(a.doc_number, [(path, _write(path, b"docx bytes"))])
    reg.allocate("通报", "岫安委办", 2026, "关于11月进度情况的通报", ["各乡镇人民政府"])
    return project, reg, path


def test_cli_list_show_reply_void(tmp_path):
    project, reg, _ = _cli_project(tmp_path)
    result = run_cli(project, "register", "list")
    assert result.exit_code == 0, result.output
    assert "岫安委办函〔2026〕1号" in result.output and "岫安委办〔2026〕1号" in result.output
    assert "已生成" in result.output and "已编号未生成" in result.output and "共 2 件" in result.output
    only = run_cli(project, "register", "list", "--kind", "通报", "--year", "2026")
    assert "岫安委办〔2026〕1号" in only.output and "岫安委办函" not in only.output
    assert "登记簿中还没有2027 年的文件" in run_cli(project, "register", "list", "--year", "2027").output
    assert "登记簿中还没有2027 年的通报" in run_cli(project, "register", "list", "-y", "2027", "-k", "通报").output

    result = run_cli(project, "register", "reply", "岫安委办函[2026]1号", "--date", "2026-12-05", "--note", "已完成整改")
    assert result.exit_code == 0, result.output
    assert "已登记答复：岫安委办函〔2026〕1号，2026年12月5日，已完成整改。" in result.output
    assert [(r.date, r.note) for r in reg.replies("岫安委办函〔2026〕1号")] == [(dt.date(2026, 12, 5), "已完成整改")]

    shown = run_cli(project, "register", "show", "岫安委办函【2026】1号")
    assert shown.exit_code == 0
    for text in ("文号：岫安委办函〔2026〕1号", "主送：县应急管理局", "答复期限：2026年12月8日",
                 "outputs/督办函/县应急管理局.docx", "2026年12月5日  已完成整改", "登记", "生成", "答复"):
        assert text in shown.output

    no_reason = run_cli(project, "register", "void", "岫安委办〔2026〕1号")
    assert no_reason.exit_code == 1 and "请用 --reason 写明作废原因" in no_reason.output
    voided = run_cli(project, "register", "void", "岫安委办〔2026〕1号", "--reason", "标题有误")
    assert voided.exit_code == 0 and "已作废：岫安委办〔2026〕1号（标题有误）" in voided.output
    assert reg.get("岫安委办〔2026〕1号").status == "void"
    assert "已作废（标题有误）" in run_cli(project, "register", "list").output


def test_cli_unknown_and_malformed_numbers(tmp_path):
    project, _, _ = _cli_project(tmp_path)
    for cmd in (["show"], ["void", "--reason", "x"], ["reply", "--date", "2026-12-05"]):
        result = run_cli(project, "register", cmd[0], "岫安委办函〔2026〕9号", *cmd[1:])
        assert result.exit_code == 1
        assert "登记簿中没有文号“岫安委办函〔2026〕9号”" in result.output
    bad = run_cli(project, "register", "show", "12号")
    assert bad.exit_code == 1 and "不是发文字号" in bad.output


def test_cli_verify_exit_code(tmp_path):
    project, _, path = _cli_project(tmp_path)
    ok = run_cli(project, "register", "verify")
    assert ok.exit_code == 0 and "共核对 1 个文件，全部与登记时一致" in ok.output
    path.write_bytes(b"docx bytez")
    changed = run_cli(project, "register", "verify")
    assert changed.exit_code == 1
    assert "岫安委办函〔2026〕1号  outputs/督办函/县应急管理局.docx：已被改动" in changed.output
    path.unlink()
    missing = run_cli(project, "register", "verify")
    assert missing.exit_code == 1 and "文件不存在" in missing.output


def test_cli_empty_register(tmp_path):
    from notices.project import Project

    project = Project(working_folder(tmp_path))
    assert "登记簿中还没有文件" in run_cli(project, "register", "list").output
    assert "无需核对" in run_cli(project, "register", "verify").output
