"""The web page in a real browser (Debian's chromium through Playwright, tests/browser.py):
the whole round, two tabs issuing the same plan, an accessibility pass (our own checks
and the keyboard, then axe-core) and the layout at two window sizes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document

from notices.file.register import Register
from notices.project import Project, db_path
from notices.web import create_app

from browser import chromium, require_chromium, serving
from web_kit import AS_OF, ROUND, cli, office
from web_round import ISSUE_TIMEOUT, collect, issue, plan_page, reply_and_void

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    require_chromium()
    return office(tmp_path_factory.mktemp("browser"))


@pytest.fixture
def root(sample, tmp_path) -> Path:
    shutil.copytree(sample, tmp_path / "示例办公室")
    return tmp_path / "示例办公室"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _page(browser, viewport=DESKTOP, context=None):
    context = context or browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _issued(root: Path):
    return Register(db_path(Project(root)), root).list()


def test_the_round_in_a_browser(browser, root, tmp_path):
    with serving(create_app(root)) as base:
        page = _page(browser)
        collect(page, base, root)
        done = issue(page, base)
        records = _issued(root)
        letters = [r for r in records if r.kind == "督办函"]
        assert letters and any(r.kind == "通报" for r in records)
        assert f"共 {len(records)} 份，新发 {len(records)} 份。" in done
        # download a letter from the task's page and read its 文号 in the document
        letter = letters[0]
        name = Path(letter.outputs[0].path).name
        with page.expect_download() as info:
            page.get_by_role("link", name=name).click()
        saved = tmp_path / "下载.docx"
        info.value.save_as(saved)
        assert info.value.suggested_filename == name
        body = "\n".join(p.text for p in Document(str(saved)).paragraphs)
        assert letter.doc_number in body
        assert saved.read_bytes() == (root / letter.outputs[0].path).read_bytes()
        reply_and_void(page, base, letters[0].doc_number, letters[1].doc_number)
        register = Register(db_path(Project(root)), root)
        assert [r.note for r in register.replies(letters[0].doc_number)] == ["已完成整改，附现场照片"]
        assert register.get(letters[1].doc_number).status == "void"
        # the unit's page tells its letter and the reply
        page.goto(f"{base}/unit?u={letters[0].recipients[0]}&as_of={AS_OF}")
        docs = page.locator("section", has=page.get_by_role("heading", name="发文与答复")).inner_text()
        assert letters[0].doc_number in docs and "已完成整改" in docs


def test_two_tabs_issuing_the_same_plan_number_once(browser, root):
    """Two tabs (one session) press 发文 on the same plan at the same moment: two batches
    run at once in the server, like two CLI windows; each document gets one number."""
    assert cli(root, "progress", "collect", str(root / "报回"), "--round", ROUND, "--as-of", AS_OF,
               "--accept-warnings").exit_code == 0
    with serving(create_app(root)) as base:
        first = _page(browser)
        second = _page(browser, context=first.context)
        for tab in (first, second):
            plan_page(tab, base)
        # one click after the other without waiting: both POSTs are out before either batch is done
        first.get_by_role("button", name="发文", exact=True).click(no_wait_after=True)
        second.get_by_role("button", name="发文", exact=True).click(no_wait_after=True)
        texts = []
        for tab in (first, second):
            tab.get_by_text("已完成。").wait_for(timeout=ISSUE_TIMEOUT)
            texts.append(tab.locator("main").inner_text())
    records = _issued(root)
    numbers = [r.doc_number for r in records]
    assert len(numbers) == len(set(numbers))
    assert all(r.status == "issued" for r in records)
    totals = [re.search(r"共 (\d+) 份，新发 (\d+) 份。", t).groups() for t in texts]
    assert all(int(total) == len(records) for total, _ in totals)
    assert sum(int(new) for _, new in totals) == len(records), "each document issued by one tab only"
    serials = sorted(r.serial for r in records if r.kind == "督办函")
    assert serials == list(range(1, len(serials) + 1)), "no gap"


def _issue_by_cli(root: Path) -> None:
    assert cli(root, "progress", "collect", str(root / "报回"), "--round", ROUND, "--as-of", AS_OF,
               "--accept-warnings").exit_code == 0
    cli(root, "plan", "--as-of", AS_OF, "--date", AS_OF, "--save", str(root / "计划.yaml"))
    assert cli(root, "issue", "--plan", str(root / "计划.yaml")).exit_code == 0


def _pages(root: Path) -> list[str]:
    number = _issued(root)[0].doc_number
    return ["/", f"/unit?u=县应急管理局&as_of={AS_OF}", "/collect", f"/plan?as_of={AS_OF}&date={AS_OF}", "/register",
            f"/register/doc?no={number}", "/tables", "/archive"]


A11Y = """() => {
  const problems = [];
  if (document.documentElement.lang !== 'zh-CN') problems.push('lang');
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) problems.push('h1 count ' + h1.length);
  let last = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = +h.tagName[1];
    if (level > last + 1) problems.push('heading jumps to ' + h.tagName + ' ' + h.textContent.trim());
    if (!h.textContent.trim()) problems.push('empty heading');
    last = level;
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const named = (el.labels && el.labels.length && [...el.labels].some(l => l.textContent.trim()))
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + (el.name || el.id));
  }
  for (const b of document.querySelectorAll('button, a')) {
    if (!(b.textContent.trim() || b.getAttribute('aria-label'))) problems.push('nameless ' + b.tagName);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.getAttribute('role') !== 'img' || !svg.querySelector('title')) problems.push('svg without role/title');
  }
  for (const th of document.querySelectorAll('thead th')) {
    if (th.getAttribute('scope') !== 'col') problems.push('th without scope');
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push('duplicate ids ' + dup.join(','));
  if (!document.querySelector('nav[aria-label]')) problems.push('nav without name');
  if (!document.querySelector('main')) problems.push('no main');
  return problems;
}"""


def test_accessibility_pass(browser, root):
    """Labels, headings, names, language on every page; the keyboard reaches and uses
    them (skip link first, visible focus, a form sent with Enter)."""
    _issue_by_cli(root)
    with serving(create_app(root)) as base:
        page = _page(browser)
        for path in _pages(root):
            page.goto(base + path)
            assert page.evaluate(A11Y) == [], path
        page.goto(f"{base}/register")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        for _ in range(20):  # on to the search field by keyboard alone
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "q":
                break
        assert page.evaluate("document.activeElement.id") == "q"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "the focused field shows it"
        page.keyboard.type("督办函")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"q=%E7%9D%A3"))
        assert "督办函" in page.locator("table").inner_text()
        # the nav is reached by Tab from the top, in order
        page.goto(f"{base}/")
        labels = []
        for _ in range(8):
            page.keyboard.press("Tab")
            labels.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert labels[1:7] == ["总览", "收集", "计划与发文", "登记簿", "序时进度表", "归档"]


def test_axe_finds_no_violations(browser, root):
    """axe-core (the engine browser accessibility audits use) on every page and on a
    form showing its errors: no WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    _issue_by_cli(root)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    with serving(create_app(root)) as base:
        page = _page(browser)
        found = {}
        for path in _pages(root):
            page.goto(base + path)
            found[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in axe.run(page, options=options).response["violations"]]
        assert {p: v for p, v in found.items() if v} == {}


LAYOUT = """() => {
  const w = document.documentElement.clientWidth;
  const out = {overflow: document.documentElement.scrollWidth - w, hidden: []};
  for (const sel of ['h1', 'nav a', 'main button, main input[type=submit]']) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.left < 0 || r.right > w + 1) out.hidden.push(sel);
  }
  return out;
}"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1366x768", "phone"])
def test_layout_at_two_window_sizes(browser, root, size, tmp_path):
    """No page is wider than the window (wide tables scroll in their own box), and the
    heading, the menu and each page's first button are on screen."""
    _issue_by_cli(root)
    with serving(create_app(root)) as base:
        page = _page(browser, size)
        for i, path in enumerate(_pages(root)):
            page.goto(base + path)
            page.screenshot(path=str(tmp_path / f"{i}.png"), full_page=True)
            found = page.evaluate(LAYOUT)
            assert found == {"overflow": 0, "hidden": []}, (path, found)
