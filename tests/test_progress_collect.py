"""Collecting filled reporting workbooks: exact reports back, one Chinese line per problem,
never a traceback; the round store; the collect job and CLI; the sample round."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import CustomPropertyList

from conftest import working_folder
from notices.cli import main
from notices.errors import NoticesError, Problem
from notices.file.store import SCHEMA_VERSION, Store
from notices.jobs.progress import collect, expand_paths, make_templates
from notices.jobs.sample import make_sample_round
from notices.model import Report
from notices.project import db_path, open_project
from notices.read.progress_xlsx import CollectResult, read_workbooks
from notices.render.progress_xlsx import COLUMNS

MINI = Path(__file__).parent / "data" / "mini"
AS_OF = dt.date(2026, 11, 29)
L = "2026-11-应急管理局.xlsx"  # the unit file most tests fill
S = f"{L} 进度填报"
ROW = {"1-1": 3, "1-2": 4, "2-1": 5}  # rows of 县应急管理局's workbook
OTHER_UNITS = ("县消防救援大队", "县教育局", "示例乡镇一")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "office"
    shutil.copytree(MINI, root / "registry")
    return open_project(working_folder(root))


def col(label: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, 1) if c.label == label)


def template(project, unit="应急局", round_id="2026-11", county=False) -> Path:
    units = None if county else [unit]
    return make_templates(project, round_id, units, False, county, False, project.root / "blank",
                          generated_on=dt.date(2026, 11, 1))[0]


def fill(path: Path, rows: dict, dest: Path | None = None, edit=None) -> Path:
    """Fill cells by label: rows maps a milestone id (or a row number) to {label: value}."""
    wb = load_workbook(path)
    ws = wb["进度填报"]
    for key, values in rows.items():
        r = key if isinstance(key, int) else next(
            r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == key)
        for label, value in values.items():
            ws.cell(r, col(label)).value = value
    if edit:
        edit(wb, ws)
    dest = dest or path.parent.parent / "in" / path.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def read(project, paths, round_id="2026-11", as_of=AS_OF) -> CollectResult:
    registry, directory = project.load()
    return read_workbooks(list(paths), registry, directory, round_id, as_of)


def problems(result, units=False) -> list[tuple[str, str, str]]:
    """(severity, where, message), without the "returned nothing" notes about units unless asked."""
    return [(p.severity, p.where, p.message) for p in result.problems
            if units or p.where not in ("县应急管理局", *OTHER_UNITS)]


def report(mid, state, completed_on=None, percent=None, text="", evidence="", reporter="", phone="",
           unit="县应急管理局", source=None, period=None) -> Report:
    if period is None:  # 2-1 is quarterly: its rows are 2026's fourth quarter
        period = "2026-Q4" if mid == "2-1" else ""
    return Report(unit, mid, state, completed_on, percent, text, evidence, reporter, phone, "2026-11", AS_OF,
                  source or f"{S}!A{ROW[mid]}", period)


def one(project, values: dict, mid="1-1"):
    """Fill one row, read it; (reports, problems)."""
    result = read(project, [fill(template(project), {mid: values})])
    return result.reports, problems(result)


# --- exact round trip ----------------------------------------------------------

def test_filled_workbook_reads_back_exactly(project):
    path = fill(template(project), {
        "1-1": {"进展状态": "已完成", "完成日期": dt.date(2024, 12, 20), "完成比例": 100,
                "进展情况说明": "已完成甲类培训\n共3期", "佐证材料": "培训通知", "填报人": "王伟", "联系电话": "13800000000"},
        "1-2": {"进展状态": "正在推进", "完成比例": 60, "进展情况说明": "正在推进", "填报人": "王伟",
                "联系电话": 13800000000},
        "2-1": {"进展状态": "不涉及"},
    })
    result = read(project, [path])
    assert result.reports == [
        report("1-1", "已完成", dt.date(2024, 12, 20), 100, "已完成甲类培训\n共3期", "培训通知", "王伟", "13800000000"),
        report("1-2", "正在推进", None, 60, "正在推进", "", "王伟", "13800000000"),
        report("2-1", "不涉及"),
    ]
    assert problems(result) == []
    assert result.files == [(L, hashlib.sha256(path.read_bytes()).hexdigest())]
    assert result.sizes == {L: path.stat().st_size}
    # the other units returned nothing: one note each, naming the unit
    assert problems(result, units=True) == [
        ("warning", u, "本轮没有收到该单位的填报（没有文件，或文件中没有填写内容），将按未报送处理") for u in OTHER_UNITS]


def test_rows_left_empty_are_unreported_not_problems(project):
    reports, probs = one(project, {"进展状态": "正在推进"}, mid="1-2")
    assert [r.milestone_id for r in reports] == ["1-2"] and probs == []


def test_county_workbook_any_unit_by_alias(project):
    path = fill(template(project, county=True), {
        3: {"进展状态": "未启动", "责任单位": "应急局"},  # 1-1 / 县应急管理局, written as an alias
        4: {"进展状态": "正在推进", "完成比例": "30%"},  # 1-1 / 县消防救援大队
    })
    result = read(project, [path])
    assert [(r.unit, r.milestone_id, r.state, r.percent) for r in result.reports] == [
        ("县应急管理局", "1-1", "未启动", None), ("县消防救援大队", "1-1", "正在推进", 30)]
    assert problems(result) == []


# --- dates -----------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    dt.date(2024, 12, 30), dt.datetime(2024, 12, 30, 0, 0), dt.datetime(2024, 12, 30, 15, 30),
    45656, 45656.0, 45656.75, "45656",
    "2024年12月30日", "2024.12.30", "2024/12/30", "2024-12-30", "2024-12-30 00:00:00", " 2024 年 12 月 30 日 ",
    "２０２４年１２月３０日", "２０２４－１２－３０", "20241230", 20241230,
])
def test_completion_date_forms(project, value):
    def general(wb, ws):
        ws["H3"].number_format = "General"  # a date-formatted cell cannot hold 20241230 (see below)
    path = fill(template(project), {"1-1": {"进展状态": "已完成", "完成日期": value}},
                edit=general if value == 20241230 else None)
    result = read(project, [path])
    reports, probs = result.reports, problems(result)
    if value == "45656":  # a serial typed as text is not a date
        assert reports == [] and probs == [("error", f"{S}!H3", "完成日期“45656”无法识别，请写成 2026-11-29 或 2026年11月29日 这样的日期")]
        return
    assert probs == []
    assert reports[0].completed_on == dt.date(2024, 12, 30)


def test_number_too_large_for_a_date_cell(project):
    reports, probs = one(project, {"进展状态": "已完成", "完成日期": 20241230})
    assert reports == []
    assert probs == [("error", f"{S}!H3", "完成日期不是有效日期（公式出错，或数字超出了日期范围），请直接填写日期，如 2026-11-29")]


def test_date_cell_typed_as_text_with_date_format(project):
    def as_text(wb, ws):
        ws["H3"].number_format = "@"
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "已完成", "完成日期": "2025.1.5"}}, edit=as_text)])
    assert result.reports[0].completed_on == dt.date(2025, 1, 5)


@pytest.mark.parametrize("text, as_of, day, note", [
    ("2024年12月", AS_OF, dt.date(2024, 12, 31), "完成日期只写到月份（“2024年12月”），按 2024-12-31 计"),
    ("2025-2", AS_OF, dt.date(2025, 2, 28), "完成日期只写到月份（“2025-2”），按 2025-02-28 计"),
    ("2026年11月", dt.date(2026, 11, 20), dt.date(2026, 11, 20), "完成日期只写到月份（“2026年11月”），按 2026-11-20 计"),
])
def test_month_only_completion_date(project, text, as_of, day, note):
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "已完成", "完成日期": text}})], as_of=as_of)
    assert result.reports[0].completed_on == day
    assert problems(result) == [("warning", f"{S}!H3", note)]


@pytest.mark.parametrize("value, message", [
    (dt.date(2027, 1, 5), "完成日期“2027-01-05”晚于本轮截止日期2026-11-29"),
    ("2027-01-05", "完成日期“2027-01-05”晚于本轮截止日期2026-11-29"),
    ("2026年12月", "完成日期“2026年12月”晚于本轮截止日期2026-11-29"),
    (dt.date(2023, 5, 1), "完成日期“2023-05-01”早于方案起始日期2024-03-26"),
    ("2024年2月", "完成日期“2024年2月”早于方案起始日期2024-03-26"),
    ("下个月", "完成日期“下个月”无法识别，请写成 2026-11-29 或 2026年11月29日 这样的日期"),
    ("2024-02-30", "完成日期“2024-02-30”无法识别，请写成 2026-11-29 或 2026年11月29日 这样的日期"),
    (dt.time(9, 30), "完成日期填成了时间，请填写日期，如 2026-11-29"),
    (-3, "完成日期“1899-12-27”早于方案起始日期2024-03-26"),  # Excel shows a negative serial as a date too
])
def test_bad_completion_dates(project, value, message):
    reports, probs = one(project, {"进展状态": "已完成", "完成日期": value})
    assert reports == []
    assert probs == [("error", f"{S}!H3", message)]


def test_completion_date_with_another_state_is_dropped_with_a_note(project):
    reports, probs = one(project, {"进展状态": "正在推进", "完成日期": dt.date(2025, 1, 1)})
    assert reports[0].completed_on is None and reports[0].state == "正在推进"
    assert probs == [("warning", f"{S}!H3", "进展状态为“正在推进”，填写的完成日期未采用")]


# --- percentages -------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (80, 80), (80.0, 80), ("80", 80), ("80%", 80), ("８０％", 80), (" 80 % ", 80), (0.8, 80), ("0.8", 80),
    (0, 0), (100, 100), (1, 100), (33.333, 33.33), ("12.5%", 12.5),
])
def test_percent_forms(project, value, expected):
    reports, probs = one(project, {"进展状态": "正在推进", "完成比例": value})
    assert probs == [] and reports[0].percent == expected


def test_percent_formatted_cell_holds_a_fraction(project):
    def pct(wb, ws):
        ws["I3"].number_format = "0%"
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "正在推进", "完成比例": 0.75}}, edit=pct)])
    assert result.reports[0].percent == 75


@pytest.mark.parametrize("value, message", [
    (120, "完成比例“120”不在 0 到 100 之间，未采用"),
    (-5, "完成比例“-5”不在 0 到 100 之间，未采用"),
    ("150%", "完成比例“150%”不在 0 到 100 之间，未采用"),
    ("大部分", "完成比例“大部分”不是数字，请填 0 到 100 之间的数字"),
])
def test_bad_percent_is_dropped_with_a_note(project, value, message):
    reports, probs = one(project, {"进展状态": "正在推进", "完成比例": value})
    assert reports[0].percent is None and reports[0].state == "正在推进"
    assert probs == [("warning", f"{S}!I3", message)]


# --- row problems --------------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    ({"进展状态": "完成", "完成日期": dt.date(2025, 1, 1)},
     ("error", "G3", "进展状态“完成”不在可选范围内，应为：已完成、正在推进、未启动、不涉及")),
    ({"进展状态": "已完成"}, ("error", "H3", "进展状态为“已完成”，但未填写完成日期")),
    ({"进展情况说明": "做了一些工作"},
     ("error", "G3", "未填写进展状态（请从下拉列表中选择：已完成、正在推进、未启动、不涉及）")),
    ({"进展状态": "未启动", "责任单位": "县教育局"},
     ("error", "E3", "本表是“县应急管理局”的填报表，这一行却是“县教育局”的，未采用；请由该单位自行填报")),
    ({"进展状态": "未启动", "责任单位": "某某局"}, ("error", "E3", "单位名称“某某局”不在单位名录中")),
    ({"进展状态": "未启动", "编号": "9-9"}, ("error", "A3", "编号“9-9”不在任务登记表中（请勿修改编号列）")),
    ({"进展状态": "未启动", "编号": None}, ("error", "A3", "这一行没有编号，无法对应到具体要求（请勿修改或删除编号列）")),
    ({"进展状态": "未启动", "完成比例": "#DIV/0!"}, ("error", "I3", "单元格是公式错误值“#DIV/0!”，请改正公式或直接填写内容")),
    ({"进展状态": "未启动", "进展情况说明": "#REF!"}, ("error", "J3", "单元格是公式错误值“#REF!”，请改正公式或直接填写内容")),
])
def test_row_problems_name_the_cell(project, values, expected):
    reports, probs = one(project, values)
    severity, cell, message = expected
    assert probs == [(severity, f"{S}!{cell}", message)]
    assert reports == []


def test_unit_not_responsible_in_county_file(project):
    # row 12 of the county workbook is 3-1 / 县教育局; claim it for 县应急管理局
    result = read(project, [fill(template(project, county=True), {12: {"进展状态": "未启动", "责任单位": "应急局"}})])
    assert result.reports == []
    assert problems(result) == [("error", "2026-11-全县.xlsx 进度填报!E12", "“县应急管理局”不是编号“3-1”这项具体要求的责任单位")]


def test_unit_cell_left_empty_in_a_unit_file_uses_the_file_unit(project):
    reports, probs = one(project, {"进展状态": "未启动", "责任单位": None})
    assert reports[0].unit == "县应急管理局" and probs == []


def test_id_turned_into_a_date_by_excel(project):
    reports, probs = one(project, {"进展状态": "未启动", "编号": dt.datetime(2026, 1, 1)})
    assert reports[0].milestone_id == "1-1"
    assert probs == [("warning", f"{S}!A3", "编号被 Excel 识别成了日期，已按“1-1”读取")]


@pytest.mark.parametrize("written", ["1－1", " 1-1 ", "1—1", "１-１"])
def test_id_variants(project, written):
    reports, probs = one(project, {"进展状态": "未启动", "编号": written})
    assert reports[0].milestone_id == "1-1" and probs == []


def test_status_with_spaces_and_full_width(project):
    reports, probs = one(project, {"进展状态": " 正在 推进 "})
    assert reports[0].state == "正在推进" and probs == []


def test_duplicates_that_disagree_name_both_cells(project):
    unit_file = fill(template(project), {"1-1": {"进展状态": "未启动"}})
    county = fill(template(project, county=True), {3: {"进展状态": "正在推进"}, 4: {"进展状态": "未启动"}})
    result = read(project, [unit_file, county])
    assert problems(result) == [
        ("error", "2026-11-全县.xlsx 进度填报!A3",
         f"编号“1-1”（县应急管理局）重复填报，与 {S}!A3 的内容不一致，两行都未采用；请删去其中一行")]
    assert [(r.unit, r.milestone_id) for r in result.reports] == [("县消防救援大队", "1-1")]


def test_duplicate_row_within_a_file(project):
    def dup(wb, ws):
        for c in range(1, 13):
            ws.cell(6, c).value = ws.cell(3, c).value
        ws.cell(6, col("进展情况说明")).value = "另一种说法"
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=dup)])
    assert problems(result) == [
        ("error", f"{S}!A6", f"编号“1-1”（县应急管理局）重复填报，与 {S}!A3 的内容不一致，两行都未采用；请删去其中一行")]
    assert result.reports == []


def test_duplicates_that_agree_count_once(project):
    unit_file = fill(template(project), {"1-1": {"进展状态": "未启动"}})
    county = fill(template(project, county=True), {3: {"进展状态": "未启动"}})
    result = read(project, [unit_file, county])
    assert problems(result) == [
        ("warning", "2026-11-全县.xlsx 进度填报!A3", f"编号“1-1”（县应急管理局）重复填报，与 {S}!A3 内容相同，只计一次")]
    assert result.reports == [report("1-1", "未启动")]


def test_merged_explanation_applies_to_every_row(project):
    def merge(wb, ws):
        ws["J3"] = "三项工作统一部署"
        ws.merge_cells("J3:J5")
    path = fill(template(project), {m: {"进展状态": "正在推进"} for m in ROW}, edit=merge)
    result = read(project, [path])
    assert [r.text for r in result.reports] == ["三项工作统一部署"] * 3
    assert problems(result) == []


def test_merged_across_columns_counts_in_its_first_column_only(project):
    def merge(wb, ws):
        ws["J3"] = "说明"
        ws.merge_cells("J3:K4")
    path = fill(template(project), {"1-1": {"进展状态": "未启动"}, "1-2": {"进展状态": "未启动"}}, edit=merge)
    result = read(project, [path])
    assert [(r.text, r.evidence) for r in result.reports] == [("说明", ""), ("说明", "")]


def test_text_cells_control_characters_long_text_and_line_breaks(project):
    long = "长" * 5000
    reports, probs = one(project, {"进展状态": "正在推进", "进展情况说明": "正在_x0007_推进_x000D_\n第二行",
                                   "佐证材料": long, "填报人": "  王伟  "})
    assert reports[0].text == "正在推进\n第二行"
    assert reports[0].evidence == long
    assert reports[0].reporter == "王伟"
    assert probs == [("warning", f"{S}!J3", "含有不可见的控制字符，已删除")]


# --- file-level checks ---------------------------------------------------------------

def test_file_of_another_round_is_refused(project):
    path = fill(template(project, round_id="2026-10"), {"1-1": {"进展状态": "未启动"}})
    result = read(project, [path])
    assert result.reports == []
    assert problems(result) == [("error", "2026-10-应急管理局.xlsx",
                                 "这是 2026-10 轮的填报表，不是本轮（2026-11）的；请让报送单位用本轮下发的填报表填写")]


def test_file_of_another_registry_version_is_read_with_a_note(project):
    def other(wb, ws):
        meta = wb["_meta"]
        for r in range(1, meta.max_row + 1):
            if meta.cell(r, 1).value == "registry_version":
                meta.cell(r, 2).value = "0123456789ab"
    registry, _ = project.load()
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=other)])
    assert len(result.reports) == 1
    assert problems(result) == [("warning", L, f"填报表是按另一版任务登记表（0123456789ab）生成的，当前为 {registry.version}；已按编号逐行核对")]


def test_metadata_from_document_properties_when_the_sheet_is_gone(project):
    def drop(wb, ws):
        del wb["_meta"]
    path = fill(template(project, round_id="2026-10"), {"1-1": {"进展状态": "未启动"}}, edit=drop)
    result = read(project, [path])
    assert problems(result) == [("error", "2026-10-应急管理局.xlsx",
                                 "这是 2026-10 轮的填报表，不是本轮（2026-11）的；请让报送单位用本轮下发的填报表填写")]


def test_missing_metadata_is_a_note(project):
    def drop(wb, ws):
        del wb["_meta"]
        wb.custom_doc_props = CustomPropertyList()
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=drop)])
    assert len(result.reports) == 1
    assert problems(result) == [("warning", L, "未找到填报表标识信息（可能不是用本工具下发的填报表，或内容被复制到了新文件），已按表头读取")]


def test_empty_template_is_a_note(project):
    result = read(project, [fill(template(project), {})])
    assert problems(result) == [("warning", L, "表中没有填写任何进展内容")]
    assert ("warning", "县应急管理局", "本轮没有收到该单位的填报（没有文件，或文件中没有填写内容），将按未报送处理") in problems(result, units=True)


def test_sheet_renamed(project):
    def rename(wb, ws):
        ws.title = "Sheet1"
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=rename)])
    assert result.reports == [report("1-1", "未启动", source=f"{L} Sheet1!A3")]
    assert problems(result) == [("warning", L, "未找到名为“进度填报”的工作表，已读取工作表“Sheet1”")]


def test_columns_moved_labels_varied_header_lower_no_metadata(project, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "进度填报"
    ws["A1"] = "某单位进度"
    header = ["进展 状态", "责任单位", "完成比例（%）", "编 号", "完成日期", "进展情况", "备注"]
    for c, label in enumerate(header, 1):
        ws.cell(4, c, label)
    ws.append(["已完成", "县应急管理局", "100%", "1-2", "2025/12/1", "已完成", "x"])
    ws.append(["正在推进", "县应急管理局", 50, "2-1", None, "推进中", ""])
    path = tmp_path / "应急局.xlsx"
    wb.save(path)
    result = read(project, [path])
    src = "应急局.xlsx 进度填报"
    assert result.reports == [
        report("1-2", "已完成", dt.date(2025, 12, 1), 100, "已完成", source=f"{src}!D5"),
        report("2-1", "正在推进", None, 50, "推进中", source=f"{src}!D6", period=""),  # no 期次 column
    ]
    assert problems(result) == [
        ("warning", "应急局.xlsx", "未找到填报表标识信息（可能不是用本工具下发的填报表，或内容被复制到了新文件），已按表头读取"),
        ("warning", f"{src}!4:4", "表头中没有“佐证材料”列，该列内容未读取"),
        ("warning", f"{src}!4:4", "表头中没有“填报人”列，该列内容未读取"),
        ("warning", f"{src}!4:4", "表头中没有“联系电话”列，该列内容未读取"),
    ]


def test_header_row_deleted(project):
    def delete(wb, ws):
        ws.delete_rows(2)
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=delete)])
    assert result.reports == []
    assert problems(result) == [("error", S, "未找到表头行（应有“编号”“进展状态”“完成日期”等列名），请不要删除表头行，或改用下发的填报表重新填写")]


def test_required_column_deleted(project):
    def delete(wb, ws):
        ws.delete_cols(col("进展状态"))
    result = read(project, [fill(template(project), {"1-1": {"进展状态": "未启动"}}, edit=delete)])
    assert result.reports == []
    assert problems(result) == [("error", f"{S}!2:2", "表头（第2行）中缺少“进展状态”列，请使用下发的填报表，不要删除或改动列名")]


def test_no_usable_sheet(project, tmp_path):
    wb = Workbook()
    wb.active["A1"] = "随便写的"
    wb.save(tmp_path / "x.xlsx")
    result = read(project, [tmp_path / "x.xlsx"])
    assert problems(result) == [
        ("warning", "x.xlsx", "未找到填报表标识信息（可能不是用本工具下发的填报表，或内容被复制到了新文件），已按表头读取"),
        ("error", "x.xlsx", "未找到“进度填报”工作表，其他工作表中也没有填报表的表头；请使用下发的填报表，不要重命名工作表"),
    ]


def _docx_bytes(tmp_path) -> bytes:
    d = docx.Document()
    d.add_paragraph("进展情况")
    d.save(tmp_path / "w.docx")
    return (tmp_path / "w.docx").read_bytes()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("name, make, message", [
    ("空.xlsx", lambda t, good: b"", "文件是空的（0 字节），请让报送单位重新发送"),
    ("应急管理局.xls", lambda t, good: OLE + "Workbook".encode("utf-16-le"),
     "这是旧版 Excel 文件（.xls），请在 Excel/WPS 中“另存为 .xlsx”后再报送"),
    ("x.xlsx", lambda t, good: OLE + "Workbook".encode("utf-16-le"),
     "这是旧版 Excel 文件（.xls 格式，只是扩展名写成了 .xlsx），请在 Excel/WPS 中“另存为 .xlsx”后再报送"),
    ("x.et", lambda t, good: OLE, "这是 WPS 表格文件（.et），请在 WPS 中“另存为 .xlsx”后再报送"),
    ("加密.xlsx", lambda t, good: OLE + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"),
     "文件设置了打开密码，无法读取。请在 Excel/WPS 中取消密码（文件 → 信息/文档加密 → 清除密码）后再报送"),
    ("旧.doc", lambda t, good: OLE + "WordDocument".encode("utf-16-le"),
     "这是旧版 Word 文件（.doc），不是进度填报表，请使用下发的 Excel 填报表填写"),
    ("x.csv", lambda t, good: "编号,进展状态\n1-1,已完成\n".encode("utf-8-sig"),
     "这是 CSV 文本文件，不是进度填报表，请使用下发的 .xlsx 填报表填写后报送"),
    ("x.docx", lambda t, good: _docx_bytes(t), "这是 Word 文件（.docx），不是进度填报表，请使用下发的 Excel 填报表填写"),
    ("半截.xlsx", lambda t, good: good[: len(good) // 2],
     "文件不完整或已损坏（可能没有下载或复制完整），请让报送单位重新发送"),
    ("乱码.xlsx", lambda t, good: bytes(range(256)) * 4, "这不是 Excel 工作簿（.xlsx），无法读取"),
    ("网页.xls", lambda t, good: b"<html><table><tr><td>1</td></tr></table></html>",
     "这是旧版 Excel 文件（.xls），请在 Excel/WPS 中“另存为 .xlsx”后再报送"),
    ("坏.xlsx", lambda t, good: _zip({"xl/workbook.xml": b"not xml"}),
     "文件已损坏或不是有效的 Excel 工作簿，无法打开；请让报送单位在 Excel/WPS 中重新保存后发送"),
    ("x.xlsb", lambda t, good: _zip({"xl/workbook.bin": b"\0"}),
     "这是二进制 Excel 工作簿（.xlsb），请在 Excel 中“另存为 .xlsx”后再报送"),
])
def test_unreadable_files_one_clear_line_each(project, tmp_path, name, make, message):
    good = fill(template(project), {"1-1": {"进展状态": "未启动"}}).read_bytes()
    path = tmp_path / name
    path.write_bytes(make(tmp_path, good))
    result = read(project, [path])
    assert result.reports == []
    assert problems(result) == [("error", name, message)]


def _zip(members: dict) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_workbook_with_a_wrong_extension_is_read_with_a_note(project, tmp_path):
    path = tmp_path / "应急局.xls"
    path.write_bytes(fill(template(project), {"1-1": {"进展状态": "未启动"}}).read_bytes())
    result = read(project, [path])
    assert len(result.reports) == 1
    assert problems(result) == [("warning", "应急局.xls", "扩展名是 .xls，但内容是 Excel 工作簿，已按 .xlsx 读取")]


def test_same_file_twice_counts_once(project, tmp_path):
    path = fill(template(project), {"1-1": {"进展状态": "未启动"}})
    copy = tmp_path / "副本.xlsx"
    copy.write_bytes(path.read_bytes())
    result = read(project, [path, copy])
    assert len(result.reports) == 1 and len(result.files) == 1
    assert problems(result) == [("warning", "副本.xlsx", f"与 {L} 内容完全相同，已忽略")]


def test_xlsm_is_read(project, tmp_path):
    path = tmp_path / "应急局.xlsm"
    path.write_bytes(fill(template(project), {"1-1": {"进展状态": "未启动"}}).read_bytes())
    assert len(read(project, [path]).reports) == 1


_cell_values = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.sampled_from(["已完成", "完成", "2024年12月", "#REF!", "80%", "1-1", "９-９", "应急局", "=1/0"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(3, 6), st.integers(1, 12), _cell_values), max_size=8))
def test_any_cell_content_never_crashes(project, edits):
    def edit(wb, ws):
        for r, c, value in edits:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            try:
                ws.cell(r, c).value = value
            except (ValueError, TypeError):
                pass
    base = template(project) if not (project.root / "blank" / L).exists() else project.root / "blank" / L
    result = read(project, [fill(base, {}, edit=edit)])
    for p in result.problems:
        assert p.severity in ("error", "warning") and p.message
    for r in result.reports:
        assert r.state in ("已完成", "正在推进", "未启动", "不涉及")
        assert r.percent is None or 0 <= r.percent <= 100
        assert r.completed_on is None or dt.date(2024, 3, 26) <= r.completed_on <= AS_OF


# --- the store -------------------------------------------------------------------------

def _result(*reports, problems=()):
    return CollectResult(reports=list(reports), problems=list(problems), files=[("a.xlsx", "ab" * 32)],
                         sizes={"a.xlsx": 123}, registry_version="v1")


def test_store_round_trip(tmp_path):
    store = Store(tmp_path / "outputs" / "notices.db")
    assert store.rounds() == [] and store.reports("2026-10") == [] and not store.path.exists()
    oct_ = [Report("县应急管理局", "1-1", "正在推进", None, 50.5, "推进\n中", "e", "王伟", "1", "2026-10",
                   dt.date(2026, 10, 31), "a.xlsx 进度填报!A3"),
            Report("县教育局", "3-1", "已完成", dt.date(2025, 1, 2), None, "", "", "", "", "2026-10",
                   dt.date(2026, 10, 31), "a.xlsx 进度填报!A4")]
    nov = [Report("县应急管理局", "1-1", "已完成", dt.date(2026, 11, 3), 100.0, "", "", "", "", "2026-11",
                  dt.date(2026, 11, 29), "b.xlsx 进度填报!A3")]
    store.save_round("2026-10", dt.date(2026, 10, 31), _result(*oct_), accept_warnings=False)
    store.save_round("2026-11", dt.date(2026, 11, 29),
                     _result(*nov, problems=[Problem("b.xlsx 进度填报!G4", "进展状态“完成”不在可选范围内"),
                                             Problem("县教育局", "未报送", "warning")]),
                     accept_warnings=True)
    assert store.reports("2026-10") == oct_ and store.reports("2026-11") == nov
    assert store.reports_until(dt.date(2026, 11, 28)) == oct_
    assert store.reports_until(dt.date(2026, 11, 29)) == oct_ + nov
    latest = store.latest_reports(dt.date(2026, 12, 31))
    assert latest[("县应急管理局", "1-1", "")] == nov[0] and latest[("县教育局", "3-1", "")] == oct_[1]
    assert store.latest_reports(before_round="2026-11")[("县应急管理局", "1-1", "")] == oct_[0]
    rounds = store.rounds()
    assert [(r.id, r.as_of, r.registry_version, r.accepted_warnings, r.files, r.reports, r.units, r.skipped, r.notes)
            for r in rounds] == [("2026-10", dt.date(2026, 10, 31), "v1", False, 1, 2, 2, 0, 0),
                                 ("2026-11", dt.date(2026, 11, 29), "v1", True, 1, 1, 1, 1, 1)]
    assert store.skipped("2026-11")[0].where == "b.xlsx 进度填报!G4"
    assert store.notes("2026-11")[0].message == "未报送"
    assert store.files("2026-10") == [("a.xlsx", "ab" * 32, 123)]
    # a fresh Store on the same file sees the same
    assert Store(store.path).reports_until(dt.date(2027, 1, 1)) == oct_ + nov


def test_store_schema(tmp_path):
    store = Store(tmp_path / "notices.db")
    # 1: rounds, 2: register, 3: its subjects, 4: archive, 5: periods, rejected rows' items, unit ids,
    # 6: the register's id, 7: extension requests and the office's steps on items
    assert store.schema_version == SCHEMA_VERSION == 7
    conn = sqlite3.connect(store.path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"rounds", "source_files", "reports", "skipped", "round_notes", "round_history", "item_steps"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(NoticesError, match="由更新版本的 notices 创建"):
        Store(store.path).rounds()


def test_store_migration_5_keeps_reports_of_a_version_4_database(tmp_path):
    from notices.file.store import MIGRATIONS, _statements

    path = tmp_path / "notices.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:4], 1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO rounds (id, as_of, collected_at, registry_version) VALUES ('2026-11', '2026-11-29', "
                 "'2026-11-30T09:00:00', 'v')")
    conn.execute("INSERT INTO reports (round_id, seq, unit, milestone_id, state, completed_on, reported_on, source) "
                 "VALUES ('2026-11', 0, '县应急管理局', '7-1', '已完成', '2026-10-08', '2026-11-29', 'a.xlsx 进度填报!A3')")
    conn.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    [report] = store.reports("2026-11")
    assert (report.unit, report.milestone_id, report.period, report.completed_on) == (
        "县应急管理局", "7-1", "", dt.date(2026, 10, 8))
    # the same requirement may now be reported once per period in one round
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO reports (round_id, seq, unit, milestone_id, period, state) "
                 "VALUES ('2026-11', 1, '县应急管理局', '7-1', '2026-Q4', '正在推进')")
    conn.commit()
    conn.close()
    assert [r.period for r in store.reports("2026-11")] == ["", "2026-Q4"]


def test_store_refuses_existing_round_unless_replace_and_keeps_history(tmp_path):
    store = Store(tmp_path / "notices.db")
    first = Report("县应急管理局", "1-1", "未启动", round_id="2026-11", reported_on=AS_OF, source="a")
    second = Report("县应急管理局", "1-1", "正在推进", round_id="2026-11", reported_on=AS_OF, source="b")
    store.save_round("2026-11", AS_OF, _result(first), accept_warnings=False)
    with pytest.raises(NoticesError, match="2026-11 轮已于 .* 收集过（1 条填报），未做改动；如需用这次的文件重新收集并替换原有数据，请加 --replace"):
        store.save_round("2026-11", AS_OF, _result(second), accept_warnings=False)
    assert store.reports("2026-11") == [first]
    store.save_round("2026-11", AS_OF, _result(second), accept_warnings=False, replace=True)
    assert store.reports("2026-11") == [second]
    history = store.history("2026-11")
    assert len(history) == 1 and history[0]["reports"][0]["state"] == "未启动"
    assert len(store.rounds()) == 1


def test_store_refuses_errors_without_accept(tmp_path):
    store = Store(tmp_path / "notices.db")
    with pytest.raises(NoticesError):
        store.save_round("2026-11", AS_OF, _result(problems=[Problem("x", "y")]), accept_warnings=False)
    assert store.rounds() == []


def test_store_write_is_all_or_nothing(tmp_path):
    store = Store(tmp_path / "notices.db")
    bad = Report("县应急管理局", "1-1", "未启动", round_id="2026-11", reported_on=AS_OF)
    with pytest.raises(sqlite3.IntegrityError):  # the same (unit, milestone) twice
        store.save_round("2026-11", AS_OF, _result(bad, bad), accept_warnings=False)
    assert store.rounds() == [] and store.reports("2026-11") == []


# --- the collect job and CLI ------------------------------------------------------------

def _db_state(project):
    store = Store(db_path(project))
    return [(r.id, r.reports, r.collected_at) for r in store.rounds()], store.reports_until(dt.date.max)


def test_collect_refuses_with_every_problem_and_stores_nothing(project):
    good = fill(template(project, unit="教育局", round_id="2026-10"), {"3-1": {"进展状态": "未启动"}})
    collect(project, [good], "2026-10", dt.date(2026, 10, 31), accept_warnings=False)  # an earlier round
    before = _db_state(project)
    bad = fill(template(project), {"1-1": {"进展状态": "完成"}, "1-2": {"进展状态": "已完成"}})
    with pytest.raises(NoticesError) as exc:
        collect(project, [bad], "2026-11", AS_OF, accept_warnings=False)
    assert exc.value.message.startswith("2026-11 轮未收集：1 个文件中发现 2 处错误（另有 3 条提示），没有保存任何数据")
    assert [(p.where, p.severity) for p in exc.value.problems] == [
        (f"{S}!G3", "error"), (f"{S}!H4", "error"),
        ("县消防救援大队", "warning"), ("县教育局", "warning"), ("示例乡镇一", "warning")]
    assert _db_state(project) == before


def test_collect_accept_warnings_stores_valid_rows_and_skipped(project):
    path = fill(template(project), {"1-1": {"进展状态": "完成"}, "1-2": {"进展状态": "未启动"}})
    result = collect(project, [path], "2026-11", AS_OF, accept_warnings=True)
    store = Store(db_path(project))
    assert store.reports("2026-11") == result.reports == [report("1-2", "未启动")]
    assert [(p.where, p.message) for p in store.skipped("2026-11")] == [
        (f"{S}!G3", "进展状态“完成”不在可选范围内，应为：已完成、正在推进、未启动、不涉及")]
    info = store.rounds()[0]
    assert (info.id, info.as_of, info.accepted_warnings, info.skipped) == ("2026-11", AS_OF, True, 1)
    with pytest.raises(NoticesError, match="请加 --replace"):
        collect(project, [path], "2026-11", AS_OF, accept_warnings=True)
    collect(project, [path], "2026-11-29", None, accept_warnings=True, replace=True)
    assert len(store.history("2026-11")) == 1


def test_collect_expands_folders(project, tmp_path):
    folder = tmp_path / "收到"
    folder.mkdir()
    fill(template(project), {"1-1": {"进展状态": "未启动"}}, dest=folder / "应急局.xlsx")
    (folder / "~$应急局.xlsx").write_bytes(b"lock")
    (folder / "教育局.xls").write_bytes(OLE)
    (folder / "说明.pdf").write_bytes(b"%PDF")
    (folder / "子文件夹").mkdir()
    assert [p.name for p in expand_paths([folder])] == ["应急局.xlsx", "教育局.xls"]
    with pytest.raises(NoticesError) as exc:
        collect(project, [folder], "2026-11", AS_OF, accept_warnings=False)
    assert exc.value.problems[0].where == "教育局.xls"
    with pytest.raises(NoticesError, match="找不到以下文件或文件夹：nowhere"):
        expand_paths([Path("nowhere")])


def test_cli_collect_and_rounds(project):
    runner = CliRunner()
    base = ["-C", str(project.root), "progress"]
    bad = fill(template(project), {"1-1": {"进展状态": "完成"}})
    res = runner.invoke(main, [*base, "collect", "--round", "2026-11", "--as-of", "2026-11-29", str(bad)])
    assert res.exit_code == 1
    assert "错误：2026-11 轮未收集" in res.output
    assert f"  {S}!G3: 进展状态“完成”不在可选范围内" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(main, [*base, "rounds"])
    assert res.exit_code == 0 and "还没有收集过任何轮次" in res.output
    res = runner.invoke(main, [*base, "collect", "--round", "2026-11", "--as-of", "2026-11-29", "--accept-warnings",
                               str(bad)])
    assert res.exit_code == 0, res.output
    assert f"已跳过：{S}!G3" in res.output and "已收集：1 个文件，0 个单位，0 条填报，跳过 1 处错误" in res.output
    res = runner.invoke(main, [*base, "rounds"])
    assert res.exit_code == 0
    assert res.output.splitlines()[1].startswith("2026-11\t2026-11-29\t")
    res = runner.invoke(main, [*base, "collect", "--round", "2026-11", str(project.root / "missing.xlsx")])
    assert res.exit_code == 1 and "找不到以下文件或文件夹" in res.output


# --- the sample round ----------------------------------------------------------------------

def test_sample_round_with_mistakes(project, tmp_path):
    paths = make_sample_round(project, "2026-11", tmp_path / "s", seed=0)
    assert len(paths) == 3  # four units, one returns nothing
    result = read(project, paths)
    missing = [p.where for p in result.problems if p.where in ("县应急管理局", *OTHER_UNITS)]
    assert len(missing) == 1
    messages = [p.message for p in result.errors]
    assert any(m.startswith("进展状态“完成”不在可选范围内") for m in messages)
    assert "进展状态为“已完成”，但未填写完成日期" in messages
    assert any("重复填报" in m and "不一致" in m for m in messages)
    # text dates, merged 说明 and the alias are read, not refused
    assert result.reports and len(result.errors) == 3
    again = make_sample_round(project, "2026-11", tmp_path / "s2", seed=0)
    assert [r.__dict__ | {"source": ""} for r in read(project, again).reports] == \
           [r.__dict__ | {"source": ""} for r in result.reports]


def test_sample_round_on_many_units_shows_every_mistake(tmp_path):
    """A registry with enough units for one mistake per unit, as the real one has."""
    import yaml

    root = tmp_path / "office"
    shutil.copytree(MINI, root / "registry")
    units_file = root / "registry" / "units.yaml"
    data = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    for i in range(2, 8):
        data["units"].append({"name": f"示例乡镇{'二三四五六七'[i - 2]}", "kind": "乡镇", "groups": ["乡镇"]})
    units_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    project = open_project(root)
    paths = make_sample_round(project, "2026-11", tmp_path / "s", seed=3)
    registry, directory = project.load()
    result = read_workbooks(paths, registry, directory, "2026-11", AS_OF)
    notes = [p.message for p in result.warnings]
    assert any(m.startswith("完成日期只写到月份") for m in notes)
    assert sum(m.startswith("本轮没有收到该单位的填报") for m in notes) == 1
    assert len(result.errors) == 3
    texts = [r.text for r in result.reports]
    assert texts.count("以上几项工作由本单位统一部署，正在按方案要求同步推进，具体情况见佐证材料。") >= 2


def test_clean_sample_round_collects(project, tmp_path):
    paths = make_sample_round(project, "2026-11", tmp_path / "s", seed=1, mistakes=False)
    assert len(paths) == 4
    result = collect(project, [tmp_path / "s"], "2026-11", AS_OF, accept_warnings=False)
    assert result.errors == [] and result.warnings == []
    assert len(result.reports) == 15
    with pytest.raises(NoticesError, match="已有填报表"):
        make_sample_round(project, "2026-11", tmp_path / "s")
