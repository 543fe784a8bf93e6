"""Each new rung through the CLI, on its own: what is refused and why, what is
configurable. The office of test_ladder (A = 县应急管理局 overdue on 1-1 and 2-1 and
working on 1-2, due 2026-12-10; B = 县教育局 owing a report on 1-2), with the
工作提醒 on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from notices.file.register import Register
from notices.file.steps import Steps
from notices.project import Project, db_path
from test_ladder import CONFIG, REPORTS, A, B, cli, save_round, text, write_registry

BASE = CONFIG.split("\n# The ladder from the 督办函 up")[0] + "\n"


def office_with(tmp_path, extra: str = ""):
    root = tmp_path / "office"
    write_registry(root / "registry")
    (root / "outputs").mkdir()
    (root / "notices.toml").write_text(BASE + extra, encoding="utf-8")
    for round_id in sorted({r.round_id for r in REPORTS}):
        save_round(root, round_id, [r for r in REPORTS if r.round_id == round_id])
    return root


@pytest.fixture
def office(tmp_path):
    return office_with(tmp_path)


def records(root):
    return Register(db_path(Project(root)), root).list()


# --- 延期 -------------------------------------------------------------------------------------
def test_extension_before_the_deadline_only_unless_forced(office):
    args = ["--reason", "汛期施工受限", "--approved-by", "县安委办主任李某"]
    late = cli(office, "extend", "应急局", "1-1", "--to", "2027-03-31", *args, "--date", "2026-11-29", ok=False)
    assert "完成时间为2024年底（2024年12月31日），已于2026年11月29日之前到期：延期应在到期前批准" in late
    assert "--force" in late and not Steps(db_path(Project(office))).list()
    forced = cli(office, "extend", "应急局", "1-1", "--to", "2027-03-31", *args, "--date", "2026-11-29", "--force")
    assert "已登记延期：县应急管理局 第1-1项，由2024年12月31日延期至2027年3月31日" in forced
    assert "注意：批准日期2026年11月29日晚于完成时间2024年12月31日，经确认（--force）仍予登记" in forced
    (step,) = Steps(db_path(Project(office))).list()
    assert step.detail["late"] and step.actor == "县安委办主任李某" and step.day == dt.date(2026, 11, 29)
    # the item is no longer overdue: the ladder takes it off A's list
    plan = cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30")
    line = next(line for line in plan.splitlines() if line.strip().startswith(A))
    assert "逾期1项" in line  # only 2-1 2025年第四季度 is left


def test_extension_checks(office):
    args = ["--reason", "理由", "--approved-by", "李某", "--date", "2026-11-29"]
    assert "应晚于它" in cli(office, "extend", "应急局", "1-2", "--to", "2026-12-01", *args, ok=False)
    assert "请写明是哪一期，如“2-1 2024年第一季度”" in cli(office, "extend", "应急局", "2-1", "--to", "2027-01-01",
                                                           *args, ok=False)
    assert "不是编号“2-1”的期次" in cli(office, "extend", "应急局", "2-1", "2030年第一季度", "--to", "2031-01-01",
                                     *args, ok=False)
    assert "请用 --approved-by 写明批准人" in cli(office, "extend", "应急局", "1-2", "--to", "2027-01-31",
                                                "--reason", "x", ok=False)
    assert "不是编号“3-1”这项具体要求的责任单位" not in cli(office, "extend", "应急局", "3-2", "--to", "2027-01-31", *args)
    out = cli(office, "extend", "应急局", "2-1", "2025年第四季度", "--to", "2027-01-31", *args, "--force")
    assert "第2-1项（2025年第四季度），由2025年12月31日延期至2027年1月31日" in out
    listed = cli(office, "extend")
    assert "县应急管理局 第2-1项（2025年第四季度）：2026年11月29日经李某批准" in listed


def test_extension_wording_in_the_letter(office):
    cli(office, "extend", "应急局", "1-2", "--to", "2027-01-31", "--reason", "理由", "--approved-by", "李某",
        "--date", "2026-11-20")
    # A's 1-2 was 临期 (due 12-10): with the extension it is on track, no reminder; the letter
    # for A's overdue items does not list it
    plan = cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30")
    assert "工作提醒（" not in plan
    status = cli(office, "status", "--as-of", "2026-11-29", "--unit", "应急局")
    # 2027-01-31 is a Sunday: the extended deadline rolls over like any other
    assert ("完成时间2026年12月10日（2026-12-10），经批准延期至2027-01-31（遇周末顺延至2027-02-01），"
            "截至2026-11-29尚未到期（还剩64天）") in status
    table = cli(office, "table", "--unit", "应急局", "--progress", "--as-of", "2026-11-29", "-o",
                str(office / "t.docx"))
    assert "t.docx" in table
    assert "经批准延期至2027年1月31日。" in text(office / "t.docx")


def test_refused_request_leaves_the_pending_list(office, tmp_path):
    from notices.file.store import Store
    from notices.model import Report

    reports = [Report(A, "1-2", "正在推进", round_id="2026-12", reported_on=dt.date(2026, 12, 1),
                      extension_to=dt.date(2027, 2, 28), extension_reason="设备未到货")]
    save_round(office, "2026-12", reports)
    assert "县应急管理局 第1-2项：申请延期至2027年2月28日；理由：设备未到货（2026-12轮填报" in cli(office, "extend")
    out = cli(office, "extend", "应急局", "1-2", "--refuse", "--reason", "理由不充分", "--approved-by", "李某")
    assert "已登记：不予延期" in out and "没有待决定的延期申请" in cli(office, "extend")
    assert Store(db_path(Project(office))).reports("2026-12")[0].extension_to == dt.date(2027, 2, 28)


# --- 销号 -------------------------------------------------------------------------------------
def test_close_needs_evidence_that_exists(office, tmp_path):
    assert "销号须附佐证材料" in cli(office, "close", "应急局", "1-1", "--date", "2026-11-29", ok=False)
    assert "佐证材料文件不存在" in cli(office, "close", "应急局", "1-1", "--date", "2026-11-29", "--evidence",
                                     str(tmp_path / "没有.pdf"), ok=False)
    assert records(office) == []
    paper = tmp_path / "验收.pdf"
    paper.write_bytes(b"%PDF-1.4 x")
    out = cli(office, "close", "应急局", "1-1", "--date", "2026-11-29", "--evidence", str(paper))
    assert "登记号 销号登记〔2026〕1号" in out
    plan = cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30")
    line = next(line for line in plan.splitlines() if line.strip().startswith(A))
    assert "逾期1项" in line  # 1-1 left the ladder
    status = cli(office, "status", "--as-of", "2026-11-29", "--unit", "应急局")
    assert "2026-11-29销号（销号登记〔2026〕1号）" in status


def test_evidence_is_not_converted_to_pdf(office, tmp_path):
    paper = tmp_path / "验收意见.docx"
    paper.write_bytes(b"PK\x03\x04 the unit's own Word file")
    cli(office, "close", "应急局", "1-1", "--date", "2026-11-29", "--evidence", str(paper))
    for args in (["销号登记〔2026〕1号"], ["--kind", "销号"]):
        assert "佐证材料，按原格式归档" in cli(office, "pdf", *args, ok=False)
    # a year's documents without the evidence: here there are none
    assert "登记簿中没有已生成的2026 年的文件" in cli(office, "pdf", "--year", "2026", ok=False)
    assert not list((office / "outputs").rglob("*.pdf"))


# --- 工作提醒 ----------------------------------------------------------------------------------
def test_reminder_refused_without_items_due_soon(office):
    out = cli(office, "issue", "工作提醒", "--unit", "消防救援大队", "--as-of", "2026-11-29", "--date", "2026-11-30",
              ok=False)
    assert "县消防救援大队截至2026年11月29日没有临期事项" in out and "--force" not in out
    done = cli(office, "issue", "提醒", "--as-of", "2026-11-29", "--date", "2026-11-30")
    assert "已发：工作提醒 工作提醒〔2026〕1号  县应急管理局" in done
    again = cli(office, "issue", "tixing", "--unit", "应急局", "--as-of", "2026-11-29", "--date", "2026-12-01",
                ok=False)
    assert "临期事项此前已提醒或已在督办中" in again and "--force --reason" in again


def test_reminded_then_extended_is_reminded_of_the_new_deadline(office):
    cli(office, "issue", "工作提醒", "--unit", "应急局", "--as-of", "2026-11-29", "--date", "2026-11-30")
    cli(office, "extend", "应急局", "1-2", "--to", "2027-01-29", "--reason", "设备未到货", "--approved-by", "李某",
        "--date", "2026-12-01")
    # the 11-30 reminder spoke of 2026-12-10; near the new date A is reminded again, once
    plan = cli(office, "plan", "--as-of", "2027-01-20", "--date", "2027-01-21")
    reminded = plan.split("工作提醒（")[1].split("通报：")[0]
    line = next(line for line in reminded.splitlines() if line.strip().startswith(A))
    assert line.endswith("1-2（还剩9天）"), line
    out = cli(office, "issue", "工作提醒", "--unit", "应急局", "--as-of", "2027-01-20", "--date", "2027-01-21")
    (second,) = [r for r in records(office) if r.kind == "工作提醒" and r.issued_on == dt.date(2027, 1, 21)]
    assert second.doc_number in out and "经批准延期至2027年1月29日" in text(office / second.outputs[0].path)
    assert "工作提醒（" not in cli(office, "plan", "--as-of", "2027-01-20", "--date", "2027-01-22")


def test_numbered_reminder_takes_the_letters_sequence(tmp_path):
    office = office_with(tmp_path, "\n[reminder]\nnumbered = true\ntitle = \"工作提示单\"\n")
    out = cli(office, "issue", "工作提醒", "--as-of", "2026-11-29", "--date", "2026-11-30")
    assert "已发：工作提醒 某安委办函〔2026〕1号  县应急管理局" in out
    (record,) = records(office)
    body = text(office / record.outputs[0].path)
    assert "某安委办函〔2026〕1号" in body and "工作提示单" in body
    assert (office / record.outputs[1].path).read_text(encoding="utf-8-sig").startswith("【工作提示单】某安委办函〔2026〕1号")


def test_reminders_can_be_turned_off(tmp_path):
    office = office_with(tmp_path, "\n[reminder]\nenabled = false\n")
    assert "工作提醒（" not in cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30")


# --- 曝光 --------------------------------------------------------------------------------------
def test_exposure_against_the_ladder_needs_a_reason(office):
    out = cli(office, "issue", "曝光", "--unit", "应急局", "--as-of", "2026-11-29", "--date", "2026-11-30", ok=False)
    assert "按逐级督办规则现在不公开曝光" in out and "--force --reason" in out
    out = cli(office, "issue", "曝光", "--unit", "应急局", "--as-of", "2026-11-29", "--date", "2026-11-30",
              "--force", "--reason", "县政府常务会议决定公开曝光")
    (record,) = [r for r in records(office) if r.kind == "曝光"]
    assert record.details["force_reason"].endswith("县政府常务会议决定公开曝光") and record.doc_number in out
    body = text(office / record.outputs[0].path)
    assert "（此件公开发布）" in body
    # truthful: no 督办函, 通报 or 约谈 was ever sent, so none is claimed
    assert "督办函（" not in body and "约谈通知书（" not in body and "县安委会办公室。截至" not in body
    assert "（一）县应急管理局。截至2026年11月29日仍有2项事项未完成：" in body


def test_exposure_can_only_be_pointed_at(tmp_path):
    from notices.assess.escalation import PastDoc, Rules  # noqa: F401

    office = office_with(tmp_path, "\n[exposure]\nenabled = false\n")
    assert "曝光" not in cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30")


# --- 台账 settings ---------------------------------------------------------------------------
def test_ledger_settings_are_checked(tmp_path):
    office = office_with(tmp_path, "\n[ledger]\nrank_by = [\"完成率\", \"好评\"]\n")
    out = cli(office, "ledger", "--as-of", "2026-11-29", ok=False)
    assert re.search(r"notices\.toml：\[ledger\] 中 rank_by 的“好评”无效，可用：完成率、逾期事项", out)
    office2 = office_with(tmp_path / "2", "\n[ledger]\npaper = \"A4\"\nrank_by = [\"逾期天数\"]\n")
    out = cli(office2, "ledger", "--as-of", "2026-11-29")
    from openpyxl import load_workbook

    (path,) = (office2 / "outputs" / "台账").glob("*.xlsx")
    ws = load_workbook(path)["督办台账"]
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert "逾期天数少者在前" in load_workbook(path)["红黑榜"].cell(2, 1).value
    assert B in out or "黑榜" in out


def test_rebuild_keeps_extensions_and_closures(office, tmp_path):
    """A lost database rebuilt from the folder and the backups: the 销号 record (its evidence
    has no .docx to read) and the office's steps on items come back from the backup."""
    cli(office, "extend", "应急局", "1-2", "--to", "2027-01-31", "--reason", "理由", "--approved-by", "李某",
        "--date", "2026-11-20")
    paper = tmp_path / "验收.pdf"
    paper.write_bytes(b"%PDF-1.4 x")
    cli(office, "close", "应急局", "1-1", "--date", "2026-11-29", "--evidence", str(paper), "--by", "赵某")
    db = db_path(Project(office))
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    out = cli(office, "register", "rebuild")
    assert "据备份恢复 2 条延期、销号等事项办理记录" in out and "未能恢复" not in out
    assert "由2026年12月10日延期至2027年1月31日" in cli(office, "extend")
    (record,) = records(office)
    assert record.kind == "销号" and record.status == "issued"
    assert "销号登记〔2026〕1号" in cli(office, "register", "show", "应急局", "1-1")
