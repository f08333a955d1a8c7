"""Moving own hours between communities from the hours page, and the transfer-recover command."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger
from community_hall.timebank.ledger_models import LedgerTransfer

HEAD = SimpleNamespace(user_id=1, name="站长")


@pytest.fixture
def hall(app, build, client):
    """res-a belongs to comm-a and comm-b and has 2 hours in comm-a; a third community c she is not in."""
    build.two_communities()
    build.community("comm-c", "丙社区")
    build.grant("res-a", "comm-b", "resident")
    client.get("/?lang=en")
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        ledger.credit_service(community_session("comm-a"), uid, 120, "activity:1", "c1", HEAD)

    def where():
        with app.app_context():
            return tuple(ledger.balance(community_session(s), ledger.person(uid)) for s in ("comm-a", "comm-b"))
    return SimpleNamespace(uid=uid, where=where)


def _tid(html):
    return re.search(r'name="transfer_id" type="hidden" value="([0-9a-f-]{36})"', html).group(1)


def test_combined_balance_and_a_transfer_retried_moves_once(client, auth, hall):
    auth.login("res-a")
    html = client.get("/c/comm-a/timebank/hours").get_data(as_text=True)
    assert "乙社区" in html and "Combined balance" in html and "丙社区" not in html
    form = {"to_community": "comm-b", "hours": "0", "minutes": "45", "transfer_id": _tid(html)}
    for _ in range(2):
        assert auth.post("/c/comm-a/timebank/hours/transfer", form).status_code == 303
    assert hall.where() == (75, 45)
    html = client.get("/c/comm-b/timebank/hours").get_data(as_text=True)
    assert 'id="combined-total">2 h 0 min' in html and "Arrived from another community" in html


@pytest.mark.parametrize("to, hours, message", [
    ("comm-c", "1", "You can only move hours to a community you belong to."),
    ("nowhere", "1", "You can only move hours to a community you belong to."),
    ("comm-a", "1", "Choose another community than this one."),
    ("comm-b", "3", "Not enough hours"),
])
def test_refused_transfers_change_nothing(client, auth, hall, to, hours, message):
    auth.login("res-a")
    response = auth.post("/c/comm-a/timebank/hours/transfer", {"to_community": to, "hours": hours, "minutes": "0",
                                                              "transfer_id": "t-refused"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert hall.where() == (120, 0)


def test_the_page_has_no_transfer_form_for_one_community(client, auth, hall):
    auth.login("res-b")
    html = client.get("/c/comm-b/timebank/hours").get_data(as_text=True)
    assert "transfer_id" not in html and "Combined balance" not in html


def test_a_failure_between_steps_is_finished_by_the_command(app, client, auth, runner, hall, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("comm-b is not answering")
    monkeypatch.setattr(ledger, "receive_transfer", broken)
    auth.login("res-a")
    response = auth.post("/c/comm-a/timebank/hours/transfer", {"to_community": "comm-b", "hours": "1",
                                                              "minutes": "0", "transfer_id": "t-broken"},
                         follow_redirects=True)
    assert "will be finished automatically" in response.get_data(as_text=True)
    assert hall.where() == (60, 0)              # the opening of the page could not finish it either
    monkeypatch.undo()
    result = runner.invoke(args=["hall", "transfer-recover", "--community", "comm-a"])
    assert result.exit_code == 0 and "t-broken: completed" in result.output
    assert hall.where() == (60, 60)
    assert "comm-a: 0 pending" in runner.invoke(args=["hall", "transfer-recover"]).output
    with app.app_context():
        for slug in ("comm-a", "comm-b"):
            assert ledger.check(community_session(slug), ties=False) == []


def test_the_command_can_roll_back(app, runner, hall):
    with app.app_context():
        ledger.start_transfer(community_session("comm-a"), "t-back", hall.uid, 30, "comm-b", HEAD)
    result = runner.invoke(args=["hall", "transfer-recover", "--roll-back"])
    assert "t-back: rolled_back" in result.output and hall.where() == (120, 0)


def test_opening_the_page_finishes_own_pending_transfers(app, client, auth, hall):
    with app.app_context():
        ledger.start_transfer(community_session("comm-a"), "t-open", hall.uid, 30, "comm-b", HEAD)
    auth.login("res-a")
    client.get("/c/comm-a/timebank/hours")
    assert hall.where() == (90, 30)
    with app.app_context():
        assert community_session("comm-a").get(LedgerTransfer, "t-open").state == "completed"


def test_a_transfer_without_its_form_id_is_refused(client, auth, hall):
    auth.login("res-a")
    response = auth.post("/c/comm-a/timebank/hours/transfer", {"to_community": "comm-b", "hours": "1", "minutes": "0"})
    assert response.status_code == 422 and hall.where() == (120, 0)
