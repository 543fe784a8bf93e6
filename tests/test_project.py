"""Office folders: `notices init`, finding registry/templates/config, shipped defaults."""

from __future__ import annotations

import zipfile

from conftest import run_cli
from notices.project import Project


def test_init_creates_a_working_folder(tmp_path):
    target = tmp_path / "岫岩安委办"
    result = run_cli(tmp_path, "init", str(target))
    assert result.exit_code == 0, result.output
    for name in ("registry/plan.yaml", "registry/units.yaml", "templates/序时进度表.docx", "notices.toml"):
        assert (target / name).is_file(), name
    assert (target / "outputs").is_dir()
    assert not list((target / "registry").glob("__init__*"))
    config = (target / "notices.toml").read_text(encoding="utf-8")
    assert config.startswith("# notices 配置文件") and "[fonts]" in config
    check = run_cli(target, "registry", "check")
    assert check.exit_code == 0 and "44 项任务" in check.output


def test_init_never_overwrites(tmp_path):
    target = tmp_path / "office"
    assert run_cli(tmp_path, "init", str(target)).exit_code == 0
    plan = target / "registry" / "plan.yaml"
    plan.write_text("# 本地修改\n" + plan.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(tmp_path, "init", str(target))
    assert result.exit_code == 1 and "为免覆盖，未做任何改动" in result.output
    assert plan.read_text(encoding="utf-8").startswith("# 本地修改")


def test_project_folder_wins_over_shipped_defaults(mini_project, tmp_path):
    # The mini registry in the project folder is used, not the shipped one.
    result = run_cli(mini_project, "registry", "check")
    assert "3 项任务" in result.output
    # A folder without registry/ falls back to the shipped registry.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "44 项任务" in run_cli(Project(empty), "registry", "check").output


def test_project_templates_are_used(mini_project):
    # An office edits its template: the title gets a suffix.
    from notices.render.template_build import progress_table

    folder = mini_project.root / "templates"
    folder.mkdir()
    data = progress_table(False)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zin, zipfile.ZipFile(folder / "序时进度表.docx", "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "word/document.xml":
                body = body.replace("{{ title|title_lines(28) }}".encode(), "{{ title|title_lines(28) }}（本办修订版）".encode())
            zout.writestr(info, body)
    result = run_cli(mini_project, "table", "-o", str(mini_project.root / "t.docx"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(mini_project.root / "t.docx") as zf:
        assert "某县安全生产测试方案序时进度表（本办修订版）" in zf.read("word/document.xml").decode()


def test_config_errors_name_file_and_line(mini_project):
    cfg = mini_project.root / "notices.toml"
    cfg.write_text('[office]\nname = "某县安委办"\nshort = 某安委办\n', encoding="utf-8")
    result = run_cli(mini_project, "table")
    assert result.exit_code == 1
    assert "notices.toml:3: TOML 格式错误" in result.output
    cfg.write_text('[office]\nname = "某县安委办"\n\n[fonts]\nbodyy = "仿宋"\n', encoding="utf-8")
    result = run_cli(mini_project, "table")
    assert result.exit_code == 1 and "notices.toml:5: 未知的配置项“fonts.bodyy”" in result.output
