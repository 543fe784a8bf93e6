"""Rebuild the shipped templates: python templates/build.py (same bytes every run)."""

from pathlib import Path

from notices.render.template_build import build_all

if __name__ == "__main__":
    for path in build_all(Path(__file__).resolve().parent):
        print(path.name)
