"""`notices table --xlsx` then `notices registry import` gives back the same registry."""

from __future__ import annotations

from conftest import run_cli
from notices.read.registry import load_registry
from notices.read.registry_dump import dump_plan_yaml


def _dump(folder):
    registry, _ = load_registry(folder)
    return dump_plan_yaml(registry.plan, registry.categories, registry.tasks)


def test_export_then_import_is_identity(shipped_project, tmp_path):
    out = tmp_path / "全县.docx"
    result = run_cli(shipped_project, "table", "--xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    target = tmp_path / "导入"
    target.mkdir()
    # units.yaml stays the office's own (--keep-units); plan.yaml comes from the table.
    (target / "units.yaml").write_bytes((shipped_project.registry_dir / "units.yaml").read_bytes())
    result = run_cli(shipped_project, "registry", "import", str(out.with_suffix(".xlsx")), "--to", str(target),
                     "--keep-units")
    assert result.exit_code == 0, result.output
    assert "44" in result.output
    assert _dump(target) == _dump(shipped_project.registry_dir)
    # Importing again over the files it wrote is refused without --force.
    again = run_cli(shipped_project, "registry", "import", str(out.with_suffix(".xlsx")), "--to", str(target),
                    "--keep-units")
    assert again.exit_code == 1 and "--force" in again.output


def test_import_of_the_docx_keeps_every_cell(shipped_project, tmp_path):
    out = tmp_path / "全县.docx"
    assert run_cli(shipped_project, "table", "-o", str(out)).exit_code == 0
    target = tmp_path / "导入"
    target.mkdir()
    (target / "units.yaml").write_bytes((shipped_project.registry_dir / "units.yaml").read_bytes())
    result = run_cli(shipped_project, "registry", "import", str(out), "--to", str(target), "--keep-units")
    assert result.exit_code == 0, result.output
    got, _ = load_registry(target)
    want, _ = load_registry(shipped_project.registry_dir)
    assert [(c.no, c.name, c.lead) for c in got.categories] == [(c.no, c.name, c.lead) for c in want.categories]
    assert [(t.no, t.category_no, t.text, t.units_text, t.remark) for t in got.tasks] == \
           [(t.no, t.category_no, t.text, t.units_text, t.remark) for t in want.tasks]
    assert [(m.id, m.requirement, m.deadline) for m in got.milestones] == \
           [(m.id, m.requirement, m.deadline) for m in want.milestones]
