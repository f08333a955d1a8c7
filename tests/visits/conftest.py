"""Comm-a with its menu, tickets to submit, and helpers to find people and visits."""

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.visits import services
from community_hall.visits.models import HomeVisit
from community_hall.window.services import Actor
from tests.window.conftest import menu, submit  # noqa: F401 - reuse the menu and ticket fixtures


def uid(app, username: str) -> int:
    """A user's id by username."""
    with app.app_context():
        return registry_session().query(User.id).filter_by(username=username).scalar()


def actor(app, username: str) -> Actor:
    """A member of staff as a ticket actor."""
    with app.app_context():
        user = registry_session().query(User).filter_by(username=username).one()
        return Actor(user.id, user.display_name, "staff")


@pytest.fixture
def home_ticket(submit):  # noqa: F811
    """submit_home(**overrides) -> a comm-a ticket asking for a home visit."""

    def _submit(**overrides):
        return submit(**{"item_code": "SB-001", "channel": "home_visit", "home_address": "幸福里3号楼2单元501",
                         **overrides})

    return _submit


def synced_visit(app, ticket_id: int) -> HomeVisit:
    """The visit of a ticket, after syncing comm-a's visits."""
    with app.app_context():
        session = community_session("comm-a")
        services.sync_visits(session)
        return session.query(HomeVisit).filter_by(ticket_id=ticket_id).one()


def plan(app, visit_id: int, visitor: str = "staff-a", day=None, building="3号楼", grid="第二网格"):
    """Plan a comm-a visit through the service, by head-a."""
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        visit = session.get(HomeVisit, visit_id)
        day = day or services.today(community).isoformat()
        return services.assign(session, community, visit, actor(app, "head-a"), day, building, grid, uid(app, visitor))
