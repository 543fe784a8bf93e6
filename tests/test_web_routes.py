"""The web page's routes through Flask's test client: each page, the same messages as the
CLI, the jobs' effects (register, backups), and the safety rules (CSRF, host names,
password, uploads checked before anything, downloads kept inside outputs/, no
traceback ever shown)."""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

import pytest

from notices.errors import NoticesError
from notices.file.register import Register
from notices.project import Project, db_path
from notices.web import create_app
from notices.web.guard import hash_password
from notices.web.serve import check_bind

from web_kit import AS_OF, ROUND, cli, csrf, office, text

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
import make_corpus as corpus  # noqa: E402


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return office(tmp_path_factory.mktemp("web"))


@pytest.fixture
def root(sample, tmp_path) -> Path:
    import shutil

    shutil.copytree(sample, tmp_path / "示例办公室")
    return tmp_path / "示例办公室"


@pytest.fixture
def client(root):
    return create_app(root).test_client()


def _token(client, url="/collect") -> str:
    return csrf(client.get(url).get_data(as_text=True))


def _upload(client, root, names=None, **extra):
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((root / "报回").glob("*.xlsx"))
             if names is None or p.name in names]
    data = {"csrf": _token(client), "round": ROUND, "as_of": AS_OF, "files": files, **extra}
    return client.post("/collect", data=data, content_type="multipart/form-data")


def _collected(client, root):
    first = _upload(client, root).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', first).group(1)
    done = client.post("/collect", data={"csrf": csrf(first), "round": ROUND, "as_of": AS_OF, "token": token,
                                         "accept_warnings": "1"})
    assert "已收集：30 个文件" in text(done.get_data(as_text=True))
    return done


def _plan_form(client, **extra) -> dict:
    html = client.get(f"/plan?as_of={AS_OF}&date={AS_OF}").get_data(as_text=True)
    data = {"csrf": csrf(html), "as_of": AS_OF, "date": AS_OF, "round": ROUND,
            "pick": re.findall(r'name="pick" value="([^"]+)" id="[^"]+" checked', html)}
    if 'id="tongbao" name="tongbao" value="1" checked' in html:
        data["tongbao"] = "1"
    data.update(dict(re.findall(r'name="(time\|[^"]+)" value="([^"]*)"', html)))
    data.update(extra)
    return data


def _wait(client, location: str) -> str:
    for _ in range(600):
        if client.get(location + "/state").get_json()["finished"]:
            break
        time.sleep(0.1)
    return client.get(location).get_data(as_text=True)


# --- pages --------------------------------------------------------------------------------
def test_every_page_answers_in_chinese(client):
    for url, heading in (("/", "总览"), ("/collect", "收集"), ("/plan", "计划与发文"), ("/register", "发文登记簿"),
                         ("/tables", "序时进度表"), ("/archive", "年度归档"), ("/unit?u=应急局", "县应急管理局")):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert '<html lang="zh-CN">' in html
        assert f"<h1>{heading}</h1>" in html, url


def test_collection_shows_the_clis_problems_then_accepts(client, root, tmp_path):
    """The page's per-file, per-cell problems are the lines the CLI prints; accepting keeps
    the round as `--accept-warnings` does, with the files moved to outputs/<round>/报回."""
    other = tmp_path / "cli"
    import shutil

    shutil.copytree(root, other)
    by_cli = cli(other, "progress", "collect", str(other / "报回"), "--round", ROUND, "--as-of", AS_OF)
    assert by_cli.exit_code == 1
    cli_lines = [line.strip() for line in by_cli.output.splitlines() if line.startswith("  ")]
    assert any("进度填报!G30" in line for line in cli_lines)

    html = _upload(client, root).get_data(as_text=True)
    shown = re.findall(r"<li><code>(.*?)</code></li>", html)
    import html as htmlmod

    assert [htmlmod.unescape(s) for s in shown] == cli_lines
    message = re.search(r"<strong>错误：</strong>(.*?)</p>", html).group(1)
    assert htmlmod.unescape(message) in by_cli.output
    assert Project(root) and not any(Register(db_path(Project(root))).list())
    done = _collected(client, root)
    page = text(done.get_data(as_text=True))
    assert "已跳过：2026-11-应急管理局.xlsx 进度填报!G30" in page
    assert len(list((root / "outputs" / ROUND / "报回").glob("*.xlsx"))) == 30
    # the collected upload's staging folder is gone; the first one (not collected) waits to be swept
    assert len(list((root / "outputs" / "网页上传").iterdir())) == 1
    assert list((root / "outputs" / "备份").glob("notices.db.*.bak")), "a collection is backed up as in the CLI"
    again = _upload(client, root, {"2026-11-公安局.xlsx"})
    assert "2026-11 轮已经收集过" in text(again.get_data(as_text=True))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    kit = corpus.Kit(tmp_path_factory.mktemp("kit"))
    d = tmp_path_factory.mktemp("bombs")
    good = kit.good()
    return [corpus.zip_bomb(d / "炸弹.xlsx", good, "xl/worksheets/sheet9.xml", corpus.GIB),
            corpus.rezip(good, d / "外部.xlsx", lambda n, b: corpus.XXE if n == "xl/worksheets/sheet1.xml" else None)]


def test_hostile_uploads_are_refused_before_anything_is_written(client, root, hostile, monkeypatch):
    import openpyxl

    from notices.read import progress_xlsx

    def boom(*args, **kwargs):
        raise AssertionError("a reader opened an upload before it was checked")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    monkeypatch.setattr(progress_xlsx, "load_workbook", boom)
    good = (root / "报回" / "2026-11-公安局.xlsx").read_bytes()
    for bomb, why in zip(hostile, ("压缩炸弹", "文档类型声明")):
        data = {"csrf": _token(client), "round": ROUND,
                "files": [(io.BytesIO(good), "好.xlsx"), (io.BytesIO(bomb.read_bytes()), bomb.name)]}
        page = text(client.post("/collect", data=data, content_type="multipart/form-data").get_data(as_text=True))
        assert f"{bomb.name} 已拒绝读取" in page and why in page
        assert not (root / "outputs" / "网页上传").exists(), "not even the good file is written"


# --- plan and issue -------------------------------------------------------------------------
def test_plan_preview_then_issue_like_issue_plan(client, root):
    _collected(client, root)
    data = _plan_form(client, action="preview")
    assert data["pick"], "the ladder proposes letters for the sample round"
    page = text(client.post("/plan", data=data).get_data(as_text=True))
    assert "以上为预览：文号为暂定，未写文件、未登记。" in page
    assert "将发：督办函 岫安委办函〔2026〕1号（暂定）" in page
    assert not Register(db_path(Project(root))).list()
    data["action"] = "issue"
    response = client.post("/plan", data=data)
    assert response.status_code == 302
    page = text(_wait(client, response.headers["Location"]))
    count = len(data["pick"]) + 1
    assert f"共 {count} 份，新发 {count} 份。" in page
    # the files named as under the working folder, as staff find them
    assert "outputs/2026/督办函/" in page and str(root) not in page
    records = Register(db_path(Project(root))).list()
    assert len(records) == count and all(r.status == "issued" for r in records)
    # the same form again: the register's batch keys, as a second CLI run
    again = text(_wait(client, client.post("/plan", data=data).headers["Location"]))
    assert f"共 {count} 份，新发 0 份。" in again
    assert len(Register(db_path(Project(root))).list()) == count


def test_adding_a_unit_needs_a_reason_as_in_the_plan_file(client, root):
    _collected(client, root)
    html = client.get(f"/plan?as_of={AS_OF}&date={AS_OF}").get_data(as_text=True)
    proposed = re.findall(r'name="pick" value="督办函\|([^"]+)"', html)
    unit = proposed[0]
    data = _plan_form(client, action="preview")
    data["pick"] = [p for p in data["pick"] if p != f"督办函|{unit}"]
    data[f"add|{unit}"] = "约谈通知书"
    page = text(client.post("/plan", data=data).get_data(as_text=True))
    assert "不符合逐级督办规则，未发文" in page
    assert f"{unit}: " in page and "请在该单位的“原因”栏写明原因" in page
    data[f"reason|{unit}"] = "县领导批示要求约谈"
    data["action"] = "issue"
    page = text(_wait(client, client.post("/plan", data=data).headers["Location"]))
    assert "已发：约谈通知书" in page
    talk = next(r for r in Register(db_path(Project(root))).list() if r.kind == "约谈通知书")
    assert talk.details["force_reason"] == "县领导批示要求约谈"


def test_reminders_are_proposed_and_issued_from_the_page(client, root):
    """工作提醒 stand beside a unit's rung, as `notices plan` lists them; ticked, they are
    issued with the plan; 曝光 can be added with a 原因 like any other document."""
    _collected(client, root)
    day, date = "2026-12-20", "2026-12-21"
    cli_plan = cli(root, "plan", "--as-of", day, "--date", date).output
    reminded = re.findall(r"^  (\S+)\s+发工作提醒：临期", cli_plan, re.M)
    assert reminded, "the sample has items due within the warning window on 2026-12-20"
    html = client.get(f"/plan?as_of={day}&date={date}").get_data(as_text=True)
    picks = re.findall(r'name="pick" value="工作提醒\|([^"]+)" id="[^"]+" checked', html)
    assert picks == reminded
    assert "工作提醒 " + str(len(reminded)) + " 份" in text(html)
    unit = reminded[0]
    data = {"csrf": csrf(html), "as_of": day, "date": date, "round": ROUND, "pick": [f"工作提醒|{unit}"],
            "action": "preview"}
    page = text(client.post("/plan", data=data).get_data(as_text=True))
    assert "将发：工作提醒" in page and unit in page
    data[f"add|{unit}"] = "曝光"
    page = text(client.post("/plan", data=data).get_data(as_text=True))
    assert "按逐级督办规则现在不公开曝光" in page and "请在该单位的“原因”栏写明原因" in page
    del data[f"add|{unit}"]
    data["action"] = "issue"
    page = text(_wait(client, client.post("/plan", data=data).headers["Location"]))
    assert "共 1 份，新发 1 份。" in page
    (record,) = Register(db_path(Project(root))).list()
    assert record.kind == "工作提醒"


def test_meeting_time_is_checked_like_the_plan_files(client, root):
    _collected(client, root)
    data = _plan_form(client, action="preview")
    unit = re.search(r"督办函\|(.+)", data["pick"][0]).group(1)
    data[f"add|{unit}"] = "约谈通知书"
    data[f"reason|{unit}"] = "测试"
    data["pick"] = data["pick"][1:]
    data[f"time|{unit}"] = "2026-13-40T25:00"
    page = text(client.post("/plan", data=data).get_data(as_text=True))
    assert "不是时间，请写成 2026-12-03 09:00" in page


# --- register -------------------------------------------------------------------------------
def _issue_all(client, root) -> list:
    _collected(client, root)
    data = _plan_form(client, action="issue")
    _wait(client, client.post("/plan", data=data).headers["Location"])
    return Register(db_path(Project(root))).list()


def test_reply_void_verify_and_search(client, root):
    records = [r for r in _issue_all(client, root) if r.kind == "督办函"]
    letter = records[0]
    html = client.get(f"/register/doc?no={letter.doc_number}").get_data(as_text=True)
    assert re.search(rf"督办单位\s+{letter.recipients[0]}（", text(html))  # by name, though the register keeps ids
    page = text(client.post("/register/reply", data={"csrf": csrf(html), "no": letter.doc_number,
                                                     "date": "2026-12-04", "note": "已完成整改"}).get_data(as_text=True))
    assert f"已登记答复：{letter.doc_number}，2026年12月4日，已完成整改。" in page
    page = text(client.post("/register/void", data={"csrf": csrf(html), "no": letter.doc_number,
                                                    "reason": " "}).get_data(as_text=True))
    assert "请写明作废原因" in page
    page = text(client.post("/register/void", data={"csrf": csrf(html), "no": letter.doc_number,
                                                    "reason": "主送单位有误"}).get_data(as_text=True))
    assert f"已作废：{letter.doc_number}（主送单位有误）" in page
    assert Register(db_path(Project(root))).get(letter.doc_number).status == "void"
    listing = text(client.get("/register?q=主送单位有误").get_data(as_text=True))
    assert letter.doc_number in listing and "共 1 件" in listing
    assert "共核对" in text(client.post("/register/verify", data={"csrf": csrf(html)}).get_data(as_text=True))
    (root / Register(db_path(Project(root))).get(records[1].doc_number).outputs[0].path).write_bytes(b"changed")
    page = text(client.post("/register/verify", data={"csrf": csrf(html)}).get_data(as_text=True))
    assert "已被改动" in page and "1 个与登记时不符" in page


def test_unit_page_shows_documents_and_reports(client, root):
    records = _issue_all(client, root)
    letter = next(r for r in records if r.kind == "督办函")
    unit = letter.recipients[0]
    page = text(client.get(f"/unit?u={unit}&as_of={AS_OF}").get_data(as_text=True))
    assert letter.doc_number in page and "未答复" in page
    assert "2026-11 轮" in page
    assert "没有批准延期、不予延期或销号的事项" in page
    item = next(iter(letter.subjects.values()))[0]
    done = cli(root, "extend", unit, item, "--to", "2027-03-31", "--reason", "汛期施工受限", "--approved-by", "王五",
               "--date", "2026-12-01", "--force")  # overdue already: 补办, recorded
    assert done.exit_code == 0, done.output
    page = text(client.get(f"/unit?u={unit}&as_of={AS_OF}").get_data(as_text=True))
    assert re.search(rf"2026年12月1日\s+{re.escape(item)}\s+延期\s+由\S+延期至2027-03-31，王五批准\s+王五", page), page


def test_tables_are_made_and_downloaded(client, root):
    html = client.get("/tables").get_data(as_text=True)
    page = client.post("/tables", data={"csrf": csrf(html), "unit": "县应急管理局", "xlsx": "1"}).get_data(as_text=True)
    links = re.findall(r'href="(/files/[^"]+)"', page)
    assert any(link.endswith(".docx") for link in links) and any(link.endswith(".xlsx") for link in links)
    got = client.get(links[0])
    assert got.status_code == 200 and got.data[:2] == b"PK"
    assert "attachment" in got.headers["Content-Disposition"]


# --- safety -----------------------------------------------------------------------------------
def test_post_without_the_token_changes_nothing(client, root):
    _collected(client, root)
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/plan", data={**_plan_form(client, action="issue"), **data} if data else
                               {k: v for k, v in _plan_form(client, action="issue").items() if k != "csrf"})
        assert response.status_code == 400
        assert "页面已过期" in text(response.get_data(as_text=True))
    assert not Register(db_path(Project(root))).list()
    response = client.post("/register/verify", data={"csrf": _token(client)}, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_mutations_are_post_only(client):
    assert client.get("/register/void").status_code == 405
    assert client.get("/register/reply?no=x").status_code == 405


def test_other_host_names_are_refused(client):
    response = client.get("/", headers={"Host": "evil.example:8765"})
    assert response.status_code == 403 and "只接受本机地址" in text(response.get_data(as_text=True))
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8765"}).status_code == 200


def test_password_when_set(root):
    app = create_app(root, hash_password("正确的密码123"), loopback_only=False)
    client = app.test_client()
    response = client.get("/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login = client.get("/login?next=/register").get_data(as_text=True)
    bad = client.post("/login", data={"csrf": csrf(login), "password": "错的", "next": "/register"})
    assert "密码不正确" in text(bad.get_data(as_text=True))
    good = client.post("/login", data={"csrf": csrf(login), "password": "正确的密码123", "next": "/register"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/register")
    assert client.get("/register").status_code == 200
    assert client.post("/register/verify", data={}).status_code == 400  # still needs the token


def test_only_the_loopback_without_a_password():
    with pytest.raises(NoticesError, match="须先设置网页密码"):
        check_bind("0.0.0.0", "")
    check_bind("127.0.0.1", "")
    check_bind("0.0.0.0", hash_password("x" * 8))


def test_serve_refuses_an_open_bind_and_stores_only_a_hash(root):
    result = cli(root, "serve", "--host", "0.0.0.0", "--no-browser")
    assert result.exit_code == 1 and "须先设置网页密码" in result.output
    result = cli(root, "serve", "--set-password", input="很长的密码abc\n很长的密码abc\n")
    assert result.exit_code == 0, result.output
    toml = (root / "notices.toml").read_text(encoding="utf-8")
    assert "很长的密码abc" not in toml and 'password_hash = "scrypt:' in toml


def test_downloads_stay_inside_outputs(client, root):
    (root / "outputs" / "a.docx").write_bytes(b"PK-test")
    assert client.get("/files/a.docx").status_code == 200
    outside = root.parent / "secret.docx"
    outside.write_bytes(b"secret")
    (root / "outputs" / "link.docx").symlink_to(outside)
    for url in ("/files/../notices.toml", "/files/..%2Fnotices.toml", "/files/link.docx", "/files/notices.db",
                "/files/%2E%2E/%2E%2E/secret.docx", "/files//etc/passwd"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 404, url
        assert b"secret" not in response.data


def test_a_bug_is_logged_and_told_never_shown(client, root, monkeypatch):
    from notices.web.pages import overview

    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(overview, "assess_project", broken)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "程序内部出错（ZeroDivisionError）" in page and "Traceback" not in page and "secret detail" not in page
    log = root / "outputs" / "notices-error.log"
    assert "secret detail" in log.read_text(encoding="utf-8") and str(log.resolve()) in text(page)


def test_a_users_mistake_is_the_clis_message(client):
    page = text(client.get("/?as_of=1900-01-01").get_data(as_text=True))
    assert "截至日期 1900-01-01 超出允许的范围" in page
    page = text(client.get("/unit?u=不存在的局").get_data(as_text=True))
    assert "不存在的局" in page and "Traceback" not in page


def test_init_writes_the_windows_launcher(root):
    bat = (root / "启动网页.bat").read_bytes()
    assert bat.startswith(b"@echo off\r\nchcp 65001 >nul\r\n")
    assert b'cd /d "%~dp0"\r\n' in bat and b"notices serve" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    bat.decode("utf-8")


def test_an_upload_over_the_limit_is_told_in_chinese(root):
    app = create_app(root)
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = app.test_client()
    data = {"csrf": _token(client), "round": ROUND, "files": [(io.BytesIO(b"x" * 20_000), "大.xlsx")]}
    response = client.post("/collect", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and "上传的文件太大" in text(response.get_data(as_text=True))


def test_a_task_tells_its_progress(client, root):
    _collected(client, root)
    location = client.post("/plan", data=_plan_form(client, action="issue")).headers["Location"]
    _wait(client, location)
    state = client.get(location + "/state").get_json()
    assert state["finished"] and not state["failed"] and state["done"] == state["total"] > 0
    assert client.get("/tasks/0000000000000000/state").status_code == 404


from conftest import needs_soffice  # noqa: E402


@needs_soffice
def test_archive_run_and_verify_on_the_page(client, root):
    assert cli(root, "progress", "collect", str(root / "报回"), "--round", ROUND, "--as-of", AS_OF,
               "--accept-warnings").exit_code == 0
    assert cli(root, "issue", "duban", "--as-of", AS_OF, "--date", AS_OF, "--unit", "县应急管理局").exit_code == 0
    html = client.get("/archive?year=2026").get_data(as_text=True)
    assert "还没有填写全宗号" in text(html)
    page = text(_wait(client, client.post("/archive", data={"csrf": csrf(html), "year": "2026"}).headers["Location"]))
    assert "错误：" in page and "[archive] 中未填写全宗号（fonds）" in page  # the job's own message
    assert cli(root, "config", "set", "archive.fonds", "Z109").exit_code == 0
    page = text(_wait(client, client.post("/archive", data={"csrf": csrf(html), "year": "2026"}).headers["Location"]))
    assert "已归档：Z109-WS·2026-D10-0001" in page and "2026 年度：新归档 1 件" in page
    page = text(client.post("/archive/verify", data={"csrf": csrf(html), "year": "2026"}).get_data(as_text=True))
    assert "2026 年度归档核对通过" in page
    listing = client.get("/archive?year=2026").get_data(as_text=True)
    assert "归档文件目录-2026.xlsx" in listing


def test_the_windows_launcher_runs_the_python_that_made_it(tmp_path, monkeypatch):
    from notices.jobs.registry_setup import write_launcher

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", r"C:\Users\张三\notices (新)\.venv\Scripts\python.exe")
    bat = write_launcher(tmp_path).read_bytes().decode("utf-8")
    assert 'if exist "C:\\Users\\张三\\notices (新)\\.venv\\Scripts\\python.exe" (\r\n' in bat
    assert '  "C:\\Users\\张三\\notices (新)\\.venv\\Scripts\\python.exe" -m notices serve\r\n' in bat
    assert ") else (\r\n  notices serve\r\n)\r\npause\r\n" in bat
