"""`notices plan` / `notices issue` beyond the ladder: edited plans, errors that name
the line, dry runs, aliases, --templates, the print file, two processes at once and
a batch interrupted halfway.

Project and status as in test_ladder.py (A overdue, B unreported, C clean).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from notices.file.register import Register
from notices.project import Project, db_path
from test_ladder import CONFIG, cli, issued, office, text  # noqa: F401  (fixture)
from test_status import A, B, C

DAY = ["--as-of", "2026-11-29", "--date", "2026-11-30"]


def register(root) -> Register:
    return Register(db_path(Project(root)), root)


def saved_plan(root, name="plan.yaml") -> str:
    cli(root, "plan", *DAY, "--save", str(root / name))
    return (root / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_edited_plan_drops_a_unit(office):  # noqa: F811
    plan = saved_plan(office)
    (office / "plan.yaml").write_text(re.sub(rf"\n  - {B}  #[^\n]*", "", plan), encoding="utf-8")
    cli(office, "issue", "--plan", str(office / "plan.yaml"))
    assert [(k, s) for k, _, s in issued(office)] == [("通报", ()), ("督办函", (A,))]


def test_plan_errors_name_the_line_and_issue_nothing(office):  # noqa: F811
    plan = saved_plan(office)
    plan = plan.replace(f"  - {B}  #", f"  - {C}\n  - 县不存在局\n  - {B}  #")
    plan = plan.replace("约谈通知书: []", f"约谈通知书:\n  - 单位: {A}\n    时间: 下周三")
    (office / "plan.yaml").write_text(plan, encoding="utf-8")
    out = cli(office, "issue", "--plan", str(office / "plan.yaml"), ok=False)
    assert f"plan.yaml:{line_of(plan, '县不存在局')}" in out and "县不存在局" in out
    assert f"plan.yaml:{line_of(plan, '时间: 下周三')}" in out and "不是时间" in out
    assert "Traceback" not in out and issued(office) == []
    # C has nothing to answer for: refused by name before any number is taken
    edited = saved_plan(office, "plan2.yaml").replace(f"  - {B}  #", f"  - {C}\n  - {B}  #")
    (office / "plan2.yaml").write_text(edited, encoding="utf-8")
    out = cli(office, "issue", "--plan", str(office / "plan2.yaml"), ok=False)
    assert f"plan2.yaml:{line_of(edited, f'- {C}')}: {C}：{C}截至2026年11月29日没有逾期或未报送事项" in out
    assert issued(office) == []


def test_plan_from_another_round_is_refused(office):  # noqa: F811
    plan = saved_plan(office).replace("进度轮次: 2026-11", "进度轮次: 2026-10")
    (office / "plan.yaml").write_text(plan, encoding="utf-8")
    out = cli(office, "issue", "--plan", str(office / "plan.yaml"), ok=False)
    assert "进度数据已变，请重新生成计划" in out and issued(office) == []


def test_dry_run_marks_numbers_provisional_and_records_nothing(office):  # noqa: F811
    cli(office, "issue", "督办函", *DAY, "--unit", A)
    out = cli(office, "issue", "duban", *DAY, "--dry-run", "--unit", A, "--unit", "教育局")
    assert f"将发：督办函 某安委办函〔2026〕1号（已发过，不会重复）  {A}" in out
    assert f"将发：督办函 某安委办函〔2026〕2号（暂定）  {B}" in out
    assert len(issued(office)) == 1 and not list((office / "outputs" / "2026").glob("*/*教育局*"))


def test_chinese_aliases_and_meeting_options(office):  # noqa: F811
    # naming or summoning a unit the ladder has not brought there takes --force with a reason
    cli(office, "issue", "通报", *DAY, "--unit", "应急局", "--force", "--reason", "县政府专题会要求点名")
    cli(office, "issue", "约谈", *DAY, "--unit", A, "--time", "2026-12-03 14:30", "--place", "县政府三楼会议室",
        "--force", "--reason", "县政府专题会要求约谈")
    (bulletin,) = (office / "outputs" / "2026" / "通报").glob("*-通报.docx")
    assert f"1. {A}。" in text(bulletin).split("予以通报批评：")[1]
    (summons,) = (office / "outputs" / "2026" / "约谈通知书").glob("*.docx")
    body = text(summons)
    assert "2026年12月3日（星期四）下午2:30" in body and "地点：县政府三楼会议室。" in body
    assert "约谈事由" in body and "不得委托他人代替" in body
    # the bulletin named A, but as of the data's date (11-29) nothing followed it: no claimed history
    assert "经督办" not in body and "仍未整改到位" not in body


def test_own_templates_are_validated_before_any_number(office, tmp_path):  # noqa: F811
    from notices.render.template_build import letter

    own = tmp_path / "own"
    own.mkdir()
    with zipfile.ZipFile(own / "督办函.docx", "w") as z:
        with zipfile.ZipFile(__import__("io").BytesIO(letter("督办函"))) as src:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "word/document.xml":
                    data = data.replace(b"{{ recipient }}", b"{{ recipent }}")
                z.writestr(item, data)
    out = cli(office, "issue", "duban", *DAY, "--templates", str(own), ok=False)
    assert "recipent" in out and "recipient" in out and issued(office) == []


def test_print_file_holds_every_letter(office):  # noqa: F811
    out = cli(office, "issue", "duban", *DAY, "--print-file")
    (combined,) = (office / "outputs" / "2026" / "督办函").glob("打印合订本-2026-11-30.docx")
    assert str(combined) in out
    xml = zipfile.ZipFile(combined).read("word/document.xml").decode("utf-8")
    assert "某安委办函〔2026〕1号" in xml and "某安委办函〔2026〕2号" in xml
    if shutil.which("soffice"):  # each letter's pages counted: sections from the next page, blank pages of their own
        assert xml.count('w:val="oddPage"') == 0 and xml.count('w:val="nextPage"') == xml.count("<w:sectPr") >= 2
    else:  # odd-page sections, right in Word and WPS
        assert xml.count("<w:sectPr") == 2 and xml.count('w:val="oddPage"') == 2
        assert "未找到 LibreOffice" in out


def test_print_file_without_libreoffice_uses_odd_page_sections(office, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PATH", "/nonexistent")
    out = cli(office, "issue", "duban", *DAY, "--print-file")
    (combined,) = (office / "outputs" / "2026" / "督办函").glob("打印合订本-2026-11-30.docx")
    xml = zipfile.ZipFile(combined).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:sectPr") == 2 and xml.count('w:val="oddPage"') == 2
    assert "未找到 LibreOffice" in out and "请用 Word 或 WPS 打印" in out


def _issue_process(root, unit, day):
    # a letter a day for the same items: against the ladder, so forced (what is tested is the numbering)
    return subprocess.Popen([sys.executable, "-m", "notices", "-C", str(root), "issue", "duban", "--unit", unit,
                             "--as-of", "2026-11-29", "--date", day, "--force", "--reason", "测试"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_get_distinct_consecutive_numbers(office):  # noqa: F811
    days = ["2026-11-30", "2026-12-01", "2026-12-02"]
    for day in days:
        procs = [_issue_process(office, unit, day) for unit in (A, B)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err.decode("utf-8")
    records = register(office).list()
    assert [r.serial for r in records] == list(range(1, 2 * len(days) + 1))
    assert all(r.status == "issued" for r in records)
    assert len(list((office / "outputs" / "2026" / "督办函").glob("*.docx"))) == 2 * len(days)
    assert sorted((r.recipients[0], r.issued_on.isoformat()) for r in records) == sorted(
        (u, d) for u in (A, B) for d in days)


@pytest.mark.parametrize("where", ["render", "record"])
def test_interrupted_batch_completes_on_rerun(office, monkeypatch, where):  # noqa: F811
    """Killed after the first letter: before the second is written, or after it is
    written but before it is recorded. The re-run finishes without a gap or a duplicate."""
    from notices.file import register as register_module
    from notices.render import engine

    # the batch records its first document alone, then chunks: call 2 records the second
    target = (engine.Template, "render") if where == "render" else (register_module.Register, "record_many")
    original = getattr(*target)
    calls = []

    # render: call 1 is the batch's trial render before any number is taken
    kill_at = 3 if where == "render" else 2

    def dying(self, *args, **kw):
        calls.append(1)
        if len(calls) == kill_at:
            raise KeyboardInterrupt  # Ctrl+C: the second number is taken, its file not written / not recorded
        return original(self, *args, **kw)

    monkeypatch.setattr(*target, dying)
    from click.testing import CliRunner
    from notices.cli import main

    result = CliRunner().invoke(main, ["-C", str(office), "issue", "duban", *DAY])
    assert result.exit_code != 0 and "Traceback" not in result.output
    monkeypatch.setattr(*target, original)
    states = [r.status for r in register(office).list()]
    assert states == ["issued", "reserved"]
    out = cli(office, "issue", "duban", *DAY)
    records = register(office).list()
    assert [(r.serial, r.status) for r in records] == [(1, "issued"), (2, "issued")]
    assert "新发 1 份" in out
    files = sorted((office / "outputs" / "2026" / "督办函").glob("*.docx"))
    assert [f.name for f in files] == ["某安委办函〔2026〕1号-应急管理局.docx", "某安委办函〔2026〕2号-教育局.docx"]
    assert not list((office / "outputs" / "2026" / "督办函").glob(".~*"))
    assert all(c.state == "ok" for c in register(office).verify())


def test_bad_meeting_time_in_config_is_named(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG + '\n[notices]\nyuetan_time = "上午九点"\n', encoding="utf-8")
    out = cli(office, "plan", *DAY, ok=False)
    assert "yuetan_time" in out and "上午九点" in out and "Traceback" not in out


def test_options_before_the_kind_are_refused_not_ignored(office):  # noqa: F811
    out = cli(office, "issue", "--dry-run", "duban", *DAY, ok=False)
    assert "选项请写在文种之后" in out and issued(office) == []


def test_two_summons_in_one_room_at_one_time_are_refused(office):  # noqa: F811
    plan = saved_plan(office)
    plan = plan.replace("约谈通知书: []", f"约谈通知书:\n  - 单位: {A}\n    时间: 2026-12-03 09:00\n    原因: 测试\n"
                                        f"  - 单位: {B}\n    时间: 2026-12-03 09:30\n    原因: 测试\n")
    (office / "plan.yaml").write_text(plan, encoding="utf-8")
    out = cli(office, "issue", "--plan", str(office / "plan.yaml"), ok=False)
    assert "约谈时间2026-12-03 09:00与县教育局在县安委会办公室会议室的约谈（2026-12-03 09:30）重叠" in out
    assert issued(office) == []
    # without times of their own, each gets its own slot
    plan = saved_plan(office, "plan3.yaml").replace(
        "约谈通知书: []", f"约谈通知书:\n  - 单位: {A}\n    原因: 测试\n  - 单位: {B}\n    原因: 测试\n")
    (office / "plan3.yaml").write_text(plan, encoding="utf-8")
    cli(office, "issue", "--plan", str(office / "plan3.yaml"))
    times = sorted(r.details["meeting"] for r in register(office).list(kind="约谈通知书"))
    assert times == ["2026-12-03T09:00", "2026-12-03T10:00"]  # 3 working days after 11-30
