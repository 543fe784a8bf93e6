"""`notices status` end to end: a project folder with the tiny registry of
test_status.py and its reports stored as two rounds in the project database.

Hand-computed figures (as of 2026-11-29; see test_status.py for each item; the
quarterly 2-1 counts once per quarter, 8 quarters):

  县应急管理局   应完成10 已完成8  完成率80%    逾期2 (1-1 698天, 2-1 2025年第四季度 333天) 临期1  rank 3
  县教育局       应完成10 已完成10 完成率100%   未报送1 (1-2)                        rank 1
  县消防救援大队 应完成1  已完成1  完成率100%   不涉及1                              rank 1
  全县           应完成21 已完成19 完成率90.5%  逾期2 未报送1 临期1
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from notices.cli import main
from notices.cli.status_cmds import clip, columns, display_width
from notices.project import Project, db_path
from conftest import working_folder
from test_status import A, AS_OF, B, C, REPORTS, write_registry

store_module = pytest.importorskip("notices.file.store", reason="进度数据库（notices.file.store）尚未合入")


@pytest.fixture
def project(tmp_path):
    root = working_folder(tmp_path / "office")
    write_registry(root / "registry")
    (root / "outputs").mkdir()
    store = store_module.Store(db_path(Project(root)))
    for round_id in sorted({r.round_id for r in REPORTS}):
        reports = [r for r in REPORTS if r.round_id == round_id]
        result = SimpleNamespace(problems=[], files=[], reports=reports, registry_version="test")
        store.save_round(round_id, reports[0].reported_on, result, accept_warnings=False)
    return root


def run(project, *args):
    result = CliRunner().invoke(main, ["-C", str(project), "status", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_terminal_table(project):
    out = run(project, "--as-of", "2026年11月29日").output
    lines = out.splitlines()
    assert lines[0] == "进展情况（截至2026年11月29日，最近一轮：2026-11（2026-11-20））"
    assert lines[1] == "全县：应完成事项21项，已完成19项，完成率90.5%；逾期2项，未报送1项，临期1项"
    # worst unit first
    heads = [line for line in lines if line.startswith("【")]
    assert heads == [
        "【第3名】县应急管理局  应完成事项10项，已完成8项，完成率80%；逾期2项，临期1项",
        "【第1名】县教育局  应完成事项10项，已完成10项，完成率100%；未报送1项",
        "【第1名】县消防救援大队  应完成事项1项，已完成1项，完成率100%",
    ]
    first = lines.index(heads[0])
    assert lines[first + 1].split() == ["编号", "期次", "状态", "具体要求", "说明"]
    assert lines[first + 2].split()[:4] == ["1-1", "—", "逾期698天", "建立工作机制"]
    assert lines[first + 3].split()[:3] == ["2-1", "2025年第四季度", "逾期333天"]
    # columns line up in display width (CJK counts two)
    header, row = lines[first + 1], lines[first + 2]
    assert display_width(header[:header.index("说明")]) == display_width(row[:row.index("完成时间")])


def test_only_and_unit(project):
    out = run(project, "--as-of", "2026-11-29", "--only", "overdue").output
    assert "1-1" in out and "2-1" in out and "县教育局" not in out
    out = run(project, "--as-of", "2026-11-29", "--only", "unreported").output
    assert "【第1名】县教育局" in out and "县应急管理局  " not in out
    out = run(project, "--as-of", "2026-11-29", "--only", "due-soon").output
    assert "临期（剩11天）" in out and "未报送（剩11天）" in out
    out = run(project, "--as-of", "2026-11-29", "--unit", "应急局").output
    assert "全县：应完成事项10项，已完成8项，完成率80%；逾期2项，临期1项" in out
    assert "县教育局" not in out


def test_unknown_unit_is_a_chinese_error(project):
    result = CliRunner().invoke(main, ["-C", str(project), "status", "--unit", "不存在的局"])
    assert result.exit_code == 1
    assert "单位名称“不存在的局”不在单位名录中" in result.output


def test_bad_date(project):
    result = CliRunner().invoke(main, ["-C", str(project), "status", "--as-of", "明天"])
    assert result.exit_code == 2
    assert "不是日期" in result.output


def test_json(project):
    data = json.loads(run(project, "--as-of", "2026-11-29", "--json").output)
    assert set(data) == {"as_of", "round", "settings", "only", "warnings", "county", "categories", "units",
                         "internal"}
    assert data["as_of"] == "2026-11-29"
    assert data["round"] == {"id": "2026-11", "date": "2026-11-20"}
    assert data["settings"] == {"warn_days": 15, "warn_in_workdays": False, "roll_deadlines": True,
                                "tracking_start": "2024-04-05"}  # the first round's cut-off
    assert data["internal"] == []
    county = data["county"]
    assert set(county) == {"name", "due", "done", "rate", "counts", "overdue", "unreported", "worst"}
    assert (county["due"], county["done"], county["rate"]) == (21, 19, 0.9048)
    assert county["worst"] == {"unit": A, "milestone_id": "1-1", "days": 698}
    assert [(c["no"], c["due"], c["done"]) for c in data["categories"]] == [(1, 19, 17), (2, 2, 2)]
    assert [(u["unit"], u["rank"]) for u in data["units"]] == [(A, 3), (B, 1), (C, 1)]
    a = data["units"][0]
    assert a["counts"] == {"逾期": 2, "未报送": 0, "临期": 1, "逾期完成": 0, "正常推进": 1, "已完成": 8, "不涉及": 0,
                           "无记录": 0}
    item = a["items"][0]
    assert set(item) == {"unit", "milestone_id", "task_no", "category_no", "requirement", "deadline_text",
                         "deadline", "status", "label", "days", "unreported", "flagged", "due", "done", "reason",
                         "latest", "item_id", "period", "period_key", "due_date", "completed_on", "rejected",
                         "extended_to", "closed_on"}
    assert item["extended_to"] is None and item["closed_on"] is None  # no 延期, no 销号
    assert (item["milestone_id"], item["status"], item["days"], item["deadline"]) == ("1-1", "逾期", 698, "2024-12-31")
    assert item["latest"]["round_id"] == "2026-11" and item["latest"]["text"] == "已起草制度文件"
    quarters = [i for i in a["items"] if i["milestone_id"] == "2-1"]
    assert len(quarters) == 8
    assert [(q["item_id"], q["status"]) for q in quarters if q["status"] == "逾期"] == [("2-1@2025-Q4", "逾期")]
    only = json.loads(run(project, "--as-of", "2026-11-29", "--json", "--only", "unreported").output)
    assert [(u["unit"], [i["milestone_id"] for i in u["items"]]) for u in only["units"]] == [(B, ["1-2"])]


def test_as_of_before_the_last_round(project):
    data = json.loads(run(project, "--as-of", "2026-11-01", "--json").output)
    assert data["round"]["id"] == "2026-10"
    c = next(u for u in data["units"] if u["unit"] == C)
    # C's late completion arrived only in November: as of 1 November it is overdue and unreported.
    assert c["items"][0]["status"] == "逾期" and c["items"][0]["unreported"] is True


def test_settings_from_notices_toml(project):
    (project / "notices.toml").write_text("[status]\nwarn_days = 10\n", encoding="utf-8")
    data = json.loads(run(project, "--as-of", "2026-11-29", "--json").output)
    assert data["county"]["counts"]["临期"] == 0 and data["county"]["counts"]["未报送"] == 0
    # 1-2 (11 days away) is no longer 临期 for A nor pressing for B: with 3-2 x2, four 正常推进
    assert data["county"]["counts"]["正常推进"] == 4
    assert data["county"]["unreported"] == 0


def test_xlsx(project, tmp_path):
    path = tmp_path / "汇总.xlsx"
    out = run(project, "--as-of", "2026-11-29", "--xlsx", str(path)).output
    assert f"已生成：{path}" in out
    wb = load_workbook(path)
    assert wb.sheetnames == ["单位", "具体要求", "类别"]

    units = wb["单位"]
    assert units["A1"].value == "各单位进展情况（截至2026年11月29日（2026-11轮））"
    header = [c.value for c in units[2]]
    assert header[:7] == ["排名", "单位", "应完成", "已完成", "完成率", "逾期", "未报送"]
    rows = [[c.value for c in row[:7]] for row in units.iter_rows(min_row=3, max_row=5)]
    assert rows == [[1, B, 10, 10, 1, 0, 1], [1, C, 1, 1, 1, 0, 0], [3, A, 10, 8, pytest.approx(0.8), 2, 0]]
    assert units["E3"].number_format == "0.0%"
    charts = units._charts
    assert len(charts) == 1 and isinstance(charts[0], BarChart)
    assert charts[0].series[0].val.numRef.f == "'单位'!$E$3:$E$5"
    assert charts[0].series[0].cat.numRef.f == "'单位'!$B$3:$B$5"  # unit names
    assert charts[0].series[0].tx.strRef.f == "'单位'!E2"  # 完成率
    fills = _rule_fills(units)
    assert fills["F3:F5"] == ["FFC7CE"] and fills["H3:H5"] == ["FFEB9C"]

    items = wb["具体要求"]
    header = [c.value for c in items[2]]
    assert header[2] == "期次" and header[6] == "状态"
    first = [c.value for c in items[3]]
    assert first[:3] == [A, "1-1", None] and first[6:8] == ["逾期", 698]
    assert first[12].startswith("完成时间2024年底（2024-12-31），截至2026-11-29已逾期698天")
    second = [c.value for c in items[4]]
    assert second[:3] == [A, "2-1", "2025年第四季度"]
    statuses = [row[6].value for row in items.iter_rows(min_row=3)]
    assert statuses == ["逾期", "逾期", "未报送", "临期", *["逾期完成"] * 3, "正常推进", "正常推进",
                        *["已完成"] * 16, "不涉及"]
    rules = _rules(items)["G3:G28"]
    colours = {rule.formula[0].strip('"'): rule.dxf.fill.bgColor.rgb[-6:] for rule in rules}
    assert colours["逾期"] == "FFC7CE"  # red
    assert colours["临期"] == "FFEB9C"  # yellow
    assert colours["正常推进"] == "BDD7EE"  # blue
    assert colours["已完成"] == "C6EFCE"  # green
    assert all(rule.operator == "equal" for rule in rules)

    cats = wb["类别"]
    rows = [[c.value for c in row[:4]] for row in cats.iter_rows(min_row=3)]
    assert rows == [["（一）开展排查行动", 19, 17, pytest.approx(17 / 19)], ["（二）开展宣传行动", 2, 2, 1],
                    ["全县合计", 21, 19, pytest.approx(19 / 21)]]
    assert "本办公室事项" not in wb.sheetnames  # the office is not among these units

    again = CliRunner().invoke(main, ["-C", str(project), "status", "--as-of", "2026-11-29", "--xlsx", str(path)])
    assert again.exit_code == 1 and "文件已存在" in again.output
    run(project, "--as-of", "2026-11-29", "--xlsx", str(path), "--force")


def test_json_with_xlsx_keeps_stdout_pure(project, tmp_path):
    path = tmp_path / "s.xlsx"
    result = CliRunner().invoke(
        main, ["-C", str(project), "status", "--as-of", "2026-11-29", "--json", "--xlsx", str(path)])
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert "已生成" in result.stderr


def test_no_rounds_yet(tmp_path):
    root = tmp_path / "empty"
    write_registry(root / "registry")
    out = CliRunner().invoke(main, ["-C", str(root), "status", "--as-of", "2026-11-29"]).output
    assert "尚未收集任何一轮进度报送" in out
    # nothing ever reported: every due one-off item is overdue and unreported, 1-2 is 未报送 for all
    # three; the quarters of 2-1 all ended before any collection: 无记录, not overdue
    assert "全县：应完成事项5项，已完成0项，完成率0%；逾期5项，未报送3项，其中逾期且本轮未报送5项" in out
    assert "无记录" in out and "逾期333天" not in out


def test_progress_for_table(project):
    from notices.jobs.status import progress_for_table

    county = progress_for_table(Project(project), AS_OF, None)
    assert county["1-1"] == ("逾期", "已完成1个单位，逾期完成1个单位，逾期1个单位：县应急管理局（逾期698天）")
    assert county["3-1"][0] == "逾期完成"
    one = progress_for_table(Project(project), AS_OF, "县应急管理局")
    assert one["1-1"] == ("逾期698天", "已起草制度文件")
    assert one["1-2"] == ("临期（剩11天）", "已排查80%")
    edu = progress_for_table(Project(project), AS_OF, "教育局")
    assert edu["1-2"] == ("未报送（剩11天）", "本轮未报送。")
    assert edu["1-1"] == ("已完成", "已于2024-11-30完成")
    # a recurring requirement: its worst quarter, then the latest quarter, what else is worth saying
    assert edu["2-1"] == ("2025年第一季度逾期完成62天",
                          "2025年第四季度：已完成，已于2025-10-20完成；2025年第一季度：逾期完成62天；其余6期已完成")
    assert edu["3-2"] == ("正常推进", "尚无报送")


def test_table_progress_uses_the_assessment(project):
    import re
    import zipfile

    result = CliRunner().invoke(main, ["-C", str(project), "table", "--progress", "--as-of", "2026-11-29"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    docx = next((project / "outputs" / "序时进度表").glob("*.docx"))
    text = re.sub(r"<[^>]+>", "", zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8"))
    assert "【逾期】已完成1个单位，逾期完成1个单位，逾期1个单位：县应急管理局（逾期698天）" in text


def test_cjk_helpers():
    assert display_width("县应急局ab") == 10
    assert clip("开展宣传活动持续推进", 9) == "开展宣传…"
    assert columns([["编号", "状态"], ["1-1", "逾期"]], [None, None]) == ["编号  状态", "1-1   逾期"]


def _rules(ws) -> dict:
    return {str(cf.sqref): list(cf.rules) for cf in ws.conditional_formatting}


def _rule_fills(ws) -> dict:
    return {ref: [r.dxf.fill.bgColor.rgb[-6:] for r in rules] for ref, rules in _rules(ws).items()}
