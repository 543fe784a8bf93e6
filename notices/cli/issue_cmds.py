"""`notices plan` and `notices issue`: the escalation ladder, then the documents."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..file.register import KIND_ALIASES
from . import Group, main, parse_date, project_from

COMMANDS = {"督办函": "duban", "通报": "tongbao", "约谈通知书": "yuetan", "工作提醒": "tixing", "曝光": "baoguang"}


def _project(ctx, templates: Path | None):
    project = project_from(ctx, writes=True)
    project.templates = templates
    return project


def _dates(project, as_of, issued_on) -> tuple[dt.date, dt.date]:
    from ..jobs.dates import check_date

    today = dt.date.today()
    return (check_date(project, parse_date(as_of) or today, "截至日期"),
            check_date(project, parse_date(issued_on) or today, "成文日期"))


def _warn(batch, kinds=()) -> None:
    from ..jobs.issue import batch_warnings

    for w in batch_warnings(batch, kinds):
        click.secho(f"注意：{w}", fg="yellow", err=True)


# --- plan -----------------------------------------------------------------------------
@main.command("plan")
@click.option("--as-of", "as_of", metavar="日期", help="进展截至日期，默认今天。")
@click.option("--date", "issued_on", metavar="日期", help="计划的成文日期，默认今天。")
@click.option("--save", "save", type=click.Path(dir_okay=False, path_type=Path), metavar="文件",
              help="把计划存为可编辑的文件（如 发文计划.yaml），改后用 notices issue --plan 发文。")
@click.option("--force", is_flag=True, help="--save 的文件已存在时覆盖它。")
@click.pass_context
def plan_cmd(ctx, as_of, issued_on, save, force):
    """按逐级督办规则（工作提醒 → 督办函 → 通报点名 → 约谈 → 公开曝光），逐个单位提出下一步及理由。

    规则和天数、项数在 notices.toml 的 [escalation] 中设置。只提出计划，不发文。
    """
    from ..assess.escalation import counts_text
    from ..assess.status import unit_items
    from ..file.outputs import write_atomic
    from ..jobs.issue import ACTION_ZH, Batch, plan_totals, tongbao_line
    from ..read.plan_file import Meeting, dump_plan

    project = project_from(ctx, writes=bool(save))
    as_of, issued_on = _dates(project, as_of, issued_on)
    batch = Batch(project, as_of, issued_on)
    proposal = batch.proposal
    _warn(batch, [k for k in ("督办函", "约谈通知书") if proposal.units(k)])
    meetings = batch.meeting_times([Meeting(u) for u in proposal.units("约谈通知书")])
    click.echo(f"发文计划（截至{as_of.isoformat()}，进度轮次：{proposal.round_id or '无'}）")
    internal = [s for s in batch.assessment.internal_units if unit_items(s)]
    width = max((len(s.unit) for s in proposal.steps), default=0)
    for step in proposal.steps:
        when = f"（{meetings[step.unit]:%Y-%m-%d %H:%M}）" if step.unit in meetings else ""
        record = batch.batch_record(step.action, "" if step.action == "通报" else step.unit) if step.action else None
        done = f"（本批已发：{record.doc_number}，再次发文不会重复）" if record else ""
        click.echo(f"  {step.unit.ljust(width, '　')}  {ACTION_ZH[step.action]}{when}{done}：{step.reason}")
    if proposal.reminders:
        click.echo("工作提醒（事项临近完成时间，尚未完成；不算督办函，同一事项只提醒一次）：")
        for unit, items in proposal.reminders.items():
            record = batch.batch_record("工作提醒", unit)
            done = f"（本批已发：{record.doc_number}，再次发文不会重复）" if record else ""
            said = "、".join(f"{i.milestone_id}{(' ' + i.period) if i.period else ''}"
                            f"（{'今日到期' if not i.days else f'还剩{i.days}天'}）" for i in items)
            click.echo(f"  {unit.ljust(width, '　')}  发工作提醒{done}：临期{len(items)}项：{said}")
    for summary in internal:
        click.echo(f"  {summary.key.ljust(width, '　')}  不发文：本办公室自身事项（{counts_text(unit_items(summary))}），"
                   f"列入 notices status 的内部清单，不发文、不点名、不排名")
    tongbao = tongbao_line(proposal)
    click.echo(f"  通报：{tongbao}")
    click.echo(plan_totals(proposal))
    if save:
        text = dump_plan(proposal, issued_on, meetings, batch.options.yuetan_place,
                         tongbao if proposal.tongbao else "")
        write_atomic(save, text.encode("utf-8"), overwrite=force)
        click.echo(f"已保存：{save}（修改后用 notices issue --plan {save} 发文）")


# --- issue ----------------------------------------------------------------------------
class KindGroup(Group):
    """Sub-commands also under their Chinese names (督办函, 通报, 约谈)."""

    def get_command(self, ctx, name):
        kind = KIND_ALIASES.get(name)
        return super().get_command(ctx, COMMANDS[kind] if kind else name)


def _report(done, dry_run: bool) -> None:
    from ..jobs.issue import issued_lines

    for line in issued_lines(done, dry_run):
        click.echo(line)


def _run(batch, jobs, dry_run: bool, combined: bool, force: bool = False) -> None:
    from ..jobs.dates import rest_day_note
    from ..jobs.issue import print_bundles

    if not jobs:
        click.echo("按逐级督办规则，目前没有需要发的文。可用 notices plan 查看各单位情况，或用 --unit 指定单位。")
        return
    note = rest_day_note(batch.project, batch.issued_on)
    if note:
        click.secho(f"注意：{note}", fg="yellow", err=True)
    # Progress goes where the summary goes (stdout), so it can never show after it,
    # however a console or a log file interleaves the two streams.
    if sys.stdout.isatty():
        with click.progressbar(length=len(jobs), label="正在生成", file=sys.stdout, show_pos=True) as bar:
            done = batch.run(jobs, dry_run, on_done=lambda _: bar.update(1), allow_earlier=force)
    else:
        click.echo(f"正在生成 {len(jobs)} 份……")
        done = batch.run(jobs, dry_run, allow_earlier=force)
    for line in batch.register.notes:
        click.secho(f"注意：{line}", fg="yellow", err=True)
    if not dry_run:
        from ..jobs.units import remember_units

        remember_units(batch.project, batch.registry)
    _report(done, dry_run)
    if combined and not dry_run:
        for line in print_bundles(batch, done):
            click.echo(line)


def _common(f):
    for option in reversed([
        click.option("--as-of", "as_of", metavar="日期", help="进展截至日期，默认今天。"),
        click.option("--date", "issued_on", metavar="日期", help="成文日期，默认今天。"),
        click.option("--dry-run", is_flag=True, help="只列出将要发的文（文号为暂定），不写文件、不登记。"),
        click.option("--print-file", "combined", is_flag=True,
                     help="另存一份合订本（每份从单页起、页码各自从1起），便于一次打印。"),
        click.option("--templates", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
                     help="使用该文件夹中本办公室修改过的模板（默认为工作目录的 templates）。"),
        click.option("--force", is_flag=True,
                     help="按逐级督办规则现在不应发的（如同一事项再次发督办函、未经督办即约谈）也发，"
                          "或成文日期早于本序列已编号文件的也发；单发一种时须同时写 --reason。"),
        click.option("--reason", metavar="原因", help="与 --force 同用：为什么不按规则或日期发文，记入登记簿。"),
    ]):
        f = option(f)
    return f


@main.group("issue", cls=KindGroup, invoke_without_command=True)
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), metavar="文件",
              help="按 notices plan --save 存下、经审核修改的发文计划发文。")
@_common
@click.pass_context
def issue_group(ctx, plan_file, as_of, issued_on, dry_run, combined, templates, force, reason):
    """发文：工作提醒（tixing）、督办函（duban）、通报（tongbao）、约谈通知书（yuetan）、公开曝光（baoguang），或按发文计划（--plan）。

    文号在登记簿中依次分配；同一批（文种、单位、进度轮次、成文日期相同）重复运行不会重复发文。
    文件存入 outputs/<年>/<文种>/，文件名为“文号-单位”。
    """
    if ctx.invoked_subcommand is not None:
        if plan_file:
            raise click.UsageError("--plan 不能与 duban/tongbao/yuetan/tixing/baoguang 同时使用")
        if any((as_of, issued_on, dry_run, combined, templates, force, reason)):
            raise click.UsageError(f"选项请写在文种之后，如 notices issue {ctx.invoked_subcommand} --dry-run")
        return
    if not plan_file:
        click.echo(ctx.get_help())
        return
    from ..jobs.issue import plan_batch
    from ..read.plan_file import load_plan

    if as_of or issued_on:
        raise click.UsageError("按计划发文时，截至日期和成文日期以计划文件为准，不能另用 --as-of/--date")
    project = _project(ctx, templates)
    _, directory = project.load()
    plan = load_plan(plan_file, directory)
    batch, jobs = plan_batch(project, plan, f"计划文件 {plan_file} ", str(plan_file))
    _warn(batch, {j.kind for j in jobs})
    # in a plan, what goes against the ladder says why in the file (原因); --force here
    # only lets an earlier 成文日期 through
    _run(batch, jobs, dry_run, combined, force)


def _kind_command(kind: str, name: str, doc: str, unit_help: str, extra=()):
    @issue_group.command(name, help=doc)
    @_common
    @click.option("--unit", "-u", "units", multiple=True, metavar="单位", help=unit_help)
    @click.pass_context
    def command(ctx, as_of, issued_on, dry_run, combined, templates, units, force, reason, **kw):
        from ..jobs.issue import Batch

        reason = (reason or "").strip()
        if force != bool(reason):
            raise click.UsageError("--force 与 --reason 须同时使用，并写明原因，如 --force --reason \"县领导批示要求再次督办\"")
        project = _project(ctx, templates)
        batch = Batch(project, *_dates(project, as_of, issued_on))
        jobs = batch.jobs_for(kind, list(units) or None, kw.get("time"), kw.get("place") or "", reason)
        _warn(batch, {j.kind for j in jobs})
        _run(batch, jobs, dry_run, combined, force)

    for option in extra:
        command = option(command)
    return command


_kind_command("督办函", "duban", "给有逾期或未报送事项、尚未督办的单位发督办函（每个单位一份）。别名：督办函、督办。",
              "只给该单位发（可重复）；默认按逐级督办规则（规则一）。")
_kind_command("通报", "tongbao", "印发本轮进展情况通报（主送全体单位，附排名表和序时进度表）。别名：通报。",
              "通报点名批评的单位（可重复）；默认按逐级督办规则（规则二）。")
_kind_command("工作提醒", "tixing", "给有临期事项的单位发工作提醒（每个单位一份：一页 Word 文件和一段可粘贴到工作群的文字）。"
              "工作提醒不算督办函，不编发文字号（除非配置 [reminder] numbered）。别名：工作提醒、提醒、提示单。",
              "只给该单位发（可重复）；默认按逐级督办规则提出的单位。")
_kind_command("曝光", "baoguang", "公开曝光：印发面向社会公开的通报（“此件公开发布”），另出一个可发布到政府网站的网页（.html）。"
              "约谈后整改报告期限已过仍未整改的单位，由办公室研究决定。别名：曝光、公开曝光。",
              "曝光该单位（可重复）；默认按逐级督办规则（规则四）。")


def _meeting_time(ctx, param, value):
    if value is None:
        return None
    from ..read.plan_file import parse_time

    problems = []
    moment = parse_time(value, "--time", problems)
    if problems:
        raise click.BadParameter(problems[0].message)
    return moment


_kind_command("约谈通知书", "yuetan", "给被约谈单位的主要负责人发约谈通知书（每个单位一份）。别名：约谈、约谈通知书。",
              "约谈该单位（可重复）；默认按逐级督办规则（规则三）。",
              extra=[click.option("--time", callback=_meeting_time, metavar="时间",
                                  help="约谈时间，如 \"2026-12-03 09:00\"；默认发文后第3个工作日上午9:00（见配置）。"),
                     click.option("--place", metavar="地点", help="约谈地点；默认见配置 [notices] yuetan_place。")])
