"""Every form of the site, fuzzed with Hypothesis: hostile, oversized, empty, mixed-script and wrongly typed values and
missing fields. Never a 500; a refusal is a clear message in the visitor's language and stores nothing; whatever is
accepted comes back escaped.

Forms are enumerated from the URL map: every rule taking POST (PUT, PATCH, DELETE) is either fuzzed through a form the
crawl of the site found (tests/fuzz/conftest.py), or declared in SKIP with the reason; a new route that is neither
fails test_every_form_route_is_fuzzed_or_declared.
"""

from __future__ import annotations

import html
import re
import sqlite3
from contextlib import closing
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_hall import create_app
from tests.fuzz.conftest import EXAMPLES, ROLES, Visitor, crawl, data_names, post_form, row_counts

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that take a write method and are not fuzzed here, with the reason. The Open311 API has its own suites.
SKIP: dict[str, str] = {
    "api.create_request": "Open311: tests/api/test_openapi_schemathesis.py and tests/fuzz/test_api_stateful.py",
    "api.unknown": "Open311 catch-all (404/405 in the API's format): tests/api/test_openapi_schemathesis.py",
    "preferences.toggle_elderly": "pages show it as a GET form now (a display cookie, any value but 1 is off); "
                                  "the POST kept for old pages is tested in tests/test_site.py",
}
# Success pages that list warnings in an alert box (read as messages, but the request was done).
WARNS_ON_SUCCESS = {"duty.rota_publish": "the published rota's page lists the coverage gaps it leaves"}

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
XSS = ("<script>alert('hall-xss')</script>", '"><img src=x onerror=hall_xss()>')
RAW_MARKERS = ("<script>alert('hall-xss')", "<img src=x onerror=hall_xss()")
HOSTILE = [
    "", " ", "\t\n", "x" * 5000, "长" * 20000, "\x00", "a\x00b", "\x1b[31m红字\x1b[0m", "\u202eevil.exe", "\u200b",
    "王秀兰 Wang محمد 😀👨‍👩‍👧", "😀" * 300, *XSS, "' OR 1=1 --", "1; DROP TABLE tickets; --", "%s%n{0}", "../../etc/passwd",
    "-1", "0", "1.5", "-0", "99999999999999999999", "1e309", "NaN", "inf", "0x10", "２０",
    "2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "2026-13-01T25:61", "25:61", "yesterday",
    "true", "null", "[]", "{}", "\ud800", "a\udfffb", "SB-001", "13800138001",
]


def write_rules(app):
    """(endpoint, rule) for every rule taking a write method."""
    for rule in app.url_map.iter_rules():
        if rule.methods & WRITE_METHODS:
            yield rule.endpoint, rule


def _endpoints() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fuzz-map-") as data_dir:
        app = create_app({"TESTING": True, "HALL_ENV": "test", "HALL_DATA_DIR": data_dir, "SECRET_KEY": "collect",
                          "RATELIMIT_STORAGE_URI": "memory://"})
        return sorted({endpoint for endpoint, _rule in write_rules(app)})


ENDPOINTS = _endpoints()
FUZZED = [e for e in ENDPOINTS if e not in SKIP]


def test_every_form_route_is_fuzzed_or_declared(site):
    app, _visitors, forms = site
    assert set(SKIP) <= set(ENDPOINTS), f"SKIP names routes that no longer exist: {set(SKIP) - set(ENDPOINTS)}"
    missing = [e for e in FUZZED if not forms.get(e)]
    assert not missing, ("no page of the fuzzing site shows a form for these routes: build the objects they need in "
                         f"tests/fuzz/conftest.py or declare them in SKIP with the reason: {missing}")


HUGE = "99999999999999999999"     # past SQLite's 64-bit INTEGER: the driver raises OverflowError on it
NUMBERISH = re.compile(r"-?\d+")


def integer_fields(form) -> list[str]:
    """The fields of a form that may take a whole number: a number input, a choice (a select, radio buttons, a hidden
    value: views turn ids into ints), a number among the page's values, or an id or version by name."""
    return [name for name, values in form.fields.items() if name not in form.files and name != "csrf_token"
            and (form.kinds.get(name) in ("number", "select", "radio", "hidden")
                 or any(NUMBERISH.fullmatch(v or "") for v in values) or re.search(r"(^|_)(id|version)$", name))]


def test_a_number_past_64_bits_in_any_integer_field_is_no_server_error(site):
    """Every integer-like field of every crawled form, once, with a 20-digit number (the rest as the page had it)."""
    app, visitors, forms = site
    failures, tried = [], 0
    for endpoint in FUZZED:
        for role, form in forms.get(endpoint) or []:     # as every role that sees it: what a view does may differ
            base = {name: next((v for v in values if v), values[0] if values else "")
                    for name, values in form.fields.items() if name not in form.files}
            for name in integer_fields(form):
                client = visitors[role].client
                tried += 1
                try:    # the test app lets a view's exception through: name it among the others rather than stop
                    response = client.post(form.action, data={**base, name: HUGE})
                    status = response.status_code
                    if status in (301, 302, 303) and not response.headers["Location"].startswith("/login"):
                        status = max(status, client.get(response.headers["Location"]).status_code)
                except Exception as err:    # noqa: BLE001 - reported below with the form and field
                    status = f"500 ({type(err).__name__}: {err})"
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{role} POST {form.action} {name}={HUGE}: {status}")
                if endpoint.startswith("accounts.") and role:
                    visitors[role].login()
    print(f"{tried} integer-like fields tried")
    assert tried > 20, "hardly any integer fields found: the crawl or integer_fields() is broken"
    assert not failures, "\n".join(failures)


def value_strategy(values: list[str]):
    """A field's value: one from the page (a real option) or a hostile one, drawn or generated."""
    options = [v for v in values if v is not None]
    return st.one_of(st.sampled_from(options or [""]), st.sampled_from(HOSTILE),
                     st.text(max_size=40), st.integers(-10**12, 10**12).map(str))


def body_strategy(form):
    """The fields to send: each missing (None) or a value; sometimes an unknown field as well."""
    fields = {name: st.one_of(st.none(), value_strategy(values)) for name, values in form.fields.items()}
    return st.fixed_dictionaries(fields, optional={"unexpected_field": st.sampled_from(HOSTILE)})


def multipart(data: dict, files: set[str]) -> tuple[bytes, str]:
    """A multipart body built by hand, so lone surrogates go as bytes here too (the test client refuses them)."""
    boundary = "hall-fuzz-boundary"
    parts = []
    for name, value in data.items():
        if value is None and name not in files:
            continue
        raw = (value or "").encode("utf-8", "surrogatepass")
        filename = '; filename="hostile.csv"' if name in files else ""
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'.encode()
                     + raw + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def encode(data: dict) -> bytes:
    """A form body; lone surrogates go as the bytes a careless client would send."""
    pairs = [(k, v.encode("utf-8", "surrogatepass")) for k, v in data.items() if v is not None]
    return urlencode(pairs).encode("ascii")


def messages(page: str) -> list[str]:
    """The error texts a page shows: the summary, field messages, error flashes, an error page's title and text."""
    found = re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', page, re.S)
    found += re.findall(r'<p class="flash error">(.*?)</p>', page, re.S)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    if summary:
        found += re.findall(r"<(?:li|p)>(.*?)</(?:li|p)>", summary.group(0), re.S)
    if re.search(r"<p>[^<]*(Error code|错误代码)", page):
        found += re.findall(r"<h1>(.*?)</h1>", page, re.S) + re.findall(r'<p class="lead">(.*?)</p>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in found]


def check_language(texts: list[str], lang: str, sent: dict, where: str, names: frozenset[str] = frozenset()) -> None:
    """zh: every message has Chinese in it; en: none has Chinese except what the visitor typed (quoted back) and
    names from the data (a person, a service: "员工a2 already has a shift on …")."""
    typed = sorted((v for v in [*sent.values(), *names] if v), key=len, reverse=True)
    for text in texts:
        if lang == "zh":
            assert CJK.search(text), f"{where}: an error in English on a Chinese page: {text!r}"
        else:
            bare = text
            for value in typed:
                bare = bare.replace(value.strip(), "")
            assert not CJK.search(bare), f"{where}: an error in Chinese on an English page: {text!r}"


def no_raw_markup(page: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in page, f"{where}: hostile markup came back unescaped"


@pytest.mark.parametrize("endpoint", FUZZED)
def test_form_survives_hostile_input(site, endpoint):
    app, visitors, forms = site
    candidates = forms.get(endpoint)
    if not candidates:
        pytest.fail(f"no form found for {endpoint} (see test_every_form_route_is_fuzzed_or_declared)")
    role = next(r for r in ROLES if any(seen == r for seen, _f in candidates))
    mine = [f for seen, f in candidates if seen == role]
    visitor = visitors[role]
    state = {"counts": row_counts(app), "refused": 0, "accepted": 0}

    @given(data=st.data())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(data):
        form = data.draw(st.sampled_from(mine), label="form")
        lang = data.draw(st.sampled_from(["zh", "en-query", "en-cookie"]), label="lang")
        body = data.draw(body_strategy(form), label="body")
        client = visitor.client
        client.delete_cookie("hall_lang")
        with client.session_transaction() as session:   # an earlier example's unread flash would read as this one's
            session.pop("_flashes", None)
        url = form.action
        if lang == "en-query":
            url += ("&" if "?" in url else "?") + "lang=en"
        elif lang == "en-cookie":
            client.set_cookie("hall_lang", "en")
        where = f"{role} POST {url} {body!r}"
        try:
            if form.files:
                raw, content_type = multipart(body, form.files)
                response = client.post(url, data=raw, content_type=content_type)
            else:
                response = client.post(url, data=encode(body), content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500, f"{where}: {response.status_code}"
            page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            no_raw_markup(page, where)
            errors = messages(page)
            after = row_counts(app)     # before the redirect is followed: a page may sync on GET (the visit list does)
            if response.status_code in (301, 302, 303) and not response.headers["Location"].startswith("/login"):
                followed = client.get(response.headers["Location"])
                assert followed.status_code < 500, f"{where}: the page after it gave {followed.status_code}"
                followed_page = followed.get_data(as_text=True) if followed.mimetype == "text/html" else ""
                no_raw_markup(followed_page, where)
                errors += messages(followed_page)
            lang_code = "zh" if lang == "zh" else "en"
            check_language(errors, lang_code, {k: v for k, v in body.items() if isinstance(v, str)}, where,
                           frozenset(data_names(app)))
            done_with_warnings = endpoint in WARNS_ON_SUCCESS and response.status_code == 200
            if (errors or response.status_code >= 400) and not done_with_warnings:
                assert errors, f"{where}: refused ({response.status_code}) without a message"
                changed = {k: (state["counts"][k], after[k]) for k in after if after[k] != state["counts"].get(k)}
                assert not changed, f"{where}: refused, yet rows changed: {changed}"
                state["refused"] += 1
            else:
                state["accepted"] += 1
        finally:     # also after a failing example: the next one (or Hypothesis' replay) compares with now
            state["counts"] = row_counts(app)
            client.delete_cookie("hall_lang")
            if endpoint.startswith("accounts.") and role:
                visitor.login()     # a logout, or a sign-in as someone else, must not change who posts next

    run()
    assert state["refused"] + state["accepted"] >= 1


def test_a_number_beyond_sqlite_integers_is_refused(site):
    """Found by the fuzzing: a window id past 64 bits overflowed in the SQLite driver (a 500)."""
    app, _visitors, _forms = site
    before = row_counts(app)
    response = app.test_client().post("/c/comm-a/kiosk/take", data={"window": "99999999999999999999"},
                                      follow_redirects=True)
    assert response.status_code == 200 and "请选择窗口" in " ".join(messages(response.get_data(as_text=True)))
    assert row_counts(app) == before


def test_an_unknown_choice_among_checkboxes_is_refused_in_the_visitors_language(site):
    """Found by the fuzzing: WTForms' own message for it is not in its Chinese catalogue (marked fuzzy there)."""
    app, _visitors, _forms = site
    client = Visitor(app, "staff-a2").client     # signed in only here: has not applied, whatever the fuzzing did
    data = {"real_name": "居民a", "phone": "13800000007", "emergency_name": "家属", "emergency_phone": "13000000000",
            "consent": "y", "teams": "no-such-team"}
    zh_page = client.post("/c/comm-a/timebank/apply", data=data).get_data(as_text=True)
    en_page = client.post("/c/comm-a/timebank/apply?lang=en", data=data).get_data(as_text=True)
    client.delete_cookie("hall_lang")
    assert "请只从列出的选项中选择。" in messages(zh_page)
    assert "Choose only from the options shown." in messages(en_page)


def test_acting_on_a_closed_inquiry_says_why(site):
    """Found by the fuzzing: the error went onto the answer form, which a closed inquiry no longer shows."""
    app, _visitors, _forms = site
    staff = Visitor(app, "head-a")     # the head may act on any matter (staff-a is out on an outreach trip)
    post_form(staff, "/c/comm-a/inquiries", {"text": "居住证明怎么开？", "topic": "居住证明", "resident_name": "王秀兰",
                                             "contact_phone": "13800138001"})
    with closing(sqlite3.connect(f"{app.config['HALL_DATA_DIR']}/communities/comm-a.sqlite3")) as db:
        inquiry = db.execute("SELECT max(id) FROM inquiries").fetchone()[0]
    answered = staff.client.post(f"/c/comm-a/inquiries/{inquiry}/answer", data={"answer": "带身份证到1号窗口"})
    assert answered.status_code in (302, 303)
    response = staff.client.post(f"/c/comm-a/inquiries/{inquiry}/answer", data={"answer": "长" * 2001})
    errors = messages(response.get_data(as_text=True))
    assert response.status_code == 422 and errors and all(CJK.search(e) for e in errors)

def test_ids_from_forms_are_bounded_ascii_digits():
    """What parse_id takes: only what an id column can hold; the rest is None, which no row has."""
    from community_hall.errors import MAX_ID, parse_id

    assert [parse_id(v) for v in ("12", " 7 ", str(MAX_ID))] == [12, 7, MAX_ID]
    assert [parse_id(v) for v in (None, "", "-1", "1.5", str(MAX_ID + 1), "99999999999999999999", "２０", "²", "1e3")] \
        == [None] * 9


def test_stored_markup_comes_back_escaped(site):
    """After the fuzzing (this test runs last): what was accepted shows escaped on every page the crawl reaches."""
    app, visitors, _forms = site
    escaped = []
    # Markup in free-text fields that are accepted, whatever the fuzzing happened to store.
    post_form(visitors["staff-a"], "/c/comm-a/inquiries", {"text": XSS[0], "topic": XSS[0], "resident_name": XSS[1],
                                                           "contact_phone": "13800138001"})
    visitors["head-a"].client.post("/c/comm-a/menu/categories", data={"name": XSS[0][:40]})

    def look(role, url, page):
        no_raw_markup(page, f"{role} GET {url}")
        if "&lt;script&gt;alert(" in page:
            escaped.append(url)

    crawl(app, {role: visitors[role] for role in ("head-a", "res-a", None)}, on_page=look)
    assert escaped, "no page shows the markup the fuzzing stored: nothing was checked"

