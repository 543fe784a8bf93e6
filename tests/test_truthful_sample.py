"""The shipped registry with the sample round, read as the unit and the 核稿 reviewer
would: every document the CLI issued is checked against the register, the collected
reports and the registry.

- no document calls an item overdue that the unit reported done for that period;
- no document is addressed to, criticises or ranks the issuing office;
- a refused row is said to be refused, not "never reported";
- every deadline quoted is the registry's wording; counts are in 事项;
- re-planning the next day with the same data proposes nothing already issued;
- a rename in units.yaml (old name kept as an alias) changes no status.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from conftest import run_cli, working_folder
from notices.file.register import Register
from notices.file.store import Store
from notices.project import Project, db_path

AS_OF = "2026-11-29"
OFFICE = "县安委会办公室"
ITEM = re.compile(r"（序号(\d+-\d+)），完成时间为([^，；]+(?:（[^）]*）)?)")


def ok(project, *args) -> str:
    result = run_cli(project, *args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    project = Project(working_folder(tmp_path_factory.mktemp("truthful-sample")))
    ok(project, "progress", "sample", "-r", "2026-11", "--out", str(project.root / "returned"))
    ok(project, "progress", "collect", str(project.root / "returned"), "-r", "2026-11", "--as-of", AS_OF,
       "--accept-warnings")
    ok(project, "plan", "--as-of", AS_OF, "--date", AS_OF, "--save", str(project.root / "plan.yaml"))
    ok(project, "issue", "--plan", str(project.root / "plan.yaml"))
    return project


def document_text(path) -> str:
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n").replace("</w:tc>", "\t"))


def issued(project):
    return [r for r in Register(db_path(project), project.root).list() if r.status == "issued"]


def test_no_item_is_called_overdue_that_the_unit_reported_done_for_that_period(sample):
    registry, directory = sample.load()
    store = Store(db_path(sample))
    done = {(directory.name_for_key(r.unit), r.milestone_id, r.period)
            for r in store.reports("2026-11") if r.state == "已完成"}
    recurring = {m.id for m in registry.milestones if m.recurring}
    letters = [r for r in issued(sample) if r.kind == "督办函"]
    assert letters
    for record in letters:
        (key, items), = record.subjects.items()
        unit = directory.name_for_key(key)
        for item in items:
            mid, _, period = item.partition("@")
            assert (unit, mid, period) not in done, (record.doc_number, item)
            # a recurring requirement is never overdue on the strength of another period's report
            assert mid not in recurring or period, item
        body = document_text(sample.root / record.outputs[0].path)
        for sentence in re.findall(r"\d+\. 第\d+项任务[^\n]*", body):
            assert not ("已逾期" in sentence and "报送为“已完成”" in sentence), sentence


def test_the_issuing_office_is_never_addressed_criticised_or_ranked(sample):
    plan = (sample.root / "plan.yaml").read_text(encoding="utf-8")
    assert f"- {OFFICE}" not in plan
    for record in issued(sample):
        assert OFFICE not in record.recipients
        assert not any(OFFICE in unit for unit in record.subjects)
        if record.kind == "通报":
            body = document_text(sample.root / record.outputs[0].path)
            problems = body.split("三、存在的问题")[1].split("四、工作要求")[0]
            ranking = body.split("各单位任务完成情况排名")[-1].split("附件2")[0]  # the 序时进度表 after it quotes the plan
            assert OFFICE not in problems and OFFICE not in ranking
            assert "予以通报表扬" in body and OFFICE not in body.split("予以通报表扬")[0].split("二、")[-1]
    status = ok(sample, "status", "--as-of", AS_OF)
    assert f"【本办公室自身事项，不排名、不发文】{OFFICE}" in status
    data = json.loads(ok(sample, "status", "--as-of", AS_OF, "--json"))
    assert OFFICE not in [u["unit"] for u in data["units"]] and data["internal"][0]["unit"] == OFFICE


def test_a_refused_row_is_said_to_be_refused(sample):
    registry, directory = sample.load()
    store = Store(db_path(sample))
    refused = [p for p in store.skipped("2026-11") if p.subject and "不在可选范围内" in p.message]
    assert refused  # the sample's status typo "完成"
    unit = directory.name_for_key(refused[0].subject[0])
    mid = refused[0].subject[1]
    (letter,) = [r for r in issued(sample) if r.kind == "督办函" and r.recipients == (unit,)]
    body = document_text(sample.root / letter.outputs[0].path)
    assert f"（序号{mid}）" in body
    assert "本轮报送的内容未被采用（进展状态“完成”不在可选范围内）" in body
    assert "至今未报送" not in body.split(f"（序号{mid}）")[1].split("\n")[0]


def test_deadlines_are_quoted_as_the_registry_words_them_and_counts_are_in_items(sample):
    registry, _ = sample.load()
    wording = {m.id: m.deadline for m in registry.milestones}
    seen = 0
    for record in issued(sample):
        for out in record.outputs:
            body = document_text(sample.root / out.path)
            assert "应完成任务" not in body and "到期任务" not in body
            for mid, quoted in ITEM.findall(body):
                assert quoted.startswith(wording[mid]), (mid, quoted, wording[mid])
                seen += 1
            if record.kind == "督办函":
                assert "应完成事项" in body
                for row in re.findall(r"\n(\d+)\t(\d+-\d+)\t[^\t]*\t([^\t]*)\t", body):  # the items table
                    assert row[2].startswith(wording[row[1]]), row
                    seen += 1
    assert seen > 50


def test_re_planning_the_next_day_proposes_nothing_already_issued(sample):
    out = ok(sample, "plan", "--as-of", AS_OF, "--date", "2026-11-30")
    assert "共：督办函 0 份，通报点名 0 个单位，约谈 0 个单位" in out
    assert "通报：本轮（2026-11）已于2026-11-29印发" in out
    result = run_cli(sample, "issue", "督办函", "--as-of", AS_OF, "--date", "2026-11-30")
    assert result.exit_code == 0 and "目前没有需要发的文" in result.output


def test_a_rename_changes_no_status(sample, tmp_path):
    copy = Project(tmp_path / "office")
    shutil.copytree(sample.root, copy.root)
    before = json.loads(ok(copy, "status", "--as-of", AS_OF, "--json"))
    units = copy.root / "units.yaml"
    shipped = (sample.registry_dir / "units.yaml").read_text(encoding="utf-8")
    (copy.root / "registry").mkdir(exist_ok=True)
    (copy.root / "registry" / "plan.yaml").write_bytes((sample.registry_dir / "plan.yaml").read_bytes())
    units = copy.root / "registry" / "units.yaml"
    units.write_text(shipped.replace("  - name: 县应急管理局\n", "  - name: 县应急管理厅\n", 1)
                     .replace("aliases: [县应急局, 应急局]", "aliases: [县应急局, 应急局, 县应急管理局]", 1),
                     encoding="utf-8")
    after = json.loads(ok(copy, "status", "--as-of", AS_OF, "--json"))

    def statuses(data, rename=None):
        return sorted((rename.get(u["unit"], u["unit"]) if rename else u["unit"], i["item_id"], i["status"],
                       i["days"], i["unreported"]) for u in data["units"] for i in u["items"])

    assert statuses(after, {"县应急管理厅": "县应急管理局"}) == statuses(before)
    assert "县应急管理厅" in [u["unit"] for u in after["units"]]
    assert "已更名为“县应急管理厅”" in ok(copy, "registry", "check")
    plan = ok(copy, "plan", "--as-of", AS_OF, "--date", "2026-11-30")
    assert "共：督办函 0 份" in plan  # its letter is still remembered under the new name
