"""A county's own table to a working project: ``notices init DIR --from TABLE`` and
``notices registry import TABLE``.

The table gives plan.yaml (tasks, deadlines, roles), units.yaml (units drafted
from the 责任单位 / 配合单位 cells, collective phrases as groups) and an empty
seed-fixes.yaml, written together. notices.toml follows the registry: the
office's names and 机关代字 are taken from the plan's issuer when it is a
安全生产委员会, else left as placeholders that ``registry check`` and ``issue``
point out; the jurisdiction's words (全县 / 全区 …) follow the table.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_FILE, load_config, set_values
from ..errors import NoticesError
from ..office import IDENTITY, PLACEHOLDER, area_values, derived_identity, get, plan_issuer, unfilled
from ..read.registry_dump import REGISTRY_FILES, backup_registry, write_registry
from ..read.table_import import ImportResult, import_table
from ..read.unit_names import describe, infer_jurisdiction
from ..shipped import shipped


@dataclass
class Setup:
    result: ImportResult
    written: list[Path] = field(default_factory=list)
    backup: Path | None = None
    config: list[str] = field(default_factory=list)  # notices.toml lines set
    units_lines: list[str] = field(default_factory=list)  # what the import formed, for the office to check


def _jurisdiction(result: ImportResult) -> str:
    if result.units is not None:
        return result.units.jurisdiction
    return infer_jurisdiction(result.plan.table_title if result.plan else "", result.unit_names)


def _recipients(result: ImportResult) -> list[str]:
    """The 通报's 主送 for the towns and 街道, as the plan writes them (各镇人民政府 …)."""
    out = []
    for group in result.units.groups if result.units is not None else []:
        if group.kind.id in ("乡镇", "街道"):
            written = next((w for w in group.written if w.startswith("各")), "")
            out.append(written or ("各乡镇人民政府" if group.kind.id == "乡镇" else "各街道办事处"))
    return out


def config_values(result: ImportResult, config_path: Path, old_plan: Path | None) -> dict[str, str]:
    """notices.toml values that follow a new registry: the office identity where
    it is empty, a placeholder, or what the old registry implied; the
    jurisdiction's words where they are the defaults of the old jurisdiction."""
    config = load_config(config_path if config_path.exists() else None)
    old = derived_identity(*plan_issuer(old_plan)) if old_plan is not None else {}
    plan = result.plan
    new = derived_identity(plan.issuer, plan.issuer_short) if plan else {}
    values: dict[str, str] = {}
    for key in IDENTITY:
        current = get(config, key)
        if unfilled(current) or current == old.get(key):
            values[key] = new.get(key, PLACEHOLDER)
    old_j = get(config, "notices.area").removeprefix("全")[:1] or "县"
    olds = [area_values(old_j, g) for g in ([], ["各乡镇人民政府"], ["各街道办事处"], ["各乡镇人民政府", "各街道办事处"])]
    for key, value in area_values(_jurisdiction(result), _recipients(result)).items():
        current = get(config, key)
        if not current or any(current == o[key] for o in olds):
            values[key] = value
    return {k: v for k, v in values.items() if get(config, k) != v or not config_path.exists()}


def import_registry(root: Path, table: Path, dest: Path | None = None, force: bool = False,
                    keep_units: bool = False, columns: str | None = None, dry_run: bool = False,
                    directory=None) -> Setup:
    """Read ``table`` and write the registry into ``dest`` (default root/registry);
    notices.toml of ``root`` follows when the registry is the project's own."""
    root = Path(root)
    folder = Path(dest) if dest else root / "registry"
    result = import_table(table, directory if keep_units else None, columns)
    setup = Setup(result)
    label = str(folder / "units.yaml")
    if result.units is not None:
        setup.units_lines = describe(result.units, label)
    if dry_run:
        return setup
    own = folder.resolve() == (root / "registry").resolve()
    config_path = root / CONFIG_FILE
    old_plan = folder / "plan.yaml" if (folder / "plan.yaml").exists() else None
    values = config_values(result, config_path, old_plan) if own and config_path.exists() else {}
    existing = [folder / n for n in ((REGISTRY_FILES[0],) if keep_units else REGISTRY_FILES) if (folder / n).exists()]
    if existing and force:
        setup.backup = backup_registry(folder)
    setup.written = write_registry(result, folder, force=force, keep_units=keep_units, backup=False)
    if values:
        setup.config = set_values(config_path, values)
    return setup


def init_from_table(target: Path, table: Path, columns: str | None = None) -> Setup:
    """A new office folder whose registry comes from ``table``: registry/, the
    shipped templates, notices.toml (placeholders for the office, the table's
    jurisdiction), outputs/. Nothing is created if the table cannot be read."""
    target = Path(target)
    _refuse_clashes(target)
    result = import_table(table, None, columns)  # before anything is created
    target.mkdir(parents=True, exist_ok=True)
    made = []
    setup = Setup(result)
    setup.written = write_registry(result, target / "registry")
    setup.units_lines = describe(result.units, str(target / "registry" / "units.yaml"))
    made += _copy_templates(target)
    config_path = target / CONFIG_FILE
    setup.config = set_values(config_path, config_values(result, config_path, None))
    (target / "outputs").mkdir(exist_ok=True)
    setup.written += made + [config_path, target / "outputs", write_launcher(target)]
    return setup


def init_sample(target: Path) -> list[Path]:
    """A new office folder with copies of the shipped sample registry and templates;
    notices.toml names the office the sample plan implies."""
    target = Path(target)
    _refuse_clashes(target)
    target.mkdir(parents=True, exist_ok=True)
    made = []
    src = shipped("registry")
    shutil.copytree(src, target / "registry", ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
    made.append(target / "registry")
    made += _copy_templates(target)
    config_path = target / CONFIG_FILE
    identity = derived_identity(*plan_issuer(target / "registry" / "plan.yaml"))
    set_values(config_path, {k: identity.get(k, PLACEHOLDER) for k in IDENTITY})
    (target / "outputs").mkdir(exist_ok=True)
    return made + [config_path, target / "outputs", write_launcher(target)]


LAUNCHER = "启动网页.bat"


def write_launcher(target: Path) -> Path:
    """启动网页.bat: staff who never open a terminal double-click it to start the local web
    page (`notices serve`) of this folder. It runs the Python that ran `init` (a virtual
    environment need not be activated), else `notices` on PATH. Written in UTF-8 after
    ``chcp 65001`` (cmd.exe reads a batch file line by line, in the current code page),
    with CRLF line ends; the folder is found from the file itself (%~dp0), so it may move."""
    import sys

    python = Path(sys.executable)
    run = (f'if exist "{python}" (\r\n  "{python}" -m notices serve\r\n) else (\r\n  notices serve\r\n)'
           if sys.platform == "win32" else "notices serve")
    text = ("@echo off\r\nchcp 65001 >nul\r\ncd /d \"%~dp0\"\r\n"
            "echo 正在启动 notices 网页，浏览器会自动打开。用完后关闭本窗口即停止。\r\n"
            f"{run}\r\npause\r\n")
    from ..file.outputs import write_atomic

    return write_atomic(Path(target) / LAUNCHER, text.encode("utf-8"), overwrite=True)


def _refuse_clashes(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise NoticesError(f"“{target}”已存在且不是文件夹，未做任何改动")
    if target.exists() and any(target.iterdir()):
        clashes = [n for n in ("registry", "templates", CONFIG_FILE) if (target / n).exists()]
        if clashes:
            raise NoticesError(f"目录 {target} 中已有 {'、'.join(clashes)}，为免覆盖，未做任何改动")


def _copy_templates(target: Path) -> list[Path]:
    shutil.copytree(shipped("templates"), target / "templates",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
    return [target / "templates"]
