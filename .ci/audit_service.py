"""pip-audit with a fallback for registries that serve a project's JSON but not one release's."""

from __future__ import annotations

import sys

from packaging.version import InvalidVersion, Version
from pip_audit._service.interface import SkippedDependency
from pip_audit._service.pypi import PyPIService

NOT_LATEST = ("not audited: {version} is not the latest release ({latest}), and the registry lists the known "
              "vulnerabilities of the latest release only")


def same_version(a: str, b: str) -> bool:
    """Whether two version strings name the same release (1.0 and 1.0.0 do)."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


class ReleaseOrProject:
    """Stands in for pip-audit's HTTP session: where a release's JSON is missing, the project's JSON answers
    instead, but only when that release is the project's latest (its `vulnerabilities` are the latest's)."""

    def __init__(self, session):
        self.session = session
        self.behind: dict[str, tuple[str, str]] = {}     # project -> (installed version, latest version)

    def get(self, url: str, timeout=None, **kwargs):
        """The release's JSON if the registry has it, else the project's if the release is its latest."""
        response = self.session.get(url=url, timeout=timeout, **kwargs)
        if response.status_code != 404 or not url.endswith("/json"):
            return response
        project_url, _, version = url.removesuffix("/json").rpartition("/")
        project = self.session.get(url=f"{project_url}/json", timeout=timeout, **kwargs)
        if project.status_code != 200:
            return response
        info = project.json().get("info", {})
        latest = str(info.get("version", ""))
        if same_version(latest, version):
            return project
        needs = f", which needs Python {info['requires_python']}" if info.get("requires_python") else ""
        self.behind[project_url.rpartition("/")[2]] = (version, latest + needs)
        return response    # pip-audit skips a 404; query() below says why


class ReleaseOrLatestService(PyPIService):
    """pip-audit's PyPI service over `ReleaseOrProject`, naming the reason for each release it could not audit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = ReleaseOrProject(self.session)

    def query(self, spec):
        """Audit `spec`; a release behind the latest is skipped with the reason, not reported as missing."""
        dep, vulns = super().query(spec)
        if dep.is_skipped() and not spec.is_skipped() and spec.canonical_name in self.session.behind:
            version, latest = self.session.behind[spec.canonical_name]
            return SkippedDependency(name=spec.name, skip_reason=NOT_LATEST.format(version=version, latest=latest)), []
        return dep, vulns


if __name__ == "__main__":
    # pip-audit's command line, with its PyPI service swapped for the one above (pip-audit is pinned).
    from pip_audit import _cli

    _cli.PyPIService = ReleaseOrLatestService
    sys.exit(_cli.audit())
