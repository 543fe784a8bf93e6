"""`notices serve`: the round's work on a local web page, for staff who never open a terminal.

A thin layer over notices.jobs, like the CLI: each page reads what the CLI's
commands read (the assessment, the ladder's proposal, the register), each form
calls the job the CLI's command calls and shows the same Chinese messages. Flask
serves plain HTML forms rendered by Jinja (already a dependency); a few lines of
JavaScript shipped in the package (static/app.js) only poll a running task's
progress. No asset comes from the internet.

Safety (notices.web.guard): bound to 127.0.0.1 unless a password is set in
notices.toml (stored hashed); requests for other host names are refused (DNS
rebinding); every change is a POST carrying the session's CSRF token; uploads are
checked by the safe readers before anything else; downloads never leave outputs/.
"""

from .app import create_app

__all__ = ["create_app"]
