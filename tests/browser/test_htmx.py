"""htmx loads under the strict CSP and sends the CSRF token with its non-GET requests (js/csrf.js); pages
without forms give an anonymous visitor no token and no session."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _session_cookie(page) -> str | None:
    return {c["name"]: c["value"] for c in page.context.cookies()}.get("session")


def test_htmx_loads_and_posts_with_the_csrf_header(build, hall):
    build.two_communities()
    page = hall.page
    hall.visit("/c/comm-a/", "community-htmx")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    # An anonymous visitor of a page without forms: no token was made, so no session either.
    assert page.locator('meta[name="csrf-token"]').count() == 0
    assert _session_cookie(page) is None

    # Elderly mode is a GET (a display cookie): it works for them without a token or a session.
    page.locator(".site-header button[aria-pressed]").click()
    expect(page.locator("body")).to_have_class("elderly")
    expect(page).to_have_url(hall.url("/c/comm-a/"))
    assert _session_cookie(page) is None

    # Signed in, every page has <meta name="csrf-token">; an htmx POST from inside the page carries it as
    # X-CSRFToken (without it the server would answer 400 and set no cookie).
    hall.sign_in("res-a")
    hall.visit("/c/comm-a/", "community-htmx-signed-in")
    assert page.locator('meta[name="csrf-token"]').count() == 1
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/preferences/elderly")) as posted:
        page.evaluate("""() => htmx.ajax('POST', '/preferences/elderly',
                           {source: '#main', swap: 'none', values: {on: '0', next: '/c/comm-a/'}})""")
    request = posted.value
    assert request.headers.get("x-csrftoken") == page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert request.headers.get("hx-request") == "true"
    response = request.response()
    assert response is not None and response.status < 400, response and response.status
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("hall_elderly") == "0"

    page.reload()
    expect(page.locator("body")).not_to_have_class("elderly")
    hall.assert_no_problems()


def test_an_hx_post_form_sends_its_own_token(build, hall):
    """Without a meta tag (removed here), csrf.js takes the token of the form the request comes from."""
    build.two_communities()
    page = hall.page
    hall.sign_in("res-a")
    hall.visit("/c/comm-a/", "community-htmx-form")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.evaluate("""(token) => {
        document.querySelector('meta[name="csrf-token"]').remove();
        const form = document.createElement('form');
        form.id = 'probe';
        form.setAttribute('hx-post', '/preferences/elderly');
        form.setAttribute('hx-swap', 'none');
        form.innerHTML = '<input type="hidden" name="csrf_token" value="' + token + '">' +
                         '<input type="hidden" name="on" value="1"><button id="probe-go">go</button>';
        document.querySelector('#main').append(form);
        htmx.process(form);
    }""", token)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/preferences/elderly")) as posted:
        page.locator("#probe-go").click()
    request = posted.value
    assert request.headers.get("x-csrftoken") == token
    response = request.response()
    assert response is not None and response.status < 400, response and response.status
