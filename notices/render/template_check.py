"""Refuse a template before it is prepared: a hostile package, or Jinja that
reaches outside the data it is given.

Templates are edited by staff and may come from anywhere (a colleague's copy,
a download). They render in Jinja's sandbox (engine.make_env), which refuses
Python internals at render time, with an English message, and has no loader,
so ``{% include %}`` failed as an internal error. Here the same rules are
checked in the template's syntax tree when it is loaded, before any number is
taken, each finding one Chinese line naming the template, the part and the
text near it:

* no ``{% import %}``, ``{% from … import %}``, ``{% include %}``,
  ``{% extends %}``: a template cannot pull in other files;
* no attribute or item whose name starts with "_" (``''.__class__``,
  ``x['__globals__']``, ``x|attr('__init__')``) nor the frame and code
  attributes the sandbox lists as unsafe (``gi_frame``, ``f_globals`` …).

Parts that do not parse are left to the engine, which names the syntax error.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.sandbox import UNSAFE_ASYNC_GENERATOR_ATTRIBUTES, UNSAFE_COROUTINE_ATTRIBUTES, \
    UNSAFE_FUNCTION_ATTRIBUTES, UNSAFE_GENERATOR_ATTRIBUTES, UNSAFE_METHOD_ATTRIBUTES

from ..errors import NoticesError, Problem
from ..read import safezip

_UNSAFE = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
           | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
           | {"tb_frame", "tb_next", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "mro"})
_LOADING = {nodes.Import: "import", nodes.FromImport: "from … import", nodes.Include: "include",
            nodes.Extends: "extends"}


def _internal(name) -> bool:
    return isinstance(name, str) and (name.startswith("_") or name in _UNSAFE)


def findings(ast: nodes.Template) -> list[tuple[int, str]]:
    """(line, Chinese message) for each construct the sandbox forbids."""
    out = []
    for node in ast.find_all((nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends)):
        out.append((node.lineno, f"不允许使用 {{% {_LOADING[type(node)]} %}}：模板不能引用其他文件"))
    for node in ast.find_all(nodes.Getattr):
        if _internal(node.attr):
            out.append((node.lineno, f"不允许访问内部属性“{node.attr}”"))
    for node in ast.find_all(nodes.Getitem):
        if isinstance(node.arg, nodes.Const) and _internal(node.arg.value):
            out.append((node.lineno, f"不允许访问内部属性“{node.arg.value}”"))
    for node in ast.find_all(nodes.Filter):
        if node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const) \
                and _internal(node.args[0].value):
            out.append((node.lineno, f"不允许访问内部属性“{node.args[0].value}”"))
    return sorted(set(out))


def _line_text(src: str, line: int) -> str:
    """The text of one line of the patched part (one paragraph), without tags."""
    lines = src.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[line - 1] if 0 < line <= len(lines) else "").strip()
    return text if len(text) <= 60 else text[:60] + "…"


def check(path: Path, label: str) -> None:
    """Raise a NoticesError naming the template if its package or its Jinja is refused.
    A missing or unreadable file raises what opening it raises (the caller names it)."""
    why = safezip.inspect(path)
    if why:
        raise NoticesError(f"模板 {label} 已拒绝使用：{why}", [Problem(label, why)])
    from . import engine  # the engine imports this module

    problems = []
    env = engine.make_env()
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not engine._JINJA_PART.match(info.filename):
                    continue
                try:
                    xml = zf.read(info).decode("utf-8")
                except (UnicodeDecodeError, zipfile.BadZipFile, OSError, EOFError, ValueError):
                    continue  # the engine names a damaged part
                if not engine._HAS_JINJA.search(xml):
                    continue
                src = engine._patch(xml)
                try:
                    ast = env.parse(src)
                except jinja2.TemplateSyntaxError:
                    continue  # the engine names it
                for line, message in findings(ast):
                    problems.append(Problem(f"{label} {info.filename}",
                                            f"{message}（所在段落：{_line_text(src, line)}）"))
    except zipfile.BadZipFile:
        return  # the engine says it is not a .docx
    if problems:
        raise NoticesError(f"模板 {label} 中有不允许的写法（模板只能使用公文的数据字段）", problems)
