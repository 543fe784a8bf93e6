"""Render .docx templates: Jinja compiled once per template, any number of documents.

Template syntax is docxtpl's ({{ }}, {%p %}, {%tr %}, {%tc %}, {% vm %}) plus
`{% vmerge EXPR %}` (see ooxml.patch_vmerge). Parts without Jinja are copied
unchanged. Rendering is sandboxed, escapes every value and refuses undefined
names, so a misspelt field is an error naming it, never a blank.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from ..errors import NoticesError, Problem
from . import ooxml, template_check, typeset

_JINJA_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_HAS_JINJA = re.compile(r"{[{%#]")


def _patch(xml: str) -> str:
    # docxtpl's patch_xml/resolve_listing use no instance state.
    xml = DocxTemplate.patch_xml(None, xml)
    xml = ooxml.patch_vmerge(xml)
    xml = ooxml.patch_indent(xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _unbreak(src: str) -> str:
    """_patch's source without the line breaks it put before each paragraph (they
    serve syntax error messages only): what the compiled template renders, so the
    output needs no pass to remove them. Each removed break stood right before
    "<w:p", so the output is what removing them from the output gave, except where
    a template's own XML holds a line break before a whitespace-trimming tag ("-%}")
    that trimmed ours: there the old pass also took that line break, between two
    elements, where it means nothing (Word writes no line breaks in these parts)."""
    return src.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # docxtpl resolve_listing's own
_LISTING = re.compile("[\t\a\n\f]")


def _finish(xml: str) -> str:
    # resolve_listing turns \t \a \n \f inside a paragraph's w:t into runs and
    # breaks, and leaves everything else as it is. Its regex walk over every run
    # of every paragraph costs more than rendering the letter, so it is given only
    # the paragraphs that hold one of them (a title broken into lines): the same
    # paragraphs its own scan finds, each resolved as it would resolve it.
    start = xml.find("<w:p")
    if start < 0 or not _LISTING.search(xml, start):
        return xml
    return _PARAGRAPH.sub(lambda m: DocxTemplate.resolve_listing(None, m.group(0))
                          if _LISTING.search(m.group(0)) else m.group(0), xml)


def _clean(value):
    """Strip characters XML cannot hold from every string in a context."""
    if isinstance(value, str):
        return ooxml.xml_safe(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(v) for v in value) if isinstance(value, list) else tuple(_clean(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.replace(value, **{f: _clean(getattr(value, f)) for f in value.__dataclass_fields__
                                             if isinstance(getattr(value, f), (str, list, dict))})
    return value


def make_env(options: dict | None = None) -> SandboxedEnvironment:
    """The template language: typesetting filters (render.typeset) and ``options``,
    the office's layout choices (a template reads them with a default, e.g.
    ``options.sealed|default(true)``)."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True,
                               trim_blocks=False, keep_trailing_newline=True)
    env.filters.update(typeset.FILTERS)
    env.globals["options"] = dict(options or {})
    return env


@dataclass
class Template:
    """A prepared template: parts read, fonts rewritten, Jinja compiled, unchanging parts compressed."""

    path: Path
    fonts: dict[str, str] = field(default_factory=dict)  # canonical -> office's font names
    options: dict = field(default_factory=dict)  # the office's layout choices (make_env)

    def __post_init__(self):
        self.path = Path(self.path)
        self.env = make_env(self.options)
        self._parts: list[tuple[zipfile.ZipInfo, bytes]] = []
        self._compiled: dict[str, jinja2.Template] = {}
        self._packed: dict[str, ooxml.PackedPart] = {}  # parts without Jinja, deflated once
        self.fields: set[str] = set()
        label = self.path.name
        try:
            template_check.check(self.path, label)  # zip/XML bombs, Jinja reaching outside its data
            with zipfile.ZipFile(self.path) as zf:
                for info in zf.infolist():
                    self._parts.append((info, zf.read(info)))
        except FileNotFoundError:
            raise NoticesError(f"找不到模板文件：{self.path}") from None
        except (zipfile.BadZipFile, OSError):
            raise NoticesError(f"模板 {label} 不是有效的 Word 文档（.docx）") from None
        if not any(i.filename == "word/document.xml" for i, _ in self._parts):
            raise NoticesError(f"模板 {label} 不是有效的 Word 文档：缺少正文部件")
        for i, (info, data) in enumerate(self._parts):
            if not info.filename.endswith(".xml"):
                continue
            xml = data.decode("utf-8")
            if self.fonts:
                xml = ooxml.rewrite_fonts(xml, self.fonts)
            if info.filename == "word/document.xml" and self.options.get("imprint_even_page") and any(
                    i.filename == "word/_rels/document.xml.rels" and ooxml.EMPTY_FOOTER_RID.encode() in d
                    for i, d in self._parts):
                xml = ooxml.imprint_on_even_page(xml)
            if _JINJA_PART.match(info.filename) and _HAS_JINJA.search(xml):
                src = _patch(xml)
                try:
                    ast = self.env.parse(src)  # with line breaks: errors name the text nearby
                    self._compiled[info.filename] = self.env.from_string(_unbreak(src))
                except jinja2.TemplateSyntaxError as exc:
                    raise NoticesError(f"模板 {label} 中的标记有误", [Problem(
                        f"{label} {info.filename}", f"{_cn_syntax(exc)}（附近文字：{_nearby(src, exc.lineno)}）")]) from None
                self.fields |= meta.find_undeclared_variables(ast) - set(self.env.globals)
            self._parts[i] = (info, xml.encode("utf-8"))
        self._packed = {info.filename: ooxml.pack_part(info.filename, data)
                        for info, data in self._parts if info.filename not in self._compiled}
        self._names = list(dict.fromkeys(info.filename for info, _ in self._parts))  # zip order
        self._custom = None  # (template's own custom properties, part order, packed parts) once needed

    def validate(self, provided: set[str], required: set[str]) -> None:
        """Name every field the template uses that we do not provide, and every
        required field it lacks; never let either render as a blank."""
        problems = [Problem(self.path.name, f"模板使用了未知字段“{name}”") for name in sorted(self.fields - provided)]
        problems += [Problem(self.path.name, f"模板缺少必需字段“{name}”") for name in sorted(required - self.fields)]
        if problems:
            raise NoticesError(f"模板 {self.path.name} 与本类公文的字段不符", problems)

    def render(self, context: dict, properties: dict[str, str] | None = None) -> bytes:
        """One document as .docx bytes, with ``properties`` among its custom document
        properties. Parts without Jinja were deflated once when the template was
        prepared and are copied as they are; only rendered parts (and the custom
        properties) are compressed. Byte for byte what
        ``ooxml.zip_bytes(self.render_parts(context, properties))`` gives."""
        context = _clean(context)
        names, packed = self._names, self._packed
        if properties:
            base, names, packed = self._custom_layout()
            packed = {**packed, ooxml.CUSTOM_PART: ooxml.pack_part(
                ooxml.CUSTOM_PART, ooxml.custom_properties_xml({**base, **properties}))}
        return ooxml.zip_packed([packed[name] if name not in self._compiled
                                 else ooxml.pack_part(name, self._render_part(name, context))
                                 for name in names])

    def _custom_layout(self):
        """The template's own custom properties, the part order with docProps/custom.xml
        and the packed parts that declare it: made once, the first time a document
        carries properties."""
        if self._custom is None:
            parts = {info.filename: data for info, data in self._parts}
            base = ooxml.parse_custom_properties(parts[ooxml.CUSTOM_PART]) if ooxml.CUSTOM_PART in parts else {}
            types, rels = ooxml.with_custom_declared(parts["[Content_Types].xml"].decode("utf-8"),
                                                     parts["_rels/.rels"].decode("utf-8"))
            packed = {**self._packed, "[Content_Types].xml": ooxml.pack_part("[Content_Types].xml", types),
                      "_rels/.rels": ooxml.pack_part("_rels/.rels", rels)}
            names = self._names + ([] if ooxml.CUSTOM_PART in self._names else [ooxml.CUSTOM_PART])
            self._custom = (base, names, packed)
        return self._custom

    def render_parts(self, context: dict, properties: dict[str, str] | None = None) -> dict[str, str | bytes]:
        """Every part of one document, rendered parts as text (the reference path)."""
        context = _clean(context)
        parts = {info.filename: self._render_part(info.filename, context) if info.filename in self._compiled
                 else data for info, data in self._parts}
        return ooxml.with_custom_properties(parts, properties) if properties else parts

    def _render_part(self, name: str, context: dict) -> str:
        try:
            return _finish(self._compiled[name].render(context))
        except jinja2.UndefinedError as exc:
            raise NoticesError(f"模板 {self.path.name} 使用了没有数据的字段",
                               [Problem(self.path.name, _cn_undefined(exc))]) from None
        except jinja2.TemplateError as exc:
            raise NoticesError(f"模板 {self.path.name} 无法生成：{exc}") from None


def _cn_syntax(exc: jinja2.TemplateSyntaxError) -> str:
    msg = str(exc.message or "")
    if "unknown tag" in msg:
        return f"无法识别的标记（{msg.split(chr(39))[1] if chr(39) in msg else msg}）"
    if "unexpected end of template" in msg or "Unexpected end of template" in msg:
        return "标记未闭合（如缺少 {% endif %} 或 {% endfor %}）"
    if "unexpected" in msg:
        return "标记写法有误，请检查 {{ }} 与 {% %} 是否成对"
    return "标记写法有误"


def _cn_undefined(exc: jinja2.UndefinedError) -> str:
    m = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
    name = (m.group(1) or m.group(2)) if m else str(exc)
    return f"字段“{name}”不存在"


def _nearby(src: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = src.splitlines()[max(lineno - 2, 0): lineno + 1]
    text = re.sub(r"<[^>]+>", "", "".join(lines))
    return text.strip()[:60]
