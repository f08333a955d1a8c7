"""comm-a with its menu and people (tests/menu), helpers to complain through the service and the forms."""

import pytest
from sqlalchemy import func, select

from community_hall.accounts.models import User
from community_hall.complaints.models import Complaint
from community_hall.complaints.services import ComplaintData, submit_complaint
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.window.models import Ticket
from community_hall.window.services import Actor
from tests.menu.conftest import menu  # noqa: F401 - reuse the menu fixture
from tests.window.conftest import submit  # noqa: F401 - and the window's ticket fixture

COMPLAINANT = {"resident_name": "赵六", "resident_phone": "13912340000"}


def user_id(app, username: str) -> int:
    """The id of a user by username."""
    with app.app_context():
        return registry_session().scalar(select(User.id).where(User.username == username))


def counts(app, slug: str = "comm-a") -> tuple[int, int]:
    """How many tickets and complaint rows a community holds."""
    with app.app_context():
        session = community_session(slug)
        return session.scalar(select(func.count(Ticket.id))), session.scalar(select(func.count(Complaint.id)))


@pytest.fixture
def complain(app, menu):  # noqa: F811
    """complain(**overrides) -> the number of a new comm-a complaint (about SB-001 unless told otherwise)."""

    def _complain(**overrides):
        with app.app_context():
            data = ComplaintData(**{"kind": "complaint", "details": "窗口人员态度差，让我跑了三趟。", "about": "service",
                                    "item_code": "SB-001", **COMPLAINANT, **overrides})
            return submit_complaint(community_session("comm-a"), get_community("comm-a"), data,
                                    Actor(None, data.resident_name, "resident")).number

    return _complain
