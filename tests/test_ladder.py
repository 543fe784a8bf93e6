"""Three rounds through `notices plan` and `notices issue --plan`: the ladder with memory.

The tiny registry of test_status.py; A = 县应急管理局 (overdue on 1-1 and 2-1 and
never catching up), B = 县教育局 (owes a report on 1-2, replies and catches up),
C = 县消防救援大队 (nothing flagged).

  round 1 (2026-11, as of 2026-11-29, issued 2026-11-30): 督办函 to A and B
          (reply within 5 working days: 2026-12-07); the round's 通报 names nobody.
  round 2 (2026-12, as of 2026-12-09): B replied on 12-04 and reported 1-2 done -> drops
          out; A's reply deadline passed, still overdue -> named in the round's 通报.
  round 3 (2027-01, as of 2027-01-08, 30 days after the 通报): A still overdue -> 约谈;
          B now overdue on 3-2 (due 2026-12-31), a new item -> a new 督办函, numbered
          in 2027's sequence.
"""

from __future__ import annotations

import re
import zipfile
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from notices.cli import main
from notices.file.register import Register
from notices.file.store import Store
from notices.project import Project, db_path
from test_status import REPORTS, A, B, C, D, rep, write_registry

CONFIG = """\
[office]
name = "某县安全生产委员会办公室"
short = "某安委办"
contact = "王某"
phone = "0415-0000000"

[numbering]
"督办函" = "某安委办函"
"通报" = "某安委办"
"约谈通知书" = "某安委办函"

# The ladder from the 督办函 up: the rung below it (工作提醒) is tried in test_cycle.py.
[reminder]
enabled = false
"""

DEC, JAN = ("2026-12", D(2026, 12, 8)), ("2027-01", D(2027, 1, 6))
ROUND_2 = [rep(A, m, "正在推进", rnd=DEC) for m in ("1-1", "1-2", "2-1", "3-2")] + [
    rep(B, "1-2", "已完成", D(2026, 12, 5), rnd=DEC, text="全面排查完毕"),
    rep(B, "2-1", "已完成", D(2025, 10, 20), rnd=DEC),
    rep(C, "1-2", "不涉及", rnd=DEC),
]
ROUND_3 = [rep(A, m, "正在推进", rnd=JAN) for m in ("1-1", "1-2", "2-1", "3-2")] + [
    rep(C, "1-2", "不涉及", rnd=JAN),
]


def save_round(root, round_id, reports):
    result = SimpleNamespace(problems=[], files=[], reports=reports, registry_version="test")
    Store(db_path(Project(root))).save_round(round_id, reports[0].reported_on, result, accept_warnings=False)


@pytest.fixture
def office(tmp_path):
    root = tmp_path / "office"
    write_registry(root / "registry")
    (root / "outputs").mkdir()
    (root / "notices.toml").write_text(CONFIG, encoding="utf-8")
    for round_id in sorted({r.round_id for r in REPORTS}):
        save_round(root, round_id, [r for r in REPORTS if r.round_id == round_id])
    return root


def cli(root, *args, ok=True):
    result = CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def text(path) -> str:
    return re.sub(r"<[^>]+>", "", zipfile.ZipFile(path).read("word/document.xml").decode("utf-8"))


def plan_lines(out: str) -> dict[str, str]:
    """unit -> its proposal line in `notices plan` output."""
    return {u: next(line for line in out.splitlines() if line.strip().startswith(u)) for u in (A, B, C)}


def issued(root) -> list[tuple[str, str, tuple]]:
    return [(r.kind, r.doc_number, tuple(r.subjects)) for r in Register(db_path(Project(root))).list()]


def test_three_rounds(office):
    # --- round 1 ---------------------------------------------------------------
    out = cli(office, "plan", "--as-of", "2026-11-29", "--date", "2026-11-30", "--save", str(office / "r1.yaml"))
    lines = plan_lines(out)
    assert "发督办函：规则一：逾期2项" in lines[A] and "发督办函：规则一：未报送1项" in lines[B]
    assert "不发文：无逾期或未报送事项" in lines[C]
    out = cli(office, "issue", "--plan", str(office / "r1.yaml"))
    assert issued(office) == [("通报", "某安委办〔2026〕1号", ()),
                              ("督办函", "某安委办函〔2026〕1号", (A,)), ("督办函", "某安委办函〔2026〕2号", (B,))]
    letter_a = office / "outputs" / "2026" / "督办函" / "某安委办函〔2026〕1号-应急管理局.docx"
    assert "请于2026年12月7日前将整改情况书面报送" in text(letter_a)
    again = cli(office, "issue", "--plan", str(office / "r1.yaml"))
    assert "新发 0 份" in again and len(issued(office)) == 3

    # Before the reply deadline nothing moves.
    lines = plan_lines(cli(office, "plan", "--as-of", "2026-12-07"))
    assert "回复期限2026年12月7日未到" in lines[A]

    # --- round 2 ---------------------------------------------------------------
    save_round(office, "2026-12", ROUND_2)
    cli(office, "register", "reply", "某安委办函〔2026〕2号", "--date", "2026-12-04", "--note", "已完成排查")
    out = cli(office, "plan", "--as-of", "2026-12-09", "--date", "2026-12-09", "--save", str(office / "r2.yaml"))
    lines = plan_lines(out)
    assert ("通报点名：规则二：2026年11月30日发督办函（某安委办函〔2026〕1号），回复期限2026年12月7日已过，未回复，"
            "仍逾期2项") in lines[A]
    assert "不发文：已无逾期或未报送事项（此前2026年11月30日发督办函（某安委办函〔2026〕2号））" in lines[B]
    cli(office, "issue", "--plan", str(office / "r2.yaml"))
    kinds = issued(office)
    assert kinds[1] == ("通报", "某安委办〔2026〕2号", (A,)) and len(kinds) == 4
    bulletin = text(office / "outputs" / "2026" / "通报" / "某安委办〔2026〕2号-通报.docx")
    criticised = bulletin.split("予以通报批评：")[1]
    assert criticised.startswith(f"1. {A}。县安委会办公室已于2026年11月30日发函督办（某安委办函〔2026〕1号）")
    assert B not in criticised.split("四、")[0]
    assert "附件2" in bulletin and "截至2026年12月9日" in bulletin  # the 序时进度表 bound in

    # --- round 3 ---------------------------------------------------------------
    save_round(office, "2027-01", ROUND_3)
    out = cli(office, "plan", "--as-of", "2027-01-08", "--date", "2027-01-08", "--save", str(office / "r3.yaml"))
    lines = plan_lines(out)
    assert "约谈（2027-01-13 09:00）：规则三：2026年12月9日被通报点名（某安委办〔2026〕2号），满30天仍逾期" in lines[A]
    assert "发督办函：规则一：逾期1项，尚未就此发督办函" in lines[B]  # 3-2, due 2026-12-31
    plan = (office / "r3.yaml").read_text(encoding="utf-8")
    assert "时间: 2027-01-13 09:00" in plan  # 3 working days after 2027-01-08 (a Friday)
    cli(office, "issue", "--plan", str(office / "r3.yaml"))
    new = [r for r in Register(db_path(Project(office))).list(year=2027)]
    assert [(r.kind, r.doc_number, tuple(r.subjects)) for r in new] == [
        ("通报", "某安委办〔2027〕1号", ()),  # the round's 通报: nobody newly named
        ("督办函", "某安委办函〔2027〕1号", (B,)), ("约谈通知书", "某安委办函〔2027〕2号", (A,))]
    summons = text(office / "outputs" / "2027" / "约谈通知书" / "某安委办函〔2027〕2号-应急管理局.docx")
    assert "2026年11月30日向你单位发出督办函（某安委办函〔2026〕1号）" in summons
    assert "2026年12月9日印发通报（某安委办〔2026〕2号）对你单位予以通报批评" in summons
    assert "2027年1月13日（星期三）上午9:00" in summons
    letter_b = text(office / "outputs" / "2027" / "督办函" / "某安委办函〔2027〕1号-教育局.docx")
    assert "序号3-2" in letter_b and "序号1-2" not in letter_b
