"""Reporting workbooks (进度填报表): one per unit or for the county, checked cell by cell."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel

from notices import __version__
from notices.cli import main
from notices.errors import NoticesError
from notices.file.store import Store
from notices.jobs.progress import default_as_of, make_templates, parse_round
from notices.model import STATES, Report
from notices.project import db_path, open_project
from notices.read.progress_xlsx import CollectResult, read_workbooks
from notices.render.progress_xlsx import COLUMNS, DATE_FORMAT, FIRST_ROW, HEADER_ROW

MINI = Path(__file__).parent / "data" / "mini"
GENERATED = dt.date(2026, 11, 1)
LOCKED = {"编号", "任务序号", "具体要求", "完成时间", "责任单位", "期次"}
UNLOCKED = {"进展状态", "完成日期", "完成比例", "进展情况说明", "佐证材料", "填报人", "联系电话", "申请延期至", "延期理由"}

# (milestone id, unit) of every row, in registry order: what each workbook must hold.
EXPECTED = {
    "县应急管理局": ["1-1", "1-2", "2-1"],
    "县消防救援大队": ["1-1", "1-2", "2-1", "3-1", "3-2"],
    "县教育局": ["3-1", "3-2"],
    "示例乡镇一": ["1-1", "1-2", "2-1", "3-1", "3-2"],
}
PERIOD = {"2-1": "2026年第四季度", "3-2": "2026年"}
SHORT = {"县应急管理局": "应急管理局", "县消防救援大队": "消防救援大队", "县教育局": "教育局", "示例乡镇一": "示例乡镇一"}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "office"
    shutil.copytree(MINI, root / "registry")
    return open_project(root)


def _templates(project, **kw):
    args = dict(units=None, all_units=True, county=False, prefill=False, output_dir=None)
    args.update(kw)
    return make_templates(project, "2026-11", args["units"], args["all_units"], args["county"], args["prefill"],
                          args["output_dir"], generated_on=GENERATED)


def _col(label: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, 1) if c.label == label)


def _letter(label: str) -> str:
    return "ABCDEFGHIJKLMNO"[_col(label) - 1]


def test_one_workbook_per_unit_named_by_round_and_short_name(project):
    paths = _templates(project)
    folder = project.outputs_dir / "2026-11" / "填报表"
    assert paths == [folder / f"2026-11-{SHORT[u]}.xlsx" for u in EXPECTED]
    assert all(p.exists() for p in paths)


@pytest.mark.parametrize("unit", list(EXPECTED))
def test_unit_workbook_layout(project, unit):
    registry, _ = project.load()
    path = _templates(project, units=[unit], all_units=False)[0]
    wb = load_workbook(path)
    assert wb.sheetnames == ["进度填报", "填报说明", "_meta"]
    ws = wb["进度填报"]
    ids = EXPECTED[unit]
    last = FIRST_ROW + len(ids) - 1
    assert ws.max_row == last

    # header and rows
    assert [c.value for c in ws[HEADER_ROW]] == [c.label for c in COLUMNS]
    assert ws.cell(1, 1).value.endswith(f"进度填报表（{unit}，2026年11月）")
    for i, mid in enumerate(ids):
        r = FIRST_ROW + i
        ms = next(m for m in registry.milestones if m.id == mid)
        cell = ws.cell(r, _col("编号"))
        assert cell.value == mid and cell.data_type == "s" and cell.number_format == "@"
        assert ws.cell(r, _col("任务序号")).value == ms.task_no
        assert ws.cell(r, _col("具体要求")).value == ms.requirement
        assert ws.cell(r, _col("完成时间")).value == ms.deadline
        assert ws.cell(r, _col("责任单位")).value == unit
        # a recurring requirement is asked about its current period (tracking starts with this round)
        assert ws.cell(r, _col("期次")).value == PERIOD.get(mid)
        assert ws.cell(r, _col("完成日期")).number_format == DATE_FORMAT
        for label in UNLOCKED:
            assert ws.cell(r, _col(label)).value is None
        # locked and unlocked cells
        for label in LOCKED:
            assert ws.cell(r, _col(label)).protection.locked is True, (label, r)
        for label in UNLOCKED:
            assert ws.cell(r, _col(label)).protection.locked is False, (label, r)

    # validation: lists, ranges, Chinese messages
    dvs = {dv.type: dv for dv in ws.data_validations.dataValidation if dv.promptTitle != "申请延期至"}
    assert set(dvs) == {"list", "date", "decimal"}
    (ext,) = [dv for dv in ws.data_validations.dataValidation if dv.promptTitle == "申请延期至"]
    assert ext.type == "date" and str(ext.sqref) == f"{_letter('申请延期至')}{FIRST_ROW}:{_letter('申请延期至')}{last}"
    state = dvs["list"]
    assert str(state.sqref) == f"{_letter('进展状态')}{FIRST_ROW}:{_letter('进展状态')}{last}"
    assert state.formula1 == '"' + ",".join(STATES) + '"' == '"已完成,正在推进,未启动,不涉及"'
    assert state.showErrorMessage and state.errorStyle == "stop"
    assert state.error == "请从下拉列表中选择：已完成、正在推进、未启动、不涉及。"
    date = dvs["date"]
    assert str(date.sqref) == f"H{FIRST_ROW}:H{last}" and _letter("完成日期") == "H"
    assert date.operator == "between"
    assert date.formula1 == str(int(to_excel(dt.date(2024, 3, 26))))
    assert date.formula2 == str(int(to_excel(dt.date(2099, 12, 31))))
    assert date.showErrorMessage and "不早于方案起始日期2024年3月26日" in date.error
    pct = dvs["decimal"]
    assert str(pct.sqref) == f"I{FIRST_ROW}:I{last}"
    assert (pct.operator, pct.formula1, pct.formula2) == ("between", "0", "100")
    assert pct.showErrorMessage and "0 到 100" in pct.error

    # protection: sheet protected, rows and columns may be formatted; structure locked
    assert ws.protection.sheet is True
    assert ws.protection.formatRows is False and ws.protection.formatColumns is False
    assert ws.protection.password is None
    assert wb.security.lockStructure is True
    assert wb["填报说明"].protection.sheet is True

    # view and print
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$2:$2"
    for c in range(1, len(COLUMNS) + 1):
        head = ws.cell(HEADER_ROW, c)
        assert head.font.b and head.alignment.wrap_text and head.fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.column_dimensions["C"].width == 40

    # hidden metadata
    meta_ws = wb["_meta"]
    assert meta_ws.sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in meta_ws.iter_rows(min_row=2, values_only=True)}
    assert meta == {"format": "notices-progress", "format_version": "1", "registry_version": registry.version,
                    "unit": unit, "round": "2026-11", "generated": "2026-11-01", "tool_version": __version__,
                    "plan_start": "2024-03-26"}
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["notices_round"] == "2026-11" and props["notices_unit"] == unit
    assert props["notices_registry_version"] == registry.version


def test_help_sheet_explains_every_column(project):
    path = _templates(project, units=["教育局"], all_units=False)[0]
    hs = load_workbook(path)["填报说明"]
    text = "\n".join(str(c.value) for row in hs.iter_rows() for c in row if c.value)
    for column in COLUMNS:
        assert column.label in text and column.help in text
    assert "请不要修改“编号”列" in text and "重命名工作表" in text
    for form in ("2026-11-29", "2026/11/29", "2026.11.29", "2026年11月29日", "2026年11月"):
        assert form in text


def test_county_workbook_has_every_unit_row(project):
    path = _templates(project, all_units=False, county=True)[0]
    assert path.name == "2026-11-全县.xlsx"
    wb = load_workbook(path)
    ws = wb["进度填报"]
    rows = [(r[0], r[4]) for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True)]
    expected = sorted((mid, unit) for unit, ids in EXPECTED.items() for mid in ids)
    assert sorted(rows) == expected and len(rows) == 15
    assert rows[:3] == [("1-1", "县应急管理局"), ("1-1", "县消防救援大队"), ("1-1", "示例乡镇一")]
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["unit"] == "全部单位"
    assert "进度填报表（全县，2026年11月）" in ws["A1"].value  # [notices] area
    assert "本表由县安委会办公室下发" in wb["填报说明"]["A2"].value


def test_county_workbook_names_the_configured_area(project):
    """A 区 says 全区 in the title and file name, and its own office in the instructions."""
    (project.root / "notices.toml").write_text('[notices]\narea = "全区"\noffice_ref = "区安委会办公室"\n',
                                              encoding="utf-8")
    path = _templates(project, all_units=False, county=True)[0]
    assert path.name == "2026-11-全区.xlsx"
    wb = load_workbook(path)
    assert "进度填报表（全区，2026年11月）" in wb["进度填报"]["A1"].value
    assert "本表由区安委会办公室下发" in wb["填报说明"]["A2"].value
    assert "全县" not in "".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)


def test_units_by_any_name_and_never_overwrite(project):
    first = _templates(project, units=["应急局", "县应急管理局"], all_units=False)
    assert [p.name for p in first] == ["2026-11-应急管理局.xlsx"]
    before = first[0].read_bytes()
    again = _templates(project, units=["县应急局"], all_units=False)
    assert [p.name for p in again] == ["2026-11-应急管理局-2.xlsx"]
    assert first[0].read_bytes() == before


def test_output_dir_and_round_given_as_date(project, tmp_path):
    paths = make_templates(project, "2026-11-29", ["教育局"], False, False, False, tmp_path / "out")
    assert paths == [tmp_path / "out" / "2026-11-教育局.xlsx"]


def test_bad_requests_are_refused_in_chinese(project):
    with pytest.raises(NoticesError, match="请指定要生成哪些填报表"):
        make_templates(project, "2026-11", None, False, False, False, None)
    with pytest.raises(NoticesError) as exc:
        make_templates(project, "2026-11", ["某某局"], False, False, False, None)
    assert exc.value.message == "单位名称“某某局”不在单位名录中"
    with pytest.raises(NoticesError, match="轮次“2026-13”无法识别"):
        make_templates(project, "2026-13", None, True, False, False, None)
    assert not project.outputs_dir.exists()


@pytest.mark.parametrize("text, expected", [
    ("2026-11", ("2026-11", None)), ("2026-1", ("2026-01", None)), ("2026年11月", ("2026-11", None)),
    ("２０２６－１１", ("2026-11", None)), ("2026-11-29", ("2026-11", dt.date(2026, 11, 29))),
    ("2026年11月29日", ("2026-11", dt.date(2026, 11, 29))),
])
def test_parse_round(text, expected):
    assert parse_round(text) == expected


def test_default_as_of():
    assert default_as_of("2026-11", today=dt.date(2026, 12, 3)) == dt.date(2026, 11, 30)
    assert default_as_of("2026-11", today=dt.date(2026, 11, 20)) == dt.date(2026, 11, 20)
    assert default_as_of("2026-11", dt.date(2026, 11, 25), today=dt.date(2027, 1, 1)) == dt.date(2026, 11, 25)


def test_prefill_uses_earlier_rounds_only(project):
    store = Store(db_path(project))
    old = Report("县应急管理局", "1-2", "正在推进", None, 60.0, "已开展两期培训", "培训通知", "王伟", "0415-7200001",
                 "2026-10", dt.date(2026, 10, 31), "x.xlsx 进度填报!A4")
    older = Report("县应急管理局", "1-1", "已完成", dt.date(2024, 12, 20), 100.0, "已完成", "", "王伟", "",
                   "2026-09", dt.date(2026, 9, 30), "x.xlsx 进度填报!A3")
    later = Report("县应急管理局", "1-2", "已完成", dt.date(2026, 12, 5), 100.0, "下一轮", "", "", "",
                   "2026-12", dt.date(2026, 12, 31), "x.xlsx 进度填报!A4")
    for rid, as_of, rep in (("2026-09", dt.date(2026, 9, 30), older), ("2026-10", dt.date(2026, 10, 31), old),
                            ("2026-12", dt.date(2026, 12, 31), later)):
        store.save_round(rid, as_of, CollectResult(reports=[rep]), accept_warnings=False)
    path = _templates(project, units=["应急局"], all_units=False, prefill=True)[0]
    ws = load_workbook(path)["进度填报"]
    row = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(7, 14)] for r in range(FIRST_ROW, ws.max_row + 1)}
    assert row["1-1"] == ["已完成", dt.datetime(2024, 12, 20), 100, "已完成", None, "王伟", None]
    assert row["1-2"] == ["正在推进", None, 60, "已开展两期培训", "培训通知", "王伟", "0415-7200001"]
    assert row["2-1"] == [None] * 7

    # Sent back unchanged, the prefilled workbook reads back as the same answers.
    registry, directory = project.load()
    result = read_workbooks([path], registry, directory, "2026-11", dt.date(2026, 11, 29))
    assert not result.errors
    got = {r.milestone_id: r for r in result.reports}
    assert set(got) == {"1-1", "1-2"}
    for prev in (older, old):
        mine = got[prev.milestone_id]
        assert (mine.state, mine.completed_on, mine.percent, mine.text, mine.evidence, mine.reporter, mine.phone) == \
               (prev.state, prev.completed_on, prev.percent, prev.text, prev.evidence, prev.reporter, prev.phone)


def test_prefill_without_store_is_empty(project):
    path = _templates(project, units=["教育局"], all_units=False, prefill=True)[0]
    ws = load_workbook(path)["进度填报"]
    assert all(ws.cell(r, c).value is None for r in range(FIRST_ROW, ws.max_row + 1) for c in range(7, 14))
    assert not db_path(project).exists()


def test_cli_template(project):
    runner = CliRunner()
    res = runner.invoke(main, ["-C", str(project.root), "progress", "template", "--round", "2026-11", "--all-units",
                               "--county"])
    assert res.exit_code == 0, res.output
    assert res.output.count("已生成：") == 5 and "共 5 份" in res.output
    res = runner.invoke(main, ["-C", str(project.root), "progress", "template", "--round", "2026-11"])
    assert res.exit_code == 1
    assert "错误：请指定要生成哪些填报表" in res.output
    res = runner.invoke(main, ["-C", str(project.root), "progress", "template", "--all-units"])
    assert res.exit_code == 1 and "错误：请用 --round 指定轮次，如 --round 2026-11" in res.output
    res = runner.invoke(main, ["-C", str(project.root), "progress", "--help"])
    assert "进度填报" in res.output and "template" in res.output and "collect" in res.output
