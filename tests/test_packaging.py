"""The wheel carries the shipped registry, templates and font aliases."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_ships_defaults(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("notices-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("notices/shipped/registry/plan.yaml", "notices/shipped/registry/units.yaml",
                   "notices/shipped/templates/序时进度表.docx", "notices/config.example.toml",
                   "notices/fonts/fonts.conf", "notices/web/static/style.css", "notices/web/static/app.js"):
        assert needed in names, needed
    pages = {p.name for p in (ROOT / "notices" / "web" / "templates").glob("*.html")}
    assert pages and {n.rsplit("/", 1)[1] for n in names if n.startswith("notices/web/templates/")} == pages
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "notices = notices.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
