"""Language and elderly mode: chosen by the user, remembered in cookies."""

from __future__ import annotations

from urllib.parse import urlencode

from babel import Locale
from flask import Blueprint, current_app, has_request_context, redirect, request, url_for

from .security import safe_next

bp = Blueprint("preferences", __name__)

LANG_COOKIE = "hall_lang"
ELDERLY_COOKIE = "hall_elderly"
YEAR = 365 * 24 * 3600


def _normalise(lang: str | None) -> str | None:
    lang = (lang or "").replace("-", "_")
    if lang.lower() == "zh_cn" or lang.lower() == "zh":
        return "zh_CN"
    return "en" if lang.lower().startswith("en") else None


_LOCALES: dict[str, Locale] = {}


def select_locale() -> Locale:
    """?lang= wins, then the remembered cookie, then Simplified Chinese (also outside requests, e.g. the CLI)."""
    if not has_request_context():
        name = current_app.config["BABEL_DEFAULT_LOCALE"]
    else:
        name = (_normalise(request.args.get("lang")) or _normalise(request.cookies.get(LANG_COOKIE))
                or current_app.config["BABEL_DEFAULT_LOCALE"])
    # A parsed Locale, kept: Flask-Babel would parse the name again on every request, which costs about a
    # millisecond (babel scans its list of locale identifiers).
    if name not in _LOCALES:
        _LOCALES[name] = Locale.parse(name)
    return _LOCALES[name]


def lang_url(lang: str) -> str:
    """The current page in another language, keeping its other query parameters."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def elderly_mode() -> bool:
    """True when the visitor turned elderly mode on."""
    return request.cookies.get(ELDERLY_COOKIE) == "1"


def _secure() -> bool:
    # Production serves over HTTPS only: the display cookies are Secure there like the session's.
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def remember_language(response):
    """Keep a ?lang= choice in a cookie so later pages use it."""
    lang = _normalise(request.args.get("lang"))
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="Lax", httponly=True, secure=_secure())
    return response


@bp.route("/preferences/elderly", methods=["GET", "POST"])
def toggle_elderly():
    """Turn elderly mode (large text, high contrast, large targets) on or off, then go back to the page."""
    # A GET, like ?lang=: it only sets a display cookie and changes no data, so the toggle on every page needs
    # no CSRF token and a first-time visitor gets no session for one. POST (with its token) still works.
    values = request.form if request.method == "POST" else request.args
    on = values.get("on") == "1"
    response = redirect(safe_next(values.get("next")) or url_for("communities.index"))
    response.set_cookie(ELDERLY_COOKIE, "1" if on else "0", max_age=YEAR, samesite="Lax", httponly=True,
                        secure=_secure())
    return response
