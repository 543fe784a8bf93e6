"""`notices serve`: the local web page of the working folder (notices.web)."""

from __future__ import annotations

import click

from ..errors import NoticesError
from . import main, project_from


@main.command("serve")
@click.option("--port", "-p", type=click.IntRange(0, 65535), metavar="端口",
              help="网页端口，默认为 notices.toml 中 [web] port（8765）；被占用时换一个。")
@click.option("--host", metavar="地址", help="监听地址，默认 127.0.0.1（只在本机可用）。其他地址须先设置密码，不建议。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@click.option("--set-password", is_flag=True, help="设置网页密码（只在 notices.toml 中保存其散列值），然后退出。")
@click.pass_context
def serve_cmd(ctx, port, host, no_browser, set_password):
    """在浏览器中完成一轮工作：收集填报表、查看进展、审核发文计划并发文、登记答复、作废、归档。

    \b
    网页地址为 http://127.0.0.1:8765（只在本机可用），关闭本窗口或按 Ctrl+C 即停止。
    Windows 上也可双击工作目录中的“启动网页.bat”（由 notices init 生成）。
    网页与命令行使用同一个登记簿，可以交替使用。
    """
    from ..config import CONFIG_FILE, set_values
    from ..web.guard import hash_password

    project = project_from(ctx, writes=True)
    if set_password:
        first = click.prompt("新的网页密码", hide_input=True, prompt_suffix="：")
        again = click.prompt("再输入一次", hide_input=True, prompt_suffix="：")
        if first != again:
            raise NoticesError("两次输入的密码不一致，未做改动")
        if len(first) < 8:
            raise NoticesError("密码至少 8 个字符，未做改动")
        set_values(project.root / CONFIG_FILE, {"web.password_hash": hash_password(first)})
        click.echo("已设置网页密码（notices.toml 中只保存其散列值）。打开网页时须输入该密码。")
        return
    from ..web import create_app
    from ..web.guard import is_loopback
    from ..web.serve import check_bind, free_port, run

    web = project.config.section("web")
    host = host or str(web.get("host") or "127.0.0.1")
    password_hash = str(web.get("password_hash") or "")
    check_bind(host, password_hash)
    wanted = port if port is not None else int(web.get("port", 8765))
    if wanted and not free_port(host, wanted):
        if port is not None:
            raise NoticesError(f"端口 {wanted} 已被占用（可能网页已经开着：在浏览器中打开 http://127.0.0.1:{wanted}/），"
                               f"或用 --port 换一个端口")
        click.echo(f"端口 {wanted} 已被占用，改用另一个空闲端口。")
        wanted = 0
    app = create_app(project.root, password_hash, loopback_only=is_loopback(host))
    if not is_loopback(host):
        click.secho("注意：网页对其他电脑开放。能打开网页并知道密码的人就能发文、作废文号；请确认只在本单位内网可达。",
                    fg="yellow", err=True)

    def ready(url: str) -> None:
        click.echo(f"网页已启动：{url}  （工作目录：{project.root.resolve()}）")
        click.echo("用完后关闭本窗口，或按 Ctrl+C 停止。")

    try:
        run(app, host, wanted, not no_browser, ready)
    except KeyboardInterrupt:
        click.echo("网页已停止。")
