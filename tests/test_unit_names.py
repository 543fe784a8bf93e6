"""Units drafted from a plan's 责任单位 cells: spellings clustered, collective phrases as
groups; and the header words of offices' own tables."""

from __future__ import annotations

import openpyxl
import pytest

from notices.errors import NoticesError
from notices.read.table_columns import parse_columns, word_kind
from notices.read.table_import import import_table
from notices.read.unit_names import collective, draft_units, infer_jurisdiction


def _units(cells, j="县"):
    draft = draft_units(cells, j)
    return draft, {u.name: u for u in draft.units}


def test_spellings_of_one_unit_become_one():
    draft, units = _units([
        "县应急管理局、县应急局", "应急局", "县住建局、县住房和城乡建设局", "县住房城乡建设局",
        "县发展改革局（科学技术局）、县科技局", "县卫健委、县卫生健康委员会", "县安委会办公室、县安委办",
        "县委宣传部、宣传部", "县市场监督管理局、县市场监管局", "县消防救援大队、县消防大队",
        "县交通运输局、县交通局", "县公安局、县公安局交管大队"])
    assert list(units) == ["县应急管理局", "县住房和城乡建设局", "县发展改革局", "县卫生健康委员会", "县安委会办公室",
                           "县委宣传部", "县市场监督管理局", "县消防救援大队", "县交通运输局", "县公安局",
                           "县公安局交管大队"]
    assert units["县应急管理局"].aliases == ["县应急局", "应急局"] and units["县应急管理局"].short == "应急管理局"
    assert units["县住房和城乡建设局"].written == ["县住建局", "县住房和城乡建设局", "县住房城乡建设局"]
    assert {"县科技局", "县科学技术局", "县发展改革局（科学技术局）"} <= set(units["县发展改革局"].aliases)
    assert "卫健委" in units["县卫生健康委员会"].aliases and "安委办" in units["县安委会办公室"].aliases
    assert units["县委宣传部"].short == "宣传部"
    assert [u.id for u in draft.units] == [f"U{i:02d}" for i in range(1, 12)]


def test_unrelated_names_stay_apart_and_shared_spellings_are_dropped():
    _, units = _units(["县教育局、县体育局", "县水利局、县水务局", "县民政局、县民族宗教局", "县发展改革委、县发展改革局"])
    assert len(units) == 8  # 委 and 局 are not abbreviations of each other: the office merges them if they are one
    # "市场局" abbreviates two units: it names neither, and the import says so.
    draft, units = _units(["县市场监督管理局", "县市场服务中心管理局", "县市场局"])
    assert "县市场局" in units and all("市场局" not in u.aliases for u in draft.units)


def test_towns_streets_and_kinds():
    draft, units = _units(["兴隆镇人民政府、兴隆镇", "大营子乡", "东城街道办事处、西城街道", "县供电公司"])
    assert (units["兴隆镇人民政府"].kind, units["兴隆镇人民政府"].short) == ("乡镇", "兴隆镇")
    assert units["大营子乡"].kind == "乡镇" and units["东城街道办事处"].kind == "街道"
    assert units["东城街道办事处"].short == "东城街道" and units["县供电公司"].kind == "其他"
    assert units["兴隆镇人民政府"].groups == ["乡镇"] and units["西城街道"].groups == ["街道"]
    groups = {g.kind.id: g for g in draft.groups}
    assert groups["乡镇"].members == ["兴隆镇人民政府", "大营子乡"]


@pytest.mark.parametrize("phrase, gid", [
    ("各乡镇人民政府", "乡镇"), ("各镇人民政府", "乡镇"), ("各乡（镇）", "乡镇"), ("各苏木镇", "乡镇"), ("各街道办事处", "街道"),
    ("各街道", "街道"), ("各乡镇（街道）", "乡镇街道"), ("各镇街", "乡镇街道"),
    ("各负有安全生产监管职责的部门", "监管部门"), ("负有安全生产监督管理职责的部门", "监管部门"),
    ("各成员单位", "成员单位"), ("县安委会各成员单位", "成员单位"), ("各有关部门", "有关部门"), ("相关单位", "有关部门"),
    ("各行业主管部门", "行业主管部门"),
])
def test_collective_phrases(phrase, gid):
    assert collective(phrase).id == gid


@pytest.mark.parametrize("name", ["县应急管理局", "兴隆镇", "东城街道办事处", "团县委", "县安委会办公室"])
def test_unit_names_are_not_collective(name):
    assert collective(name) is None


def test_groups_drafted_and_their_members():
    draft = draft_units(["各乡镇（街道）", "县应急管理局等部门", "各负有安全生产监管职责的部门、县委宣传部", "各成员单位",
                         "兴隆镇"], "县")
    groups = {g.kind.id: g for g in draft.groups}
    assert groups["乡镇街道"].group().includes == ["乡镇", "街道"]
    assert groups["有关部门"].others and not groups["有关部门"].members
    assert groups["监管部门"].members == ["县应急管理局"] and groups["监管部门"].tentative  # 宣传部 has no such duty
    assert groups["成员单位"].members == ["县应急管理局", "县委宣传部"]
    directory = draft.directory()
    assert directory.resolve("各乡镇（街道）").units == ("兴隆镇",)
    assert directory.resolve("各乡镇、街道").units == ("兴隆镇",)


def test_jurisdiction():
    assert infer_jurisdiction("新城区安全生产治本攻坚三年行动", []) == "区"
    assert infer_jurisdiction("", ["区应急局", "区公安分局", "市场监管局"]) == "区"
    assert infer_jurisdiction("", ["市场监督管理局", "市应急局", "市公安局"]) == "市"
    assert infer_jurisdiction("某旗安委会文件", []) == "旗"
    assert infer_jurisdiction("", []) == "县"


# --- header words ---------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("任务名称", "名称"), ("重点任务", "名称"), ("工作任务", "名称"), ("任务内容", "内容"), ("工作举措", "内容"),
    ("工作措施", "内容"), ("目标任务", "内容"), ("具体要求", "要求"), ("工作要求", "要求"), ("完成时间", "时间"),
    ("完成时限", "时间"), ("时间节点", "时间"), ("完成时限（年月）", "时间"), ("责任单位", "牵头"), ("牵头单位", "牵头"),
    ("配合单位", "配合"), ("协同单位", "配合"), ("序号", "序号"), ("备注", "备注"), ("进展情况", None), ("主办单位", None),
])
def test_header_words(text, kind):
    assert word_kind(text) == kind


def test_two_row_header_and_shapes(tmp_path):
    """责任单位 over 牵头单位 | 配合单位; 任务名称 + 具体要求 as task and requirement."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "具体要求", "完成时间", "责任单位", None])
    ws.append([None, None, None, None, "牵头单位", "配合单位"])
    ws.merge_cells("E1:F1")
    for col in "ABCD":
        ws.merge_cells(f"{col}1:{col}2")
    ws.append([1, "落实责任", "制定清单", "2024年底", "区应急局", "区公安分局"])
    ws.append([2, "排查隐患", "建立台账", "2025年6月", "区住建局", None])
    wb.save(tmp_path / "t.xlsx")
    result = import_table(tmp_path / "t.xlsx")
    assert [(t.no, t.text, t.units_text, t.support_text) for t in result.tasks] == [
        (1, "落实责任", "区应急局", "区公安分局"), (2, "排查隐患", "区住建局", "")]
    assert [m.requirement for m in result.milestones] == ["制定清单", "建立台账"]
    assert "E 牵头单位 → 牵头" in result.report[2] and "F 配合单位 → 配合" in result.report[2]


def test_one_text_column_is_task_and_requirement(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["工作任务", "完成时限", "责任部门"])
    wb.active.append(["开展安全生产大检查", "2024年底", "县应急局"])
    wb.active.append(["开展安全生产大检查", "2025年底", "县应急局"])
    wb.active.append(["修订应急预案", "持续推进", "县应急局"])
    wb.save(tmp_path / "t.xlsx")
    result = import_table(tmp_path / "t.xlsx")
    assert [(t.no, t.text, [m.requirement for m in t.milestones]) for t in result.tasks] == [
        (1, "开展安全生产大检查", ["开展安全生产大检查", "开展安全生产大检查"]), (2, "修订应急预案", ["修订应急预案"])]


def test_parse_columns():
    assert parse_columns("任务=B,要求=C,时间=F,牵头=D,配合=E") == {"任务": 1, "要求": 2, "时间": 5, "牵头": 3, "配合": 4}
    assert parse_columns("类别=1，任务=2 时间=3；责任=4")["牵头"] == 3
    assert parse_columns("任务=B,时间=C,牵头=D")["要求"] == 1  # one text column: task and requirement
    for bad, words in (("任务B", "应写成"), ("事项=B,时间=C,牵头=D", "不是可指定的列"), ("任务=B,时间=C", "缺少：牵头"),
                       ("任务=B,时间=3x,牵头=D", "列应写成字母")):
        with pytest.raises(NoticesError, match=words):
            parse_columns(bad)
