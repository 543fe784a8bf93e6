"""`notices progress …`: reporting workbooks, collecting them, stored rounds."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NoticesError
from . import main, parse_date, project_from


def need(value, message: str):
    """Required options are checked here, so that the message is Chinese."""
    if value is None or value == ():
        raise NoticesError(message)
    return value


@main.group("progress")
def progress_group():
    """进度填报：生成填报表、收集各单位报回的填报表、查看已收集的轮次。"""


@progress_group.command("template")
@click.option("--round", "-r", "round_id", metavar="轮次",
              help="（必填）轮次：2026-11（年-月），也可写本轮截止日期 2026-11-29。")
@click.option("--unit", "-u", "units", multiple=True, metavar="单位", help="为该单位生成（全称、简称或别称均可，可重复）。")
@click.option("--all-units", is_flag=True, help="为每个承担任务的单位各生成一份。")
@click.option("--county", is_flag=True, help="生成所有单位合为一份的填报表（标题写 notices.toml 的 area，如“全县”）。")
@click.option("--prefill", is_flag=True, help="预先填入各单位以往轮次报过的内容，单位只需修改有变化的行。")
@click.option("--output-dir", "-o", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="输出文件夹，默认为 outputs/<轮次>/填报表。")
@click.pass_context
def template_cmd(ctx, round_id, units, all_units, county, prefill, output_dir):
    """生成进度填报表（Excel，每单位一份，或所有单位合为一份）。已有同名文件时不覆盖，另存为“…-2.xlsx”。"""
    from ..jobs.progress import make_templates

    need(round_id, "请用 --round 指定轮次，如 --round 2026-11")
    project = project_from(ctx)
    paths = make_templates(project, round_id, list(units) or None, all_units, county, prefill, output_dir)
    for path in paths:
        click.echo(f"已生成：{path}")
    click.echo(f"共 {len(paths)} 份。请下发给各单位，填好后收回，用 notices progress collect 收集。")


@progress_group.command("collect")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="文件或文件夹...")
@click.option("--round", "-r", "round_id", metavar="轮次",
              help="（必填）轮次：2026-11（年-月），也可写本轮截止日期 2026-11-29。")
@click.option("--as-of", "as_of", metavar="日期", help="本轮截止日期（完成日期不能晚于它），默认为 --round 中的日期，或该月最后一天（未到则为今天）。")
@click.option("--accept-warnings", is_flag=True, help="有错误时也收集：只保存无误的行，有错误的行记为“已跳过”。")
@click.option("--replace", is_flag=True, help="该轮已收集过时，用这次的文件重新收集并替换（原数据留档）。")
@click.pass_context
def collect_cmd(ctx, paths, round_id, as_of, accept_warnings, replace):
    """收集各单位报回的填报表（文件或文件夹，可多个），检查后存入 outputs/notices.db。

    有错误时不保存，逐条列出“文件 工作表!单元格：问题”，请改正后重新收集。
    """
    from ..jobs.progress import collect

    need(round_id, "请用 --round 指定轮次，如 --round 2026-11")
    need(paths, "请指定要收集的填报表（文件或文件夹），如 notices progress collect 报回 --round 2026-11")
    project = project_from(ctx, writes=True)
    from ..jobs.dates import check_date

    check_date(project, parse_date(as_of), "截至日期")
    result = collect(project, list(paths), round_id, parse_date(as_of), accept_warnings, replace)
    from ..jobs.progress import collected_lines

    notes, summary, requests = collected_lines(result, project.load()[0] if result.reports else None)
    for line in notes:
        click.echo(f"  {line}")
    click.echo(summary)
    for line in requests:
        click.echo(line)


@progress_group.command("rounds")
@click.pass_context
def rounds_cmd(ctx):
    """列出已收集的轮次。"""
    from ..file.store import Store
    from ..project import db_path

    project = project_from(ctx)
    rounds = Store(db_path(project)).rounds()
    if not rounds:
        click.echo("还没有收集过任何轮次。用 notices progress collect 收集填报表。")
        return
    click.echo("轮次\t截止日期\t收集时间\t文件\t单位\t填报\t跳过\t提示")
    for r in rounds:
        flag = "（带错收集）" if r.accepted_warnings and r.skipped else ""
        click.echo(f"{r.id}\t{r.as_of.isoformat()}\t{r.collected_at.strftime('%Y-%m-%d %H:%M')}\t{r.files}\t"
                   f"{r.units}\t{r.reports}\t{r.skipped}{flag}\t{r.notes}")


@progress_group.command("sample")
@click.option("--round", "-r", "round_id", metavar="轮次", help="（必填）轮次：2026-11。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="（必填）写入示例填报表的文件夹。")
@click.option("--clean", is_flag=True, help="只生成没有错误的示例（默认含各单位常见的填写错误）。")
@click.option("--seed", default=0, type=int, metavar="数字", help="随机数种子，默认 0：相同种子生成相同内容。")
@click.pass_context
def sample_cmd(ctx, round_id, out_dir, clean, seed):
    """生成一轮示例填报表（按单位名录逐单位填好），用于演示和练习收集。"""
    from ..jobs.sample import make_sample_round

    need(round_id, "请用 --round 指定轮次，如 --round 2026-11")
    need(out_dir, "请用 --out 指定写入示例填报表的文件夹，如 --out 报回")
    project = project_from(ctx)
    paths = make_sample_round(project, round_id, out_dir, seed=seed, mistakes=not clean)
    for path in paths:
        click.echo(f"已生成：{path}")
    click.echo(f"共 {len(paths)} 份。收集：notices progress collect --round {round_id} {out_dir}")
