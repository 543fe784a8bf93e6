"""`notices issue duban`: numbered letters, one per flagged unit, idempotent re-runs."""

from __future__ import annotations

import re
import zipfile

from click.testing import CliRunner

from notices.cli import main
from notices.file.register import Register
from notices.project import Project, db_path
from test_status_cli import project  # noqa: F401  (fixture: tiny registry, two stored rounds)


def run(root, *args):
    result = CliRunner().invoke(main, ["-C", str(root), "issue", "duban", "--as-of", "2026-11-29",
                                       "--date", "2026-11-29", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def text(path) -> str:
    return re.sub(r"<[^>]+>", "", zipfile.ZipFile(path).read("word/document.xml").decode("utf-8"))


def test_letters_numbered_written_and_not_duplicated(project):  # noqa: F811
    dry = run(project, "--dry-run")
    assert "（暂定）" in dry and not (project / "outputs" / "2026").exists()
    out = run(project)
    files = sorted((project / "outputs" / "2026" / "督办函").glob("*.docx"))
    records = Register(db_path(Project(project))).list(year=2026)
    assert [r.serial for r in records] == list(range(1, len(records) + 1))
    assert len(files) == len(records) >= 2 and "新发" in out
    for rec in records:
        # no notices.toml: the 代字 follows the registry's issuer (某安委 -> 某安委办函)
        assert rec.status == "issued" and rec.doc_number.startswith("某安委办函〔2026〕")
    # The 县应急管理局 letter lists its two overdue items and nothing of another unit.
    letter = next(f for f in files if "应急管理局" in f.name)
    body = text(letter)
    assert "县应急管理局：" in body and "逾期698天" in body and "逾期333天" in body
    assert "2026年11月29日" in body
    again = run(project)
    assert "新发 0 份" in again
    assert len(Register(db_path(Project(project))).list(year=2026)) == len(records)
    assert sorted((project / "outputs" / "2026" / "督办函").glob("*.docx")) == files
