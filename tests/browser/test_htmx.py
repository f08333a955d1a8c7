"""htmx loads under the strict CSP and sends the CSRF token with its requests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_htmx_loads_and_posts_with_the_csrf_header(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/c/comm-a/", "community-htmx")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False

    # An htmx POST from inside the page carries X-CSRFToken from <body hx-headers>; without it the
    # server would answer 400 and set no cookie.
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/preferences/elderly")) as posted:
        page.evaluate("""() => htmx.ajax('POST', '/preferences/elderly',
                           {source: '#main', swap: 'none', values: {on: '1', next: '/c/comm-a/'}})""")
    request = posted.value
    assert request.headers.get("x-csrftoken"), request.headers
    assert request.headers.get("hx-request") == "true"
    response = request.response()
    assert response is not None and response.status < 400, response and response.status
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("hall_elderly") == "1"

    page.reload()
    expect(page.locator("body")).to_have_class("elderly")
    hall.assert_no_problems()
