"""Lead (牵头) and supporting (配合) units: kept apart from the table to the registry,
and the 督办函 goes to the lead unit unless configured otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from notices.assess.roles import ALL_UNITS, LEAD_ONLY, duban_to_from_config, letter_items, letter_units
from notices.assess.status import assess
from notices.config import load_config
from notices.directory import LEAD, SUPPORT, Directory, mentions
from notices.errors import NoticesError
from notices.model import Category, Due, Group, Milestone, PlanInfo, Registry, Report, Task, Unit

D = dt.date


@pytest.mark.parametrize("cell, expected", [
    ("县应急局牵头，县公安局、县交通局配合", [("县应急局", LEAD), ("县公安局", SUPPORT), ("县交通局", SUPPORT)]),
    ("牵头单位：县应急局；配合单位：县公安局", [("县应急局", LEAD), ("县公安局", SUPPORT)]),
    ("县应急局（牵头），县公安局（配合）", [("县应急局", LEAD), ("县公安局", SUPPORT)]),
    ("县应急管理局（牵头）、县公安局、县住建局", [("县应急管理局", LEAD), ("县公安局", SUPPORT), ("县住建局", SUPPORT)]),
    ("县应急局负责，各乡镇配合", [("县应急局", LEAD), ("各乡镇", SUPPORT)]),
    ("县应急局、县公安局", [("县应急局", LEAD), ("县公安局", LEAD)]),
    ("县应急局 县公安局", [("县应急局", LEAD), ("县公安局", LEAD)]),
])
def test_role_words(cell, expected):
    assert [(m.name, m.role) for m in mentions(cell) if not m.others] == expected


def test_others_are_supporting():
    found = mentions("县应急管理局、县住建局等部门")
    assert [(m.name, m.role, m.others) for m in found] == [
        ("县应急管理局", LEAD, False), ("县住建局", LEAD, False), ("有关部门", SUPPORT, True)]
    assert Directory.split("县应急管理局、县住建局等部门") == ["县应急管理局", "县住建局"]


def _directory(with_others=True):
    units = [Unit("县应急管理局", "应急管理局", ["县应急局"]), Unit("县公安局"), Unit("县交通运输局", groups=["有关部门"]),
             Unit("甲镇", kind="乡镇", groups=["乡镇"])]
    groups = [Group("乡镇", "乡镇人民政府", ["乡镇"])]
    if with_others:
        groups.append(Group("有关部门", "有关部门"))
    return Directory(units, groups)


def test_resolution_keeps_roles_apart():
    res = _directory().resolve("县应急局牵头，县公安局配合", ["乡镇"], support="县交通运输局、县应急管理局")
    assert res.lead == ("县应急管理局", "甲镇")  # the shared group answers for every task
    assert res.support == ("县公安局", "县交通运输局")  # a lead unit is never also supporting
    assert res.units == ("县应急管理局", "甲镇", "县公安局", "县交通运输局")
    # "等部门": the group 有关部门 when units.yaml defines one, else nothing more
    assert _directory().resolve("县公安局等部门").support == ("县交通运输局",)
    assert _directory(False).resolve("县公安局等部门").units == ("县公安局",)
    empty = Directory([Unit("县公安局")], [Group("有关部门", "有关部门")]).resolve("县公安局等部门")
    assert empty.empty_groups == ("有关部门",)


def _registry():
    plan = PlanInfo("方案", "进度表", "机关", "代字", "", D(2024, 1, 1), D(2024, 1, 1), D(2025, 12, 31))
    lead = Task(1, 1, "任务一", "甲局牵头，乙局配合", milestones=[Milestone("1-1", 1, "要求", "2024年底",
                dues=[Due(D(2024, 12, 31), "2024年")])],
                unit_names=["甲局", "乙局"], lead_names=["甲局"], support_names=["乙局"])
    plain = Task(2, 1, "任务二", "乙局、丙局", milestones=[Milestone("2-1", 2, "要求", "2024年底",
                 dues=[Due(D(2024, 12, 31), "2024年")])],
                 unit_names=["乙局", "丙局"], lead_names=["乙局", "丙局"])
    return Registry(plan, [Category(1, "类别", "")], [lead, plain], [Unit("甲局"), Unit("乙局"), Unit("丙局")], [])


def test_letters_go_to_the_lead_unit():
    reg = _registry()
    lead, plain = reg.tasks
    assert letter_units(lead) == ["甲局"] and letter_units(lead, ALL_UNITS) == ["甲局", "乙局"]
    assert letter_units(plain) == ["乙局", "丙局"]
    assert letter_units(Task(3, 1, "只有配合", "", unit_names=["乙局"], support_names=["乙局"])) == ["乙局"]
    # Everyone is overdue in 2025 and nobody reported: 乙局's item on task 1 goes into 甲局's letter.
    result = assess(reg, [Report("丙局", "2-1", "正在推进", round_id="2025-03", reported_on=D(2025, 3, 31))],
                    D(2025, 3, 31))
    flagged = [i for i in result.items if i.flagged]
    assert {(i.unit, i.milestone_id) for i in flagged} == {("甲局", "1-1"), ("乙局", "1-1"), ("乙局", "2-1"),
                                                           ("丙局", "2-1")}
    letters = letter_items(flagged, reg)
    assert {u: sorted((i.unit, i.milestone_id) for i in items) for u, items in letters.items()} == {
        "甲局": [("乙局", "1-1"), ("甲局", "1-1")], "乙局": [("乙局", "2-1")], "丙局": [("丙局", "2-1")]}
    everyone = letter_items(flagged, reg, ALL_UNITS)
    assert sorted((i.unit, i.milestone_id) for i in everyone["乙局"]) == [("乙局", "1-1"), ("乙局", "2-1")]


def test_duban_to_setting(tmp_path):
    assert duban_to_from_config(load_config(None)) == LEAD_ONLY
    path = tmp_path / "notices.toml"
    path.write_text('[escalation]\nduban_to = "全部责任单位"\n', encoding="utf-8")
    assert duban_to_from_config(load_config(path)) == ALL_UNITS
    path.write_text('[escalation]\nduban_to = "配合单位"\n', encoding="utf-8")
    with pytest.raises(NoticesError, match="duban_to"):
        duban_to_from_config(load_config(path))
