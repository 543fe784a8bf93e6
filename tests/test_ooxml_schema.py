"""Every .docx and .xlsx the CLI writes is valid ECMA-376 (Office 2019 profile),
checked by an independent validator (tests/ooxml_valid.py): the shipped
templates, a sample round's workbooks (填报表, 报回, 汇总), the 序时进度表 in
Word and Excel, the 督办函, 通报 (with its attachment), 约谈通知书 and the print
bundle. The archive's catalogue is checked in test_archive.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from notices.project import Project
from ooxml_valid import assert_valid

AS_OF = "2026-11-29"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("schema")
    project = Project(root)
    (root / "notices.toml").write_text('[office]\nname = "岩县安全生产委员会办公室"\nshort = "岩安委办"\n'
                                       'contact = "王某"\nphone = "0415-0000000"\n', encoding="utf-8")

    def cli(*args):
        result = run_cli(project, *args)
        assert result.exit_code == 0, result.output
        return result.output

    cli("progress", "sample", "--round", "2026-11", "--out", str(root / "报回"))
    cli("progress", "collect", str(root / "报回"), "--round", "2026-11", "--as-of", AS_OF, "--accept-warnings")
    cli("progress", "template", "--round", "2026-12", "--unit", "县应急管理局", "--prefill")
    cli("status", "--as-of", AS_OF, "--xlsx", str(root / "outputs" / "汇总.xlsx"))
    cli("table", "--unit", "县应急管理局")
    cli("table", "--progress", "--as-of", AS_OF, "--as-attachment", "1", "--xlsx")
    cli("plan", "--as-of", AS_OF, "--date", AS_OF, "--save", str(root / "plan.yaml"))
    cli("issue", "--plan", str(root / "plan.yaml"), "--print-file")
    cli("issue", "约谈", "--as-of", AS_OF, "--date", AS_OF, "--unit", "县应急管理局", "--time", "2026-12-03 14:30",
        "--force", "--reason", "示例")
    cli("config", "set", "layout.bind_table", "false")  # a 通报 whose 附件2 is a file of its own
    cli("config", "set", "layout.imprint_even_page", "true")
    cli("issue", "tongbao", "--as-of", AS_OF, "--date", "2026-11-30", "--force", "--reason", "附件另行印发")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".docx", ".xlsx"))
    # the shipped templates too: staff open them in Word (their text-dependent positions are
    # plain numbers in the file, set when rendering: ooxml.patch_indent)
    return files + sorted((ROOT / "templates").glob("*.docx"))


def test_every_kind_of_file_is_there(written):
    names = " ".join(p.name for p in written)
    for part in ("填报表", "报回", "汇总.xlsx", "序时进度表-县应急管理局.docx", "进展", "-通报.docx", "附件2", "打印合订本",
                 "约谈通知书"):
        assert part in names or any(part in str(p) for p in written), part
    assert len([p for p in written if p.suffix == ".xlsx"]) >= 4


def test_every_file_validates(written):
    for path in written:
        assert_valid(path)
