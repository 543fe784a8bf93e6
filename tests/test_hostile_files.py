"""Hostile files: zip and XML bombs refused before anything unpacks them (read.safezip),
templates that reach outside their data refused when loaded (render.template_check),
YAML alias bombs, and names from the data that must not leave outputs/.

The bombs are made by tests/corpus/make_corpus.py's helpers; "before anything
unpacks them" is shown by making every reader fail if it is called at all.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notices.errors import NoticesError
from notices.file.outputs import safe_filename
from notices.project import Project
from notices.read import safezip
from notices.render import template_check
from notices.render.engine import Template, make_env

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import make_corpus as corpus  # noqa: E402

from conftest import ROOT, run_cli  # noqa: E402

MINI = Path(__file__).parent / "data" / "mini"
TEMPLATES = sorted((ROOT / "templates").glob("*.docx"))
BOMB = "文件解压后超过 100 MB（“压缩炸弹”）"
DTD = "含有文档类型声明（DOCTYPE/ENTITY"


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return corpus.Kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture(scope="module")
def bombs(kit, tmp_path_factory):
    """name -> file: the four hostile workbooks of the issue, and a bomb template."""
    d = tmp_path_factory.mktemp("bombs")
    good = kit.good()
    return {
        "zip-bomb": corpus.zip_bomb(d / "炸弹.xlsx", good, "xl/worksheets/sheet9.xml", corpus.GIB),
        "entries": corpus.many_entries(d / "十万.xlsx", good, 100_000),
        "laughs": corpus.rezip(good, d / "实体.xlsx", lambda n, b: corpus.LOL if n == "xl/worksheets/sheet1.xml" else None),
        "xxe": corpus.rezip(good, d / "外部.xlsx", lambda n, b: corpus.XXE if n == "xl/worksheets/sheet1.xml" else None),
        "template": corpus.zip_bomb(d / "督办函.docx", kit.letter(), "word/media/image9.xml", corpus.GIB // 4),
    }


@pytest.fixture
def no_readers(monkeypatch):
    """Every reader of a package fails the test if it is reached."""
    def boom(*args, **kwargs):
        raise AssertionError("a reader opened the package before it was checked")
    import docx
    import openpyxl

    from notices.read import progress_xlsx, xlsx_values

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    monkeypatch.setattr(progress_xlsx, "load_workbook", boom)
    monkeypatch.setattr(xlsx_values, "load", boom)
    monkeypatch.setattr(docx, "Document", boom)


# --- safezip ----------------------------------------------------------------------------

def test_real_packages_pass(kit):
    for path in TEMPLATES + [kit.table(".docx"), kit.table(".xlsx"), kit.blank(), kit.blank(county=True)]:
        assert safezip.inspect(path) is None, path
        assert safezip.inspect(Path(path).read_bytes()) is None, path


def test_limits_are_far_above_real_files(kit):
    for path in TEMPLATES + [kit.table(".docx"), kit.table(".xlsx"), kit.blank(county=True)]:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        assert len(infos) * 20 < safezip.MAX_ENTRIES
        assert sum(i.file_size for i in infos) * 50 < safezip.MAX_TOTAL_SIZE
        assert max(i.file_size / i.compress_size for i in infos if i.compress_size) * 10 < safezip.MAX_RATIO


@pytest.mark.parametrize("name, message", [
    ("zip-bomb", BOMB), ("entries", "个部件（上限 5000 个）"), ("laughs", DTD), ("xxe", DTD)])
def test_bombs_are_refused_fast_and_small(bombs, name, message):
    tracemalloc.start()
    start = time.process_time()
    try:
        why = safezip.inspect(bombs[name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert why and message in why and "恶意构造" in why
    assert time.process_time() - start < 2
    assert peak < 16 * 1024 * 1024, peak  # the 100,000-entry directory alone is ~10 MB on disk


def test_entry_count_is_read_from_the_end_record(bombs, kit):
    with open(bombs["entries"], "rb") as fh, zipfile.ZipFile(io.BytesIO(kit.good())) as base:
        assert safezip.entry_count(fh) == 100_000 + len(base.infolist())  # past 65,535: the ZIP64 end record
    with open(kit.blank(), "rb") as fh, zipfile.ZipFile(kit.blank()) as zf:
        assert safezip.entry_count(fh) == len(zf.infolist())
    assert safezip.entry_count(io.BytesIO(b"PK\x03\x04 not a zip")) is None


@pytest.mark.parametrize("name", ["zip-bomb", "entries", "laughs", "xxe"])
def test_collection_refuses_before_any_reader(bombs, name, no_readers, tmp_path):
    from notices.read.progress_xlsx import read_workbooks

    project = Project(tmp_path)
    shutil.copytree(MINI, tmp_path / "registry")
    registry, directory = project.load()
    result = read_workbooks([bombs[name]], registry, directory, "2026-11", dt.date(2026, 11, 29))
    (error,) = result.errors
    assert error.where == bombs[name].name and "恶意构造" in error.message
    assert result.reports == []


@pytest.mark.parametrize("name", ["zip-bomb", "laughs", "xxe"])
def test_import_refuses_before_any_reader(bombs, name, no_readers, tmp_path):
    from notices.read.table_import import import_table

    with pytest.raises(NoticesError) as exc:
        import_table(bombs[name], None)
    assert exc.value.problems[0].where == bombs[name].name and "恶意构造" in exc.value.problems[0].message


def test_template_bomb_refused_before_its_parts_are_read(bombs, monkeypatch):
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: pytest.fail("a part was read"))
    with pytest.raises(NoticesError) as exc:
        Template(bombs["template"])
    assert exc.value.message.startswith("模板 督办函.docx 已拒绝使用：") and BOMB in exc.value.message


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
    b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- <a> a comment first --><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    b"<?xml version='1.0'?>" + b" " * 20000 + b"<!DOCTYPE a><a/>",  # past the first chunk
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a/>'.encode("utf-16"),
    b"<?xml version='1.0'?><!-- " + b"x" * (safezip.PROLOG_LIMIT + 10) + b" --><a/>",  # no root in sight
])
def test_dtd_anywhere_in_the_prolog_is_refused(xml):
    assert safezip.inspect(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": xml}))


@pytest.mark.parametrize("xml", [b"", b"<a>no declaration</a>", b"\x89PNG\r\n\x1a\n binary",
                                 b'<?xml version="1.0"?>\n<a><![CDATA[<!DOCTYPE>]]></a>', b"<?xml version='1.0'?><a"])
def test_ordinary_parts_pass(xml):
    assert safezip.inspect(_zip({"[Content_Types].xml": b"<Types/>", "xl/x.xml": xml})) is None


def test_not_a_zip_is_left_to_the_caller():
    for data in (b"", b"PK\x03\x04" + bytes(100), b"plain text", bytes(range(256))):
        assert safezip.inspect(data) is None


# --- the sandbox -------------------------------------------------------------------------

@pytest.mark.parametrize("source, finding", [
    ("{{ ''.__class__.__mro__ }}", "不允许访问内部属性“__class__”"),
    ("{{ x['__globals__'] }}", "不允许访问内部属性“__globals__”"),
    ("{{ x['\\x5f_init__'] }}", "不允许访问内部属性“__init__”"),  # escapes are decoded before the check
    ("{{ x|attr('__dict__') }}", "不允许访问内部属性“__dict__”"),
    ("{{ g.gi_frame.f_globals }}", "不允许访问内部属性“gi_frame”"),
    ("{{ x.mro() }}", "不允许访问内部属性“mro”"),
    ("{% include 'a.docx' %}", "不允许使用 {% include %}"),
    ("{% import 'a' as b %}", "不允许使用 {% import %}"),
    ("{% from 'a' import b %}", "不允许使用 {% from … import %}"),
    ("{% extends 'a' %}", "不允许使用 {% extends %}"),
])
def test_forbidden_jinja_is_found(source, finding):
    assert any(finding in message for _, message in template_check.findings(make_env().parse(source)))


@pytest.mark.parametrize("source", ["{{ para.text }}", "{{ items|length }}", "{% for a in b %}{{ loop.index }}{% endfor %}",
                                    "{{ x.date_cn }}", "{{ r['unit'] }}", "{% set n = 1 %}{{ n }}"])
def test_ordinary_jinja_passes(source):
    assert template_check.findings(make_env().parse(source)) == []


def test_shipped_templates_pass():
    for path in TEMPLATES:
        template_check.check(path, path.name)


def test_the_sandbox_still_guards_what_the_check_cannot_see():
    # A name built at render time is not in the syntax tree: the sandbox refuses it then.
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        make_env().from_string("{{ x|attr('_' ~ '_class__') }}").render(x="")


# --- YAML -----------------------------------------------------------------------------------

def test_deep_nesting_is_named(tmp_path):
    shutil.copytree(MINI, tmp_path / "registry")
    (tmp_path / "registry" / "plan.yaml").write_text("plan: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = run_cli(Project(tmp_path), "registry", "check")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "plan.yaml" in result.output and ("嵌套过深" in result.output or "嵌套层数" in result.output), result.output


# --- names from the data ---------------------------------------------------------------------

WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³")}
HOSTILE_NAMES = ["../../etc/passwd", "..\\..\\Windows\\win.ini", "C:\\Windows\\x", "/etc/passwd", "\\\\server\\share",
                 "CON", "con", "aux.txt", "NUL .docx", "COM1", "lpt¹", "a<b>c:d\"e/f\\g|h?i*j", "名称. . .", "  .  ",
                 "..", ".", "", "x\x00y\x1fz", "县应急局" * 40, "末尾空格 ", "file:///etc/passwd"]


def windows_valid(name: str) -> bool:
    stem = name.split(".")[0].rstrip().upper()
    return (bool(name) and not WINDOWS_FORBIDDEN.search(name) and name[-1] not in ". " and stem not in RESERVED
            and ".." not in name and len(name.encode("utf-16-le")) // 2 <= 255)


def stays_in(folder: Path, name: str) -> bool:
    return (folder / name).resolve().parent == folder.resolve() and PureWindowsPath(name).name == name


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_filename_of_hostile_names(name, tmp_path):
    for candidate in (safe_filename(name), safe_filename(f"某安委办函〔2026〕1号-{name}.docx")):
        assert windows_valid(candidate), candidate
        assert stays_in(tmp_path, candidate), candidate
    assert safe_filename(f"{name}.docx").endswith(".docx")


@settings(max_examples=200, derandomize=True, database=None)
@given(st.text(), st.sampled_from(["", ".docx", ".xlsx"]), st.integers(10, 120))
def test_safe_filename_always_valid(name, suffix, limit):
    result = safe_filename(name + suffix, limit)
    assert windows_valid(result) and len(result) <= limit
    assert stays_in(Path("/tmp/outputs"), result)
    assert result.endswith(suffix)


@pytest.mark.parametrize("short", ["../../etc/教育局", "C:\\Windows\\教育局", "CON", "aux.txt", "教育局<>:\"|?*", "教育局. "])
def test_unit_names_never_leave_outputs(tmp_path, short):
    root = tmp_path / "office"
    shutil.copytree(MINI, root / "registry")
    units = root / "registry" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("short: 教育局", f"short: '{short}'"), encoding="utf-8")
    before = {p for p in tmp_path.rglob("*")}
    result = run_cli(Project(root), "progress", "template", "--round", "2026-11", "--unit", "县教育局")
    assert result.exit_code == 0, result.output
    (written,) = [p for p in tmp_path.rglob("*") if p.is_file() and p not in before]
    folder = root / "outputs" / "2026-11" / "填报表"
    assert written.parent == folder and windows_valid(written.name), written
    assert written.suffix == ".xlsx"
