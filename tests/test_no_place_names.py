"""Nothing about the shipped sample county in the code or the templates: its names
live only in the sample registry (registry/), which an office replaces."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("岫岩", "岫安", "县应急管理局")
# The sample registry, where it is in a checkout and in an installed copy.
SAMPLE = (ROOT / "registry", ROOT / "notices" / "shipped" / "registry")


def _texts():
    for base in (ROOT / "notices", ROOT / "templates"):
        for path in sorted(base.rglob("*")):
            if not path.is_file() or any(s in path.parents for s in SAMPLE) or "__pycache__" in path.parts:
                continue
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as zf:
                    for name in zf.namelist():
                        if name.endswith((".xml", ".rels")):
                            yield f"{path.relative_to(ROOT)}!{name}", zf.read(name).decode("utf-8", "replace")
            elif path.suffix in (".py", ".toml", ".conf", ".txt", ".md", ".yaml", ".cfg", ".json"):
                yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_no_sample_county_outside_the_sample_registry():
    found = []
    for where, text in _texts():
        for no, line in enumerate(text.splitlines(), 1):
            for word in WORDS:
                if word in line:
                    found.append(f"{where}:{no}: {word}")
    assert not found, "\n".join(found)


def test_the_scan_sees_what_it_should():
    """The scan reads the package, the example config and every template's XML."""
    names = [w for w, _ in _texts()]
    assert "notices/config.example.toml" in names and "notices/cli/commands.py" in names
    assert any(n.startswith("templates/督办函.docx!word/document.xml") for n in names)
    assert not any(n.startswith("registry/") for n in names)
    # and the sample registry does hold the county: the words are the right ones to look for
    assert "岫岩" in (ROOT / "registry" / "plan.yaml").read_text(encoding="utf-8")
