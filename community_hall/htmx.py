"""Page-or-fragment rendering for htmx, with Vary: HX-Request and HX-Redirect helpers."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """True for an htmx request that is not restoring history (which needs the full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(template: str, block: str | None = None, **context):
    """The named block of a template for htmx requests, the whole page otherwise."""
    if block and is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)


def redirect_to(url: str):
    """Redirect that htmx follows with a full page load (HX-Redirect) and browsers with 303."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def add_vary(response):
    """Caches must keep pages and fragments of one URL apart."""
    response.vary.add("HX-Request")
    return response
