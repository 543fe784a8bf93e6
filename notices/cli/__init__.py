"""The `notices` command line: a thin layer over notices.jobs."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import NoticesError
from ..config import CONFIG_FILE
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
        if ctx.parent is not None:  # a sub-group: the root group handles everything
            return super().invoke(ctx)
        from ..file import store

        store.written(clear=True)  # this command's changes only (a caller may run several in one process)
        try:
            try:
                return super().invoke(ctx)
            finally:
                _after(ctx)
        except NoticesError as exc:
            fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head` or `more` that quit early: not an error
            sys.stderr.close()
            sys.exit(0)
        except OSError as exc:
            from ..file.db_errors import os_error

            known = os_error(exc)
            if known is None:
                _internal(ctx)
            fail(known)
        except sqlite3.Error as exc:  # the store tells its own; this is a last resort
            from ..file.db_errors import db_error
            from ..project import db_path

            project = ctx.meta.get("notices.project")
            fail(db_error(exc, db_path(project) if project else Path("outputs") / "notices.db"))
        except Exception:  # a bug: keep the details for us, not for the user's screen
            _internal(ctx)


def _internal(ctx) -> None:
    """An unexpected error: the traceback goes to the project's error log (outputs/
    notices-error.log, -C respected), the user is told where it is — by its full
    path — or, when no log can be written, what the error was."""
    from ..failure import internal_message, log_internal

    exc = sys.exc_info()[1]
    log, why = log_internal(Path(ctx.find_root().obj or Path.cwd()), " ".join(sys.argv))
    click.secho(f"错误：{internal_message(exc, log, why)}", fg="red", err=True)
    sys.exit(2)


def _after(ctx) -> None:
    """After a command that changed the project database: a backup in outputs/备份/."""
    project = ctx.meta.get("notices.project")
    if project is None:
        return
    from ..file.backup import backup_after_change

    backup_after_change(project, lambda message: click.secho(f"注意：{message}", fg="yellow", err=True))


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
    from ..file import store

    store.configure(notify=lambda message: click.secho(f"注意：{message}", fg="yellow", err=True))


def project_from(ctx, writes: bool = False):
    """The project of this run (-C or the current folder). ``writes``: the command
    changes the project (the register, the collected rounds, the filing): it must be
    a working folder made by `notices init`, never the shipped defaults in a stray
    folder, which would start a second register."""
    root = ctx.find_root()
    project = open_project(root.obj)
    if writes:
        if not (project.root / CONFIG_FILE).is_file():
            where = Path(root.obj) if root.obj else Path.cwd()
            raise NoticesError(f"“{where.resolve()}”不是 notices 工作目录（没有 {CONFIG_FILE}），本命令未做任何改动。"
                               f"请进入工作目录后再运行，或用 -C 指定工作目录；还没有工作目录的，"
                               f"先用 notices init 文件夹名 新建")
        from ..file import store

        store.configure(patience=project.config.section("register").get("lock_wait", 30))
        root.meta["notices.project"] = project
    return project


from . import commands  # noqa: E402,F401  (registers the sub-commands)
from . import progress_cmds  # noqa: E402,F401
from . import status_cmds  # noqa: E402,F401
from . import register_cmds  # noqa: E402,F401
from . import issue_cmds  # noqa: E402,F401
from . import pdf_cmds  # noqa: E402,F401
from . import archive_cmds  # noqa: E402,F401
from . import items_cmds  # noqa: E402,F401
from . import web_cmds  # noqa: E402,F401
