"""Open311 GeoReport v2 at /open311/v2/: JSON and XML, errors always as the spec's error list.

A machine API authenticated by api_key, so it is exempt from CSRF (it uses no session or cookie).
"""

from __future__ import annotations

import math
import time

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..extensions import csrf, limiter
from ..pagecache import serve, watch
from ..tenancy import community_session
from . import services
from .formats import error, respond
from .openapi import openapi_document
from .services import ApiError

bp = Blueprint("api", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

FMT = "<any(json, xml):fmt>"
# OPTIONS is answered by `unknown` below, which knows the methods of each address (Flask's would list the catch-all's).
OWN = {"provide_automatic_options": False}
# what a request list shows: the tickets, their items and posts, the station, the working-day calendar
LIST_TABLES = watch("tickets", "service_items", "posts", "station", "calendar_overrides")
# HTTP statuses the API answers in its own format (the site's HTML error pages would otherwise take them).
HTTP_DESCRIPTIONS = {
    400: "请求无效。", 403: "没有权限。", 404: "没有这个接口地址。", 405: "此地址不支持该请求方法。",
    413: "请求内容过大。", 429: "请求过于频繁，请稍后再试。", 500: "服务器内部错误，请稍后再试。",
}


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in ("json", "xml") else ("xml" if request.path.endswith(".xml") else "json")


def _rate_key() -> str:
    # Per API key (hashed: the key never reaches the limiter's storage); per address when there is none.
    key = request.form.get("api_key", "")
    return "open311:" + services.hash_key(key)[:16] if key else get_remote_address()


@bp.get(f"/discovery.{FMT}", **OWN)
def discovery(fmt):
    """Where the API is, what it speaks, and how to get a key."""
    endpoint = url_for("api.discovery", fmt="json", _external=True).rsplit("/", 1)[0]
    return respond(fmt, services.discovery(endpoint), "discovery")


@bp.get(f"/services.{FMT}", **OWN)
def service_list(fmt):
    """The published menu of a community."""
    community = services.jurisdiction(request.args.get("jurisdiction_id"))
    return respond(fmt, services.service_list(community_session(community.slug)), "services")


@bp.get(f"/services/<code>.{FMT}", **OWN)
def service_definition(code, fmt):
    """The attributes a request for one item may carry, and its materials."""
    community = services.jurisdiction(request.args.get("jurisdiction_id"))
    return respond(fmt, services.service_definition(community_session(community.slug), code), "service_definition")


@bp.post(f"/requests.{FMT}", **OWN)
@limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "60 per minute"), key_func=_rate_key)
def create_request(fmt):
    """Open a ticket for a resident (form-encoded, as the spec says); needs the community's api_key."""
    community = services.jurisdiction(request.form.get("jurisdiction_id"))
    api_key = services.check_api_key(community, request.form.get("api_key"))
    if api_key is None:
        reason = "缺少 api_key。" if not request.form.get("api_key") else "api_key 无效或已停用。"
        raise ApiError(403, reason)
    created = services.create_request(
        community_session(community.slug), community, api_key, request.form.to_dict(),
        request.form.get("idempotency_key") or request.headers.get("Idempotency-Key"))
    return respond(fmt, created, "service_requests", 201)


@bp.get(f"/requests.{FMT}", **OWN)
def request_list(fmt):
    """Requests of a community by the spec's filters, newest first, at most 1,000; no personal data."""
    # The page cache keys on g.community, which the API's jurisdiction_id names instead of the URL.
    community = g.community = services.jurisdiction(request.args.get("jurisdiction_id"))
    return serve(LIST_TABLES, lambda: respond(fmt, services.find_requests(community_session(community.slug), community,
                                                                          request.args), "service_requests"),
                 minute=True)   # the default window is the last 90 days


@bp.get(f"/requests/<number>.{FMT}", **OWN)
def request_detail(number, fmt):
    """One request, as a one-element list."""
    community = services.jurisdiction(request.args.get("jurisdiction_id"))
    return respond(fmt, services.one_request(community_session(community.slug), community, number),
                   "service_requests")


@bp.get("/openapi.json", **OWN)
def openapi():
    """The OpenAPI 3 description of the JSON endpoints."""
    return jsonify(openapi_document())


ANY = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@bp.route("/", defaults={"rest": ""}, methods=ANY, **OWN)
@bp.route("/<path:rest>", methods=ANY, **OWN)
def unknown(rest):
    """Anything else under the prefix: OPTIONS, 405 where the address exists for another method, else 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _args = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown":
            allowed.append(method)
    if not allowed:
        raise NotFound()
    methods = [*allowed, *(["HEAD"] if "GET" in allowed else []), "OPTIONS"]
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ", ".join(methods)})
    raise MethodNotAllowed(valid_methods=methods)


@bp.errorhandler(ApiError)
def api_error(err: ApiError):
    return error(_fmt(), err.status, err.description)


def http_error(err: HTTPException):
    """Werkzeug's errors (and the rate limit's 429) in the spec's format, keeping their headers."""
    status = err.code or 500
    headers = {}
    if status == 405 and isinstance(err, MethodNotAllowed) and err.valid_methods:
        headers["Allow"] = ", ".join(err.valid_methods)
    if status == 429:
        limit = limiter.current_limit
        headers["Retry-After"] = str(max(1, math.ceil(limit.reset_at - time.time())) if limit else 60)
    return error(_fmt(), status, HTTP_DESCRIPTIONS.get(status, err.description or ""), headers)


for _status in HTTP_DESCRIPTIONS:
    # Registered per status: Flask looks up handlers by status first, so the app's HTML pages would win otherwise.
    bp.register_error_handler(_status, http_error)
bp.register_error_handler(HTTPException, http_error)
