"""Writing output files: safe names, never a half-written or overwritten file."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from ..errors import NoticesError

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that is valid on Windows and cannot leave its folder."""
    text = unicodedata.normalize("NFC", name or "")
    text = _FORBIDDEN.sub("_", text).strip().strip(".")
    text = text.replace("..", "_")
    if not text:
        text = "未命名"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text[:limit]


def write_atomic(path: Path, data: bytes, overwrite: bool = False) -> Path:
    """Write via a temporary file in the same folder, then rename into place.

    Without overwrite, an existing file is an error and stays untouched; the
    final link is exclusive, so two writers cannot both win.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not overwrite:
        raise NoticesError(f"文件已存在，未覆盖：{path}")
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile
            except FileExistsError:
                raise NoticesError(f"文件已存在，未覆盖：{path}") from None
            except OSError:
                # File systems without hard links: best effort exclusive rename.
                if path.exists():
                    raise NoticesError(f"文件已存在，未覆盖：{path}") from None
                os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def next_free(path: Path) -> Path:
    """path, or path with -2, -3 … before the suffix if it is taken."""
    path = Path(path)
    if not path.exists():
        return path
    n = 2
    while (candidate := path.with_name(f"{path.stem}-{n}{path.suffix}")).exists():
        n += 1
    return candidate
