"""An office's working folder: registry, templates, configuration and outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import CONFIG_FILE, Config, load_config
from .errors import NoticesError
from .shipped import shipped


@dataclass
class Project:
    root: Path
    templates: Path | None = None  # the office's own templates folder (--templates), over root/templates
    _loaded: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @cached_property
    def config(self) -> Config:
        """notices.toml over the defaults; office names left empty there are taken
        from the registry's issuer (``office.fill_from_registry``)."""
        from .office import fill_from_registry

        config = load_config(self.root / CONFIG_FILE)
        config.filled = fill_from_registry(config, self.registry_dir / "plan.yaml")
        return config

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
        """The registry and unit directory of this project, loaded once while its
        files stay as they are (a command asks for them several times)."""
        from .read.registry import PLAN_FILE, UNITS_FILE, load_registry

        folder = self.registry_dir
        stamp = (folder, *(_stamp(folder / name) for name in (PLAN_FILE, UNITS_FILE)))
        if self._loaded is None or self._loaded[0] != stamp:
            self._loaded = (stamp, load_registry(folder))
        return self._loaded[1]


def _stamp(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def open_project(path: str | Path | None = None) -> Project:
    root = Path(path) if path else Path.cwd()
    if not root.is_dir():
        raise NoticesError(f"工作目录不存在：{root}")
    return Project(root)


def db_path(project: Project) -> Path:
    """The project's one SQLite file: collected rounds and the document register."""
    return project.outputs_dir / "notices.db"
