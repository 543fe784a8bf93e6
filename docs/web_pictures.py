"""Regenerate the README's pictures of the web page: the sample round done in a real
browser by the tests' own steps (tests/web_round.py), screenshots at 1366×768 and
on a phone, scaled down.

    python docs/web_pictures.py        # writes docs/img/网页/*.png

Needs Debian's chromium and playwright (pip install -e '.[test]'). Works in a
temporary folder; only the PNG files are written here."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import chromium, serving  # noqa: E402
from web_kit import AS_OF, office  # noqa: E402
from web_round import collect, issue  # noqa: E402

from notices.web import create_app  # noqa: E402

OUT = HERE / "img" / "网页"
SCALE = 0.5  # device pixels per CSS pixel: 1366×768 becomes 683×384
PICTURES = ("总览", "收集-错误", "计划与发文", "发文完成", "登记簿", "手机-总览")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        root = office(Path(tmp))
        with serving(create_app(root)) as base:
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                          device_scale_factor=SCALE)
            page = context.new_page()
            page.set_default_timeout(60_000)

            def shot(name, p=page):
                p.screenshot(path=str(OUT / f"{name}.png"))

            collect(page, base, root, shot)
            issue(page, base, shot)
            shot("发文完成")
            page.goto(f"{base}/register")
            shot("登记簿")
            page.goto(f"{base}/?as_of={AS_OF}")
            shot("总览")
            phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                        device_scale_factor=SCALE * 2, is_mobile=True).new_page()
            phone.goto(f"{base}/?as_of={AS_OF}")
            shot("手机-总览", phone)
    for name in PICTURES:
        print(f"已生成：{OUT / name}.png")


if __name__ == "__main__":
    main()
