"""Every case of the bad-input corpus (tests/corpus/make_corpus.py) through the real CLI.

A refused case: exit code 1 (never 2, an internal error), its expected Chinese
lines naming the file (and sheet!cell or file:line), no traceback, and nothing
written or recorded: no file in the project changes except the database's
own files, and the database holds no round and no document. An accepted case
is taken with its warnings naming the cell, and what it holds reaches a
generated document whole: a valid package of well-formed XML with the text
escaped and the characters XML cannot hold removed.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from notices.cli import main
from notices.file.register import Register
from notices.file.store import Store
from notices.project import Project, db_path

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import make_corpus as corpus  # noqa: E402

from conftest import working_folder  # noqa: E402
from test_ladder import CONFIG, save_round  # noqa: E402
from test_status import REPORTS, write_registry  # noqa: E402

MINI = Path(__file__).parent / "data" / "mini"
REFUSED = [name for name, c in corpus.CASES.items() if not c.accepted]
ACCEPTED = [name for name, c in corpus.CASES.items() if c.accepted]
# Known gaps, each a strict xfail: it turns into a failure once fixed, so the mark goes.
KNOWN: dict[str, str] = {}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, corpus.build(out)


def project_for(command: str, case_dir: Path, root: Path) -> Path:
    """A fresh project for the case's command (see make_corpus's docstring)."""
    if command == "duban":
        write_registry(root / "registry")
        (root / "outputs").mkdir(parents=True)
        (root / "notices.toml").write_text(CONFIG, encoding="utf-8")
        for round_id in sorted({r.round_id for r in REPORTS}):
            save_round(root, round_id, [r for r in REPORTS if r.round_id == round_id])
    elif command == "check":
        shutil.copytree(case_dir / "registry", root / "registry")
    else:
        shutil.copytree(MINI, root / "registry")
        (root / "outputs").mkdir()
        if command == "collect":
            working_folder(root)  # collecting writes the project's database: a working folder only
    if command == "template":
        shutil.copy(case_dir / "notices.toml", root / "notices.toml")
    if command == "table":
        shutil.copytree(case_dir / "templates", root / "templates")
    return root


def args_for(command: str, case_dir: Path, root: Path) -> list[str]:
    inputs = sorted(str(p) for p in case_dir.iterdir() if p.name != "expect.json")
    return {
        "collect": ["progress", "collect", *inputs, "--round", "2026-11", "--as-of", "2026-11-29"],
        "import": ["registry", "import", *inputs, "--to", str(root / "imported")],
        "check": ["registry", "check"],
        "template": ["progress", "template", "--round", "2026-11", "--county"],
        "duban": ["issue", "duban", "--as-of", "2026-11-29", "--date", "2026-11-30",
                  "--templates", str(case_dir / "templates")],
        "table": ["table"],
    }[command]


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the project but the database's own, with its hash."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith("notices.db")}


def run(root: Path, args: list[str]):
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def assert_clean(output: str) -> None:
    assert "Traceback" not in output and "程序内部出错" not in output, output
    assert not XML_ILLEGAL.search(output), "a control character reached the terminal"
    assert max(map(len, output.splitlines() or [""])) < 400, "a line long enough to bury the rest"


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN[n], strict=True))
                                  if n in KNOWN else n for n in REFUSED])
def test_refused(built, tmp_path, name):
    out, expects = built
    case = corpus.CASES[name]
    root = project_for(case.command, out / name, tmp_path / "office")
    before = snapshot(root)
    result = run(root, args_for(case.command, out / name, root))
    assert result.exit_code == 1, result.output
    assert_clean(result.output)
    assert "错误" in result.output
    for fragment in expects[name]:
        assert fragment in result.output, f"{fragment!r} not in\n{result.output}"
    assert snapshot(root) == before, "files were written"
    assert not (root / "outputs" / "notices-error.log").exists()
    if db_path(Project(root)).exists():
        if case.command == "duban":
            assert Register(db_path(Project(root)), root).list() == [], "a number was recorded"
        else:
            assert Store(db_path(Project(root))).rounds() == [], "a round was stored"


def test_every_case_is_run():
    assert set(REFUSED) | set(ACCEPTED) == set(corpus.CASES)
    assert {c.command for c in corpus.CASES.values()} == {"collect", "import", "check", "template", "duban", "table"}


# --- accepted with a warning, followed through to a document --------------------------------

def docx_text(data: bytes) -> str:
    """The package checked as Word would open it (every part well-formed XML, no DTD),
    then the body's text with tabs and breaks as characters."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        parts = {n: etree.fromstring(zf.read(n), parser) for n in zf.namelist() if n.endswith((".xml", ".rels"))}
    for name, root in parts.items():
        assert root.getroottree().docinfo.doctype == "", name
    out = []
    for el in parts["word/document.xml"].iter(W + "t", W + "tab", W + "br", W + "p"):
        out.append({W + "t": el.text or "", W + "tab": "\t", W + "br": "\n", W + "p": "\n"}[el.tag])
    return "".join(out)


def test_hostile_text_is_taken_with_warnings_and_reaches_the_table_escaped(built, tmp_path):
    out, expects = built
    root = project_for("collect", out / "collect-hostile-text", tmp_path / "office")
    result = run(root, args_for("collect", out / "collect-hostile-text", root))
    assert result.exit_code == 0, result.output
    assert_clean(result.output)
    for fragment in expects["collect-hostile-text"]:
        assert f"提示：{fragment}" in result.output
    (report,) = [r for r in Store(db_path(Project(root))).latest_reports(before_round="2099-01").values()]
    assert report.text == corpus.HOSTILE + " 响铃结束" and report.percent == 80
    assert report.evidence == "照片3张（见附件）" and report.phone == "０４１５-１２３４５６７"

    result = run(root, ["table", "--progress", "--unit", "应急局", "--as-of", "2026-11-29", "-o", str(root / "t.docx")])
    assert result.exit_code == 0, result.output
    data = (root / "t.docx").read_bytes()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "甲&amp;乙&lt;丙&gt;" in body and "a&amp;amp;b &lt;w:t&gt;x&lt;/w:t&gt;" in body  # escaped, not markup
    assert corpus.HOSTILE + " 响铃结束" in docx_text(data)


def test_reordered_workbook_is_read_by_its_header(built, tmp_path):
    out, expects = built
    name = "collect-sheet-renamed-columns-moved"
    root = project_for("collect", out / name, tmp_path / "office")
    result = run(root, args_for("collect", out / name, root))
    assert result.exit_code == 0, result.output
    assert_clean(result.output)
    for fragment in expects[name]:
        assert f"提示：{fragment}" in result.output
    reports = Store(db_path(Project(root))).latest_reports(before_round="2099-01")
    from openpyxl.utils import get_column_letter

    from notices.render.progress_xlsx import COLUMNS

    last = get_column_letter(len(COLUMNS))  # every column reversed: 编号 is now the last one
    assert [(r.milestone_id, r.state, r.source) for r in reports.values()] == [("1-1", "未启动", f"{corpus.L} Sheet1!{last}3")]


def test_imported_cell_loses_its_control_characters_with_a_warning(built, tmp_path):
    out, expects = built
    name = "import-control-characters"
    root = project_for("import", out / name, tmp_path / "office")
    result = run(root, args_for("import", out / name, root))
    assert result.exit_code == 0, result.output
    assert_clean(result.output)
    for fragment in expects[name]:
        assert fragment in result.output
    plan = (root / "imported" / "plan.yaml").read_text(encoding="utf-8")
    assert "重点开展甲类培训" in plan and "\\x" not in plan and not XML_ILLEGAL.search(plan)
