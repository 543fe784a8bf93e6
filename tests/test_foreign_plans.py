"""Another county in an afternoon: three other jurisdictions' own tables (tests/foreign_tables.py)
each carried through init --from → registry check → table → progress template → collect → status →
plan → issue --dry-run, with no hand edit but the office's name and 机关代字 (notices config set)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import run_cli
from foreign_tables import TABLES, Foreign
from notices.project import Project
from notices.read.registry import load_registry
from notices.render.progress_xlsx import FIRST_ROW, SHEET, col_index

ROUND, AS_OF = "2025-06", "2025-06-28"
D = dt.date


def cli(root: Path, *args, code=0):
    result = run_cli(root, *args)
    assert "Traceback" not in result.output and "内部出错" not in result.output, result.output
    assert result.exit_code == code, result.output
    return result.output


def docx_text(path: Path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))


@pytest.fixture(scope="module", params=TABLES, ids=[t.name for t in TABLES])
def office(request, tmp_path_factory):
    """The project made from the table, with the office's names filled in."""
    spec: Foreign = request.param
    tmp = tmp_path_factory.mktemp(spec.name)
    table = spec.build(tmp / spec.file)
    root = tmp / f"{spec.name}安委办"
    args = ["init", str(root), "--from", str(table)] + (["--columns", spec.columns] if spec.columns else [])
    out = cli(tmp, *args)
    for key, value in (("office.name", spec.office), ("office.short", spec.code),
                       ("numbering.督办函", spec.code + "函"), ("numbering.通报", spec.code),
                       ("numbering.约谈通知书", spec.code + "函")):
        assert f"config set {key}" in out  # the init says what to fill
        assert cli(root, "config", "set", key, value).startswith(f"已设置：{key} = ")
    return spec, root, out


def test_init_reports_what_it_formed(office):
    spec, root, out = office
    assert f"辖区用字“{spec.jurisdiction}”" in out
    for name in ("registry/plan.yaml", "registry/units.yaml", "registry/seed-fixes.yaml", "notices.toml",
                 "templates/督办函.docx"):
        assert (root / name).is_file(), name
    config = (root / "notices.toml").read_text(encoding="utf-8")
    assert config.startswith("# notices 配置文件")  # the commented example, comments kept by config set
    assert f'area = "全{spec.jurisdiction}"' in config and f'name = "{spec.office}"' in config
    assert f'office_ref = "{spec.jurisdiction}安委会办公室"' in config
    if spec.columns:
        assert "各列（按 --columns 指定）：A 序号 → 序号、B 工作事项 → 任务、C 推进举措 → 要求" in out


def test_registry_check_passes(office):
    spec, root, _ = office
    out = cli(root, "registry", "check")
    assert "检查通过" in out and "待填写" not in out and "岫" not in out


def test_units_clustered_and_groups(office):
    spec, root, out = office
    reg, directory = load_registry(root / "registry")
    units = {u.name: u for u in reg.units}
    text = (root / "registry" / "units.yaml").read_text(encoding="utf-8")
    assert re.findall(r'id: "(U\d+)"', text) == [f"U{i:02d}" for i in range(1, len(reg.units) + 1)]
    assert not any(n.startswith("各") or "等部门" in n or "牵头" in n or "配合" in n for n in units)
    assert directory.unit(spec.lead_unit).name == spec.lead_full
    if spec.name == "新城区":
        assert units["区应急管理局"].aliases == ["区应急局", "应急局"]
        assert {u.name for u in reg.units if u.kind == "街道"} == {"东城街道办事处", "西城街道"}
        assert directory.members("街道") == ["东城街道办事处", "西城街道"]
        assert "U01 区应急管理局（部门，简称 应急管理局；表中写法 区应急管理局、区应急局 合为一个单位）" in out
        task4 = reg.task(4)
        assert task4.support_names == [] and "区公安分局" in task4.lead_names  # 监管部门 members lead
        task1 = reg.task(1)
        assert task1.lead_names == ["区应急管理局"] and task1.support_names == ["区委组织部", "东城街道办事处", "西城街道"]
        assert reg.task(2).units_text == "区住建局" and reg.task(2).support_text == "区交通运输局等部门"
    if spec.name == "河口县":
        dev = directory.unit("县科技局")
        assert dev.name == "县发展改革局" and "县发展改革局（科学技术局）" in dev.aliases
        assert directory.unit("县住建局").name == "县住房和城乡建设局"
        assert {u.name for u in reg.units if u.kind == "乡镇"} == {"城关镇人民政府", "河口镇"}
        assert directory.members("乡镇") == ["城关镇人民政府", "河口镇"]
        assert directory.group_id("各镇人民政府") == directory.group_id("各乡镇人民政府") == "乡镇"  # one group
        assert "县委宣传部" in reg.task(5).lead_names and "县应急管理局" in reg.task(5).support_names
        assert "# 暂定" in text  # 成员单位: tentative members for the office to confirm
        assert set(reg.task(2).lead_names) >= {"县应急管理局", "县委办公室", "县安委会办公室"}
    if spec.name == "乌兰旗":
        assert directory.unit("旗工信局").name == "旗工业和信息化局"
        assert [t.text for t in reg.tasks] == ["开展安全生产大检查", "落实企业主体责任", "强化执法检查", "完善应急预案"]
        assert [c.name for c in reg.categories] == ["主要任务"]
        # "牵头单位：…；配合单位：…" on one row, the supporter leading on the next: lead wins
        assert reg.task(3).units_text == "旗应急管理局、旗市场监管局" and reg.task(3).support_text == "旗市场监督管理局"
        assert reg.task(3).lead_names == ["旗应急管理局", "旗市场监督管理局"] and reg.task(3).support_names == []
        assert "旗市场监管局" in directory.unit("旗市场监督管理局").aliases
        assert directory.groups["乡镇"].name == "乡镇人民政府" and not directory.members("乡镇")
        assert "分组“乡镇人民政府”（编号 乡镇，表中写作 各苏木镇、各苏木镇人民政府）：还没有成员单位" in out


EXPECTED_DUES = {
    "新城区": {"1-1": [D(2024, 12, 31)], "2-1": [D(2024, 6, 30)], "3-1": [D(2024, 9, 30)], "4-1": [D(2025, 6, 30)],
             "5-1": [D(2024, 6, 30), D(2025, 6, 30)], "6-1": [D(2025, 3, 31)]},
    "河口县": {"1-1": [D(2024, 12, 31), D(2025, 12, 31)], "1-2": [D(2025, 6, 30)], "2-1": [D(2024, 12, 31)],
             "2-2": [D(2025, 6, 30)], "4-2": [D(2025, 12, 31)], "5-1": [D(2025, 12, 31)], "5-3": [D(2025, 12, 31)],
             "6-1": [D(2025, 9, 30)]},
    "乌兰旗": {"1-1": [D(2024, 9, 15)], "2-2": [D(2025, 6, 30)], "3-1": [D(2026, 12, 31)],
             "3-2": [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)], "4-1": [D(2024, 12, 30)]},
}
ONGOING = {"新城区": {"4-2"}, "河口县": {"3-2", "5-2"}, "乌兰旗": set()}


def test_every_deadline_read(office):
    spec, root, _ = office
    reg, _ = load_registry(root / "registry")
    ms = {m.id: m for m in reg.milestones}
    for mid, dates in EXPECTED_DUES[spec.name].items():
        assert [d.date for d in ms[mid].dues] == dates, (mid, ms[mid].deadline)
    assert {m.id for m in reg.milestones if m.ongoing} == ONGOING[spec.name]
    if spec.name == "新城区":
        assert len(ms["1-2"].dues) == 8 and len(ms["3-2"].dues) == 24  # 每季度, 每月 over 2024–2025
    if spec.name == "河口县":
        assert [d.key for d in ms["3-1"].dues] == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
        assert len(ms["4-1"].dues) == 24
    if spec.name == "乌兰旗":
        assert ms["1-2"].dues[0].date == D(2024, 1, 10) and len(ms["1-2"].dues) == 36  # 每月10日前
        assert [d.date for d in ms["2-1"].dues] == [D(2024, 3, 15), D(2025, 3, 15), D(2026, 3, 15)]
        assert [d.key for d in ms["4-2"].dues][:2] == ["2025-Q1", "2025-Q2"] and len(ms["4-2"].dues) == 8


def test_plan_named_not_the_table(office):
    spec, root, _ = office
    reg, _ = load_registry(root / "registry")
    assert reg.plan.title.startswith(spec.name) and not reg.plan.title.endswith(("表", "清单"))
    assert reg.plan.table_title.startswith(spec.name)


def _fill(folder: Path, skip_unit: str) -> Path:
    """Fill every unit's form as units do: the first requirement of each task done
    in time, the rest under way; one unit sends nothing back."""
    returned = folder.parent / "报回"
    returned.mkdir(exist_ok=True)
    for path in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        ws = wb[SHEET]
        c = {key: col_index(key) for key in ("id", "unit", "state", "completed_on", "percent", "text", "reporter",
                                             "phone")}
        unit = ws.cell(FIRST_ROW, c["unit"]).value
        if unit == skip_unit:
            continue
        for r in range(FIRST_ROW, ws.max_row + 1):
            mid = ws.cell(r, c["id"]).value
            if not mid:
                continue
            if mid.endswith("-1"):
                ws.cell(r, c["state"], "已完成")
                ws.cell(r, c["completed_on"], dt.datetime(2024, 3, 20))
                ws.cell(r, c["percent"], 100)
                ws.cell(r, c["text"], "已按要求完成")
            else:
                ws.cell(r, c["state"], "正在推进")
                ws.cell(r, c["percent"], 50)
                ws.cell(r, c["text"], "正在推进")
            ws.cell(r, c["reporter"], "张三")
            ws.cell(r, c["phone"], "13800000000")
        wb.save(returned / path.name)
    return returned


def test_round_status_plan_and_letters(office):
    spec, root, _ = office
    cli(root, "table")
    table = next((root / "outputs" / "序时进度表").glob("序时进度表*.docx"))
    text = docx_text(table)
    assert spec.name in text and "岫" not in text
    if spec.name == "新城区":
        assert "牵头：区应急管理局；配合：区委组织部、各街道办事处" in text
    cli(root, "table", "--unit", spec.lead_unit)
    out = cli(root, "progress", "template", "--round", ROUND, "--all-units")
    forms = root / "outputs" / ROUND / "填报表"
    reg, _ = load_registry(root / "registry")
    # one unit sends nothing back (not the office's own entry: it is never sent a letter)
    silent = next(u.name for u in reversed(reg.units) if "安委会办公室" not in u.name)
    out = cli(root, "progress", "collect", str(_fill(forms, silent)), "--round", ROUND, "--as-of", AS_OF)
    assert "已收集" in out
    status = json.loads(cli(root, "status", "--as-of", AS_OF, "--json"))
    # the office's own entry, when the plan names it, is listed apart (internal)
    items = [(u["unit"], i) for u in status["units"] + status["internal"] for i in u["items"]]
    ms = {m.id: m for m in reg.milestones}
    # one item per (unit, milestone), and per period of a recurring one
    assert len({(u, i["milestone_id"]) for u, i in items}) == sum(len(t.unit_names) * len(t.milestones)
                                                                 for t in reg.tasks)
    for unit, item in items:
        mid = item["milestone_id"]
        if mid in ONGOING[spec.name]:
            assert item["status"] != "逾期"  # never overdue by date
            assert item["status"] == ("未报送" if unit == silent else "正常推进"), (unit, item)
        elif mid.endswith("-1") and unit != silent and len(ms[mid].dues) == 1:
            assert item["status"] == "已完成", (unit, item)  # done 2024-03-20, before every deadline
        elif unit == silent and ms[mid].dues[0].date < D(2025, 6, 28) and not ms[mid].recurring:
            assert item["status"] == "逾期" and item["unreported"], (unit, item)
    text = cli(root, "status", "--as-of", AS_OF, "--xlsx", str(root / "outputs" / "汇总.xlsx"))
    assert text.splitlines()[1].startswith(f"全{spec.jurisdiction}：应完成")
    wb = openpyxl.load_workbook(root / "outputs" / "汇总.xlsx")
    assert any(c.value == f"全{spec.jurisdiction}合计" for row in wb["类别"].iter_rows() for c in row)
    assert "全县" not in text or spec.jurisdiction == "县"

    out = cli(root, "plan", "--as-of", AS_OF, "--date", AS_OF, "--save", str(root / "发文计划.yaml"))
    # the silent unit gets a letter when something of its own is overdue or due and unreported
    # (periods of recurring requirements that ended before this first round are not judged)
    flagged = any(i["flagged"] for u in status["units"] if u["unit"] == silent for i in u["items"])
    line = next(line for line in out.splitlines() if line.strip().startswith(silent))
    assert ("发督办函" in line) == flagged, line
    letters = int(re.search(r"共：督办函 (\d+) 份", out).group(1))
    out = cli(root, "issue", "--plan", str(root / "发文计划.yaml"), "--dry-run")
    assert f"通报 {spec.code}〔2025〕1号（暂定）" in out
    assert (f"督办函 {spec.code}函〔2025〕1号（暂定）" in out) == (letters > 0)
    assert not (root / "outputs" / "2025").exists()


def test_unknown_unit_suggests(office):
    spec, root, _ = office
    wrong = spec.lead_unit[:-1] + "厅"  # 应急局 -> 应急厅
    result = run_cli(root, "table", "--unit", wrong)
    assert result.exit_code == 1
    assert f"单位名称“{wrong}”不在单位名录中。是否指：{spec.lead_full}" in result.output


def test_placeholders_stop_issuing_until_filled(tmp_path):
    """Before the office's names are filled, issue refuses and says what to run."""
    table = TABLES[0].build(tmp_path / TABLES[0].file)
    root = tmp_path / "office"
    cli(tmp_path, "init", str(root), "--from", str(table))
    check = cli(root, "registry", "check")
    assert "office.name）仍是“待填写”，发文前请填写，如：notices config set office.name" in check
    assert re.search(r"notices\.toml:\d+: 督办函的机关代字（numbering\.督办函）仍是“待填写”", check)
    out = cli(root, "issue", "督办函", "--as-of", AS_OF, "--date", AS_OF, "--dry-run", code=1)
    assert "尚未填写" in out and "notices config set office.name" in out


def test_readme_first_line_runs(tmp_path):
    """The README's first command, on a foreign table instead of the sample."""
    spec = TABLES[1]
    table = spec.build(tmp_path / spec.file)
    root = tmp_path / "office"
    cli(tmp_path, "init", str(root), "--from", str(table))
    for key, value in (("office.name", spec.office), ("office.short", spec.code), ("numbering.督办函", spec.code + "函"),
                       ("numbering.通报", spec.code), ("numbering.约谈通知书", spec.code + "函")):
        cli(root, "config", "set", key, value)
    cli(root, "registry", "check")
    cli(root, "progress", "sample", "--round", ROUND, "--out", str(root / "报回"))
    cli(root, "progress", "collect", str(root / "报回"), "--round", ROUND, "--as-of", AS_OF, "--accept-warnings")
    cli(root, "status", "--as-of", AS_OF, "--xlsx", str(root / "outputs" / f"进度汇总-{ROUND}.xlsx"))
    cli(root, "table", "--progress", "--as-of", AS_OF, "--as-attachment", "1", "--xlsx")
    cli(root, "table", "--unit", spec.lead_unit)
    cli(root, "plan", "--as-of", AS_OF, "--date", AS_OF, "--save", str(root / "发文计划.yaml"))
    out = cli(root, "issue", "--plan", str(root / "发文计划.yaml"), "--print-file")
    letters = sorted((root / "outputs" / "2025" / "督办函").glob("*.docx"))
    assert letters
    text = docx_text(letters[0])
    assert spec.office in text and f"{spec.code}函〔2025〕" in text and "岫" not in text
    assert "关于督促加快推进安全生产治本攻坚三年行动任务落实的函" in text
    assert "根据《河口县安全生产治本攻坚三年行动实施方案》要求" in text  # no 文号 yet: none cited
    assert "序时进度表任务落实" not in text  # the plan's name, not the table's title
    assert cli(root, "register", "list").count(spec.code) >= len(letters)
    assert Project(root).config.section("office")["name"] == spec.office


def test_import_over_the_sample_project(tmp_path):
    """init (the sample) then registry import of another county's table: the registry is
    replaced as a whole (a dated copy kept) and notices.toml forgets the sample's office."""
    root = tmp_path / "office"
    cli(tmp_path, "init", str(root))
    config = (root / "notices.toml").read_text(encoding="utf-8")
    sample_office = re.search(r'^name = "(.+)"$', config, re.M).group(1)
    assert sample_office.endswith("安全生产委员会办公室")  # from the sample plan's issuer, not from code
    spec = TABLES[0]
    table = spec.build(tmp_path / spec.file)
    refused = cli(root, "registry", "import", str(table), code=1)
    assert "已存在，未做任何改动" in refused and "--force" in refused
    before = (root / "registry" / "units.yaml").read_bytes()
    out = cli(root, "registry", "import", str(table), "--force")
    (backup,) = tmp_path.glob("office/registry-备份-*")
    assert "原登记表已备份到" in out and (backup / "units.yaml").read_bytes() == before
    assert (backup / "plan.yaml").is_file() and (backup / "seed-fixes.yaml").is_file()
    assert "notices.toml：office.name = \"待填写\"" in out and "notices.toml：notices.area = \"全区\"" in out
    config = (root / "notices.toml").read_text(encoding="utf-8")
    assert sample_office not in config and 'area = "全区"' in config
    assert "岫" not in (root / "registry" / "units.yaml").read_text(encoding="utf-8")
    assert "fixes: []" in (root / "registry" / "seed-fixes.yaml").read_text(encoding="utf-8")
    check = cli(root, "registry", "check")
    assert "检查通过：2 类任务，6 项任务" in check and "office.name）仍是“待填写”" in check
    # What the office filled in itself is kept on the next import.
    cli(root, "config", "set", "office.name", spec.office)
    out = cli(root, "registry", "import", str(table), "--force")
    assert "office.name" not in out
    assert f'name = "{spec.office}"' in (root / "notices.toml").read_text(encoding="utf-8")
    assert len(list(tmp_path.glob("office/registry-备份-*"))) == 2


def test_columns_needed_and_wrong(tmp_path):
    spec = TABLES[2]
    table = spec.build(tmp_path / spec.file)
    out = cli(tmp_path, "init", str(tmp_path / "a"), "--from", str(table), code=1)
    assert "未找到序时进度表的表头" in out
    assert "找到的列：A 序号、B 工作事项、C 推进举措、D 完成期、E 主办单位、F 协办单位、G 备注" in out
    assert "--columns 任务=B,要求=C,时间=F,牵头=D,配合=E" in out
    assert not (tmp_path / "a").exists()  # nothing created
    out = cli(tmp_path, "init", str(tmp_path / "b"), "--from", str(table), "--columns", "任务=B,时间=X9", code=1)
    assert "“时间=X9”的列应写成字母" in out
    out = cli(tmp_path, "init", str(tmp_path / "b"), "--from", str(table), "--columns", "任务=B,时间=D", code=1)
    assert "至少要指定 任务、时间、牵头 三列，缺少：牵头" in out
    assert not (tmp_path / "b").exists()


def test_unknown_deadline_named_with_its_fix(tmp_path):
    spec = TABLES[0]
    table = spec.build(tmp_path / spec.file)
    wb = openpyxl.load_workbook(table)
    wb.active["D15"] = "视上级部署"
    wb.save(table)
    root = tmp_path / "office"
    out = cli(tmp_path, "init", str(root), "--from", str(table), code=1)
    assert ("新城区重点任务清单.xlsx 重点任务!D15: 完成时间“视上级部署”无法识别为日期或周期" in out
            and "“due: 2025-12-31”" in out and "“ongoing: true”" in out and "（具体要求 6-1）" in out)
    check = cli(root, "registry", "check", code=1)
    assert re.search(r"registry/plan\.yaml:\d+: 完成时间“视上级部署”无法识别为日期或周期", check)
    # The fix the message gives, written under the milestone, makes the registry load.
    plan = root / "registry" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("deadline: 视上级部署\n", "deadline: 视上级部署\n        ongoing: true\n"), encoding="utf-8")
    assert "检查通过" in cli(root, "registry", "check")
    reg, _ = load_registry(root / "registry")
    assert next(m for m in reg.milestones if m.id == "6-1").ongoing
