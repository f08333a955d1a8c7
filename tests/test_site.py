"""Site-wide behaviour: health check, security headers, error pages, elderly mode, htmx helpers."""

from __future__ import annotations

import pytest


def test_healthz(client, build):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    build.community("yangliu")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_reports_a_broken_community_database(app, client, build):
    build.community("yangliu")
    with app.app_context():
        t = app.extensions["tenancy"]
        t.community_engine("yangliu").dispose()
        with open(t.community_path("yangliu"), "wb") as f:
            f.write(b"garbage" * 1000)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "error"


def test_index_lists_communities_with_links(client, build):
    build.community("yangliu", "杨柳社区")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/c/yangliu/"' in html and "杨柳社区" in html


def test_security_headers_and_no_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " on" + "click=" not in html
    assert 'src="/static/js/vendor/htmx-2.0.11.min.js"' in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_unknown_community_is_a_404_page(client):
    response = client.get("/c/nowhere/")
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_500_page_is_friendly(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom?lang=en")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)


def test_500_page_after_a_failed_database_write_still_renders(app, client, auth, build):
    """A failed flush leaves the request's session broken; the error page (nav and all) must not trip over it."""
    from community_hall.tenancy import community_session, get_community
    from community_hall.window.models import TicketEvent

    app.config["PROPAGATE_EXCEPTIONS"] = False
    build.two_communities()

    @app.route("/c/<slug>/boom-db")
    def boom_db(slug):
        from flask import g
        g.community = get_community(slug)
        session = community_session(slug)
        session.add(TicketEvent())    # no ticket: the flush fails and leaves the session needing a rollback
        try:
            session.flush()
        except Exception:
            pass    # as a view that caught the error but left the session broken
        raise RuntimeError("boom")

    auth.login("staff-a")
    response = client.get("/c/comm-a/boom-db?lang=en")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_405_and_400_pages(client):
    assert client.put("/login").status_code == 405


def test_elderly_mode_toggle_works_without_javascript(client, auth):
    html = client.get("/").get_data(as_text=True)
    assert 'class="elderly"' not in html
    # The toggle is a GET form (a display cookie, like ?lang=): no CSRF token on the page for it.
    assert 'method="get" action="/preferences/elderly"' in html and 'aria-pressed="false"' in html
    response = client.get("/preferences/elderly?next=%2Flogin&on=1")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/").get_data(as_text=True)
    assert 'class="elderly"' in html and 'aria-pressed="true"' in html
    client.get("/preferences/elderly?on=0&next=https://evil.example/")
    assert 'class="elderly"' not in client.get("/").get_data(as_text=True)
    # the old POST form still works, with its token
    response = auth.post("/preferences/elderly", {"on": "1", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert 'class="elderly"' in client.get("/").get_data(as_text=True)


def test_elderly_mode_by_post_needs_csrf(client):
    assert client.post("/preferences/elderly", data={"on": "1"}).status_code == 400


def test_the_csrf_script_is_loaded_and_the_body_carries_no_token(client, auth, build):
    build.two_communities()
    html = client.get("/").get_data(as_text=True)
    assert '<script src="/static/js/csrf.js" defer></script>' in html and "hx-headers" not in html
    with client.get("/static/js/csrf.js") as script:
        assert script.status_code == 200 and b"htmx:configRequest" in script.data
    auth.login("res-a")
    assert '<meta name="csrf-token" content="' in client.get("/").get_data(as_text=True)


def test_vendored_htmx_matches_its_recorded_sha256():
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    recorded = {}
    for line in (root / "static" / "js" / "vendor" / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        recorded[name] = digest
    for name, digest in recorded.items():
        assert hashlib.sha256((root / "static" / "js" / "vendor" / name).read_bytes()).hexdigest() == digest
    assert "htmx-2.0.11.min.js" in recorded


@pytest.mark.parametrize("path", ["/", "/login", "/c/nowhere/"])
def test_pages_render_without_javascript_as_plain_html(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "<main" in html and "<nav" in html


def test_htmx_render_gives_a_block_and_history_restore_the_page(app):
    from community_hall.htmx import redirect_to, render

    with app.test_request_context("/", headers={"HX-Request": "true"}):
        fragment = render("errors/error.html", block="content", code=1, title="T", message="M")
        assert "<h1>T</h1>" in fragment and "<html" not in fragment
        assert redirect_to("/x").headers["HX-Redirect"] == "/x"
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        assert "<html" in render("errors/error.html", block="content", code=1, title="T", message="M")
    with app.test_request_context("/"):
        assert redirect_to("/x").status_code == 303


def test_413_page_for_too_large_uploads(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login?lang=en", data={"username": "x" * 5000})
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_index_lists_communities_in_pinyin_order(client, build):
    build.community("yangliu", "杨柳社区")
    build.community("jinxiu", "锦绣社区")
    html = client.get("/").get_data(as_text=True)
    assert html.index("锦绣社区") < html.index("杨柳社区")


def test_the_session_serializer_is_kept_per_key_and_follows_a_new_key(app, client, auth, build):
    build.two_communities()
    auth.login("res-a")
    sessions = app.session_interface
    assert sessions.get_signing_serializer(app) is sessions.get_signing_serializer(app)
    assert client.get("/account").status_code == 200
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-secret-" + "0" * 32      # a rotated key: the old cookie no longer counts
    assert client.get("/account").status_code == 302
    app.config["SECRET_KEY_FALLBACKS"] = [old]                 # unless the old key is kept as a fallback
    assert client.get("/account").status_code == 200
