"""Run the page: waitress (a production WSGI server in pure Python, also on Windows)
on one address, the browser opened once it listens."""

from __future__ import annotations

import socket
import threading
import webbrowser

from ..errors import NoticesError
from .guard import is_loopback

THREADS = 8  # requests at once; long actions run in tasks of their own


def check_bind(host: str, password_hash: str) -> None:
    """A bind beyond the loopback needs a password (the page issues and voids numbers)."""
    if not is_loopback(host) and not password_hash:
        raise NoticesError(f"网页只能在本机（127.0.0.1）打开；要让其他电脑访问（--host {host}），须先设置网页密码："
                           f"notices serve --set-password。不建议这样做：能打开网页的人就能发文、作废文号")


def free_port(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def url_for_bind(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"


def run(app, host: str, port: int, open_browser: bool, ready=None) -> None:
    """Serve ``app`` until interrupted. ``ready(url)`` is told once the server listens."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=THREADS, ident="notices",
                           clear_untrusted_proxy_headers=True)
    url = url_for_bind(host, server.effective_port)
    if ready is not None:
        ready(url)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    finally:
        server.close()
