"""comm-a and comm-b with their people, and helpers to apply and approve through the real pages."""

from __future__ import annotations

import pytest

GOOD = {"real_name": "王小明", "phone": "13912345678", "id_number": "120101199001011234",
        "skills": ["repair", "computer"], "skills_other": "会修自行车", "availability": ["mon-am", "sat-eve"],
        "emergency_name": "王大明", "emergency_phone": "13811112222", "consent": "y"}


@pytest.fixture
def people(build):
    build.two_communities()


@pytest.fixture
def apply_as(auth):
    """Sign in as username and send an application (GOOD with changes); returns the response."""
    def go(username, slug="comm-a", **changes):
        auth.login(username)
        data = {**GOOD, **changes}
        return auth.post(f"/c/{slug}/timebank/apply", {k: v for k, v in data.items() if v is not None})
    return go


