"""The 曝光 通报 as a standalone web page for the government website.

One HTML5 file, UTF-8, no external assets (no fonts, scripts, images or style
sheets fetched from anywhere): semantic elements (header, main, article, h1/h2,
ol, table with caption and th scope, footer, time), the office's wording exactly
as in the .docx, and a print style sheet (A4, the 公文 margins, the table's head
repeated on every printed page, no page-breaks inside a row). Every text is
escaped; nothing in it is markup.
"""

from __future__ import annotations

import datetime as dt
from html import escape

CSS = """
body { margin: 0; background: #f4f4f4; color: #1a1a1a;
  font-family: "仿宋_GB2312", "仿宋", FangSong, "STFangsong", "Noto Serif CJK SC", "Songti SC", serif;
  font-size: 16pt; line-height: 1.75; }
header.site, footer.site { background: #b0100f; color: #fff; padding: 0.6em 1.5em; font-size: 11pt;
  font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; }
footer.site { background: #444; margin-top: 2em; }
main { max-width: 46em; margin: 1.5em auto; background: #fff; padding: 2.5em 3em; box-shadow: 0 0 4px #ccc; }
h1 { font-family: "方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC", serif; font-size: 22pt;
  font-weight: normal; text-align: center; line-height: 1.4; margin: 0.5em 0 0.8em; }
h2 { font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal;
  margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.number { text-align: center; text-indent: 0; margin-bottom: 1em; }
p.recipients { text-indent: 0; }
p.signature, p.date { text-align: right; text-indent: 0; padding-right: 2em; }
p.signature { margin-top: 1em; }
p.note { margin-top: 0.5em; }
ol { margin: 0; padding-left: 4em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 11pt; line-height: 1.5; }
caption { font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; font-size: 12pt; margin-bottom: 0.4em; }
th, td { border: 1px solid #333; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #eee; font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; font-weight: normal; }
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@media print {
  body { background: #fff; font-size: 16pt; }
  header.site, footer.site { display: none; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  thead { display: table-header-group; }
  tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _p(text: str, cls: str = "") -> str:
    return f"<p{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}>{escape(text)}</p>"


def exposure_page(context: dict, rows: list[dict], issued_on: dt.date, section: str = "通知公告") -> str:
    """The page: ``context`` is the .docx context (compose.exposure.exposure_context),
    ``rows`` the items (compose.exposure.exposure_rows)."""
    body = []
    for para in context["body"]:
        if para["level"] == 1:
            body.append(f"<h2>{escape(para['text'])}</h2>")
        else:
            body.append(_p(para["text"]))
    head = "".join(f'<th scope="col">{h}</th>' for h in ("单位", "任务序号", "具体要求", "完成时间", "情况"))
    cells = "".join(
        "<tr>" + f'<th scope="row">{escape(r["unit"])}</th>'
        + "".join(f"<td>{escape(str(r[k]))}</td>" for k in ("task", "requirement", "deadline", "state")) + "</tr>"
        for r in rows)
    table = (f"<table><caption>逾期未完成事项一览</caption><thead><tr>{head}</tr></thead>"
             f"<tbody>{cells}</tbody></table>") if rows else ""
    title = escape(context["title"])
    signer = escape(context["signer"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="notices">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<header class="site"><p>{signer} · {escape(section)}</p></header>
<main>
<article>
<h1>{title}</h1>
{_p(context["doc_number"], "number")}
{_p(context["recipients"] + "：", "recipients")}
{"".join(body)}
{table}
{_p(context["signer"], "signature")}
<p class="date"><time datetime="{issued_on.isoformat()}">{escape(context["date_cn"])}</time></p>
{_p("（" + context["note"] + "）", "note")}
</article>
</main>
<footer class="site"><p>{signer}</p></footer>
</body>
</html>
"""
