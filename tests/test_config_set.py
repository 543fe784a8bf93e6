"""`notices config set`: one setting changed, every comment and other line kept."""

from __future__ import annotations

from conftest import run_cli
from notices.config import load_config


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
