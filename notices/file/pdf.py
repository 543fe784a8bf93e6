"""PDF copies through LibreOffice in headless mode: one process per batch."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import NoticesError

FONTS_CONF = Path(__file__).resolve().parents[1] / "fonts" / "fonts.conf"
INSTALL_HINT = ("未找到 LibreOffice。Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui；"
                "Windows：从 libreoffice.org 安装后，把 program 文件夹加入 PATH，或在 notices.toml 的 [pdf] soffice 中写明路径。")


def find_soffice(configured: str = "") -> str:
    for candidate in (configured, "soffice", "libreoffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if candidate and (shutil.which(candidate) or Path(candidate).is_file()):
            return shutil.which(candidate) or candidate
    raise NoticesError(INSTALL_HINT)


def convert(paths: list[Path], out_dir: Path, fmt: str = "pdf", timeout: float = 60.0, soffice: str = "") -> list[Path]:
    """Convert documents in one LibreOffice run; return the files made, in order.

    A private profile keeps us clear of a desktop LibreOffice the user has open;
    the fontconfig file maps official font names to installed substitutes.
    """
    if not paths:
        return []
    exe = find_soffice(soffice)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if FONTS_CONF.exists() and os.name != "nt":
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    with tempfile.TemporaryDirectory(prefix="notices-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(out_dir), *map(str, paths)]
        try:
            proc = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout * len(paths) + 30)
        except subprocess.TimeoutExpired:
            raise NoticesError(f"LibreOffice 转换超时（{len(paths)} 个文件）") from None
    made = [out_dir / (Path(p).stem + "." + fmt.split(":")[0]) for p in paths]
    missing = [p for p, m in zip(paths, made) if not m.exists()]
    if missing:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if proc.stderr else []
        raise NoticesError(f"LibreOffice 未能转换 {len(missing)} 个文件：{'、'.join(Path(p).name for p in missing)}"
                           + (f"（{detail[0]}）" if detail else ""))
    return made
