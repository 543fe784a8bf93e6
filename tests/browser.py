"""A real browser for the tests that open a page (the local web page, the 曝光 page):
Debian's chromium driven by Playwright.

The system browser is launched by path (no `playwright install`, no download);
tests that need it skip where it is missing, except under CI (.ci/run installs
it), where missing is a failure. ``serving`` runs the page's WSGI app in waitress
on 127.0.0.1 and a free port for the length of a ``with`` block."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _available() -> str:
    """"" when a browser can be driven, else why not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "未安装 playwright（pip install -e '.[test]'）"
    if not Path(CHROMIUM).exists():
        return "未安装 chromium（apt-get install chromium；.ci/run 会安装）"
    return ""


def require_chromium() -> None:
    why = _available()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI 中必须有浏览器：{why}")
        pytest.skip(why)


@contextmanager
def chromium():
    """A headless Chromium (playwright Browser), closed afterwards."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # as on a Chinese desktop: date inputs read 2026/11/29 (needs Debian's chromium-l10n).
        # LANGUAGE picks the UI language; LANG stays a UTF-8 locale every system has, or
        # the browser cannot open files with Chinese names
        env = {**os.environ, "LANG": "C.UTF-8", "LANGUAGE": "zh_CN"}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--lang=zh-CN"], env=env)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(**context_options):
    """A fresh page in a context of its own (an empty profile), closed afterwards."""
    with chromium() as browser:
        context = browser.new_context(**context_options)
        try:
            yield context.new_page()
        finally:
            context.close()


@contextmanager
def serving(app, host: str = "127.0.0.1"):
    """``app`` served on ``host`` and a free port; yields the page's URL; stops afterwards."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)
