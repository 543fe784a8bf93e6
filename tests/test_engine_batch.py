"""The batch engine gives the bytes the plain path gave.

Equivalence: every shipped template kind, rendered with realistic contexts
(and with values holding line breaks, tabs and characters XML cannot hold, and
with the office's own fonts), through Template.render — unchanged parts
deflated once and copied, ooxml.zip_packed — and through the path it replaced:
docxtpl's resolve_listing on every rendered part, then ooxml.zip_bytes (zipfile).
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

from conftest import ROOT
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


def reference(tpl: Template, context: dict, monkeypatch) -> bytes:
    """The document as the engine made it before: every part through zipfile."""
    with monkeypatch.context() as m:
        m.setattr(engine, "_finish", _old_finish)
        return ooxml.zip_bytes(tpl.render_parts(context))


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
}


@pytest.mark.parametrize("fonts", [{}, OWN_FONTS], ids=["default-fonts", "own-fonts"])
@pytest.mark.parametrize("case", list(CASES))
def test_render_is_byte_identical_to_the_zipfile_path(case, fonts, monkeypatch):
    name, context = CASES[case]
    tpl = Template(TEMPLATES / name, fonts)
    ctx = context()
    new, old = tpl.render(ctx), reference(tpl, ctx, monkeypatch)
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
