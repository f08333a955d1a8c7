"""Every rule of the URL map, requested with integers past 64 bits in its int arguments, CR/LF/NUL in its string
arguments and a CR/LF in ?next=, anonymously and as staff and head, on SQLite and PostgreSQL: never a 5xx."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from tests.helpers import PASSWORD

# Past SQLite's (and PostgreSQL's BIGINT's) 64 bits: the drivers raise on them unless the URL map refuses them.
HUGE_INTS = (2**31, 2**63, 2**64, 10**30)
# Control characters in a path segment: a header split, a NUL the databases refuse in text.
HOSTILE_TEXT = ("a\r\nSet-Cookie: x=1", "\x00", "b\nc\r")
NEXT = "?next=" + quote("/\r\nLocation: https://evil.example/", safe="")
ROLES = (None, "staff-a", "head-a")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SKIP_METHODS = {"accounts.logout": "signs the visitor out; tested in tests/accounts"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """Both backends: SQLite raises OverflowError on a huge integer, PostgreSQL a numeric error."""
    return request.param


@pytest.fixture
def app_config(app_config):
    """CSRF and rate limits off, so each POST reaches its view with the hostile arguments; a crash answers 500 (not
    raised into the test) so every failing rule is listed."""
    return {**app_config, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


def _segment(converter, value) -> str:
    return quote(str(value), safe="") if not isinstance(converter, PathConverter) else quote(str(value), safe="/")


def _path(rule, values: dict) -> str:
    """The rule's path with values put in as they would come on the wire (percent-encoded)."""
    parts = []
    for is_dynamic, data in rule._trace:
        if is_dynamic:
            parts.append(_segment(rule._converters[data], values[data]))
        else:
            parts.append(data)
    path = "".join(parts)
    return path[path.index("|") + 1:] if "|" in path else path


def _plain(rule) -> dict:
    """A harmless value for every argument: an existing community, 1 for ids, the first choice of an any()."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "comm-a" if name == "slug" else "x"
    return values


def variants(rule):
    """Paths of the rule: each huge integer in every int argument; each hostile text in each string argument."""
    ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
    texts = [n for n, c in rule._converters.items() if not isinstance(c, IntegerConverter | AnyConverter)]
    plain = _plain(rule)
    out = [_path(rule, plain)]
    if ints:
        out += [_path(rule, {**plain, **{n: huge for n in ints}}) for huge in HUGE_INTS]
    for name in texts:
        out += [_path(rule, {**plain, name: text}) for text in HOSTILE_TEXT]
    return out


def test_every_rule_with_huge_integers_and_control_characters_is_no_server_error(app, build):
    build.two_communities()
    failures = []
    for role in ROLES:
        visitor = app.test_client()
        if role:
            assert visitor.post("/login", data={"username": role, "password": PASSWORD}).status_code == 302
        for rule in app.url_map.iter_rules():
            methods = [m for m in METHODS if m in rule.methods]
            if rule.endpoint in SKIP_METHODS:
                methods = [m for m in methods if m == "GET"]
            for path in variants(rule):
                for method in methods:
                    response = visitor.open(path + NEXT, method=method)
                    if response.status_code >= 500:
                        failures.append(f"{role} {method} {path!r}: {response.status_code}")
                    location = response.headers.get("Location", "")
                    if any(c in location for c in "\r\n\x00"):
                        failures.append(f"{role} {method} {path!r}: Location {location!r}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/a\nb", "/\x7f"])
def test_a_control_character_in_next_falls_back_to_the_default_page(app, client, build, target):
    build.two_communities()
    response = client.get("/preferences/elderly", query_string={"next": target, "on": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = client.post("/login", query_string={"next": target},
                           data={"username": "res-a", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"


def _query_names() -> set[str]:
    """Every name the code reads from a query string (request.args.get("…")), found in the source."""
    import re
    from pathlib import Path

    import community_hall

    root = Path(community_hall.__file__).parent
    found = set()
    for source in root.rglob("*.py"):
        found |= set(re.findall(r'request\.args(?:\.get|\.getlist)?[(\[]"([a-z_]+)"', source.read_text()))
    return found - {"next"}


def _form_fields() -> set[str]:
    """Every field name of every form class of the app (and its subforms' prefixes do not matter here)."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {name for cls in subclasses(FlaskForm) for name in dir(cls)
            if isinstance(getattr(cls, name, None), UnboundField)}


@pytest.mark.parametrize("hostile", [str(2**31), str(2**63), str(10**30), "-" + str(2**63), "a\x00b"])
def test_every_query_and_form_value_out_of_range_is_no_server_error(app, build, hostile):
    """Every name read from a query string and every form field, all at once set to a number past 64 bits (or a
    NUL), on every rule: a refusal, never a 5xx (a query-string window number once crashed the desk)."""
    build.two_communities()
    query = {name: hostile for name in _query_names()}
    form = {name: hostile for name in _form_fields() - {"csrf_token"}}
    assert "window" in query and len(form) > 50
    failures = []
    for role in ROLES:
        visitor = app.test_client()
        if role:
            assert visitor.post("/login", data={"username": role, "password": PASSWORD}).status_code == 302
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIP_METHODS or rule.endpoint == "static":
                continue
            path = _path(rule, _plain(rule))
            for method in [m for m in METHODS if m in rule.methods]:
                response = visitor.open(path, method=method, query_string=query,
                                        data=form if method != "GET" else None)
                if response.status_code >= 500:
                    failures.append(f"{role} {method} {path!r}: {response.status_code}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


def test_a_nul_in_a_form_or_query_value_is_refused_before_any_view(app, client, build):
    build.two_communities()
    assert client.get("/c/comm-a/menu/", query_string={"q": "a\x00"}).status_code == 400
    assert client.post("/login", data={"username": "res-a\x00", "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"username": "res-a", "password": PASSWORD}).status_code == 302
    assert client.get("/open311/v2/services.json", query_string={"jurisdiction_id": "\x00"}).is_json


@pytest.mark.parametrize("path", ["/c/comm-a/rosters/shifts?month=9999-12", "/c/comm-a/rosters/rota?month=9999-12",
                                  "/c/comm-a/audit?date_from=0001-01-01", "/c/comm-a/audit?date_to=9999-12-31",
                                  "/open311/v2/requests.json?jurisdiction_id=comm-a&end_date=9999-12-31T23:59:59-12:00",
                                  "/open311/v2/requests.json?jurisdiction_id=comm-a&start_date=0001-01-01T00:00:00%2B14:00"])
def test_dates_at_the_ends_of_the_calendar_are_no_server_error(app, client, build, path):
    """A month or day next to year 1 or 9999 overflowed date arithmetic: found by an outside attack."""
    build.two_communities()
    client.post("/login", data={"username": "head-a", "password": PASSWORD})
    assert client.get(path).status_code < 500


def test_a_leave_that_never_ends_is_refused_and_the_duty_page_stays_up(app, client, build):
    """A leave to 9999-12-31 (by form or import) could not be withdrawn once started and broke the duty page."""
    from community_hall.accounts.models import User
    from community_hall.errors import HallError
    from community_hall.rosters import leave
    from community_hall.rosters import services as roster_services
    from community_hall.tenancy import community_session, get_community, registry_session

    build.two_communities()
    with app.app_context():
        staff = registry_session().query(User).filter_by(username="staff-a").one().id
        session, community = community_session("comm-a"), get_community("comm-a")
        first = (roster_services.today(community) + timedelta(days=30)).isoformat()
        assert leave.check_leave(session, community, staff, first, first, "annual")[0] == staff
        with pytest.raises(HallError) as refused:
            leave.check_leave(session, community, staff, first, "9999-12-31", "annual")
        assert refused.value.field == "last_day"
    assert client.get("/c/comm-a/rosters/duty").status_code == 200
