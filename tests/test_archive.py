"""`notices archive --year` and `notices archive verify` on the ladder scenario of
test_ladder.py (rounds 1 and 2: two 督办函 and two 通报, each 通报 with its 附件2
file), plus one voided number and one reply.

Expected package (archive config: 全宗号 Z109, 机构 AWB; 通报 D30, 督办函 D10):
  Z109-WS·2026-D30-AWB-0001  某安委办〔2026〕1号    (通报, 2026-11-30, 2 files)
  Z109-WS·2026-D30-AWB-0002  某安委办〔2026〕2号    (通报, 2026-12-09, 2 files)
  Z109-WS·2026-D10-AWB-0001  某安委办函〔2026〕1号  (督办函 to A, 2026-11-30)
  Z109-WS·2026-D10-AWB-0002  某安委办函〔2026〕2号  (督办函 to B, 2026-11-30)
  某安委办函〔2026〕3号: voided — listed, not filed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3

import pytest
from openpyxl import load_workbook

from conftest import needs_soffice
from notices.file.pdf import pdfa_level
from notices.file.register import Register
from notices.project import Project, db_path
from test_ladder import CONFIG, ROUND_2, cli, save_round
from test_ladder import office as ladder_office  # noqa: F401  (fixture)

pytestmark = needs_soffice

ARCHIVE = """
[archive]
fonds = "Z109"
org_code = "AWB"
"""
CODE = re.compile(r"^Z109-WS·2026-(D30|D10)-AWB-(\d{4})$")


@pytest.fixture(scope="module")
def filed(tmp_path_factory):
    """Issue rounds 1 and 2 in a fresh project, void one extra letter, file the year."""
    import test_ladder

    root = tmp_path_factory.mktemp("archive") / "office"
    root.mkdir()
    write = test_ladder.write_registry
    write(root / "registry")
    (root / "outputs").mkdir()
    (root / "notices.toml").write_text(CONFIG + ARCHIVE, encoding="utf-8")
    for round_id in sorted({r.round_id for r in test_ladder.REPORTS}):
        save_round(root, round_id, [r for r in test_ladder.REPORTS if r.round_id == round_id])
    cli(root, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30", "--save", str(root / "r1.yaml"))
    cli(root, "issue", "--plan", str(root / "r1.yaml"))
    cli(root, "issue", "duban", "--as-of", "2026-11-29", "--date", "2026-12-01", "--unit", "县应急管理局",
        "--force", "--reason", "误以为前函未送达")
    cli(root, "register", "void", "某安委办函〔2026〕3号", "--reason", "重复发文")
    save_round(root, "2026-12", ROUND_2)
    cli(root, "register", "reply", "某安委办函〔2026〕2号", "--date", "2026-12-04", "--note", "已完成排查")
    cli(root, "plan", "--as-of", "2026-12-09", "--date", "2026-12-09", "--save", str(root / "r2.yaml"))
    cli(root, "issue", "--plan", str(root / "r2.yaml"))
    out = cli(root, "archive", "--year", "2026")
    return root, out


def folder(root):
    return root / "outputs" / "归档" / "2026"


def catalogue(root):
    return load_workbook(folder(root) / "归档文件目录-2026.xlsx")


def test_catalogue_columns_order_and_codes(filed):
    root, out = filed
    assert "新归档 4 件" in out and "作废文号 1 个" in out
    ws = catalogue(root)["归档文件目录"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0] == ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    body = rows[1:]
    assert [r[0] for r in body] == [1, 2, 3, 4]
    assert [(r[1], r[2]) for r in body] == [
        ("Z109-WS·2026-D30-AWB-0001", "某安委办〔2026〕1号"), ("Z109-WS·2026-D30-AWB-0002", "某安委办〔2026〕2号"),
        ("Z109-WS·2026-D10-AWB-0001", "某安委办函〔2026〕1号"), ("Z109-WS·2026-D10-AWB-0002", "某安委办函〔2026〕2号")]
    assert all(CODE.match(r[1]) for r in body)
    assert [r[5] for r in body] == ["20261130", "20261209", "20261130", "20261130"]
    assert {r[3] for r in body} == {"某县安全生产委员会办公室"} and {r[6] for r in body} == {None}
    assert body[2][8] == "主送：县应急管理局"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == int(ws.PAPERSIZE_A4)
    voided = [[c.value for c in row] for row in catalogue(root)["作废文号"].iter_rows(min_row=3)]
    assert voided == [["某安委办函〔2026〕3号", "督办函", voided[0][2], "2026-12-01", "重复发文"]]
    stamps = [[c.value for c in row] for row in catalogue(root)["归档章"].iter_rows(min_row=3)]
    assert stamps[0] == ["Z109-WS·2026-D30-AWB-0001", "Z109", "2026", "定期30年", "0001", "AWB"]


def test_files_named_by_code_pdfa_and_page_counts(filed):
    from pypdf import PdfReader

    root, _ = filed
    files = folder(root) / "文件"
    # one file a piece: the 通报's 附件2 is bound into it
    assert sorted(p.name for p in files.iterdir()) == sorted(
        [f"Z109-WS·2026-{term}-AWB-000{n}{s}" for term in ("D30", "D10") for n in (1, 2) for s in (".pdf", ".json")])
    ws = catalogue(root)["归档文件目录"]
    for row in ws.iter_rows(min_row=3, values_only=True):
        pdfs = sorted(files.glob(f"{row[1]}*.pdf"))
        assert row[7] == sum(len(PdfReader(str(p)).pages) for p in pdfs) > 0
        for pdf in pdfs:
            assert pdfa_level(pdf) == "2B"
    # the 通报 holds its 附件2, the landscape 序时进度表, between portrait pages
    pages = PdfReader(str(files / "Z109-WS·2026-D30-AWB-0001.pdf")).pages
    assert pages[0].mediabox.width < pages[0].mediabox.height and pages[-1].mediabox.width < pages[-1].mediabox.height
    assert any(p.mediabox.width > p.mediabox.height for p in pages)


def test_catalogue_validates(filed):
    from ooxml_valid import assert_valid

    root, _ = filed
    assert_valid(folder(root) / "归档文件目录-2026.xlsx")


def test_metadata_per_piece(filed):
    root, _ = filed
    meta = json.loads((folder(root) / "文件" / "Z109-WS·2026-D10-AWB-0002.json").read_text(encoding="utf-8"))
    for key in ("档号", "题名", "文件编号", "责任者", "日期", "保管期限", "密级", "计算机文件", "业务行为", "归档章"):
        assert key in meta
    assert (meta["文件编号"], meta["日期"], meta["保管期限"], meta["主送"]) == (
        "某安委办函〔2026〕2号", "20261130", "定期10年", ["县教育局"])
    (pdf,) = meta["计算机文件"]
    assert pdf["文件名"] == "Z109-WS·2026-D10-AWB-0002.pdf" and pdf["格式"] == "PDF/A-2B"
    assert "LibreOffice" in pdf["创建程序"] and pdf["页数"] >= 1
    data = (folder(root) / "文件" / pdf["文件名"]).read_bytes()
    assert pdf["大小"] == len(data) and pdf["SHA-256"] == hashlib.sha256(data).hexdigest()
    assert pdf["SM3"] == hashlib.new("sm3", data).hexdigest()
    assert [s["行为"] for s in meta["业务行为"]] == ["登记", "生成", "答复", "归档"]
    assert meta["归档章"] == {"全宗号": "Z109", "年度": "2026", "保管期限": "定期10年", "件号": "0002",
                             "机构（问题）": "AWB"}


def test_manifest_lists_every_file_with_both_digests(filed):
    root, _ = filed
    manifest = json.loads((folder(root) / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["文件"]: e for e in manifest["文件清单"]}
    on_disk = {p.relative_to(folder(root)).as_posix() for p in folder(root).rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json"}
    for name, entry in listed.items():
        data = (folder(root) / name).read_bytes()
        assert entry["SHA-256"] == hashlib.sha256(data).hexdigest() and entry["SM3"] == hashlib.new("sm3", data).hexdigest()
    assert manifest["作废文号"] == ["某安委办函〔2026〕3号"] and manifest["件数"] == 4


def test_rerun_adds_only_what_is_new(filed):
    root, _ = filed
    files = folder(root) / "文件"
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    again = cli(root, "archive", "--year", "2026")
    assert "新归档 0 件，此前已归档 4 件" in again
    assert {p.name: p.read_bytes() for p in files.iterdir()} == before
    cli(root, "issue", "tongbao", "--as-of", "2026-12-09", "--date", "2026-12-10", "--force", "--reason", "更正后重发")
    more = cli(root, "archive", "--year", "2026")
    assert "已归档：Z109-WS·2026-D30-AWB-0003" in more and "新归档 1 件" in more
    assert all(files.joinpath(name).read_bytes() == data for name, data in before.items())
    rows = list(catalogue(root)["归档文件目录"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows][:3] == [f"Z109-WS·2026-D30-AWB-000{n}" for n in (1, 2, 3)]
    assert cli(root, "archive", "verify", "--year", "2026").startswith("2026 年度归档核对通过")


def test_verify_names_changed_missing_and_added_files_and_gaps(filed, tmp_path):
    import shutil

    root, _ = filed
    copy = tmp_path / "office"
    shutil.copytree(root, copy)
    files = folder(copy) / "文件"
    pdf = files / "Z109-WS·2026-D10-AWB-0001.pdf"
    data = bytearray(pdf.read_bytes())
    recorded = hashlib.sha256(data).hexdigest()
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    (files / "Z109-WS·2026-D10-AWB-0002.json").unlink()
    (files / "说明.txt").write_text("多余", encoding="utf-8")
    # a re-run rewrites the manifest with the digests recorded at filing, not the changed file's
    cli(copy, "archive", "--year", "2026")
    listed = {e["文件"]: e for e in json.loads((folder(copy) / "manifest.json").read_text(encoding="utf-8"))["文件清单"]}
    assert listed["文件/Z109-WS·2026-D10-AWB-0001.pdf"]["SHA-256"] == recorded != hashlib.sha256(pdf.read_bytes()).hexdigest()
    out = cli(copy, "archive", "verify", "--year", "2026", ok=False)
    assert "已被改动：文件/Z109-WS·2026-D10-AWB-0001.pdf" in out
    assert "缺失：文件/Z109-WS·2026-D10-AWB-0002.json" in out
    assert "多出：文件/说明.txt" in out
    conn = sqlite3.connect(db_path(Project(copy)))
    conn.execute("DELETE FROM archive_items WHERE archival_code = 'Z109-WS·2026-D30-AWB-0001'")
    conn.commit()
    conn.close()
    out = cli(copy, "archive", "verify", "--year", "2026", ok=False)
    assert "件号不连续：D30-AWB（缺件号 0001）" in out


def test_missing_fonds_is_a_clear_error(ladder_office):  # noqa: F811
    out = cli(ladder_office, "archive", "--year", "2026", ok=False)
    assert "全宗号" in out and "[archive]" in out and "Traceback" not in out
    assert not Register(db_path(Project(ladder_office))).list()
