"""Shipped defaults: the registry and templates, installed as package data.

In a source checkout these are the top-level registry/ and templates/ folders
(mapped by setup.cfg), so `pip install .` and `pip install -e .` see the same files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(name: str) -> Path:
    """Folder of a shipped default ("registry" or "templates")."""
    try:
        path = Path(str(resources.files(f"notices.shipped.{name}")))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    # Running from a checkout without installing.
    return Path(__file__).resolve().parents[2] / name
