"""Shipped defaults: the registry and templates, installed as package data.

setup.cfg maps the top-level registry/ and templates/ folders to
notices/shipped/registry and notices/shipped/templates in an installed copy;
in a checkout or an editable install they are read where they are.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """Folder of a shipped default ("registry" or "templates")."""
    installed = HERE / name
    if installed.is_dir():
        return installed
    return HERE.parents[1] / name
