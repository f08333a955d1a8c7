"""The API against its own OpenAPI description, with schemathesis in-process: no 500s, responses conform.

schemathesis 4.32.5's pytest integration (`schemathesis.pytest.from_fixture`) reads `request.node._nodeid`, which
pytest 9 no longer has, so each operation's strategy is driven by Hypothesis directly (`APIOperation.as_strategy`,
the documented way to use schemathesis in other tests).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from community_hall.api.openapi import openapi_document
from tests.api.conftest import BASE

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
DOCUMENT = openapi_document()
OPERATIONS = [(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods]
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 20, schemathesis.GenerationMode.NEGATIVE: 10}
# Negative data needs something to break: discovery takes no input at all.
RUNS = [(method, path, mode) for method, path in OPERATIONS for mode in EXAMPLES
        if mode is schemathesis.GenerationMode.POSITIVE or DOCUMENT["paths"][path][method.lower()].get("parameters")
        or DOCUMENT["paths"][path][method.lower()].get("requestBody")]
CODES = ["SB-001", "ZJ-001", "JJ-001", "sb-002"]


@pytest.fixture
def numbers(post_request):
    """Two tickets of comm-a to read back."""
    return [_created(post_request(service_code=code)) for code in ("SB-001", "ZJ-001")]


def _created(response):
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()[0]["service_request_id"]


@pytest.fixture
def api_schema(app, menu):
    """The description as the app serves it."""
    return schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)


def test_the_description_is_served_and_covers_every_json_endpoint(client):
    assert client.get(f"{BASE}/openapi.json").get_json() == DOCUMENT
    assert sorted(OPERATIONS) == [
        ("GET", f"{BASE}/discovery.json"), ("GET", f"{BASE}/requests.json"),
        ("GET", f"{BASE}/requests/{{service_request_id}}.json"), ("GET", f"{BASE}/services.json"),
        ("GET", f"{BASE}/services/{{service_code}}.json"), ("POST", f"{BASE}/requests.json")]


@pytest.mark.parametrize(("method", "path", "mode"), RUNS, ids=[f"{m} {p} {g.value}" for m, p, g in RUNS])
def test_operation_conforms_to_its_description(api_schema, api_key, numbers, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case, data):
        if mode is schemathesis.GenerationMode.POSITIVE:
            # Steer valid requests to data that exists, three times in four: the site has two communities, so name
            # the one with the menu (missing and unknown ones are tested in test_open311.py), use real codes,
            # numbers and key, so the success responses are checked too, not only the 404s.
            real = data.draw(st.integers(0, 3)) < 3   # shrinks towards real data
            if method == "GET":
                case.query = {**(case.query or {}), "jurisdiction_id": "comm-a"}
            if real and "service_code" in (case.path_parameters or {}):
                case.path_parameters["service_code"] = data.draw(st.sampled_from(CODES))
            if real and "service_request_id" in (case.path_parameters or {}):
                case.path_parameters["service_request_id"] = data.draw(st.sampled_from(numbers))
            if method == "POST" and isinstance(case.body, dict):
                case.body.update(jurisdiction_id="comm-a", api_key=api_key)
                if real:
                    case.body.update(service_code=data.draw(st.sampled_from(CODES)), phone="13800138001")
        case.call_and_validate(checks=CHECKS)

    run()
