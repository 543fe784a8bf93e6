"""Who may use the page, and how a change must be asked for.

- Host names: a page bound to the loopback answers only to 127.0.0.1, localhost
  and [::1]; another name in the Host header is a web page elsewhere trying to
  reach it through DNS rebinding.
- Password: set with `notices serve --set-password`, kept in notices.toml as a
  salted scrypt hash (werkzeug.security), never the password. With one set, every
  page but the login asks for it; without one, the page only runs on the loopback.
- CSRF: every POST carries the session's token (a hidden field the templates
  write); a POST from another origin or without the token changes nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time

from flask import abort, current_app, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
OPEN_ENDPOINTS = ("guard.login", "static")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_ok(stored_hash: str, password: str) -> bool:
    try:
        return check_password_hash(stored_hash, password)
    except (ValueError, TypeError):  # a hash edited by hand into something else
        return False


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _host_name(header: str) -> str:
    host = header.strip().lower()
    if host.startswith("["):  # [::1]:8765
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def check_request():
    """Before every request: host, login, CSRF. Returns a response to send instead, or None."""
    if current_app.config["NOTICES_LOOPBACK_ONLY"] and not is_loopback(_host_name(request.host)):
        abort(403, description="本网页只接受本机地址（127.0.0.1）的访问")
    if current_app.config["NOTICES_PASSWORD_HASH"] and not session.get("signed_in"):
        if request.endpoint not in OPEN_ENDPOINTS:
            if request.method == "POST":
                abort(403, description="请先输入网页密码")
            return redirect(url_for("guard.login", next=request.full_path if request.query_string else request.path))
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
            abort(403, description="拒绝来自其他网站的操作")
        sent = request.form.get("csrf", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, description="页面已过期（或不是从本网页提交的），未做任何改动。请刷新页面后重试")
    return None


def login_view():
    from flask import render_template

    error = ""
    target = request.values.get("next") or url_for("overview.page")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("overview.page")
    if request.method == "POST":
        if password_ok(current_app.config["NOTICES_PASSWORD_HASH"], request.form.get("password", "")):
            session.clear()
            session["signed_in"] = True
            csrf_token()
            return redirect(target)
        time.sleep(1)  # a guessing script gets one try a second per connection
        error = "密码不正确"
    return render_template("login.html", error=error, target=target)


def logout_view():
    session.clear()
    return redirect(url_for("guard.login"))
