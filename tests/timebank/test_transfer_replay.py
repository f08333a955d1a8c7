"""A transfer id names one transfer: a replay with another amount, target or person is refused (hole 1)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import insert

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger
from community_hall.timebank.ledger_models import ISSUING, LedgerTransfer

HEAD = SimpleNamespace(user_id=1, name="站长")


@pytest.fixture
def hall(app, build, client):
    """res-a: 3 hours in comm-a, also a resident of comm-b; comm-c exists, she is not (yet) in it."""
    build.two_communities()
    build.community("comm-c", "丙社区")
    build.grant("res-a", "comm-b", "resident")
    client.get("/?lang=en")
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        ledger.credit_service(community_session("comm-a"), uid, 180, "activity:1", "c1", HEAD)

    def where():
        with app.app_context():
            return tuple(ledger.balance(community_session(s), ledger.person(uid)) for s in ("comm-a", "comm-b",
                                                                                             "comm-c"))
    return SimpleNamespace(uid=uid, where=where)


def test_replaying_a_transfer_id_with_another_target_and_amount_mints_nothing(app, client, auth, runner):
    """The attack on the demo site, step by step through the pages."""
    assert runner.invoke(args=["hall", "seed-demo", "--if-empty"]).exit_code == 0
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="yangliu-res1").one().id

    def where():
        with app.app_context():
            return tuple(ledger.balance(community_session(s), ledger.person(uid)) for s in ("yangliu", "qinghe",
                                                                                             "jinxiu"))
    assert where() == (180, 0, 0)
    client.get("/?lang=en")
    auth.login("yangliu-res1", "hall-demo-2026")
    joined = auth.post("/c/jinxiu/join", {"real_name": "陈建军", "phone": "13900009001", "address": "锦绣小区1号"})
    assert joined.status_code == 302
    tid = "5f0c1f9e-0000-4000-8000-000000000001"
    first = auth.post("/c/yangliu/timebank/hours/transfer", {"to_community": "qinghe", "hours": "0", "minutes": "1",
                                                            "transfer_id": tid})
    assert first.status_code == 303 and where() == (179, 1, 0)
    replay = auth.post("/c/yangliu/timebank/hours/transfer", {"to_community": "jinxiu", "hours": "500",
                                                             "minutes": "0", "transfer_id": tid})
    assert replay.status_code == 422
    assert "This transfer id was already used for a different transfer" in replay.get_data(as_text=True)
    assert where() == (179, 1, 0)
    client.get("/c/jinxiu/timebank/hours")          # opening the pages finishes nothing that was not sent
    client.get("/c/yangliu/timebank/hours")
    assert where() == (179, 1, 0)
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("changes", [dict(minutes=30000), dict(to="comm-c"), dict(user=99)])
def test_a_replayed_start_with_anything_different_is_refused_and_changes_nothing(app, hall, changes):
    with app.app_context(), force_locale("en"):
        a = community_session("comm-a")
        ledger.start_transfer(a, "t-1", hall.uid, 1, "comm-b", HEAD)
        with pytest.raises(Exception, match="already used for a different transfer|已用于另一笔转移"):
            ledger.start_transfer(a, "t-1", changes.get("user", hall.uid), changes.get("minutes", 1),
                                  changes.get("to", "comm-b"), HEAD)
        assert ledger.start_transfer(a, "t-1", hall.uid, 1, "comm-b", HEAD).minutes == 1    # the same: fine
    assert hall.where() == (179, 0, 0)


def test_the_receiver_credits_only_what_the_sender_recorded(app, hall):
    with app.app_context(), force_locale("en"):
        a, b, c = (community_session(s) for s in ("comm-a", "comm-b", "comm-c"))
        ledger.start_transfer(a, "t-2", hall.uid, 1, "comm-b", HEAD)
        with pytest.raises(Exception, match="does not match|记录不符"):        # meant for comm-b, asked in comm-c
            ledger.receive_transfer(c, "comm-c", a, "comm-a", "t-2", HEAD)
        with pytest.raises(Exception, match="does not match|记录不符"):        # nothing of that id was sent from comm-c
            ledger.receive_transfer(b, "comm-b", c, "comm-c", "t-2", HEAD)
        assert hall.where() == (179, 0, 0)
        assert ledger.receive_transfer(b, "comm-b", a, "comm-a", "t-2", HEAD).minutes == 1
    assert hall.where() == (179, 1, 0)


def test_ledger_check_finds_a_transfer_in_without_its_transfer_out(app, runner, hall):
    """What the attack left on the demo site: 500 hours arrived in comm-c for a transfer comm-a sent to comm-b."""
    with app.app_context():
        a, b, c = (community_session(s) for s in ("comm-a", "comm-b", "comm-c"))
        ledger.transfer(a, b, "t-3", hall.uid, 1, "comm-a", "comm-b", HEAD)

        def record(s, movement_id):
            s.execute(insert(LedgerTransfer).values(
                transfer_id="t-3", direction="in", user_id=hall.uid, other_community="comm-a", minutes=30000,
                state="completed", movement_id=movement_id))
        ledger._post(c, "transfer_in", "transfer-in:t-3", [(ISSUING, -30000), (ledger.person(hall.uid), 30000)],
                     HEAD, reference="transfer:t-3", also=record)
        assert ledger.check(c) == []        # alone, comm-c's books look sound: only the cross check sees it
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 1
    assert "comm-c: 1 problem(s)" in result.output
    assert "transfer t-3 arrived from comm-a but comm-a has no matching transfer out" in result.output
    result = runner.invoke(args=["hall", "ledger-check", "--community", "comm-c"])
    assert result.exit_code == 1 and "t-3" in result.output


def test_ledger_check_finds_an_amount_that_differs_from_its_record(app, runner, hall):
    with app.app_context():
        a, b = community_session("comm-a"), community_session("comm-b")
        ledger.transfer(a, b, "t-4", hall.uid, 10, "comm-a", "comm-b", HEAD)
        b.execute(LedgerTransfer.__table__.update().where(LedgerTransfer.transfer_id == "t-4").values(minutes=600))
        b.commit()
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 1 and "t-4" in result.output
