"""The batch engine gives the bytes the plain path gave.

Equivalence: every shipped template kind, rendered with realistic contexts
(and with values holding line breaks, tabs and characters XML cannot hold, and
with the office's own fonts), through Template.render — unchanged parts
deflated once and copied, ooxml.zip_packed — and through the path it replaced:
Jinja compiled with the paragraphs' line breaks and those taken out of the
output, docxtpl's resolve_listing on every rendered part, then ooxml.zip_bytes
(zipfile).
The bytes are identical, so nothing about the output (zip metadata included)
changed.

Parallel batches: above PARALLEL_MIN documents, `issue` renders in worker
processes; the files and the register are the same as from one process.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docxtpl import DocxTemplate

from conftest import ROOT, working_folder
from notices.compose.table import table_rows
from notices.config import FONT_ROLES
from notices.read.registry import load_registry
from notices.render import engine, ooxml
from notices.render.engine import Template
from test_notice_templates import CONTEXTS

TEMPLATES = ROOT / "templates"
OWN_FONTS = {FONT_ROLES["body"]: "仿宋", FONT_ROLES["title"]: "华文中宋", FONT_ROLES["heading"]: "黑体"}
MESSY = "第一行\n第二行\t制表\x0b控制符 <标签> & “引号” 'apos'"


def _old_finish(xml: str) -> str:
    """engine._finish as it was before the fast path."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    return DocxTemplate.resolve_listing(None, xml)


def reference(path: Path, fonts: dict, context: dict, monkeypatch) -> bytes:
    """The document as the engine made it before: the template compiled with the
    paragraphs' line breaks, which the old _finish took out of every rendered part,
    and every part through zipfile."""
    with monkeypatch.context() as m:
        m.setattr(engine, "_unbreak", lambda src: src)
        m.setattr(engine, "_finish", _old_finish)
        return ooxml.zip_bytes(Template(path, fonts).render_parts(context))


def _table_context(with_progress: bool, unit: str | None = None, messy: bool = False) -> dict:
    registry, _ = load_registry(ROOT / "registry")  # the shipped 44-task registry
    tasks = [t for t in registry.tasks if unit is None or unit in t.unit_names]
    progress = None
    if with_progress:
        states = ("已完成", "逾期12天", "正常推进", "未报送", "临期")
        progress = {m.id: (states[i % len(states)], (MESSY if messy and i % 7 == 0 else
                                                      f"已完成第{i}项排查，整改隐患{i * 3}处。"))
                    for i, m in enumerate(registry.milestones)}
    return {"title": registry.plan.table_title, "subtitle": f"（{unit}，截至2026年11月29日）" if unit else "",
            "attachment_label": "附件2" if with_progress else "", "rows": table_rows(registry, tasks, progress)}


def _letter(name: str, messy: bool = False, long: bool = False) -> dict:
    ctx = dict(CONTEXTS[name])
    if name == "督办函.docx":
        ctx["items"] = [dict(no=i, task=f"{i}", requirement=f"每季度至少开展{i}次检查" + (MESSY if messy else ""),
                             deadline="2026年6月底", overdue_days=3 * i, latest="正在推进：已部署，正在督促")
                        for i in range(1, 31 if long else 4)]
        if not long:
            ctx.update(items=[], items_label="", items_title="", attachments=[])
    if messy:
        ctx["body"] = [dict(b, text=b["text"] + MESSY) for b in ctx["body"]]
        ctx["note"] = "联系人：张三\n电话：0415-1234567"
    return ctx


CASES = {
    "序时进度表-全县": ("序时进度表.docx", lambda: _table_context(False)),
    "序时进度表-单位": ("序时进度表.docx", lambda: _table_context(False, "县应急管理局")),
    "序时进度表-进展": ("序时进度表-进展.docx", lambda: _table_context(True)),
    "序时进度表-进展-换行": ("序时进度表-进展.docx", lambda: _table_context(True, messy=True)),
    "督办函-短": ("督办函.docx", lambda: _letter("督办函.docx")),
    "督办函-附件清单": ("督办函.docx", lambda: _letter("督办函.docx", long=True)),
    "督办函-换行": ("督办函.docx", lambda: _letter("督办函.docx", messy=True, long=True)),
    "通报": ("通报.docx", lambda: _letter("通报.docx")),
    "通报-换行": ("通报.docx", lambda: _letter("通报.docx", messy=True)),
    "约谈通知书": ("约谈通知书.docx", lambda: _letter("约谈通知书.docx")),
    "约谈通知书-换行": ("约谈通知书.docx", lambda: _letter("约谈通知书.docx", messy=True)),
    "工作提醒": ("工作提醒.docx", lambda: _reminder()),
    "工作提醒-编号-换行": ("工作提醒.docx", lambda: _reminder("岫安委办函〔2026〕12号", messy=True)),
}


def _reminder(doc_number: str = "", messy: bool = False) -> dict:
    ctx = _letter("约谈通知书.docx", messy)
    return {"doc_number": doc_number, "title": "工作提醒", "recipient": "县交通运输局",
            **{k: ctx[k] for k in ("body", "signer", "date_cn", "note")}}


@pytest.mark.parametrize("fonts", [{}, OWN_FONTS], ids=["default-fonts", "own-fonts"])
@pytest.mark.parametrize("case", list(CASES))
def test_render_is_byte_identical_to_the_zipfile_path(case, fonts, monkeypatch):
    name, context = CASES[case]
    tpl = Template(TEMPLATES / name, fonts)
    ctx = context()
    new, old = tpl.render(ctx), reference(TEMPLATES / name, fonts, ctx, monkeypatch)
    assert new == old
    with zipfile.ZipFile(io.BytesIO(new)) as zf:  # and it is a sound package
        assert zf.testzip() is None and "word/document.xml" in zf.namelist()


def test_every_shipped_template_kind_is_covered():
    assert {name for name, _ in CASES.values()} == {p.name for p in TEMPLATES.glob("*.docx")}


def test_line_breaks_in_values_still_become_breaks(monkeypatch):
    """The fast path must not skip resolve_listing where it has work to do."""
    tpl = Template(TEMPLATES / "约谈通知书.docx")
    xml = zipfile.ZipFile(io.BytesIO(tpl.render(_letter("约谈通知书.docx", messy=True)))).read("word/document.xml")
    assert b"<w:br/>" in xml and b"<w:tab/>" in xml and b"\x0b" not in xml


def test_zip_packed_matches_zipfile_on_odd_parts():
    parts = {"[Content_Types].xml": "<Types/>", "empty.bin": b"", "word/媒体/图.bin": bytes(range(256)) * 50,
             "big.xml": "<a>" + "数据" * 200_000 + "</a>"}
    packed = ooxml.zip_packed([ooxml.pack_part(k, v) for k, v in parts.items()])
    assert packed == ooxml.zip_bytes(parts)
    with zipfile.ZipFile(io.BytesIO(packed)) as zf:
        assert zf.testzip() is None
        assert zf.read("word/媒体/图.bin") == parts["word/媒体/图.bin"]


def test_unchanged_parts_are_deflated_once(monkeypatch):
    tpl = Template(TEMPLATES / "督办函.docx")
    packed = []
    monkeypatch.setattr(ooxml, "pack_part", lambda name, data: packed.append(name) or _pack(name, data))
    tpl.render(_letter("督办函.docx"))
    assert sorted(packed) == ["word/document.xml", "word/header1.xml"]


_pack = ooxml.pack_part


# --- parallel batches --------------------------------------------------------------
import random  # noqa: E402
import shutil  # noqa: E402
import datetime as dt  # noqa: E402

from conftest import run_cli  # noqa: E402
from notices.file.register import Register  # noqa: E402
from notices.jobs import issue as issue_job  # noqa: E402
from notices.model import Report  # noqa: E402
from notices.project import Project, db_path  # noqa: E402
from test_ladder import save_round  # noqa: E402

AS_OF, ROUND = dt.date(2026, 11, 29), "2026-11"
ISSUE = ["issue", "duban", "--as-of", "2026-11-29", "--date", "2026-11-30"]


def write_county(root: Path, extra_towns: int = 30, seed: int = 7) -> Path:
    """The shipped registry with ``extra_towns`` more 乡镇 (each answers for every
    milestone) and one collected round: most units have something overdue or unreported."""
    shutil.copytree(ROOT / "registry", root / "registry")
    working_folder(root)
    with open(root / "registry" / "units.yaml", "a", encoding="utf-8") as f:
        for i in range(1, extra_towns + 1):
            f.write(f"  - name: 测试第{i}镇人民政府\n    short: 测试第{i}镇\n    aliases: []\n    kind: 乡镇\n"
                    f"    groups: [乡镇]\n    leader: \"\"\n    contact: \"\"\n    phone: \"\"\n")
    (root / "outputs").mkdir()
    registry, _ = load_registry(root / "registry")
    rng = random.Random(seed)
    reports = []
    for task in registry.tasks:
        for ms in task.milestones:
            for unit in task.unit_names:
                roll = rng.random()
                if roll < 0.15:
                    continue  # unreported
                if roll < 0.6:
                    reports.append(Report(unit, ms.id, "已完成", registry.plan.start + dt.timedelta(days=rng.randrange(300)),
                                          100, "已按要求完成。", round_id=ROUND, reported_on=AS_OF))
                else:
                    reports.append(Report(unit, ms.id, "正在推进", None, 50, "正在推进，已完成阶段性工作。",
                                          round_id=ROUND, reported_on=AS_OF))
    save_round(root, ROUND, reports)
    return root


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return write_county(tmp_path_factory.mktemp("county") / "office")


def _copy(county: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(county, tmp_path / name))


def _issued_files(root: Path) -> dict[str, bytes]:
    folder = root / "outputs" / "2026" / "督办函"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.docx"))}


def _register_rows(root: Path) -> list[tuple]:
    return [(r.doc_number, r.status, tuple(r.recipients), tuple(r.milestones), tuple((o.path, o.sha256) for o in r.outputs))
            for r in Register(db_path(Project(root)), root).list()]


def _spy_workers(monkeypatch, workers: int) -> list[int]:
    """Run `issue` with ``workers`` workers; record how many the parallel path used."""
    used: list[int] = []
    original = issue_job.Batch._render_parallel
    monkeypatch.setattr(issue_job, "cpu_workers", lambda: workers)
    monkeypatch.setattr(issue_job.Batch, "_render_parallel",
                        lambda self, todo, w: used.append(w) or original(self, todo, w))
    return used


def test_a_batch_above_the_threshold_gives_the_single_process_files(county, tmp_path, monkeypatch):
    single, parallel = _copy(county, tmp_path, "single"), _copy(county, tmp_path, "parallel")
    used = _spy_workers(monkeypatch, 1)
    out = run_cli(single, *ISSUE)
    assert out.exit_code == 0, out.output
    assert used == []  # one worker: the plain path
    used = _spy_workers(monkeypatch, 2)
    out = run_cli(parallel, *ISSUE)
    assert out.exit_code == 0, out.output
    assert used == [2]
    files = _issued_files(single)
    assert len(files) >= issue_job.PARALLEL_MIN  # above the real threshold, not a lowered one
    assert _issued_files(parallel) == files
    assert _register_rows(parallel) == _register_rows(single)
    # printed in order, numbers consecutive
    numbers = dict.fromkeys(re.findall(r"岫安委办函〔2026〕(\d+)号", out.output))  # number, then file name
    assert [int(n) for n in numbers] == list(range(1, len(files) + 1))


def test_a_small_batch_keeps_the_plain_path(county, tmp_path, monkeypatch):
    root = _copy(county, tmp_path, "small")
    used = _spy_workers(monkeypatch, 2)
    out = run_cli(root, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-11-30",
                  "--unit", "县应急管理局", "--unit", "县教育局")
    assert out.exit_code == 0, out.output
    assert used == [] and len(_issued_files(root)) == 2


@pytest.mark.parametrize("stop", ["after-numbers", "mid-writing"])
def test_interrupted_parallel_batch_completes_on_rerun(county, tmp_path, monkeypatch, stop):
    """Killed after every number was reserved, before any file (or halfway through the
    files): the re-run finds the reserved records by their batch keys and completes them."""
    reference = _copy(county, tmp_path, "reference")
    _spy_workers(monkeypatch, 1)
    assert run_cli(reference, *ISSUE).exit_code == 0
    root = _copy(county, tmp_path, "interrupted")
    _spy_workers(monkeypatch, 2)
    written = []
    original_write = issue_job._write

    def dying(path, data):
        if stop == "after-numbers" or len(written) == 20:
            raise KeyboardInterrupt
        written.append(path)
        return original_write(path, data)

    monkeypatch.setattr(issue_job, "_write", dying)
    result = run_cli(root, *ISSUE)
    assert result.exit_code != 0 and "Traceback" not in result.output
    states = [r.status for r in Register(db_path(Project(root)), root).list()]
    assert len(states) == len(_issued_files(reference)) and states.count("issued") == len(written)
    monkeypatch.setattr(issue_job, "_write", original_write)
    out = run_cli(root, *ISSUE)
    assert out.exit_code == 0, out.output
    assert f"新发 {len(states) - len(written)} 份" in out.output
    assert _issued_files(root) == _issued_files(reference)
    assert _register_rows(root) == _register_rows(reference)
    assert not list((root / "outputs" / "2026" / "督办函").glob(".~*"))


def test_render_errors_in_a_worker_come_back_whole(tmp_path):
    from notices.errors import NoticesError
    from notices.render.pool import render_in_workers

    specs = {"t": (str(TEMPLATES / "约谈通知书.docx"), {})}
    good = _letter("约谈通知书.docx")
    bad = {k: v for k, v in good.items() if k != "recipient"}
    for at in (1, 5):  # in the first chunk, and in one sent once the first results are back
        items = [("t", good)] * 7
        items[at] = ("t", bad)
        with pytest.raises(NoticesError) as err:
            list(render_in_workers(specs, items, workers=2, chunk=2))
        assert "没有数据的字段" in err.value.message and "recipient" in str(err.value.problems[0])
    docs = list(render_in_workers(specs, [("t", good)] * 9, workers=2, chunk=2))
    assert docs == [Template(TEMPLATES / "约谈通知书.docx").render(good)] * 9


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_compose_or_are_sent_the_contexts(method, monkeypatch):
    """``make``: forked workers compose each context themselves (a closure they inherit);
    spawned workers (Windows, macOS) are sent contexts made here. The same documents."""
    import multiprocessing

    from notices.render import pool

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setattr(pool, "mp_context", lambda: multiprocessing.get_context(method))
    specs = {"t": (str(TEMPLATES / "约谈通知书.docx"), {})}
    contexts = [dict(_letter("约谈通知书.docx"), doc_number=f"某安委办函〔2026〕{i}号") for i in range(1, 8)]
    made_here = []

    def make(i):
        made_here.append(i)
        return contexts[i]

    tpl = Template(TEMPLATES / "约谈通知书.docx")
    docs = list(pool.render_in_workers(specs, [("t", i) for i in range(7)], workers=2, chunk=2, make=make,
                                       prepared={"t": tpl}))
    assert docs == [tpl.render(c) for c in contexts]
    assert made_here == ([] if method == "fork" else list(range(7)))


def test_finish_resolves_only_what_resolve_listing_would():
    """_finish hands resolve_listing only the paragraphs holding \\t \\a \\n \\f: the
    result is its whole-part pass, nested text-box paragraphs and all."""
    run = '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    box = ('<w:r><w:pict><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr>' + run.format("框\n内")
           + "</w:p></w:txbxContent></w:pict></w:r>")
    parts = ['<?xml version="1.0"?>\n<w:document><w:body>',
             "<w:p>" + run.format("甲\t乙") + "</w:p>", "<w:p/>", '<w:p w:rsidR="1">' + run.format("平") + "</w:p>",
             "<w:p><w:pPr/>" + box + run.format("外\a段") + "</w:p>", "<w:p>" + run.format("页\f后\n") + "</w:p>",
             "<w:tbl><w:tr><w:tc><w:p>" + run.format("格\n二") + "</w:p></w:tc></w:tr></w:tbl>", "</w:body></w:document>"]
    xml = "".join(parts)
    assert engine._finish(xml) == _old_finish(xml) != xml
    plain = xml.replace("\t", "").replace("\a", "").replace("\f", "").replace("\n", "")
    assert engine._finish(plain) is plain
