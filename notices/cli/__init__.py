"""The `notices` command line: a thin layer over notices.jobs."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

import click

from .. import __version__
from ..errors import NoticesError
from ..project import open_project
from . import zh

zh.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


def fail(exc: NoticesError) -> None:
    click.secho(f"错误：{exc.message}", fg="red", err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


class Group(click.Group):
    """Turns NoticesError into a Chinese message and exit 1; hides tracebacks."""

    command_class = Command
    group_class = type  # sub-groups are Groups too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NoticesError as exc:
            fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head` or `more` that quit early: not an error
            sys.stderr.close()
            sys.exit(0)
        except Exception:  # a bug: keep the details for us, not for the user's screen
            log = Path.cwd() / "outputs" / "notices-error.log"
            try:
                log.parent.mkdir(parents=True, exist_ok=True)
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n{traceback.format_exc()}\n")
                where = f"，详情已记录在 {log}"
            except OSError:
                where = ""
            click.secho(f"错误：程序内部出错{where}。请将该文件发给维护人员。", fg="red", err=True)
            sys.exit(2)


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from ..read.dates import parse_cn_date

    day = parse_cn_date(value)
    if day is None:
        raise click.BadParameter(f"“{value}”不是日期，请写成 2026-11-29 或 2026年11月29日")
    return day


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="notices")
@click.option("--project", "-C", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              help="工作目录（含 registry、templates、notices.toml、outputs），默认为当前目录。")
@click.pass_context
def main(ctx, project_dir):
    """安委会办公室公文工具：序时进度表、进度填报、督办函、通报、约谈通知书与归档。

    在工作目录中运行，或用 --project 指定工作目录。先用 notices init 新建工作目录。
    """
    ctx.obj = project_dir


def project_from(ctx):
    return open_project(ctx.find_root().obj)


from . import commands  # noqa: E402,F401  (registers the sub-commands)
from . import progress_cmds  # noqa: E402,F401
from . import status_cmds  # noqa: E402,F401
from . import register_cmds  # noqa: E402,F401
from . import issue_cmds  # noqa: E402,F401
from . import pdf_cmds  # noqa: E402,F401
from . import archive_cmds  # noqa: E402,F401
from . import config_cmds  # noqa: E402,F401
