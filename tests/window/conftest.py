"""A community with a menu (from tests/menu) ready for tickets."""

import pytest

from community_hall.tenancy import community_session, get_community
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture

STAFF = Actor(user_id=None, name="张敏", kind="staff")


@pytest.fixture
def submit(app, menu):  # noqa: F811
    """submit(**overrides) -> the new ticket of comm-a (for SB-001 unless item_code is given)."""

    def _submit(**overrides):
        with app.app_context():
            sub = Submission(**{"item_code": "SB-001", "resident_name": "王秀兰", "resident_phone": "13800138001",
                                **overrides})
            return submit_ticket(community_session("comm-a"), get_community("comm-a"), sub,
                                 Actor(None, sub.resident_name, "resident"))

    return _submit
