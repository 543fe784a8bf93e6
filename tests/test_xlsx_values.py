"""read.xlsx_values reads returned workbooks as openpyxl does: collecting with it
and collecting with openpyxl alone give the same reports and the same problems,
cell for cell, whatever the cells hold."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from notices.jobs.sample import make_sample_round
from notices.read import progress_xlsx, xlsx_values
from notices.read.progress_xlsx import read_workbooks
from test_progress_collect import AS_OF, L, fill, project, template  # noqa: F401  (fixture)


def both(project, paths, monkeypatch, round_id="2026-11", as_of=AS_OF):  # noqa: F811
    registry, directory = project.load()
    out = []
    for fast in (True, False):
        monkeypatch.setattr(progress_xlsx, "FAST_READER", fast)
        r = read_workbooks(list(paths), registry, directory, round_id, as_of)
        out.append((r.reports, [(p.severity, p.where, p.message) for p in r.problems], r.files))
    return out


def fast_reads(monkeypatch) -> list[str]:
    """Record each file the fast reader passed on to openpyxl."""
    passed: list[str] = []
    original = xlsx_values.Workbook.__init__

    def init(self, data):
        try:
            original(self, data)
        except xlsx_values.Unsupported as exc:
            passed.append(str(exc))
            raise

    monkeypatch.setattr(xlsx_values.Workbook, "__init__", init)
    return passed


_values = st.one_of(
    st.none(), st.text(max_size=20), st.integers(-10**12, 10**12), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)), st.times(),
    st.sampled_from(["已完成", "完成", "正在推进", "2024年12月", "2025.3.4", "#REF!", "#DIV/0!", "80%", "1-1", "2-1",
                     "９-９", "应急局", "县应急管理局", "县教育局", "=1/0", "_x0007_说明_x000D_", "_x005F_x0041_",
                     " ", "\n"]),
)
_formats = st.sampled_from([None, "General", "0%", "0.00%", "@", "yyyy-mm-dd", "yyyy年m月d日", "[h]:mm", "0.0"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 13), _values, _formats), max_size=10),
       merge=st.one_of(st.none(), st.tuples(st.integers(2, 6), st.integers(1, 12), st.integers(0, 2), st.integers(0, 1))),
       date1904=st.booleans(), stream=st.booleans())
def test_same_result_as_openpyxl_whatever_the_cells_hold(project, monkeypatch, edits, merge, date1904,  # noqa: F811
                                                          stream):
    monkeypatch.setattr(xlsx_values, "_STREAM_FROM", 0 if stream else 8 << 20)
    def edit(wb, ws):
        wb.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904 if date1904 else wb.epoch
        for r, c, value, fmt in edits:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            try:
                ws.cell(r, c).value = value
            except (ValueError, TypeError, AttributeError):  # AttributeError: inside the merged title
                continue
            if fmt:
                ws.cell(r, c).number_format = fmt
        if merge:
            r, c, down, across = merge
            ws.merge_cells(start_row=r, start_column=c, end_row=r + down, end_column=c + across)

    base = project.root / "blank" / L
    if not base.exists():
        base = template(project)
    path = fill(base, {}, edit=edit)
    fast, plain = both(project, [path], monkeypatch)
    assert fast == plain


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_sample_round_with_every_mistake_reads_the_same(project, tmp_path, monkeypatch, stream):  # noqa: F811
    if stream:  # every sheet parsed as the stream a 50,000-row workbook is
        monkeypatch.setattr(xlsx_values, "_STREAM_FROM", 0)
    passed = fast_reads(monkeypatch)
    paths = make_sample_round(project, "2026-11", tmp_path / "returned", seed=3)
    fast, plain = both(project, paths, monkeypatch)
    assert fast == plain and fast[0] and fast[1]
    assert passed == []  # our own workbooks never need openpyxl


def test_rich_text_inline_strings_and_cached_formulas(project, monkeypatch):  # noqa: F811
    def edit(wb, ws):
        ws["J3"] = CellRichText(["正在", TextBlock(InlineFont(b=True), "推进"), "中"])
        ws["G3"] = "正在推进"
        ws["I3"] = "=50+10"

    path = fill(template(project), {}, edit=edit)
    # A cached formula result as Excel writes it, and an inline string.
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = text.replace("<f>50+10</f><v></v>", "<f>50+10</f><v>60</v>").replace(
                    "<f>50+10</f><v/>", "<f>50+10</f><v>60</v>")
                data = text.encode("utf-8")
            dst.writestr(item, data)
    path.write_bytes(buf.getvalue())
    fast, plain = both(project, [path], monkeypatch)
    assert fast == plain
    assert fast[0][0].text == "正在推进中"


def test_what_it_cannot_read_the_same_way_goes_to_openpyxl(project, tmp_path, monkeypatch):  # noqa: F811
    passed = fast_reads(monkeypatch)
    wb = Workbook()
    wb.create_chartsheet("图表")
    path = tmp_path / "chart.xlsx"
    wb.save(path)
    with pytest.raises(xlsx_values.Unsupported):
        xlsx_values.load(path.read_bytes())
    assert passed
    fast, plain = both(project, [path], monkeypatch)
    assert fast == plain and any("无法打开" in p[2] or "填报表" in p[2] for p in fast[1])


def test_files_read_in_worker_processes_give_the_single_process_result(project, tmp_path, monkeypatch):  # noqa: F811
    import shutil

    from notices.read.progress_xlsx import read_workbooks as read_all

    paths = make_sample_round(project, "2026-11", tmp_path / "returned", seed=5)
    shutil.copy(paths[0], tmp_path / "returned" / "copy.xlsx")  # a duplicate, found as one process finds it
    (tmp_path / "returned" / "folder.xlsx").mkdir()  # cannot be read
    paths += [tmp_path / "returned" / "copy.xlsx", tmp_path / "returned" / "folder.xlsx"]
    registry, directory = project.load()
    monkeypatch.setattr(progress_xlsx, "PARALLEL_MIN_FILES", 3)
    used = []
    original = progress_xlsx._read_in_workers
    monkeypatch.setattr(progress_xlsx, "_read_in_workers", lambda *a: used.append(a[-1]) or original(*a))
    one = read_all(paths, registry, directory, "2026-11", AS_OF, workers=1)
    two = read_all(paths, registry, directory, "2026-11", AS_OF, workers=2)
    assert used == [2]
    assert (two.reports, two.problems, two.files, two.sizes) == (one.reports, one.problems, one.files, one.sizes)
    assert any("内容完全相同" in p.message for p in two.problems) and any("无法读取" in p.message for p in two.problems)
