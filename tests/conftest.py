"""Shared fixtures: small projects, the CLI runner, LibreOffice rendering."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from notices.cli import main
from notices.project import Project

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def working_folder(root: Path) -> Path:
    """Make ``root`` a working folder as `notices init` would (its notices.toml: the
    commented defaults), keeping whatever registry and templates it has: commands
    that write refuse to run anywhere else."""
    from notices.config import EXAMPLE

    root.mkdir(parents=True, exist_ok=True)
    if not (root / "notices.toml").exists():
        shutil.copyfile(EXAMPLE, root / "notices.toml")
    return root


@pytest.fixture
def mini_project(tmp_path) -> Project:
    """A project folder holding the small test registry."""
    shutil.copytree(DATA / "mini", tmp_path / "registry")
    return Project(working_folder(tmp_path))


@pytest.fixture
def shipped_project(tmp_path) -> Project:
    """A project folder with no registry of its own: the shipped one applies."""
    return Project(working_folder(tmp_path))


def run_cli(project: Project | Path, *args: str):
    root = project.root if isinstance(project, Project) else project
    result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
    return result


def have_soffice() -> bool:
    return bool(shutil.which("soffice"))


needs_soffice = pytest.mark.skipif(not have_soffice(), reason="LibreOffice 未安装（.ci/run 会安装）")


def pdf_pages(pdf: Path, raw: bool = False) -> list[str]:
    """Text of each page, via poppler's pdftotext: laid out, or in content order
    (raw), where each table cell's text stays together."""
    mode = "-raw" if raw else "-layout"
    out = subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True, check=True).stdout
    return out.decode("utf-8").split("\f")[:-1]


def render_pdf(docx: Path, out_dir: Path) -> Path:
    from notices.file.pdf import convert

    return convert([docx], out_dir)[0]
