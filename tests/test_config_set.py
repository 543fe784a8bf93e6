"""`notices config set` changes one item and keeps every comment and other line of
notices.toml; a 督办函 or 约谈通知书 about to go out without [office] contact/phone is a
warning in `plan` and `issue` (--dry-run too)."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import run_cli
from notices.cli import main
from notices.config import EXAMPLE, load_config
from test_ladder import CONFIG, office  # noqa: F401  (fixture)
from test_status import A

DAY = ["--as-of", "2026-11-29", "--date", "2026-11-30"]
WARNING = "未填写联系人、联系电话，督办函将没有联系方式"


def test_set_keeps_the_file(tmp_path):
    root = tmp_path / "office"
    assert run_cli(tmp_path, "init", str(root)).exit_code == 0
    path = root / "notices.toml"
    before = path.read_text(encoding="utf-8").splitlines()
    for key, value in (("office.name", "某某县安全生产委员会办公室"), ("status.warn_days", "10"),
                       ("status.roll_deadlines", "否"), ("notices.area", "全旗"), ("archive.retention.督办函", "D30"),
                       ("calendar.extra_holidays", "2027-01-01，2027-01-02")):
        result = run_cli(root, "config", "set", key, value)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"已设置：{key} = ")
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert [b for _, b in changed] == ['name = "某某县安全生产委员会办公室"', 'extra_holidays = ["2027-01-01", "2027-01-02"]',
                                       "warn_days = 10", "roll_deadlines = false", 'area = "全旗"', '"督办函" = "D30"']
    config = load_config(path)
    assert config.section("status")["warn_days"] == 10 and config.section("status")["roll_deadlines"] is False
    assert config.section("archive")["retention"]["督办函"] == "D30"


def test_set_refuses_what_it_cannot_set(tmp_path):
    (tmp_path / "notices.toml").write_text("# 本办的配置\n[office]\nname = \"甲\"  # 全称\n", encoding="utf-8")
    result = run_cli(tmp_path, "config", "set", "office.nam", "乙")
    assert result.exit_code == 1 and "没有配置项“office.nam”" in result.output and "office.name" in result.output
    result = run_cli(tmp_path, "config", "set", "status.warn_days", "十天")
    assert result.exit_code == 1 and "应为整数" in result.output
    assert (tmp_path / "notices.toml").read_text(encoding="utf-8") == "# 本办的配置\n[office]\nname = \"甲\"  # 全称\n"
    # A trailing comment stays; a missing section is added at the end.
    assert run_cli(tmp_path, "config", "set", "office.name", "乙").exit_code == 0
    assert run_cli(tmp_path, "config", "set", "numbering.督办函", "某安委办函").exit_code == 0
    assert (tmp_path / "notices.toml").read_text(encoding="utf-8") == (
        "# 本办的配置\n[office]\nname = \"乙\"  # 全称\n\n[numbering]\n\"督办函\" = \"某安委办函\"\n")


def run(root, *args):
    result = CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_set_keeps_comments_and_types(tmp_path):
    root = tmp_path / "office"
    assert run(tmp_path, "init", str(root))[0] == 0
    before = (root / "notices.toml").read_text(encoding="utf-8")
    for key, value in (("office.contact", "张三"), ("office.phone", "0415-1234567"), ("notices.long_list", "12"),
                       ("layout.sealed", "督办函，约谈通知书，通报"), ("layout.imprint_even_page", "是"),
                       ("archive.retention.督办函", "D30")):
        code, out, _ = run(root, "config", "set", key, value)
        assert code == 0 and "已设置" in out
    after = (root / "notices.toml").read_text(encoding="utf-8")
    # only the changed lines differ: every comment and every other item as they were
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(before.splitlines()) == len(after.splitlines()) and len(changed) == 6
    assert ('contact = ""', 'contact = "张三"') in changed
    config = load_config(root / "notices.toml")
    assert config.section("office")["phone"] == "0415-1234567" and config.section("notices")["long_list"] == 12
    assert config.section("layout")["sealed"] == ["督办函", "约谈通知书", "通报"]
    assert config.layout("通报")["sealed"] and config.layout("督办函")["imprint_even_page"]
    assert config.section("archive")["retention"]["督办函"] == "D30"
    assert config.missing_contact() == []


def test_set_refuses_unknown_items_and_bad_values(tmp_path):
    (tmp_path / "notices.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    before = (tmp_path / "notices.toml").read_bytes()
    code, _, err = run(tmp_path, "config", "set", "office.nope", "1")
    assert code == 1 and "没有配置项“office.nope”" in err and "office.contact" in err
    code, _, err = run(tmp_path, "config", "set", "notices.long_list", "八")
    assert code == 1 and "应为整数" in err and "Traceback" not in err
    assert (tmp_path / "notices.toml").read_bytes() == before


def test_contact_missing_is_a_warning_in_plan_and_issue(office):  # noqa: F811
    (office / "notices.toml").write_text(CONFIG.replace('contact = "王某"', 'contact = ""')
                                         .replace('phone = "0415-0000000"', 'phone = ""'), encoding="utf-8")
    code, _, err = run(office, "plan", *DAY)
    assert code == 0 and WARNING in err and "notices config set office.contact" in err
    code, out, err = run(office, "issue", "duban", *DAY, "--dry-run", "--unit", A)
    assert code == 0 and WARNING in err and "以上为预览" in out
    code, _, err = run(office, "issue", "tongbao", *DAY, "--dry-run")
    assert code == 0 and "联系方式" not in err  # a 通报 names no contact
    # set from the command line: the warning is gone
    run(office, "config", "set", "office.contact", "张三")
    code, _, err = run(office, "issue", "duban", *DAY, "--dry-run", "--unit", A)
    assert "未填写联系电话" in err and "联系人、" not in err
    run(office, "config", "set", "office.phone", "0415-1234567")
    code, _, err = run(office, "plan", *DAY)
    assert code == 0 and "联系方式" not in err
