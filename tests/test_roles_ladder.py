"""Lead and supporting units on the ladder, through the CLI: a 督办函 goes to the lead unit,
with its supporting unit's failures on the task it leads; the supporting unit gets no letter
of its own and is told who answers; with [escalation] duban_to = "全部责任单位" each gets its own.

Task 1 (建立台账, 2026年10月底): 县应急管理局 leads, 县公安局 supports. Both report in round
2026-11: the lead says 正在推进, the supporting unit 未启动 — both overdue.
"""

from __future__ import annotations

from notices.file.register import Register
from notices.project import Project, db_path
from test_ladder import CONFIG
from test_truthful_rounds import PLAN_HEAD, cli, collect, text

PLAN = PLAN_HEAD + """\
  - no: 1
    category: 1
    text: 建立台账。
    units: 县应急管理局
    support: 县公安局
    milestones:
      - id: "1-1"
        requirement: 建立隐患排查台账
        deadline: 2026年10月底
"""

UNITS = """\
groups:
  - id: 部门
    name: 县直部门
units:
  - name: 县应急管理局
    id: U01
    short: 应急管理局
    kind: 部门
    groups: [部门]
  - name: 县公安局
    id: U02
    short: 公安局
    kind: 部门
    groups: [部门]
"""




def office(tmp_path, extra: str = ""):
    root = tmp_path / "office"
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "registry" / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "notices.toml").write_text(CONFIG + extra, encoding="utf-8")
    (root / "outputs").mkdir()
    collect(root, "2026-11", "2026-11-30", {"应急管理局": {("1-1", ""): ("正在推进", None)},
                                            "公安局": {("1-1", ""): ("未启动", None)}})
    return root




def test_the_lead_unit_answers_for_its_supporting_unit(tmp_path):
    root = office(tmp_path)
    out = cli(root, "plan", "--as-of", "2026-11-30", "--date", "2026-12-01", "--save", str(root / "p.yaml"))
    lead = next(line for line in out.splitlines() if "县应急管理局" in line)
    support = next(line for line in out.splitlines() if "县公安局" in line)
    assert "发督办函：规则一：逾期2项，尚未就此发督办函" in lead
    assert "不发文：配合事项（逾期1项）由牵头单位县应急管理局负责，督办函发给牵头单位" in support
    refused = cli(root, "issue", "督办函", "--unit", "公安局", "--as-of", "2026-11-30", "--date", "2026-12-01", ok=False)
    assert "由牵头单位县应急管理局负责" in refused
    cli(root, "issue", "--plan", str(root / "p.yaml"))
    (letter,) = Register(db_path(Project(root)), root).list(kind="督办函")
    assert letter.recipients == ("县应急管理局",)
    assert letter.subjects == {"U01": ("1-1", "1-1|U02")}  # the supporting unit's item known by its id
    body = text(root / letter.outputs[0].path)
    assert "你单位牵头的任务中，配合单位县公安局逾期1项，请你单位督促落实。" in body
    assert "你单位最近一次于2026年11月30日报送为“正在推进”" in body
    assert "配合单位县公安局最近一次于2026年11月30日报送为“未启动”" in body
    # the next day nothing again, for either
    again = cli(root, "plan", "--as-of", "2026-11-30", "--date", "2026-12-02")
    assert "共：督办函 0 份" in again


def test_every_responsible_unit_its_own_letter_when_configured(tmp_path):
    root = office(tmp_path, '\n[escalation]\nduban_to = "全部责任单位"\n')
    out = cli(root, "plan", "--as-of", "2026-11-30", "--date", "2026-12-01")
    assert out.count("发督办函：规则一：逾期1项") == 2
