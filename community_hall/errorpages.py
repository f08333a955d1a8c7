"""Friendly error pages for 400, 403, 404, 405, 429 and 500, in the visitor's language."""

from __future__ import annotations

import math
import time

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from .extensions import limiter
from .tenancy import close_sessions


def _page(code: int, title: str, message: str):
    return render_template("errors/error.html", code=code, title=title, message=message), code


def bad_request(e):
    if request.path.startswith("/open311/"):
        from .api.views import http_error

        return http_error(e)
    return _page(400, _("Bad request"), _("The request could not be understood. Please go back and try again."))


def out_of_range(_e):
    """A date or number from the request past what the calendar holds (year 1 or 9999): bad input, not a fault."""
    return bad_request(BadRequest())


def csrf_error(_e):
    return _page(400, _("The page has expired"),
                 _("This form was open too long or was sent from an old page. Please reload the page and "
                   "submit it again."))


def forbidden(_e):
    return _page(403, _("Not allowed"), _("Your account does not have permission to do this."))


def not_found(e):
    if request.path.startswith("/open311/"):
        # An address no rule takes (a control character in an id) is still answered in the API's own format.
        from .api.views import http_error

        return http_error(e)
    return _page(404, _("Page not found"),
                 _("There is no page at this address. Check the address or start from the home page."))


def method_not_allowed(_e):
    return _page(405, _("Not possible here"), _("This page cannot be used this way."))


def too_large(_e):
    return _page(413, _("The file is too large"),
                 _("Files up to 16 MB can be sent. Please send a smaller file."))


def too_many(_e):
    limit = limiter.current_limit
    wait = max(1, math.ceil((limit.reset_at - time.time()) / 60)) if limit else 15
    body, code = _page(429, _("Too many attempts"),
                       _("Too many attempts. Please try again in %(n)s minutes.", n=wait))
    return body, code, {"Retry-After": str(wait * 60)}


def server_error(_e):
    # The failed request's sessions may hold a broken transaction; the error page reads (the nav) through fresh ones.
    close_sessions()
    return _page(500, _("Something went wrong"),
                 _("Sorry, something went wrong on our side. Please try again in a moment; if it happens "
                   "again, tell the service station."))


def register(app) -> None:
    """Attach the handlers to the app."""
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(OverflowError, out_of_range)
    for code, handler in ((400, bad_request), (403, forbidden), (404, not_found), (405, method_not_allowed),
                          (413, too_large),
                          (429, too_many), (500, server_error)):
        app.register_error_handler(code, handler)
