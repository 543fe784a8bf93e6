"""Debian's Chromium, driven by Playwright with the system browser (no browser
download): `with chromium_page() as page: ...`. Self-contained, for any test that
opens a page (the 曝光 web page; the local web page of issue 16)."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's notes say: headless as root, and nothing that reaches for the network.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def have_chromium() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which(CHROMIUM))


needs_chromium = pytest.mark.skipif(not have_chromium(), reason="Chromium 或 Playwright 未安装（.ci/run 会安装）")


@contextmanager
def chromium_page(**context_options):
    """A fresh page in a headless Chromium with an empty profile of its own."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                                                       **context_options)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
