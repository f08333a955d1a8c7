"""The dependency audit (.ci/): how findings are judged, and the fallback to a project's data for its latest
release, over a real HTTP server standing in for a registry without per-release data."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

CI = Path(__file__).resolve().parents[2] / ".ci"


def load(name):
    """A module of .ci/ (not a package: its name starts with a dot)."""
    spec = importlib.util.spec_from_file_location(name, CI / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


audit_deps = load("audit_deps")
audit_service = load("audit_service")

PROJECTS = {"flask": {"info": {"version": "3.1.3"}, "vulnerabilities": []},
            "oldpkg": {"info": {"version": "2.0"}, "vulnerabilities": []}}


class Registry(BaseHTTPRequestHandler):
    """Serves /pypi/<project>/json and answers 404 for /pypi/<project>/<version>/json, except for one release."""

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if parts == ["pypi", "flask", "3.1.2", "json"]:
            body = {"info": {"version": "3.1.2"}, "vulnerabilities": [{"id": "X-1"}]}
        elif len(parts) == 3 and parts[1] in PROJECTS:
            body = PROJECTS[parts[1]]
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def registry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/pypi"
    server.shutdown()
    server.server_close()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def test_a_release_the_registry_has_is_answered_by_its_own_data(registry, http):
    session = audit_service.ReleaseOrProject(http)
    response = session.get(f"{registry}/flask/3.1.2/json", timeout=5)
    assert response.status_code == 200 and response.json()["vulnerabilities"] == [{"id": "X-1"}]
    assert session.behind == {}


def test_the_latest_release_falls_back_to_the_projects_data(registry, http):
    session = audit_service.ReleaseOrProject(http)
    response = session.get(f"{registry}/flask/3.1.3/json", timeout=5)
    assert response.status_code == 200 and response.json()["info"]["version"] == "3.1.3"
    assert session.behind == {}


def test_an_older_release_is_not_audited_with_the_latests_data(registry, http):
    session = audit_service.ReleaseOrProject(http)
    response = session.get(f"{registry}/oldpkg/1.0/json", timeout=5)
    assert response.status_code == 404
    assert session.behind == {"oldpkg": ("1.0", "2.0")}
    assert session.get(f"{registry}/nosuch/1.0/json", timeout=5).status_code == 404
    assert "nosuch" not in session.behind


def test_versions_compare_as_releases():
    assert audit_service.same_version("1.0", "1.0.0")
    assert not audit_service.same_version("1.0", "1.0.1")
    assert audit_service.same_version("not-a-version", "not-a-version")


def report(*deps):
    return {"dependencies": list(deps)}


VULN = {"id": "PYSEC-1", "aliases": ["CVE-1"], "fix_versions": ["2.0"]}


def test_an_unexplained_finding_fails_and_an_explained_one_passes(monkeypatch):
    lines, status = audit_deps.judge(report({"name": "a", "version": "1.0", "vulns": [VULN]}))
    assert status == 1 and "a 1.0: PYSEC-1 (fixed in 2.0)" in lines
    monkeypatch.setitem(audit_deps.EXPLAINED, "CVE-1", "only used at build time")
    lines, status = audit_deps.judge(report({"name": "a", "version": "1.0", "vulns": [VULN]}))
    assert status == 0 and any("explained: only used at build time" in line for line in lines)


def test_skipped_packages_are_named_and_nothing_audited_is_not_called_clean():
    skipped = {"name": "b", "skip_reason": "not audited: 1.0 is not the latest release (2.0)"}
    clean = {"name": "a", "version": "1.0", "vulns": []}
    lines, status = audit_deps.judge(report(clean, skipped))
    assert status == 0 and "skipped b: not audited: 1.0 is not the latest release (2.0)" in lines
    assert "pip-audit: 1 of 2 packages audited, 0 unexplained findings." in lines
    lines, status = audit_deps.judge(report(skipped))
    assert status == 0 and any(line.startswith("WARNING: no vulnerability database") for line in lines)
    assert audit_deps.judge(report(skipped), required=True)[1] == 1
