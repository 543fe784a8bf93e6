"""`notices table`: the 序时进度表 as .docx (and .xlsx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..compose.table import HEADERS, PROGRESS_HEADERS, TableSpec, select_tasks, table_rows
from ..errors import NoticesError
from ..file.outputs import next_free, safe_filename, write_atomic
from ..project import Project
from ..render.engine import Template

TEMPLATE = "序时进度表.docx"
TEMPLATE_PROGRESS = "序时进度表-进展.docx"
FIELDS = {"title", "subtitle", "attachment_label", "rows"}
REQUIRED = {"title", "rows"}


@dataclass
class TableRequest:
    unit: str | None = None
    categories: list[int] | None = None
    attachment: int | None = None  # 附件N
    doc_number: str = ""  # issued apart from its document: the label is "<文号>附件N" (GB/T 9704 §8)
    progress: dict | None = None  # milestone id -> (status, text)
    as_of: dt.date | None = None
    output: Path | None = None
    xlsx: bool = False
    force: bool = False


def build_spec(project: Project, req: TableRequest) -> TableSpec:
    registry, directory = project.load()
    tasks = select_tasks(registry, directory, req.unit, req.categories)
    unit = directory.unit(req.unit).name if req.unit else ""
    subtitle = f"（{unit}）" if unit else ""
    if req.as_of and req.progress is not None:
        from ..textfmt import cn_date

        subtitle = (subtitle[:-1] + "，" if subtitle else "（") + f"截至{cn_date(req.as_of)}）"
    return TableSpec(
        title=registry.plan.table_title,
        rows=table_rows(registry, tasks, req.progress),
        subtitle=subtitle,
        attachment_label=f"{req.doc_number}附件{req.attachment}" if req.attachment else "",
        with_progress=req.progress is not None,
        headers=HEADERS + (PROGRESS_HEADERS if req.progress is not None else ()),
        unit=unit,
    )


def load_template(project: Project, with_progress: bool, templates_dir: Path | None = None) -> Template:
    folder = templates_dir or project.templates_dir
    fonts = project.config.font_swaps
    tpl = Template(folder / (TEMPLATE_PROGRESS if with_progress else TEMPLATE), fonts)
    tpl.validate(FIELDS, REQUIRED)
    return tpl


def default_path(project: Project, req: TableRequest, spec: TableSpec) -> Path:
    name = "序时进度表"
    if spec.unit:
        name += f"-{spec.unit}"
    if req.progress is not None and req.as_of:
        name += f"-进展-{req.as_of.isoformat()}"
    return next_free(project.outputs_dir / "序时进度表" / f"{safe_filename(name)}.docx")


def render_table(project: Project, req: TableRequest, templates_dir: Path | None = None) -> tuple[TableSpec, bytes]:
    """The table as .docx bytes (the 通报 attaches it without writing it here)."""
    spec = build_spec(project, req)
    tpl = load_template(project, spec.with_progress, templates_dir)
    return spec, tpl.render({"title": spec.title, "subtitle": spec.subtitle,
                             "attachment_label": spec.attachment_label, "rows": spec.rows})


def make_table(project: Project, req: TableRequest, templates_dir: Path | None = None) -> list[Path]:
    """Write the table; return the files written."""
    spec, data = render_table(project, req, templates_dir)
    path = Path(req.output) if req.output else default_path(project, req, spec)
    if path.suffix.lower() != ".docx":
        path = path.with_suffix(".docx")
    if req.xlsx and not req.force and path.with_suffix(".xlsx").exists():
        # Refuse before writing anything: never leave the .docx without its .xlsx.
        raise NoticesError(f"文件已存在，未覆盖：{path.with_suffix('.xlsx')}")
    written = [write_atomic(path, data, overwrite=req.force)]
    if req.xlsx:
        from ..render.table_xlsx import table_extra, write_table_xlsx

        registry, _ = project.load()
        extra = table_extra(registry)
        xpath = path.with_suffix(".xlsx")
        fonts = project.config.fonts
        write_table_xlsx(spec, xpath, fonts, float(project.config.section("table").get("font_size", 10.5)),
                         plan=registry.plan, extra=extra, overwrite=req.force)
        written.append(xpath)
    return written
