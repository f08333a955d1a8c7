"""axe-core in the page: inject the vendored build and fail on serious or critical violations."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

AXE_PATH = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    """The vendored axe-core, checked against its recorded sha256."""
    data = AXE_PATH.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE_PATH.name} changed: sha256 {digest}, expected {AXE_SHA256}"
    return data.decode("utf-8")


def violations(page) -> list[dict]:
    """Run axe on the whole document and return its violations."""
    # The app's CSP forbids inline scripts, so no add_script_tag: an evaluation through the
    # DevTools protocol is not subject to the page's CSP.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe(found: list[dict]) -> str:
    """Violations as readable lines: id, impact, help, and the nodes' selectors."""
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """No serious or critical axe violation on the page as it is now."""
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe found serious/critical violations on {name} ({page.url}):\n{describe(blocking)}"
