"""An office's working folder: registry, templates, configuration and outputs."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .config import CONFIG_FILE, EXAMPLE, Config, load_config
from .errors import NoticesError
from .shipped import shipped


@dataclass
class Project:
    root: Path
    templates: Path | None = None  # the office's own templates folder (--templates), over root/templates

    @cached_property
    def config(self) -> Config:
        return load_config(self.root / CONFIG_FILE)

    def _own_or_shipped(self, name: str) -> Path:
        own = self.root / name
        return own if own.is_dir() else shipped(name)

    @property
    def registry_dir(self) -> Path:
        return self._own_or_shipped("registry")

    @property
    def templates_dir(self) -> Path:
        if self.templates is not None:
            if not self.templates.is_dir():
                raise NoticesError(f"模板文件夹不存在：{self.templates}")
            return self.templates
        return self._own_or_shipped("templates")

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    def load(self):
        """The registry and unit directory of this project (read once per Project)."""
        from .read.registry import load_registry

        if "_loaded" not in self.__dict__:
            self.__dict__["_loaded"] = load_registry(self.registry_dir)
        return self.__dict__["_loaded"]


def open_project(path: str | Path | None = None) -> Project:
    root = Path(path) if path else Path.cwd()
    if not root.is_dir():
        raise NoticesError(f"工作目录不存在：{root}")
    return Project(root)


def init_project(target: Path) -> list[Path]:
    """Create an office folder with copies of the shipped registry and templates."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        clashes = [n for n in ("registry", "templates", CONFIG_FILE) if (target / n).exists()]
        if clashes:
            raise NoticesError(f"目录 {target} 中已有 {'、'.join(clashes)}，为免覆盖，未做任何改动")
    target.mkdir(parents=True, exist_ok=True)
    made = []
    for name in ("registry", "templates"):
        src = shipped(name)
        shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
        made.append(target / name)
    shutil.copyfile(EXAMPLE, target / CONFIG_FILE)
    (target / "outputs").mkdir(exist_ok=True)
    made += [target / CONFIG_FILE, target / "outputs"]
    return made


def db_path(project: Project) -> Path:
    """The project's one SQLite file: collected rounds and the document register."""
    return project.outputs_dir / "notices.db"
