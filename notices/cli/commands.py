"""Sub-commands. Each parses options, calls one job, prints what it did."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NoticesError
from . import main, parse_date, project_from


@main.command("init")
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "table", type=click.Path(dir_okay=False, path_type=Path), metavar="进度表",
              help="用本地的序时进度表（.xlsx 或 .docx）生成任务登记表和单位名录；不写则复制随附的示例方案。")
@click.option("--columns", metavar="列", help="表头无法识别时指明各列，如 任务=B,要求=C,时间=F,牵头=D,配合=E。")
def init_cmd(directory, table, columns):
    """新建工作目录：任务登记表、模板和带说明的配置文件（notices.toml）。

    \b
    notices init 新县安委办 --from 序时进度表.xlsx   用本县的进度表
    notices init 示例办公室                          复制随附的示例方案
    """
    from ..jobs.registry_setup import init_from_table, init_sample

    if table is None:
        for path in init_sample(directory):
            click.echo(f"已创建：{path}")
        click.echo("这是随附的示例方案。换成本地方案：notices init 新文件夹 --from 本地序时进度表.xlsx"
                   "（见 README“换成本县的方案”）。")
        return
    setup = init_from_table(directory, table, columns)
    errors = _print_import(setup)
    for path in setup.written:
        click.echo(f"已创建：{path}")
    _next_steps(directory, setup, errors)


def _print_import(setup) -> int:
    result = setup.result
    for line in result.report:
        click.echo(line)
    for line in setup.units_lines:
        click.echo(line)
    for problem in result.problems:
        click.echo(f"  {problem}" if problem.severity == "error" else f"  {problem}（提示）")
    return len(result.errors)


def _next_steps(directory: Path, setup, errors: int) -> None:
    from ..office import IDENTITY, PLACEHOLDER

    for line in setup.config:
        click.echo(f"notices.toml：{line}")
    todo = [line.split(" = ")[0] for line in setup.config if PLACEHOLDER in line]
    click.echo("下一步：")
    step = 1
    if errors:
        click.secho(f"  {step}. 登记表有 {errors} 处需要修改（见上，每处写明单元格和改法），改好 registry/plan.yaml 后"
                    f"运行 notices registry check。", fg="red")
        step += 1
    if todo:
        click.echo(f"  {step}. 填写本办公室名称和机关代字（发文前必须填写）：")
        for key in todo:
            what, example = IDENTITY[key]
            click.echo(f"       notices -C {directory} config set {key} ……    （{what}，如“{example}”）")
        step += 1
    click.echo(f"  {step}. 核对 registry/units.yaml：合并的单位、标“暂定”的分组成员、还没有成员的分组。")
    click.echo(f"  {step + 1}. notices -C {directory} registry check")
    if errors:
        raise SystemExit(1)


@main.group("registry")
def registry_group():
    """任务登记表（registry）：检查、导入。"""


@registry_group.command("check")
@click.pass_context
def registry_check(ctx):
    """检查任务登记表和单位名录，逐条列出问题（文件:行号: 问题）；也提示 notices.toml 中尚未填写的本办公室名称和机关代字。"""
    from ..jobs.units import unit_findings
    from ..office import identity_problems
    from ..read.registry import check_registry

    project = project_from(ctx)
    registry, directory, problems = check_registry(project.registry_dir)
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
    config = project.config
    for problem in identity_problems(config):
        click.echo(f"{problem}（提示）")
    if config.filled:
        click.echo(f"提示：notices.toml 未填写 {'、'.join(config.filled)}，暂按 plan.yaml 的发文机关推定为"
                   f"“{config.section('office').get('name', '')}”等。")
    for line in unit_findings(project, directory):
        click.echo(f"提示：{line}")


@registry_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "dest", type=click.Path(file_okay=False, path_type=Path),
              help="写入的目录，默认为工作目录下的 registry。")
@click.option("--force", is_flag=True, help="覆盖已有的登记表文件（原文件先复制到“registry-备份-日期”文件夹）。")
@click.option("--dry-run", is_flag=True, help="只报告识别结果，不写文件。")
@click.option("--columns", metavar="列", help="表头无法识别时指明各列，如 任务=B,要求=C,时间=F,牵头=D,配合=E。")
@click.option("--keep-units", is_flag=True,
              help="保留现有的单位名录（units.yaml），只重写 plan.yaml：导入本单位改过的进度表时用。")
@click.pass_context
def registry_import(ctx, file, dest, force, dry_run, columns, keep_units):
    """从序时进度表（.xlsx 或 .docx）生成任务登记表：plan.yaml、units.yaml 和 seed-fixes.yaml。"""
    from ..jobs.registry_setup import import_registry

    project = project_from(ctx)
    directory = None
    if keep_units:
        try:
            _, directory = project.load()
        except NoticesError:
            from ..read.registry import check_registry

            _, directory, _ = check_registry(dest or project.registry_dir)
    setup = import_registry(project.root, file, dest, force=force, keep_units=keep_units, columns=columns,
                            dry_run=dry_run, directory=directory)
    errors = _print_import(setup)
    if dry_run:
        return
    if setup.backup:
        click.echo(f"原登记表已备份到：{setup.backup}")
    for path in setup.written:
        click.echo(f"已写入：{path}")
    for line in setup.config:
        click.echo(f"notices.toml：{line}")
    if errors:
        click.secho(f"登记表有 {errors} 处需要修改（见上），改好后运行 notices registry check。", fg="red")
        raise SystemExit(1)


@main.group("config")
def config_group():
    """配置文件 notices.toml：修改一项设置（保留文件中的说明）。"""


@config_group.command("set")
@click.argument("key", metavar="名称")
@click.argument("value", metavar="值")
@click.pass_context
def config_set(ctx, key, value):
    """把 notices.toml 中的一项设置为新值，文件中的说明和其他设置保持不变。

    \b
    notices config set office.name 某某县安全生产委员会办公室
    notices config set office.short 某安委办
    notices config set numbering.督办函 某安委办函
    notices config set notices.area 全区
    """
    from ..config import CONFIG_FILE, set_values

    project = project_from(ctx)
    for line in set_values(project.root / CONFIG_FILE, {key: value}):
        click.echo(f"已设置：{line}")


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
