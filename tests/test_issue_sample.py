"""The shipped registry with a sample round: every 督办函 lists exactly its unit's
overdue and unreported milestones (inline or in the attached list) — all of them,
and no other — and the 通报 carries the round's figures and its attachment."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import run_cli, working_folder
from notices.assess.status import unit_items
from notices.file.register import Register
from notices.jobs.status import assess_project
from notices.project import Project, db_path

AS_OF = "2026-11-29"
MILESTONE = re.compile(r"(?<![\d-])(\d{1,2}-\d)(?![\d-])")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    project = Project(working_folder(tmp_path_factory.mktemp("sample")))
    assert run_cli(project, "progress", "sample", "-r", "2026-11", "--out", str(project.root / "returned")).exit_code == 0
    result = run_cli(project, "progress", "collect", str(project.root / "returned"), "-r", "2026-11",
                     "--as-of", AS_OF, "--accept-warnings")
    assert result.exit_code == 0, result.output
    result = run_cli(project, "issue", "duban", "--as-of", AS_OF, "--date", AS_OF)
    assert result.exit_code == 0, result.output
    result = run_cli(project, "issue", "tongbao", "--as-of", AS_OF, "--date", AS_OF)
    assert result.exit_code == 0, result.output
    return project


def document_text(path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))


def test_every_flagged_milestone_of_the_unit_and_no_other(sample):
    assessment = assess_project(sample, __import__("datetime").date(2026, 11, 29))
    records = {r.recipients[0]: r for r in Register(db_path(sample), sample.root).list(kind="督办函")}
    flagged = {s.key: sorted(i.milestone_id for i in unit_items(s)) for s in assessment.units if unit_items(s)}
    assert set(records) == set(flagged) and len(flagged) > 15
    registry, _ = sample.load()
    key = {u.name: u.key for u in registry.units}
    long_lists = 0
    for unit, ids in flagged.items():
        record = records[unit]
        text = document_text(sample.root / record.outputs[0].path)
        assert f"{unit}：" in text and record.doc_number in text
        assert sorted(set(MILESTONE.findall(text))) == sorted(set(ids)), unit
        assert sorted(record.subjects[key[unit]]) == ids  # the register keeps the unit's id
        long_lists += "事项清单" in text
    assert long_lists  # the sample has units with more items than the inline limit


def test_bulletin_with_its_attachment(sample):
    (record,) = Register(db_path(sample), sample.root).list(kind="通报")
    assert record.doc_number == "岫安委办〔2026〕1号" and len(record.outputs) == 1  # 附件2 bound in
    text = document_text(sample.root / record.outputs[0].path)
    assert "岫岩满族自治县安全生产委员会办公室文件" in text and "各单位任务完成情况排名" in text
    assert re.search(r"\n全县应完成事项\d+项，已完成\d+项，完成率\d+(\.\d)?%", text)
    assert "附件：1.各单位任务完成情况排名\n2." in text
    assert "\n附件2\n" in text and "进展情况" in text and text.index("附件2\n") < text.index("印发")


def test_bulletin_attachment_apart_carries_the_number(sample, tmp_path):
    """[layout] bind_table = false: 附件2 is a file of its own headed "<文号>附件2" (GB/T 9704 §8)."""
    config = sample.root / "notices.toml"
    kept = config.read_bytes()
    assert run_cli(sample, "config", "set", "layout.bind_table", "false").exit_code == 0
    try:  # the round's 通报 is out: a second one says why
        result = run_cli(sample, "issue", "tongbao", "--as-of", AS_OF, "--date", "2026-11-30",
                         "--force", "--reason", "附件另行印发")
        assert result.exit_code == 0, result.output
    finally:
        config.write_bytes(kept)
    record = next(r for r in Register(db_path(sample), sample.root).list(kind="通报") if r.serial == 2)
    main, table = (sample.root / o.path for o in record.outputs)
    assert table.name == "岫安委办〔2026〕2号-附件2-序时进度表.docx"
    assert document_text(table).lstrip().startswith("岫安委办〔2026〕2号附件2\n")
    assert "\n进展情况\n" not in document_text(main) and "\n附件2\n" not in document_text(main)
