"""Security headers for every response (a strict Content-Security-Policy), safe redirects, no NUL in input."""

from urllib.parse import urlsplit

from flask import abort, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def add_headers(response):
    """Set CSP and related headers unless a view chose its own."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be redirected to (no open redirects, no control characters: a CR/LF would
    make the Location header raise)."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 or ord(c) == 127 for c in target)):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def refuse_nul() -> None:
    """Answer 400 to a NUL in a query or form value: PostgreSQL refuses it in text (a 500 after the work began),
    and no keyboard types one."""
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        abort(400)
    if request.method != "GET" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if any("\x00" in value for _, values in request.form.lists() for value in values):
            abort(400)
