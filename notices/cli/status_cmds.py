"""`notices status`: where every unit stands, as of a date."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import click

from . import main, parse_date, project_from

ONLY_CHOICES = ("overdue", "unreported", "due-soon")


# --- CJK-aware columns ------------------------------------------------------------
def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def columns(rows: list[list[str]], widths: list[int | None]) -> list[str]:
    """Rows as aligned lines; a width of None means "as wide as the widest cell"."""
    fixed = [w if w is not None else max((display_width(r[c]) for r in rows), default=0)
             for c, w in enumerate(widths)]
    lines = []
    for row in rows:
        cells = [pad(clip(cell, fixed[c]), fixed[c]) if c < len(row) - 1 else cell for c, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


# --- output -----------------------------------------------------------------------------
def _figures(s) -> str:
    from ..jobs.status import figures_text

    return figures_text(s)


def print_assessment(result, only: str | None) -> None:
    from ..assess.status import summary_sort_key
    from ..jobs.status import as_of_text

    click.echo(f"进展情况（{as_of_text(result)}）")
    click.echo(f"{result.county.name}：{_figures(result.county)}")
    for warning in result.warnings:
        click.secho(f"提示：{warning}", fg="yellow")
    ranks = {s.key: rank for rank, s in result.ranking()}
    shown = 0
    for summary in sorted(result.units, key=summary_sort_key):
        shown += _print_unit(summary, f"【第{ranks[summary.key]}名】", only)
    for summary in result.internal_units:
        shown += _print_unit(summary, "【本办公室自身事项，不排名、不发文】", only)
    if not shown:
        click.echo("")
        click.echo("没有符合条件的事项。" if only else "没有需要统计的事项。")


def _print_unit(summary, head: str, only: str | None) -> int:
    from ..jobs.status import select_items

    items = select_items(summary.items, only)
    if not items:
        return 0
    click.echo("")
    click.secho(f"{head}{summary.name}  {_figures(summary)}", bold=True)
    rows = [["编号", "期次", "状态", "具体要求", "说明"]]
    for item in items:
        label = item.label + ("·未报送" if item.unreported and item.status != "未报送" else "")
        rows.append([item.milestone_id, item.period or "—", label, item.requirement, item.reason])
    for line in columns(rows, [None, None, None, 24, None]):
        click.echo("  " + line)
    return len(items)


@main.command("status")
@click.option("--as-of", "as_of", metavar="日期", help="统计截至日期，如 2026-11-29 或 2026年11月29日，默认今天。")
@click.option("--unit", "-u", metavar="单位", help="只看该单位（全称、简称或别称均可）。")
@click.option("--only", type=click.Choice(ONLY_CHOICES),
              help="只列：overdue 逾期事项；unreported 本轮未报送的到期或临期事项；due-soon 临期事项。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 格式输出（供其他程序使用）。")
@click.option("--xlsx", "xlsx", metavar="文件", type=click.Path(dir_okay=False, path_type=Path),
              help="另存汇总表（Excel）：单位、具体要求、类别三张表，含完成率图表。")
@click.option("--force", is_flag=True, help="覆盖已存在的汇总表文件。")
@click.pass_context
def status_cmd(ctx, as_of, unit, only, as_json, xlsx, force):
    """各单位、各项具体要求的进展状态：已完成、逾期、临期、未报送等，逐项说明原因。

    临期天数、节假日顺延等规则见 notices.toml 的 [status] 和 [calendar] 两节。
    """
    from ..jobs.dates import check_date
    from ..jobs.status import assess_project, assessment_dict

    project = project_from(ctx)
    day = check_date(project, parse_date(as_of) or dt.date.today(), "截至日期")
    result = assess_project(project, day, unit)
    written = None
    if xlsx:
        from ..render.status_xlsx import write_status_xlsx

        written = write_status_xlsx(result, xlsx, project.config.fonts["song"], overwrite=force)
    if as_json:
        click.echo(json.dumps(assessment_dict(result, only), ensure_ascii=False, indent=2))
    else:
        print_assessment(result, only)
    if written:
        click.echo(f"已生成：{written}", err=as_json)
