"""Access matrix: every route of the URL map, requested by every kind of visitor, against the outcome declared for it
in access_table.py; on SQLite and on PostgreSQL. A route nobody declared fails, so none can escape."""

from __future__ import annotations

import itertools
import os
import re
from urllib.parse import quote

import pytest

from community_hall import create_app
from community_hall.accounts.policy import PERMISSIONS
from community_hall.accounts.services import DEMO_PASSWORD
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import tenancy
from tests.accounts import access_table as table
from tests.accounts.matrix_site import OWNER_NAME, OWNER_PHONE, USERS, A, build_site, snapshot
from tests.helpers import site_token

_db_counter = itertools.count()
ARG = re.compile(r"<(?:[^<>]*:)?(\w+)>")      # <slug>, <int:order_id>, <any(json, xml):fmt>
# each web actor's roles in community A, as the policy sees them (the volunteer is a resident with a time-bank card)
ROLES_IN_A = {"anonymous": frozenset(), "resident": frozenset({"resident"}), "volunteer": frozenset({"resident"}),
              "staff": frozenset({"staff"}), "head": frozenset({"head"}), "staff_b": frozenset(),
              "district": frozenset({"district"})}
# actors who may change none of the rows the matrix targets, and those who may not read their owner's name or phone
# (the volunteer may: they take the order on the board during the run, and then must call the resident)
CHANGE_NOTHING = ("anonymous", "key_b", "staff_b", "resident", "district")
SEE_NO_OWNER = ("anonymous", "key_b", "key_a", "staff_b", "resident")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request, tmp_path_factory):
    """One app and one data set per backend for the whole module: (app, values for route arguments)."""
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_cluster").create_database(f"hall_matrix_{os.getpid()}_{next(_db_counter)}")
    app = create_app({"TESTING": True, "HALL_ENV": "test", "HALL_DATA_DIR": str(tmp_path_factory.mktemp("matrix")),
                      "DATABASE_URL": url, "SECRET_KEY": "test-secret-not-for-production",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_STORAGE_URI": "memory://",
                      # the matrix sends hundreds of requests from one address: limits are tested in tests/deploy
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_registry(tenancy())
    values = build_site(app)
    yield app, values
    app.extensions["tenancy"].dispose()


def web_rules(app):
    """Every rule of the URL map with its methods (HEAD and OPTIONS are answered by the framework)."""
    return [(rule, sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in app.url_map.iter_rules()]


def declared_paths(app) -> dict[str, list[str]]:
    """Each rule's path with the methods of all rules on it (GET and POST of requests.json are two rules)."""
    paths: dict[str, set[str]] = {}
    for rule, methods in web_rules(app):
        paths.setdefault(rule.rule, set()).update(methods)
    return {path: sorted(methods) for path, methods in paths.items()}


def fill(rule, route: table.Route, values: dict) -> str:
    """The rule's URL with real values: declared ones first, then the data set's value of the argument's name."""
    def one(match):
        name = match.group(1)
        if name == "slug":
            return A
        if name in route.args:
            value = resolve(route.args[name], values)
        elif name in values:
            value = values[name]
        else:
            raise AssertionError(f"{rule.rule}: no value for <{name}>; declare it in access_table.py ({name}=...)")
        return quote(str(value), safe="/")
    return ARG.sub(one, rule.rule)


def resolve(value, values: dict):
    """A declared value, or the data set's value for "$name"."""
    return values[value[1:]] if isinstance(value, str) and value.startswith("$") else value


def outcome(response) -> str:
    """What a response amounts to: ok (2xx, or a redirect that is not to the sign-in page), login, or the status."""
    status = response.status_code
    if 300 <= status < 400:
        return "login" if response.headers.get("Location", "").split("?")[0].endswith("/login") else "ok"
    return "ok" if 200 <= status < 300 else str(status)


class Visitor:
    """A test client signed in as one actor (or anonymous, or carrying an API key), with its CSRF token."""

    def __init__(self, app, actor: str, values: dict):
        self.actor, self.client = actor, app.test_client()
        self.api_key = {"key_a": values["api_key_a"], "key_b": values["api_key_b"]}.get(actor)
        if actor in USERS:
            response = self.client.post("/login", data={"username": USERS[actor], "password": DEMO_PASSWORD,
                                                        "csrf_token": self.token()})
            assert outcome(response) == "ok" and "/login" not in response.headers.get("Location", ""), actor
        self.csrf = self.token()

    def token(self) -> str:
        return site_token(self.client, "/")

    def request(self, url: str, method: str, route: table.Route, values: dict):
        """GET with the route's query, other methods with a valid CSRF token (so only the role check can refuse)."""
        api = url.startswith("/open311/")
        extra = {"jurisdiction_id": A, **({"api_key": self.api_key} if self.api_key else {})} if api else {}
        if method == "GET":
            return self.client.get(url, query_string={**extra, **route.query})
        data = {name: resolve(value, values) for name, value in route.data.items()}
        return self.client.open(url, method=method, data={"csrf_token": self.csrf, **extra, **data})


def actors_of(rule) -> tuple[str, ...]:
    return table.API_ACTORS if rule.rule.startswith("/open311/") else table.ACTORS


def derived(permission: str | None, actor: str) -> str | None:
    """The refusal the policy's decorator gives the actor on a community page, or None when it lets them through."""
    if permission is None or actor not in ROLES_IN_A:
        return None
    if actor == "anonymous":
        return "login"
    if permission == "login":
        return None
    if permission == "district":
        return None if actor == "district" else "403"
    roles = ROLES_IN_A[actor]
    if not roles:
        return "404"
    return None if roles & PERMISSIONS[permission] else "403"


# --- the table covers the URL map and agrees with the policy ----------------------------------------------------
def coverage_problems(paths: dict[str, list[str]], routes: dict[str, table.Route]) -> list[str]:
    """Routes of the app the table does not declare (or declares with other methods), and routes it has no more."""
    problems = [f"{path} is not in the access matrix: declare it in tests/accounts/access_table.py ROUTES with the "
                f"outcome for every actor and method (see docs/testing.md)" for path in sorted(set(paths) - set(routes))]
    problems += [f"access_table.py declares {path}, which the app no longer has"
                 for path in sorted(set(routes) - set(paths))]
    problems += [f"{path}: the app takes {methods}, access_table.py declares {sorted(routes[path].expect)}"
                 for path, methods in paths.items() if path in routes and sorted(routes[path].expect) != methods]
    return problems


def policy_problems(app, routes: dict[str, table.Route]) -> list[str]:
    """Where the table and the policy disagree: the permission a view's decorator names, a refusal the policy gives
    that the table does not expect, or a refusal the table expects of an actor the policy lets in (not `narrowed`)."""
    problems = []
    for rule, methods in web_rules(app):
        route = routes[rule.rule]
        marker = getattr(app.view_functions[rule.endpoint], "permission", None)
        if marker != route.perm:
            problems.append(f"{rule.rule}: the view requires {marker!r}, the table says {route.perm!r}")
            continue
        for method in methods:
            for actor, expected in zip(actors_of(rule), route.expect[method], strict=True):
                implied = derived(marker, actor)
                if implied is not None and implied != expected:
                    problems.append(f"{method} {rule.rule} as {actor}: the policy gives {implied}, table says {expected}")
                elif implied is None and marker is not None and actor in ROLES_IN_A and \
                        expected in ("login", "403", "404") and actor not in route.narrowed:
                    problems.append(f"{method} {rule.rule} as {actor}: the policy lets them in, the table expects "
                                    f"{expected} (if the view refuses them itself, add them to narrowed)")
    return problems


def test_every_route_and_method_is_declared(site):
    app, _values = site
    assert not (problems := coverage_problems(declared_paths(app), table.ROUTES)), "\n".join(problems)


def test_a_new_route_must_be_declared(site):
    app, _values = site
    paths = {**declared_paths(app), "/c/<slug>/secret": ["GET"]}
    assert coverage_problems(paths, table.ROUTES) == [
        "/c/<slug>/secret is not in the access matrix: declare it in tests/accounts/access_table.py ROUTES with the "
        "outcome for every actor and method (see docs/testing.md)"]


def test_the_table_agrees_with_the_policy(site):
    """Widening PERMISSIONS (or changing a decorator) without changing the table fails here, before any request."""
    app, _values = site
    assert not (problems := policy_problems(app, table.ROUTES)), "\n".join(problems)


def test_widening_a_permission_is_caught(site, monkeypatch):
    app, _values = site
    monkeypatch.setitem(PERMISSIONS, "menu.manage", frozenset({"head", "staff"}))
    problems = policy_problems(app, table.ROUTES)
    assert "GET /c/<slug>/menu/manage as staff: the policy lets them in, the table expects 403 (if the view refuses " \
           "them itself, add them to narrowed)" in problems
    assert all("menu" in p and " as staff:" in p for p in problems)


def test_public_community_pages_match_the_isolation_list(site):
    """A community page declared open to anonymous visitors is in test_isolation's PUBLIC set."""
    from tests.accounts.test_isolation import PUBLIC

    app, _values = site
    open_to_all = {rule.endpoint for rule, methods in web_rules(app) if "slug" in rule.arguments
                   and any(table.ROUTES[rule.rule].expect[m][0] not in ("login", "404") for m in methods)}
    assert open_to_all - PUBLIC == set(), "community pages anonymous visitors reach but not listed as PUBLIC"


# --- the requests ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("actor", table.RUN_ORDER)
def test_every_route_answers_each_actor_as_declared(site, actor):
    app, values = site
    visitor = Visitor(app, actor, values)
    wrong, checked, before = [], 0, snapshot(app, values)
    # GETs before changes, and signing out last (it would end the actor's session)
    order = sorted(((rule, method) for rule, methods in web_rules(app) for method in methods
                    if actor in actors_of(rule)),
                   key=lambda rm: (rm[0].endpoint == "accounts.logout", rm[1] != "GET", rm[0].rule))
    for rule, method in order:
        route = table.ROUTES[rule.rule]
        url = fill(rule, route, values)
        expected = route.expect[method][actors_of(rule).index(actor)]
        response = visitor.request(url, method, route, values)
        got = outcome(response)
        assert response.status_code < 500, f"{method} {url} as {actor}: {response.status_code}"
        if got != expected:
            where = response.headers.get("Location", "")
            wrong.append(f"{method} {url} as {actor}: expected {expected}, got {got} {response.status_code} {where}")
        if actor in SEE_NO_OWNER and got == "ok" and any(x in response.get_data(as_text=True)
                                                         for x in (OWNER_PHONE, OWNER_NAME)):
            wrong.append(f"{method} {url} as {actor}: shows the name or phone number of the rows' owner")
        response.close()    # a static file's response holds the file open
        checked += 1
    if actor in CHANGE_NOTHING:
        after = snapshot(app, values)
        wrong += [f"{actor} changed {row}: {before[row]!r} -> {after[row]!r}" for row in before
                  if before[row] != after[row]]
    assert not wrong, f"{len(wrong)} of {checked} requests answered otherwise than declared:\n" + "\n".join(wrong)
    assert checked >= (15 if actor not in table.ACTORS else 200)   # the API's routes only, or every route
