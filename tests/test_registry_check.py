"""`notices registry check`: every problem one Chinese line `file:line: message`."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli


def edit(project, name, old, new, count=1):
    path = project.root / "registry" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(project, name, needle, nth=1):
    lines = (project.root / "registry" / name).read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines, 1) if needle in line]
    return hits[nth - 1]


def check(project):
    result = run_cli(project, "registry", "check")
    assert "Traceback" not in result.output
    return result


def test_shipped_registry_is_clean(shipped_project):
    result = check(shipped_project)
    assert result.exit_code == 0, result.output
    assert "检查通过：8 类任务，44 项任务" in result.output


def test_mini_registry_is_clean(mini_project):
    result = check(mini_project)
    assert result.exit_code == 0, result.output
    assert "检查通过：2 类任务，3 项任务，5 个具体要求，4 个单位。" in result.output
    assert "示例乡镇一" in result.output  # samples are pointed out


def test_unknown_unit_names_task_line(mini_project):
    edit(mini_project, "plan.yaml", "units: 县教育局、消防救援大队等部门", "units: 县教育局、县宣传局")
    line = line_of(mini_project, "plan.yaml", "- no: 3")
    result = check(mini_project)
    assert result.exit_code == 1
    assert f"registry/plan.yaml:{line}: 第3项任务的责任单位“县宣传局”不在单位名录中" in result.output


def test_ambiguous_alias(mini_project):
    edit(mini_project, "units.yaml", "short: 教育局", "short: 教育局\n    aliases: [应急局]")
    result = check(mini_project)
    assert result.exit_code == 1
    line = line_of(mini_project, "units.yaml", "- name: 县教育局")
    assert f"registry/units.yaml:{line}: 名称“应急局”同时指“县应急管理局”和“县教育局”，会造成歧义" in result.output


def test_duplicate_milestone_id_and_task_number(mini_project):
    edit(mini_project, "plan.yaml", 'id: "1-2"', 'id: "1-1"')
    edit(mini_project, "plan.yaml", "- no: 3", "- no: 2")
    result = check(mini_project)
    assert result.exit_code == 1
    dup = line_of(mini_project, "plan.yaml", 'id: "1-1"', 2)
    first = line_of(mini_project, "plan.yaml", 'id: "1-1"', 1)
    assert f"registry/plan.yaml:{dup}: 具体要求编号“1-1”重复（第{first}行已有）" in result.output
    assert re.search(r"plan\.yaml:\d+: 任务序号2重复", result.output)


def test_unreadable_deadline(mini_project):
    edit(mini_project, "plan.yaml", "deadline: 2024年底", "deadline: 明年年底")
    line = line_of(mini_project, "plan.yaml", "deadline: 明年年底")
    result = check(mini_project)
    assert result.exit_code == 1
    assert f"registry/plan.yaml:{line}: 完成时间“明年年底”无法识别为日期" in result.output


def test_unknown_schedule(mini_project):
    edit(mini_project, "plan.yaml", "schedule: 每季度", "schedule: 每旬")
    line = line_of(mini_project, "plan.yaml", "schedule: 每旬")
    result = check(mini_project)
    assert f"registry/plan.yaml:{line}: 周期“每旬”无法识别" in result.output


def test_empty_required_field(mini_project):
    edit(mini_project, "plan.yaml", "requirement: 建立工作机制", 'requirement: ""')
    line = line_of(mini_project, "plan.yaml", 'requirement: ""')
    result = check(mini_project)
    assert f"registry/plan.yaml:{line}: 具体要求（requirement）不能为空" in result.output


def test_group_without_members(mini_project):
    """An empty group is a warning that says where to add members (an imported
    plan names "各街道办事处" long before the office lists its 街道)."""
    edit(mini_project, "units.yaml", "    groups: [乡镇]\n", "    groups: []\n")
    result = check(mini_project)
    line = line_of(mini_project, "units.yaml", "- id: 乡镇")
    assert result.exit_code == 0, result.output
    assert f"registry/units.yaml:{line}: 分组“乡镇人民政府”还没有成员单位：请在 " in result.output
    assert "registry/units.yaml 中，给属于该分组的每个单位的 groups 加上“乡镇”（如 groups: [乡镇]）" in result.output


def test_task_with_only_an_empty_group(mini_project):
    edit(mini_project, "units.yaml", "    groups: [监管部门]\n", "    groups: []\n", count=2)
    edit(mini_project, "plan.yaml", "shared_groups: [乡镇]", "shared_groups: []")
    result = check(mini_project)
    line = line_of(mini_project, "plan.yaml", "- no: 2", 2)  # the first is category 2
    assert result.exit_code == 0, result.output
    assert (f"registry/plan.yaml:{line}: 第2项任务目前没有具体的责任单位（分组“负有安全生产监管职责的部门”还没有成员单位）"
            in result.output)


def test_unknown_unit_suggests_close_names(mini_project):
    edit(mini_project, "plan.yaml", "units: 县教育局、消防救援大队等部门", "units: 县教育厅、县应急管理")
    result = check(mini_project)
    assert result.exit_code == 1
    assert "“县教育厅”不在单位名录中（是否指：县教育局？）" in result.output
    assert "“县应急管理”不在单位名录中（是否指：县应急管理局？）" in result.output


def test_lead_and_supporting_units(mini_project):
    edit(mini_project, "plan.yaml", "units: 县教育局、消防救援大队等部门",
         "units: 县教育局牵头，消防救援大队配合\n    support: 县应急局")
    from notices.read.registry import load_registry

    reg, _ = load_registry(mini_project.root / "registry")
    task = reg.task(3)
    assert task.lead_names == ["县教育局", "示例乡镇一"]  # the shared group leads on every task
    assert task.support_names == ["县消防救援大队", "县应急管理局"]
    assert task.unit_names == ["县教育局", "示例乡镇一", "县消防救援大队", "县应急管理局"]
    assert task.units_label == "牵头：县教育局牵头，消防救援大队配合；配合：县应急局"
    assert (task.role_of("县教育局"), task.role_of("县应急管理局"), task.role_of("县公安局")) == ("牵头", "配合", "")
    result = check(mini_project)
    assert result.exit_code == 0, result.output
    edit(mini_project, "plan.yaml", "support: 县应急局", "support: 县应急局、教育局")
    result = check(mini_project)
    line = line_of(mini_project, "plan.yaml", "- no: 3")
    assert result.exit_code == 0
    assert f"plan.yaml:{line}: 第3项任务中县教育局既是牵头单位又是配合单位，按牵头单位计（提示）" in result.output


def test_yaml_syntax_error_names_line(mini_project):
    edit(mini_project, "plan.yaml", "    text: 每季度开展一次检查。", "    text: 每季度开展一次检查。\n\tremark: x")
    line = line_of(mini_project, "plan.yaml", "\tremark")
    result = check(mini_project)
    assert result.exit_code == 1
    assert f"registry/plan.yaml:{line}: YAML 不能用制表符（Tab）缩进，请改用空格" in result.output


def test_duplicate_key(mini_project):
    edit(mini_project, "plan.yaml", "    remark: \"\"\n", "    remark: \"\"\n    remark: 重复\n")
    result = check(mini_project)
    assert result.exit_code == 1
    assert re.search(r"plan\.yaml:\d+: 键“remark”重复出现", result.output)


def test_not_utf8(mini_project):
    path = mini_project.root / "registry" / "units.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    result = check(mini_project)
    assert result.exit_code == 1
    assert "不是 UTF-8 编码" in result.output and "units.yaml:2: " in result.output  # line 2 holds the first Chinese text


def test_missing_file(mini_project):
    (mini_project.root / "registry" / "plan.yaml").unlink()
    result = check(mini_project)
    assert result.exit_code == 1 and "找不到文件：" in result.output and "plan.yaml" in result.output


@pytest.mark.parametrize("content", ["", "- just\n- a list\n", "plan: 1\n"])
def test_wrong_shape(mini_project, content):
    (mini_project.root / "registry" / "plan.yaml").write_text(content, encoding="utf-8")
    result = check(mini_project)
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["plan.yaml", "units.yaml", "seed-fixes.yaml"])
def test_libyaml_and_python_parsers_read_the_registry_alike(name):
    """Files are read with libyaml where PyYAML has it; the Python parser (which gives the
    messages) must read them to the same values and lines."""
    from notices.read import yamlsrc
    from notices.shipped import shipped

    if yamlsrc._FastLoader is None:
        pytest.skip("PyYAML without libyaml")
    text = (shipped("registry") / name).read_text(encoding="utf-8")
    fast, slow = yamlsrc._parse(yamlsrc._FastLoader, text), yamlsrc._parse(yamlsrc._Loader, text)

    def lines(value):
        if isinstance(value, dict):
            return [value.line, value.key_lines, *(lines(v) for v in value.values())]
        if isinstance(value, list):
            return [value.line, value.item_lines, *(lines(v) for v in value)]
        return value

    assert fast == slow and lines(fast) == lines(slow)
    assert yamlsrc._parse(yamlsrc._FastLoader, "no: 1\nok: yes\nflag: true\n") == {"no": 1, "ok": "yes", "flag": True}
