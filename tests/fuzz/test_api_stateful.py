"""Open311 in stateful mode: schemathesis' state machine, built from the OpenAPI links of POST requests.json (to GET
requests/{id}.json and to the request list), opens tickets and reads them back. No 5xx, every response conforms.

schemathesis' pytest integration does not work with pytest 9 (see tests/api/test_openapi_schemathesis.py), so the
machine runs through Hypothesis' `run_state_machine_as_test` directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from community_hall.api.openapi import openapi_document
from tests.api.conftest import BASE, api_key  # noqa: F401 - reuse the API key fixture
from tests.fuzz.conftest import EXAMPLES
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
CODES = ["SB-001", "ZJ-001", "JJ-001", "sb-002"]


@pytest.fixture
def app_config(app_config):
    """The per-key API limit out of the way: the machine posts more than 60 tickets a minute."""
    return {**app_config, "API_RATE_LIMIT": "100000 per minute"}


def test_the_description_links_a_new_ticket_to_its_reads():
    links = openapi_document()["paths"][f"{BASE}/requests.json"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {"getRequest", "listRequests"}
    operations = {op["operationId"] for methods in openapi_document()["paths"].values() for op in methods.values()}
    assert {link["operationId"] for link in links.values()} <= operations


def test_the_description_with_links_is_valid_openapi(app, menu):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)
    schema.validate()   # raises on an invalid OpenAPI document
    schema.as_state_machine()   # collects the transitions from the links
    assert schema.statistic.transitions.total >= 2


def test_stateful_open311(app, menu, api_key):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)
    created: list[str] = []
    chained: list[str] = []    # numbers a linked read found right after the ticket was opened

    class Open311(schema.as_state_machine()):
        """Steer three calls in four to real data (the community with the menu, its key, real codes)."""

        def before_call(self, case):
            # Counted per run of the machine: state kept across runs would make Hypothesis' replay of a run differ.
            self.turn = turn = getattr(self, "turn", -1) + 1
            real = turn % 4 != 3
            if case.method == "GET":
                case.query = {**(case.query or {}), "jurisdiction_id": "comm-a"}
                # schemathesis' WSGI transport sends "Accept-Encoding: gzip" but does not decompress, so a long
                # list (gzipped from 2 kB, tests/test_pagecache.py) would not parse; ask for it plain.
                case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
            if case.method == "POST" and isinstance(case.body, dict):
                case.body.update(jurisdiction_id="comm-a", api_key=api_key)
                if real:
                    case.body.update(service_code=CODES[turn % len(CODES)], phone="13800138001")

        def after_call(self, response, case):
            if case.method == "POST" and response.status_code == 201:
                created.append(response.json()[0]["service_request_id"])
            elif case.method == "GET" and response.status_code == 200 and "service_request_id" in (
                    case.path_parameters or {}) and case.path_parameters["service_request_id"] in created:
                chained.append(case.path_parameters["service_request_id"])

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(Open311, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=6, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    assert created, "the state machine never opened a ticket"
    assert chained, "no link was followed from a new ticket to its page"
    client = app.test_client()
    for number in created[:5]:     # what was acknowledged can be read back
        response = client.get(f"{BASE}/requests/{number}.json", query_string={"jurisdiction_id": "comm-a"})
        assert response.status_code == 200 and response.get_json()[0]["service_request_id"] == number
