"""PDF/A through LibreOffice (notices.file.pdf) and `notices pdf`.

LibreOffice runs are counted with a wrapper named `soffice` put first on PATH: it
logs one line per start and execs the real soffice, or, for a batch holding
hang.docx, converts the documents before it and then hangs. The documents are
tiny, and each test starts LibreOffice as few times as its point allows.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from conftest import needs_soffice
from notices.cli import main
from notices.errors import NoticesError
from notices.file import pdf as pdf_module
from notices.file.pdf import (INSTALL_HINT, ConversionError, convert, embedded_fonts, font_substitutions,
                              page_count, pdfa_level, requested_fonts, substitution_message)
from test_ladder import office  # noqa: F401  (fixture: a project with stored progress rounds)

REAL_SOFFICE = shutil.which("soffice")

WRAPPER = """\
#!{python}
import os, subprocess, sys, time
REAL = {real!r}
with open({log!r}, "a", encoding="utf-8") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
docs = [a for a in args if a.endswith(".docx")]
hang = next((a for a in docs if os.path.basename(a) == "hang.docx"), None)
if hang is None:
    os.execv(REAL, [REAL, *args])
before = docs[:docs.index(hang)]
if before:
    subprocess.run([REAL, *[a for a in args if a not in docs], *before])
time.sleep(600)
"""


class Starts:
    """The wrapper on PATH and the count of LibreOffice starts it logged."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "starts.log"
        self.log.touch()
        script = folder / "soffice"
        script.write_text(WRAPPER.format(python=sys.executable, real=REAL_SOFFICE, log=str(self.log)),
                          encoding="utf-8")
        script.chmod(0o755)
        self.folder = folder

    @property
    def count(self) -> int:
        return len(self.log.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def starts(tmp_path, monkeypatch) -> Starts:
    s = Starts(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{s.folder}:{os.environ['PATH']}")
    return s


def make_docx(path: Path, text: str, font: str | None = None) -> Path:
    doc = Document()
    run = doc.add_paragraph().add_run(text)
    if font:
        run.font.name = font
        run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    doc.save(path)
    return path


def fangsong_missing() -> bool:
    """This machine lacks 仿宋_GB2312 and has FandolFang (fonts.conf's stand-in)."""
    return not pdf_module._installed("仿宋_GB2312") and bool(pdf_module._installed("FandolFang"))


# --- one batch: a process count, PDF/A, fonts -------------------------------------------
@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not REAL_SOFFICE:
        pytest.skip("LibreOffice 未安装")
    folder = tmp_path_factory.mktemp("batch")
    docs = [make_docx(folder / "仿宋.docx", "关于加强安全生产工作的督办函", "仿宋_GB2312"),
            make_docx(folder / "fandol.docx", "县安全生产委员会办公室 2026", "FandolFang"),
            make_docx(folder / "plain.docx", "第三份文件")]
    s = Starts(folder / "bin")
    seen = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{s.folder}:{os.environ['PATH']}")
        pdfs = convert(docs, folder / "pdf", pdfa=True, progress=seen.append)
    return docs, pdfs, s.count, seen


@needs_soffice
def test_batch_is_one_libreoffice_process(batch):
    docs, pdfs, count, seen = batch
    assert count == 1
    assert pdfs == [d.parent / "pdf" / (d.stem + ".pdf") for d in docs]
    assert [r.source for r in seen] == docs and all(r.ok for r in seen)
    assert all(page_count(p) == 1 for p in pdfs)
    assert not [p for p in (docs[0].parent / "pdf").iterdir() if p.name.startswith(".")]  # staging gone


@needs_soffice
def test_pdfa_marker(batch):
    _, pdfs, _, _ = batch
    for pdf in pdfs:
        assert pdfa_level(pdf) == "2B"
        assert b"pdfaid:part" in pdf.read_bytes()


@needs_soffice
def test_font_substitution_reported(batch):
    if not fangsong_missing():
        pytest.skip("本机装有仿宋_GB2312，或没有 FandolFang")
    docs, pdfs, _, _ = batch
    assert requested_fonts(docs[0]) == ["仿宋_GB2312"]
    assert any(name.startswith("FandolFang") for name in embedded_fonts(pdfs[0]))
    assert font_substitutions(docs[0], pdfs[0]) == [("仿宋_GB2312", "FandolFang")]
    assert font_substitutions(docs[1], pdfs[1]) == []  # FandolFang asked for, FandolFang embedded
    assert substitution_message("仿宋_GB2312", "FandolFang") == \
        "本机缺少字体“仿宋_GB2312”，PDF 中以“FandolFang”代替；请安装该字体后重新转换"


def test_requested_fonts_follow_styles_and_skip_unused(tmp_path):
    doc = Document()
    doc.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "楷体_GB2312")
    doc.add_paragraph("正文用样式的字体")
    doc.add_paragraph().add_run("ABC").font.name = "Times New Roman"
    doc.save(tmp_path / "s.docx")
    # The run's own ASCII font, the style's East Asian font; python-docx's unused Courier style is left out.
    assert requested_fonts(tmp_path / "s.docx") == ["楷体_GB2312", "Times New Roman"]


# --- timeouts, existing files, no LibreOffice ---------------------------------------------
@needs_soffice
def test_timed_out_document_named_others_converted(tmp_path, starts):
    docs = [make_docx(tmp_path / n, n) for n in ("a.docx", "hang.docx", "b.docx")]
    seen = []
    with pytest.raises(ConversionError) as info:
        convert(docs, tmp_path / "pdf", timeout=4, pdfa=True, progress=seen.append)
    assert "hang.docx" in info.value.message and "超时" in info.value.message
    assert [r.status for r in info.value.results] == ["ok", "timeout", "ok"] == [r.status for r in seen]
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["a.pdf", "b.pdf"]  # nothing half-written
    assert pdfa_level(tmp_path / "pdf" / "b.pdf") == "2B"
    assert starts.count == 2  # the hung process, then one for the rest


FAKE = """\
#!{python}
import os, sys, time
with open({log!r}, "a", encoding="utf-8") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
out = args[args.index("--outdir") + 1]
for doc in (a for a in args if a.endswith(".docx")):
    name = os.path.basename(doc)[:-5]
    if name == "crash":
        sys.exit(134)
    if name.startswith("stuck"):
        time.sleep(600)
    print(f"convert {{doc}} -> {{out}}/{{name}}.pdf using filter : pdf", flush=True)
    with open(os.path.join(out, name + ".pdf"), "wb") as fh:
        fh.write(b"%PDF-1.7\\n%%EOF\\n")
"""


def fake_soffice(folder: Path) -> tuple[str, Path]:
    """A stand-in for LibreOffice that writes a token PDF per document; crash.docx kills
    it, stuck*.docx hangs it."""
    folder.mkdir()
    log, script = folder / "starts.log", folder / "soffice"
    script.write_text(FAKE.format(python=sys.executable, log=str(log)), encoding="utf-8")
    script.chmod(0o755)
    log.touch()
    return str(script), log


def test_crash_names_the_document_and_goes_on(tmp_path):
    exe, log = fake_soffice(tmp_path / "bin")
    docs = [make_docx(tmp_path / n, n) for n in ("a.docx", "crash.docx", "b.docx")]
    with pytest.raises(ConversionError) as info:
        convert(docs, tmp_path / "pdf", soffice=exe)
    assert [r.status for r in info.value.results] == ["ok", "failed", "ok"]
    assert "未能转换 1 个文件：crash.docx" in info.value.message
    assert len(log.read_text().splitlines()) == 2


def test_stuck_twice_on_the_first_document_gives_up(tmp_path):
    exe, log = fake_soffice(tmp_path / "bin")
    docs = [make_docx(tmp_path / n, n) for n in ("stuck1.docx", "stuck2.docx", "c.docx", "d.docx")]
    with pytest.raises(ConversionError) as info:
        convert(docs, tmp_path / "pdf", soffice=exe, timeout=0.5)
    assert [r.status for r in info.value.results] == ["timeout", "timeout", "failed", "failed"]
    assert "连续两次" in info.value.message and len(log.read_text().splitlines()) == 2
    assert not (tmp_path / "pdf").exists() or not list((tmp_path / "pdf").iterdir())


def test_overwrite_replaces_only_when_asked(tmp_path):
    exe, log = fake_soffice(tmp_path / "bin")
    doc = make_docx(tmp_path / "a.docx", "甲")
    (tmp_path / "a.pdf").write_bytes(b"%PDF old")
    assert convert([doc], tmp_path, soffice=exe, overwrite=True) == [tmp_path / "a.pdf"]
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.7\n%%EOF\n"


def test_existing_pdf_not_overwritten(tmp_path):
    doc = make_docx(tmp_path / "a.docx", "甲")
    (tmp_path / "a.pdf").write_bytes(b"%PDF old")
    with pytest.raises(NoticesError, match="已存在，未覆盖"):
        convert([doc], tmp_path)
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF old"


def test_missing_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(NoticesError) as info:
        convert([make_docx(tmp_path / "a.docx", "甲")], tmp_path / "pdf")
    assert info.value.message == INSTALL_HINT
    for needed in ("apt-get install", "libreoffice.org", "[pdf] soffice"):
        assert needed in INSTALL_HINT


def cli(root, *args, code=0):
    result = CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def issued(office):  # noqa: F811
    """Two 督办函 and a 通报 (with its 附件2 as a second .docx): four files in two folders."""
    for kind in ("duban", "tongbao"):
        cli(office, "issue", kind, "--as-of", "2026-11-29", "--date", "2026-11-30")
    return office


def test_cli_without_libreoffice(issued, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = cli(issued, "pdf", "--year", "2026", code=1)
    assert "未找到 LibreOffice" in out and "sudo apt-get install" in out and "[pdf] soffice" in out
    assert "Traceback" not in out and not list((issued / "outputs").rglob("*.pdf"))
    (issued / "notices.toml").write_text((issued / "notices.toml").read_text(encoding="utf-8")
                                         + '\n[pdf]\nsoffice = "/nowhere/soffice"\n', encoding="utf-8")
    assert "“/nowhere/soffice”不存在" in cli(issued, "pdf", "--year", "2026", code=1)


def test_cli_selection_errors(issued):
    assert "请指定要转换的文件" in cli(issued, "pdf", code=1)
    assert "没有已生成的2025 年的督办函" in cli(issued, "pdf", "--year", "2025", "--kind", "督办", code=1)
    assert "登记簿中没有文号“某安委办函〔2026〕9号”" in cli(issued, "pdf", "某安委办函[2026]9号", code=1)
    assert "不是发文字号" in cli(issued, "pdf", "督办函九号", code=1)
    assert "文种“函”无效" in cli(issued, "pdf", "--kind", "函", code=2)


# --- notices pdf end to end -----------------------------------------------------------------
@needs_soffice
def test_cli_year_then_skip_then_number(issued, starts, tmp_path):
    out = cli(issued, "pdf", "--year", "2026")
    docx = sorted((issued / "outputs" / "2026").rglob("*.docx"))
    assert len(docx) == 3 and starts.count == 1  # the 通报's 附件2 is bound into it
    for d in docx:
        assert pdfa_level(d.with_suffix(".pdf")) == "2B"
    assert "[3/3] 已转换" in out and "共 3 个文件：已转换 3 个。" in out
    if fangsong_missing():  # one warning per font pair, however many files
        assert out.count("本机缺少字体“仿宋_GB2312”，PDF 中以“FandolFang”代替（3 个文件）") == 1

    again = cli(issued, "pdf", "--year", "2026", "--kind", "通报")
    assert again.count("跳过（已有 PDF）") == 1 and "跳过 1 个（已有 PDF，加 --force 重新转换）" in again
    assert starts.count == 1  # nothing to convert: LibreOffice not started

    out = cli(issued, "pdf", "某安委办函【2026】1号", "--out", str(tmp_path / "发送"))
    assert [p.name for p in (tmp_path / "发送").iterdir()] == ["某安委办函〔2026〕1号-应急管理局.pdf"]
    assert starts.count == 2


@needs_soffice
def test_parallel_shares_in_order_one_process_each(tmp_path, starts):
    """Two workers over 2 × PARALLEL_MIN_SHARE documents: two LibreOffice starts, each with
    its own profile and an in-order half of the batch; every PDF made, progress for each."""
    n = 2 * pdf_module.PARALLEL_MIN_SHARE
    docs = [make_docx(tmp_path / f"文件{k:02d}.docx", f"第{k}份") for k in range(n)]
    seen = []
    made = convert(docs, tmp_path / "pdf", workers=2, progress=seen.append)
    assert [p.name for p in made] == [f"文件{k:02d}.pdf" for k in range(n)]
    assert all(page_count(p) == 1 for p in made) and sorted(r.source.name for r in seen) == sorted(d.name for d in docs)
    runs = starts.log.read_text(encoding="utf-8").splitlines()
    assert len(runs) == 2
    halves = [[a.rsplit("/", 1)[-1] for a in run.split() if a.endswith(".docx")] for run in runs]
    assert sorted(halves) == [[d.name for d in docs[:n // 2]], [d.name for d in docs[n // 2:]]]
    assert len({a for run in runs for a in run.split() if a.startswith("-env:UserInstallation")}) == 2


@needs_soffice
def test_small_batch_stays_one_process_with_workers(tmp_path, starts):
    docs = [make_docx(tmp_path / f"小{k}.docx", "文") for k in range(pdf_module.PARALLEL_MIN_SHARE + 3)]
    convert(docs, tmp_path / "pdf", workers=4)
    assert starts.count == 1


@needs_soffice
def test_a_killed_runs_staging_folder_is_swept(tmp_path):
    from notices.file import outputs
    from test_integrity import _dead_pid

    out = tmp_path / "pdf"
    out.mkdir()
    stale = out / f".~{_dead_pid()}@{outputs._host_tag()}-pdf-x1"
    (stale / "half.pdf").parent.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF-1.7 half")
    convert([make_docx(tmp_path / "一.docx", "文")], out)
    assert sorted(p.name for p in out.iterdir()) == ["一.pdf"]
