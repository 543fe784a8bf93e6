"""Filing consistency (issue 12), through the CLI: a number voided after filing, an
`archive` that leaves something unfiled, `notices pdf` of a changed .docx, what a
killed `archive` leaves behind, and a filing package whose database was lost.

The ladder's tiny project (test_ladder.py); LibreOffice converts the documents.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import needs_soffice
from crash_kit import Kill, run_killed, zygote  # noqa: F401  (fixture)
from notices.cli import main
from test_ladder import CONFIG, cli
from test_ladder import office  # noqa: F401  (fixture)
from test_register_safety import DAY, LETTERS, lose_database

pytestmark = needs_soffice

ARCHIVE = '\n[archive]\nfonds = "Z109"\norg_code = "AWB"\n'


def filing_office(root: Path) -> Path:
    (root / "notices.toml").write_text(CONFIG + ARCHIVE, encoding="utf-8")
    cli(root, "plan", *DAY, "--save", str(root / "plan.yaml"))
    cli(root, "issue", "--plan", str(root / "plan.yaml"))  # 通报 1号, 督办函 1号 (A) and 2号 (B)
    return root


def package(root: Path) -> Path:
    return root / "outputs" / "归档" / "2026"


def invoke(root: Path, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def test_a_number_voided_after_filing_is_marked_never_listed_twice(office):  # noqa: F811
    root = filing_office(office)
    cli(root, "archive", "--year", "2026")
    cli(root, "register", "void", "某安委办函〔2026〕1号", "--reason", "主送单位有误")
    checked = invoke(root, "archive", "verify", "--year", "2026")
    assert checked.exit_code == 1 and "归档后作废、尚未在目录和元数据中注明" in checked.output, checked.output
    out = cli(root, "archive", "--year", "2026")
    assert "归档后作废：Z109-WS·2026-D10-AWB-0001  某安委办函〔2026〕1号" in out and "作废文号 0 个" in out
    book = load_workbook(package(root) / "归档文件目录-2026.xlsx")
    rows = {r[2]: r for r in book["归档文件目录"].iter_rows(min_row=2, values_only=True)}
    assert rows["某安委办函〔2026〕1号"][8] == "归档后作废：主送单位有误"
    voided = [r[0] for r in book["作废文号"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert "某安委办函〔2026〕1号" not in voided  # a 件 and never also a 作废 row
    meta = json.loads((package(root) / "文件" / "Z109-WS·2026-D10-AWB-0001.json").read_text(encoding="utf-8"))
    assert meta["作废"]["原因"] == "主送单位有误" and meta["业务行为"][-1]["行为"] == "作废"
    checked = cli(root, "archive", "verify", "--year", "2026")
    assert "说明：Z109-WS·2026-D10-AWB-0001（某安委办函〔2026〕1号）归档后已作废" in checked and "核对通过" in checked
    manifest = json.loads((package(root) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["归档后作废"] == ["某安委办函〔2026〕1号"] and manifest["作废文号"] == []


def test_archive_that_leaves_something_unfiled_exits_non_zero(office):  # noqa: F811
    root = filing_office(office)
    (root / LETTERS / "某安委办函〔2026〕2号-教育局.docx").unlink()
    result = invoke(root, "archive", "--year", "2026")
    assert result.exit_code == 1, result.output
    assert "未归档：某安委办函〔2026〕2号" in result.output and "有 1 个文号未归档" in result.output
    assert "新归档 2 件" in result.output


def test_pdf_refuses_a_docx_changed_after_issuing(office):  # noqa: F811
    root = filing_office(office)
    letter = root / LETTERS / "某安委办函〔2026〕1号-应急管理局.docx"
    with zipfile.ZipFile(letter) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace("已逾期".encode(), "已逾期约".encode(), 1)
    with zipfile.ZipFile(letter, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = invoke(root, "pdf", "某安委办函〔2026〕1号", "某安委办函〔2026〕2号")
    assert result.exit_code == 1 and "与发文登记时不一致" in result.output and "未转换任何文件" in result.output
    assert not list((root / LETTERS).glob("*.pdf"))
    result = invoke(root, "pdf", "某安委办函〔2026〕1号", "--force")
    assert result.exit_code == 0, result.output
    assert "注意：以下 Word 文件与发文登记时不一致" in result.output and letter.with_suffix(".pdf").is_file()


def _running_with(marker: str) -> dict[int, str]:
    """pid -> command line of the processes whose command line holds ``marker``."""
    found = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        try:
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if entry.name.isdigit() and marker.encode() in cmd:
            found[int(entry.name)] = cmd.replace(b"\0", b" ").decode("utf-8", "replace")
    return found


def test_a_killed_archive_leaves_nothing_behind_after_the_rerun(office, zygote, tmp_path):  # noqa: F811
    """Killed while LibreOffice converts; re-run at once (nobody waits for the orphans)."""
    root = filing_office(office)
    run = run_killed(zygote, root, ["archive", "--year", "2026"], Kill("linked", 1), tmp_path / "killed.txt")
    assert run.code == -9, run.seen
    marker = f".~{run.handle}@"  # the killed run's staging folder, in LibreOffice's --outdir
    orphans = _running_with(marker)
    profiles = {Path(unquote(m.group(1))).parent for cmd in orphans.values()
                if (m := re.search(r"-env:UserInstallation=file://(\S+)", cmd))}
    (rerun,) = zygote.race(root, [["archive", "--year", "2026"]], tmp_path / "rerun")
    assert rerun.returncode == 0, rerun.out
    time.sleep(0.5)
    assert not [p for p in (root / "outputs").rglob(".~*")], "staging left in outputs/"
    assert not _running_with(marker), "LibreOffice of the killed run still running"
    assert not [p for p in profiles if p.exists()], f"LibreOffice profile of the killed run left: {profiles}"
    assert not [e.name for e in os.scandir(tempfile.gettempdir()) if e.name.startswith(marker)]
    assert "核对通过" in cli(root, "archive", "verify", "--year", "2026")


def test_a_package_without_its_database_is_not_filed_again_until_rebuilt(office):  # noqa: F811
    root = filing_office(office)
    cli(root, "archive", "--year", "2026")
    lose_database(root, "deleted")
    __import__("shutil").rmtree(root / "outputs" / "备份")
    from test_register_safety import collect_again

    collect_again(root)
    result = invoke(root, "archive", "--year", "2026")
    assert result.exit_code == 1 and "归档包" in result.output and "notices register rebuild" in result.output
    out = cli(root, "register", "rebuild")
    assert "据归档元数据恢复 3 件的归档记录" in out
    assert "核对通过" in cli(root, "archive", "verify", "--year", "2026")
    assert "新归档 0 件，此前已归档 3 件" in cli(root, "archive", "--year", "2026")
