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


RESIDENT = Actor(None, "王秀兰", "resident")
DEFAULT_TEXTS = {"complete": "已办结", "decline": "不符合条件", "return": "户口簿"}


def apply_action(session, community, ticket, action, text=None):
    """One ticket action through the services; text is the reply, the reason, or the missing materials (、-separated)."""
    from community_hall.window import services

    text = text if text is not None else DEFAULT_TEXTS.get(action, "")
    if action == "accept":
        return services.accept(session, community, ticket, STAFF, ["身份证"])
    if action == "start":
        return services.start(session, ticket, STAFF)
    if action == "return":
        return services.return_for_materials(session, ticket, STAFF, text.split("、"))
    if action == "complete":
        return services.complete(session, ticket, STAFF, text)
    if action == "decline":
        return services.decline(session, ticket, STAFF, text)
    if action == "withdraw":
        return services.withdraw(session, ticket, RESIDENT)
    if action in ("resubmit", "resubmit_accepted"):
        return services.resubmit(session, community, ticket, RESIDENT)
    raise AssertionError(action)


def drive(app, ref, *actions, texts=None):
    """Take a comm-a ticket (by id or number) through actions in order; returns it as it ends."""
    from community_hall.window import services
    from community_hall.window.models import Ticket

    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        ticket = session.get(Ticket, ref) if isinstance(ref, int) else services.ticket_by_number(session, ref)
        for action in actions:
            ticket = apply_action(session, community, ticket, action, (texts or {}).get(action))
        return ticket
