"""What the bench measures, as a browser or a client system would ask for it, and the sessions some of it needs."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

P99_MS = 50.0   # the latency target, everywhere
# Every browser and HTTP library asks for compressed answers; the app gzips what it serves from its page cache.
BROWSER = {"Accept-Encoding": "gzip, deflate"}
HTMX = {**BROWSER, "HX-Request": "true"}


@dataclass
class Endpoint:
    """One measured request: where, how, what it must answer, and its target ratio to the baseline."""

    name: str
    label: str
    path: str
    target: float
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    form: str = ""              # POST body without api_key (wrk.lua adds one key per request)
    expected: int = 200
    session: str | None = None  # "staff": signed in as staff; "tracked": the ticket proved in this session
    writes: bool = False


def endpoints(slug: str, community: dict) -> list[Endpoint]:
    """The issue's seven endpoints for a seeded community, reads first and the write last."""
    number = community["tracked"]["number"]
    form = urllib.parse.urlencode({
        "jurisdiction_id": slug, "service_code": community["service_code"], "first_name": "明", "last_name": "王",
        "phone": "13800138000", "description": "基准测试提交的申请"})
    return [
        Endpoint("menu_page", "public menu page", f"/c/{slug}/menu/", 0.5, headers=BROWSER),
        # what the menu's search box asks for as one types (hx-get of #q, hx-target #results)
        Endpoint("menu_search", "menu search fragment", f"/c/{slug}/menu/?q={community['search']}", 0.5,
                 headers={**HTMX, "HX-Target": "results", "HX-Trigger": "q"}),
        Endpoint("tracking_page", "ticket tracking page", f"/c/{slug}/track/{number}", 0.5, headers=BROWSER,
                 session="tracked"),
        # the queue's 30-second poll: hx-get of #queue-rows with the filter form included (hx-include)
        Endpoint("staff_queue", "staff queue fragment", f"/c/{slug}/queue?q=&status=open&post=", 0.35,
                 headers={**HTMX, "HX-Target": "queue-rows", "HX-Trigger": "queue-rows"}, session="staff"),
        Endpoint("disclosure_json", "disclosure JSON", f"/c/{slug}/disclosure.json", 0.5, headers=BROWSER),
        Endpoint("open311_get", "Open311 GET requests.json", f"/open311/v2/requests.json?jurisdiction_id={slug}", 0.5,
                 headers=BROWSER),
        Endpoint("open311_post", "Open311 POST requests.json", "/open311/v2/requests.json", 0.25, method="POST",
                 form=form, expected=201, writes=True),
    ]


def growth_endpoints(slug: str, community: dict) -> list[Endpoint]:
    """The endpoints whose cost must not grow with the archive (issue point 4)."""
    return [e for e in endpoints(slug, community) if e.name in ("tracking_page", "staff_queue")]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect), jar


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    if not found:
        raise RuntimeError("no csrf_token on the page")
    return found.group(1)


def _status(opener, request) -> tuple[int, str, dict]:
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)


def _post_form(opener, base: str, path: str, fields: dict) -> tuple[int, str, dict]:
    _, html, _ = _status(opener, urllib.request.Request(base + path))
    data = urllib.parse.urlencode({**fields, "csrf_token": _csrf(html)}).encode()
    return _status(opener, urllib.request.Request(base + path, data=data))


def _cookie_header(jar: http.cookiejar.CookieJar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the real form (CSRF token included); the Cookie header of the signed-in session."""
    opener, jar = _opener()
    status, body, headers = _post_form(opener, base, "/login", {"username": username, "password": password})
    if status not in (302, 303):
        raise RuntimeError(f"signing in as {username} answered {status}, not a redirect: {body[:300]}")
    # Follow the redirect as a browser does: the page shows (and so clears) the "signed in" message.
    _status(opener, urllib.request.Request(urllib.parse.urljoin(base, headers["Location"])))
    return _cookie_header(jar)


def prove(base: str, slug: str, number: str, digits: str) -> str:
    """Look a ticket up once by number and phone digits (POST /track); the Cookie header that may see it."""
    opener, jar = _opener()
    status, body, headers = _post_form(opener, base, f"/c/{slug}/track", {"number": number, "digits": digits})
    if status == 429:
        raise RuntimeError(f"POST /c/{slug}/track is rate limited (TRACK_RATE_LIMIT): {headers.get('Retry-After')} s")
    if status != 303 or number not in headers.get("Location", ""):
        raise RuntimeError(f"tracking {number} answered {status}, not a redirect to its page: {body[:300]}")
    return _cookie_header(jar)


def request_once(base: str, endpoint: Endpoint, cookie: str | None, api_key: str | None = None) -> tuple[int, str]:
    """One plain request as wrk will send it (without following redirects): status and body."""
    opener, _ = _opener()
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if endpoint.method == "POST":
        data = f"{endpoint.form}&api_key={api_key}".encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, body, _ = _status(opener, urllib.request.Request(base + endpoint.path, data=data, headers=headers,
                                                            method=endpoint.method))
    return status, body
