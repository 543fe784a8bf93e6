"""Unit identity across time: what the database holds under each unit key, told
against the directory of today (renames, units removed with history left)."""

from __future__ import annotations

from collections import Counter

from ..directory import Directory
from ..file.register import Register
from ..file.store import Store
from ..project import Project, db_path


def unit_findings(project: Project, directory: Directory) -> list[str]:
    """One Chinese line per rename the database shows, per key kept under a name that is
    now an alias, and per unit the directory no longer has while records remain."""
    path = db_path(project)
    if not path.exists():
        return []
    store = Store(path)
    last_names = store.unit_names()
    reports = store.unit_keys()
    documents: Counter = Counter()
    for record in Register(path, project.root).list():
        if record.status != "void":
            documents.update(record.subjects.keys())
    out = []
    for key in sorted(set(last_names) | set(reports) | set(documents)):
        name = directory.name_for_key(key)
        held = "、".join(part for part in (f"{reports[key]}条填报" if reports.get(key) else "",
                                            f"{documents[key]}份发文" if documents.get(key) else "") if part)
        last = last_names.get(key)
        if name is None:
            out.append(f"单位名录中已没有“{last or key}”（编号 {key}），但数据库中还有它的{held or '记录'}，"
                       f"这些记录不再计入。如系更名，请在 registry/units.yaml 中把该单位的 id 写回“{key}”"
                       f"（或把原名“{last or key}”写进 aliases）；如确已撤并，可忽略本提示")
        elif directory.unit(name).key != key:
            out.append(f"数据库中按“{key}”记录的{held or '记录'}，按名称或别称归入“{name}”。"
                       f"建议在 registry/units.yaml 中为该单位写上 id，以后更名不受影响")
        elif last and last != name:
            out.append(f"单位“{last}”已更名为“{name}”（编号 {key}），原有的{held or '记录'}照旧计入")
    return out


def remember_units(project: Project, registry) -> None:
    """Record each unit's current name under its key (after a command that wrote records)."""
    Store(db_path(project)).remember_units({u.key: u.name for u in registry.units})


def identity(project: Project):
    """The registry's names for a rebuilt register (file.recover.Identity): unit ids, and
    item ids from the period words a document names ("其中2025年第四季度应于…")."""
    from ..file.recover import Identity
    from ..read.registry import load_registry

    try:
        registry, directory = load_registry(project.registry_dir)
    except Exception:  # noqa: BLE001 - a broken registry must not stop a rebuild: names as written
        return Identity()
    milestones = {m.id: m for m in registry.milestones}

    def unit_key(name: str) -> str:
        found = directory.lookup(name)
        return directory.key_of(found[0]) if len(found) == 1 else name

    def item_id(mid: str, period: str) -> str:
        due = next((d for d in getattr(milestones.get(mid), "dues", []) if period and d.period == period), None)
        return f"{mid}@{due.key}" if due is not None and due.key else mid

    return Identity(unit_key, item_id)
