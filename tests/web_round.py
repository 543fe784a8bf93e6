"""The round done in a browser, as a person does it on the page: upload the returned
workbooks, see a cell's problem, accept, review the plan, preview, issue, record a
reply, void a number, download a letter. Used by tests/test_web_browser.py and by
docs/web_pictures.py (``shot(name, page)`` is called where the README's pictures
are taken)."""

from __future__ import annotations

from pathlib import Path

from web_kit import AS_OF, ROUND

ISSUE_TIMEOUT = 180_000  # ms: a slow, shared CI machine


def _noshot(name, page):
    pass


def collect(page, base: str, root: Path, shot=_noshot) -> None:
    page.goto(f"{base}/collect")
    page.get_by_role("textbox", name="收集的轮次").fill(ROUND)
    page.get_by_label("本轮截止日期（可不填）").fill(AS_OF)
    page.get_by_label("报回的填报表（.xlsx，可多选，也可把文件拖到这里）").set_input_files(
        sorted(str(p) for p in (root / "报回").glob("*.xlsx")))
    page.get_by_role("button", name="检查并收集").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "2026-11-应急管理局.xlsx 进度填报!G30: 进展状态“完成”不在可选范围内" in alert.inner_text()
    shot("收集-错误", page)
    page.get_by_role("button", name="只收集无误的行").click()
    page.get_by_text("已收集：30 个文件").wait_for()


def plan_page(page, base: str) -> None:
    page.goto(f"{base}/plan?as_of={AS_OF}&date={AS_OF}")
    page.get_by_role("heading", name="规则提出的文书").wait_for()


def issue(page, base: str, shot=_noshot) -> str:
    """Preview, then issue the plan as proposed; the task page's text when done."""
    plan_page(page, base)
    shot("计划与发文", page)
    page.get_by_role("button", name="预览（暂定文号）").click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert "（暂定）" in preview.inner_text()
    page.get_by_role("button", name="发文", exact=True).click()
    page.get_by_text("已完成。").wait_for(timeout=ISSUE_TIMEOUT)
    return page.locator("main").inner_text()


def reply_and_void(page, base: str, reply_to: str, void: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_role("link", name=reply_to, exact=True).click()
    page.get_by_label("答复日期").fill("2026-12-04")
    page.get_by_label("答复内容摘要").fill("已完成整改，附现场照片")
    page.get_by_role("button", name="登记答复").click()
    page.get_by_text(f"已登记答复：{reply_to}，2026年12月4日，已完成整改，附现场照片。").wait_for()
    page.goto(f"{base}/register")
    page.get_by_role("link", name=void, exact=True).click()
    page.get_by_label("作废原因（必填）").fill("主送单位有误")
    page.get_by_role("button", name="作废").click()
    page.get_by_text(f"已作废：{void}（主送单位有误）").wait_for()
