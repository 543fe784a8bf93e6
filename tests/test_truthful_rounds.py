"""Three rounds through the real reporting forms, collection, plan and issue, reading
back the documents issued: a quarterly requirement judged period by period, the
issuing office among the responsible units, a rename between rounds, re-planning
with a later 成文日期.

Registry (plan 2026-01-01 … 2027-12-31):
  1-1 建立隐患排查台账   2026年10月底        县应急管理局 (U01)、县教育局 (U02)、县安委会办公室 (U03)
  2-1 每季度开展一次检查 2027年，每季度       县应急管理局、县教育局

  round 2026-11 (as of 11-30): tracking starts; the forms ask 2-1 for 2026 Q4 only.
        A (应急) still working on 1-1 (overdue 30 days), the office too. -> 督办函 to A
        only; the office is on nobody's list. Re-planning on 12-02 for the same data
        proposes nothing.
  round 2027-01 (as of 2027-01-12): A missed 2026 Q4 (reported 未启动); B did it.
        A's reply deadline (12-08) has passed -> A named in the round's 通报, with the
        quarter named in words.
  A renamed 县应急管理局 -> 县应急管理局（更名） between rounds (id kept, old name as alias).
  round 2027-04 (as of 2027-04-13): A did 1-1 and 2026 Q4 late but missed 2027 Q1.
        -> a new 督办函 about 2027 Q1 only, to the new name; nothing about the done items.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from notices.cli import main
from notices.file.register import Register
from notices.project import Project, db_path
from notices.render.progress_xlsx import FIRST_ROW, col_index
from test_ladder import CONFIG  # the office and its 机关代字

D = dt.date
A, B, OFFICE = "县应急管理局", "县教育局", "县安委会办公室"

# the plan of these small offices (test_cycle, test_roles_ladder), before its tasks
PLAN_HEAD = """\
plan:
  title: 某县安全生产测试方案（2026-2027年）
  table_title: 某县安全生产测试方案序时进度表
  issuer: 某县安全生产委员会
  issuer_short: 某安委
  doc_number: 某安委发〔2026〕1号
  date: 2026-01-01
  start: 2026-01-01
  end: 2027-12-31
categories:
  - no: 1
    name: 开展隐患排查行动
    lead: 排查。
tasks:
"""

PLAN = PLAN_HEAD + """\
  - no: 1
    category: 1
    text: 建立台账并定期检查。
    units: 县应急管理局、县教育局、县安委会办公室
    milestones:
      - id: "1-1"
        requirement: 建立隐患排查台账
        deadline: 2026年10月底
  - no: 2
    category: 1
    text: 每季度开展一次检查。
    units: 县应急管理局、县教育局
    milestones:
      - id: "2-1"
        requirement: 每季度开展一次检查
        deadline: 2027年
        schedule: 每季度
"""

UNITS = """\
groups:
  - id: 部门
    name: 县直部门
units:
  - name: {a}
    id: U01
    short: 应急管理局
    aliases: [{alias}]
    kind: 部门
    groups: [部门]
  - name: 县教育局
    id: U02
    short: 教育局
    kind: 部门
    groups: [部门]
  - name: 县安委会办公室
    id: U03
    short: 安委会办公室
    kind: 其他
    groups: []
"""

def cli(root, *args, ok=True) -> str:
    result = CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def text(path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))


def collect(root, round_id: str, as_of: str, answers: dict) -> dict[str, list[tuple]]:
    """Make the round's forms, fill them as each unit would (answers: unit short ->
    {(编号, 期次): (状态, 完成日期)}), collect them. Returns the rows each form asked."""
    return fill_and_collect(root, round_id, as_of, answers)[0]


def fill_and_collect(root, round_id: str, as_of: str, answers: dict) -> tuple[dict[str, list[tuple]], str]:
    """``collect``, answers {(编号, 期次): (状态, 完成日期[, 申请延期至, 延期理由])}; returns the
    rows each form asked and what collection printed."""
    folder = root / f"forms-{round_id}"
    cli(root, "progress", "template", "--round", as_of, "--all-units", "--prefill", "-o", str(folder))
    returned = root / f"returned-{round_id}"
    returned.mkdir()
    asked = {}
    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        ws = wb["进度填报"]
        short = path.stem.split("-", 2)[-1]
        rows = {(ws.cell(r, col_index("id")).value, ws.cell(r, col_index("period")).value or ""): r
                for r in range(FIRST_ROW, ws.max_row + 1)}
        asked[short] = sorted(rows)
        for key, answer in answers.get(short, {}).items():
            r = rows[key]
            for column, value in zip(("state", "completed_on", "extension_to", "extension_reason"), answer):
                ws.cell(r, col_index(column), value)
        wb.save(returned / path.name)
    return asked, cli(root, "progress", "collect", str(returned), "--round", round_id, "--as-of", as_of)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("truthful") / "office"
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "registry" / "units.yaml").write_text(UNITS.format(a=A, alias="应急局"), encoding="utf-8")
    (root / "notices.toml").write_text(CONFIG, encoding="utf-8")
    (root / "outputs").mkdir()
    return root


def records(root, **kw):
    return Register(db_path(Project(root)), root).list(**kw)


def test_three_rounds_with_a_quarterly_requirement_a_rename_and_the_office(office):
    # --- round 2026-11 ------------------------------------------------------------------
    asked = collect(office, "2026-11", "2026-11-30", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("正在推进", None)},
        "教育局": {("1-1", ""): ("已完成", D(2026, 10, 20)), ("2-1", "2026年第四季度"): ("正在推进", None)},
        "安委会办公室": {("1-1", ""): ("正在推进", None)},
    })
    # the quarters before tracking started are not asked about
    assert asked["应急管理局"] == [("1-1", ""), ("2-1", "2026年第四季度")]
    out = cli(office, "plan", "--as-of", "2026-11-30", "--date", "2026-12-01", "--save", str(office / "r1.yaml"))
    assert f"{A}" in out and "发督办函：规则一：逾期1项" in out
    assert f"{OFFICE}" in out and "本办公室自身事项（逾期1项）" in out and "发督办函" not in out.split(OFFICE)[1]
    plan = (office / "r1.yaml").read_text(encoding="utf-8")
    assert f"- {OFFICE}" not in plan
    cli(office, "issue", "--plan", str(office / "r1.yaml"))
    docs = records(office)
    assert [(r.kind, r.recipients[0] if r.kind == "督办函" else "") for r in docs] == [("通报", ""), ("督办函", A)]
    letter = text(office / docs[1].outputs[0].path)
    assert f"{A}：" in letter and OFFICE + "：" not in letter
    # the roll-over the count uses is said: 10-31 was a Saturday
    assert "完成时间为2026年10月底（2026年10月31日，遇休息日顺延至11月2日），已逾期28天" in letter
    bulletin = text(office / docs[0].outputs[0].path)
    ranking = bulletin.split("各单位任务完成情况排名")[-1].split("附件2")[0]
    assert A in ranking and B in ranking and OFFICE not in ranking  # the office never ranks itself
    assert "1个单位有逾期未完成事项：县应急管理局（1项）。" in bulletin
    assert "应完成事项" in bulletin and "应完成任务" not in bulletin
    status = cli(office, "status", "--as-of", "2026-11-30")
    assert f"【本办公室自身事项，不排名、不发文】{OFFICE}" in status

    # the next day, same data, a later 成文日期: nothing is proposed again
    out = cli(office, "plan", "--as-of", "2026-11-30", "--date", "2026-12-02")
    assert "共：督办函 0 份，通报点名 0 个单位，约谈 0 个单位；1 个单位等待此前文书规定的期限届满。" in out
    assert "通报：本轮（2026-11）已于2026-12-01印发（某安委办〔2026〕1号），不再发" in out
    refused = cli(office, "issue", "督办函", "--unit", "应急局", "--as-of", "2026-11-30", "--date", "2026-12-02",
                  ok=False)
    assert "回复期限2026年12月8日未到" in refused and "--force --reason" in refused
    assert len(records(office)) == 2

    # --- round 2027-01 ------------------------------------------------------------------
    asked = collect(office, "2027-01", "2027-01-12", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("未启动", None),
                  ("2-1", "2027年第一季度"): ("正在推进", None)},
        "教育局": {("2-1", "2026年第四季度"): ("已完成", D(2026, 12, 15)), ("2-1", "2027年第一季度"): ("正在推进", None)},
        "安委会办公室": {("1-1", ""): ("正在推进", None)},
    })
    assert asked["教育局"] == [("1-1", ""), ("2-1", "2026年第四季度"), ("2-1", "2027年第一季度")]
    out = cli(office, "plan", "--as-of", "2027-01-12", "--date", "2027-01-12", "--save", str(office / "r2.yaml"))
    assert "通报点名：规则二：2026年12月1日发督办函（某安委办函〔2026〕1号），回复期限2026年12月8日已过，未回复" in out
    cli(office, "issue", "--plan", str(office / "r2.yaml"))
    (bulletin,) = records(office, year=2027, kind="通报")
    assert bulletin.subjects == {"U01": ("1-1", "2-1@2026-Q4")}  # the register keeps the unit's id
    body = text(office / bulletin.outputs[0].path)
    criticised = body.split("予以通报批评：")[1].split("四、")[0]
    assert "1. 县应急管理局。" in criticised and "逾期2项" in criticised and B not in criticised
    # item by item in 附件3, the quarter in the plan's wording
    details = body.split("通报批评单位逾期事项清单")[-1]
    assert "2027年（每季度）：2026年第四季度（2026年12月31日）" in details and "12" in details
    report_due = re.search(r"于(2027年1月\d+日)前将整改情况书面报送", body).group(1)
    assert bulletin.reply_due.isoformat() == "2027-01-19" and report_due == "2027年1月19日"

    # --- a rename, then round 2027-04 -------------------------------------------------------
    renamed = A + "（更名）"
    (office / "registry" / "units.yaml").write_text(UNITS.format(a=renamed, alias=f"应急局, {A}"), encoding="utf-8")
    check = cli(office, "registry", "check")
    assert f"单位“{A}”已更名为“{renamed}”（编号 U01）" in check
    before = cli(office, "status", "--as-of", "2027-01-12", "--json")
    assert renamed in before and '"status": "逾期"' in before  # the same history under the new name
    collect(office, "2027-04", "2027-04-13", {
        "应急管理局": {("1-1", ""): ("已完成", D(2027, 3, 1)), ("2-1", "2026年第四季度"): ("已完成", D(2027, 2, 1)),
                  ("2-1", "2027年第一季度"): ("未启动", None), ("2-1", "2027年第二季度"): ("正在推进", None)},
        "教育局": {("2-1", "2027年第一季度"): ("已完成", D(2027, 3, 20)), ("2-1", "2027年第二季度"): ("正在推进", None)},
        "安委会办公室": {("1-1", ""): ("已完成", D(2027, 1, 20))},
    })
    out = cli(office, "plan", "--as-of", "2027-04-13", "--date", "2027-04-14", "--save", str(office / "r3.yaml"))
    line = next(line for line in out.splitlines() if renamed in line)
    assert "发督办函：规则一：逾期1项，尚未就此发督办函" in line  # a new quarter is a new item
    cli(office, "issue", "--plan", str(office / "r3.yaml"))
    letters = records(office, year=2027, kind="督办函")
    assert [r.recipients for r in letters] == [(renamed,)]
    body = text(office / letters[0].outputs[0].path)
    assert f"{renamed}：" in body
    assert "其中2027年第一季度应于2027年3月31日前完成，已逾期13天" in body
    assert "2026年第四季度" not in body and "序号1-1" not in body  # done since, if late
    assert letters[0].subjects == {"U01": ("2-1@2027-Q1",)}
