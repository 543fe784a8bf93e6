"""Sub-commands. Each parses options, calls one job, prints what it did."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NoticesError
from ..project import init_project
from . import main, parse_date, project_from


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_cmd(directory):
    """新建工作目录 DIRECTORY：复制任务登记表、模板和带说明的配置文件。"""
    for path in init_project(directory):
        click.echo(f"已创建：{path}")
    click.echo(f"请先修改 {directory / 'notices.toml'} 中的本单位信息，并在 registry/units.yaml 中补全单位名录。")


@main.group("registry")
def registry_group():
    """任务登记表（registry）：检查、导入。"""


@registry_group.command("check")
@click.pass_context
def registry_check(ctx):
    """检查任务登记表和单位名录，逐条列出问题（文件:行号: 问题）。"""
    from ..read.registry import check_registry

    project = project_from(ctx)
    registry, _, problems = check_registry(project.registry_dir)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        click.echo(f"{p}" if p.severity == "error" else f"{p}（提示）", err=bool(errors))
    if errors or registry is None:
        click.secho(f"发现 {len(errors)} 处错误。", fg="red", err=True)
        raise SystemExit(1)
    ms = registry.milestones
    samples = [u.name for u in registry.units if u.sample]
    click.echo(f"检查通过：{len(registry.categories)} 类任务，{len(registry.tasks)} 项任务，"
               f"{len(ms)} 个具体要求，{len(registry.units)} 个单位。")
    if samples:
        click.echo(f"提示：单位名录中有 {len(samples)} 个示例单位（{'、'.join(samples)}），请换成本地实际单位。")


@registry_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "dest", type=click.Path(file_okay=False, path_type=Path),
              help="写入的目录，默认为工作目录下的 registry。")
@click.option("--force", is_flag=True, help="覆盖已有的登记表文件。")
@click.option("--dry-run", is_flag=True, help="只报告识别结果，不写文件。")
@click.pass_context
def registry_import(ctx, file, dest, force, dry_run):
    """从已有的序时进度表（.xlsx 或 .docx）生成任务登记表。"""
    from ..read.registry_dump import write_registry
    from ..read.table_import import import_table

    project = project_from(ctx)
    directory = None
    try:
        _, directory = project.load()
    except NoticesError:
        pass  # importing is how a new office gets a registry: no directory yet is fine
    result = import_table(file, directory)
    for line in result.report:
        click.echo(line)
    for problem in result.problems:
        click.echo(f"  {problem}")
    if dry_run:
        return
    for path in write_registry(result, dest or (project.root / "registry"), force=force):
        click.echo(f"已写入：{path}")


@main.command("table")
@click.option("--unit", "-u", metavar="单位", help="只列该单位的任务（全称、简称或别称均可）。")
@click.option("--category", "-c", "categories", type=click.IntRange(1, 99), multiple=True, metavar="序号",
              help="只列该类任务（类别序号，可重复）。")
@click.option("--as-attachment", "attachment", type=click.IntRange(1, 99), metavar="N", help="作为附件N，左上角标“附件N”。")
@click.option("--progress", is_flag=True, help="加“进展情况”列，填入已收集的进度和状态。")
@click.option("--as-of", "as_of", metavar="日期", help="进展截至日期（与 --progress 同用），默认今天。")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="路径", help="输出文件路径。")
@click.option("--xlsx", is_flag=True, help="同时输出 Excel 版（.xlsx）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@click.pass_context
def table_cmd(ctx, unit, categories, attachment, progress, as_of, output, xlsx, force):
    """生成序时进度表（Word，A4 横向，可选 Excel 版）。"""
    from ..jobs.table import TableRequest, make_table

    project = project_from(ctx)
    req = TableRequest(unit=unit, categories=list(categories) or None, attachment=attachment,
                       output=output, xlsx=xlsx, force=force)
    if progress:
        from ..jobs.status import progress_for_table

        from ..jobs.dates import check_date

        req.as_of = check_date(project, parse_date(as_of) or __import__("datetime").date.today(), "截至日期")
        req.progress = progress_for_table(project, req.as_of, unit)
    for path in make_table(project, req):
        click.echo(f"已生成：{path}")


@main.group("templates")
def templates_group():
    """公文模板：重建、检查。"""


@templates_group.command("build")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def templates_build(ctx, directory):
    """按标准版式重新生成模板到 DIRECTORY（默认工作目录下的 templates）。"""
    from ..render.template_build import build_all

    target = directory or project_from(ctx).root / "templates"
    for path in build_all(target):
        click.echo(f"已生成：{path}")
