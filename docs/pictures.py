"""Regenerate the README's pictures: page 1 of each kind of document from the
sample round, as LibreOffice prints it (substitute fonts where the official
ones are missing, see notices/fonts/fonts.conf).

    python docs/pictures.py            # writes docs/img/*.png (50 dpi)

Needs LibreOffice and poppler's pdftoppm. Works in a temporary folder; only the
PNG files are written here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from notices.file.pdf import convert  # noqa: E402

AS_OF = "2026-11-29"
DPI = 50
STEPS = [
    ["config", "set", "office.contact", "张三"],
    ["config", "set", "office.phone", "0415-1234567"],
    ["progress", "sample", "--round", "2026-11", "--out", "报回"],
    ["progress", "collect", "报回", "--round", "2026-11", "--as-of", AS_OF, "--accept-warnings"],
    ["table", "--progress", "--as-of", AS_OF, "--as-attachment", "1", "-o", "outputs/序时进度表.docx"],
    ["issue", "duban", "--as-of", AS_OF, "--date", AS_OF, "--unit", "县应急管理局"],
    ["issue", "tongbao", "--as-of", AS_OF, "--date", AS_OF],
    ["issue", "yuetan", "--as-of", AS_OF, "--date", AS_OF, "--unit", "县应急管理局", "--time", "2026-12-03 14:30",
     "--force", "--reason", "示例"],
]
PICTURES = {  # picture name -> the document (glob under outputs/)
    "督办函": "2026/督办函/*.docx",
    "通报": "2026/通报/*.docx",
    "约谈通知书": "2026/约谈通知书/*.docx",
    "序时进度表": "序时进度表.docx",
}


def notices(folder: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "notices", "-C", str(folder), *args], check=True, cwd=folder,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})


def main() -> None:
    out = HERE / "img"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        office = Path(tmp) / "示例办公室"
        notices(Path(tmp), "init", str(office))
        for step in STEPS:
            notices(office, *step)
        docs = {name: sorted((office / "outputs").glob(pattern))[0] for name, pattern in PICTURES.items()}
        pdfs = convert(list(docs.values()), Path(tmp) / "pdf")
        for name, pdf in zip(docs, pdfs):
            stem = Path(tmp) / name
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(stem)], check=True)
            shutil.copyfile(stem.with_suffix(".png"), out / f"{name}.png")
            print(out / f"{name}.png")


if __name__ == "__main__":
    main()
