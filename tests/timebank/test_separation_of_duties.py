"""Nobody marks, confirms or credits their own hours or approves their own application; hours only for time past."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from community_hall.accounts.models import User
from community_hall.errors import HallError
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger
from community_hall.timebank import orders as order_services
from community_hall.timebank.activity_models import Activity, ActivitySignup
from community_hall.timebank.volunteer_models import Volunteer
from tests.timebank.orders_setup import actor, served_order, uid, world  # noqa: F401
from tests.timebank.test_activity_views import setup  # noqa: F401

DAY = "2031-05-01"


def _uid(app, username):
    with app.app_context():
        return registry_session().query(User).filter_by(username=username).one().id


def _balance(app, username):
    with app.app_context():
        return ledger.balance(community_session("comm-a"), ledger.person(_uid(app, username)))


def test_a_team_leader_cannot_credit_himself_nor_before_the_activity_ends(app, client, auth, clock, setup):  # noqa: F811
    """Hole 5 as reported: a leader publishes, signs up, marks himself and confirms; credited at the start."""
    clock.set_now(datetime(2031, 5, 1, 6, 0, tzinfo=UTC))                         # 14:00 in Shanghai
    client.get("/?lang=en")
    auth.login("res-a")                                                             # leads 环境整治队
    form = {"title": "自己给自己记时长", "starts_at": f"{DAY}T15:41", "ends_at": f"{DAY}T17:41", "place": "服务站",
            "slots": "2", "hours": "24", "skills": [], "team": str(setup.team)}
    page = auth.post("/c/comm-a/timebank/activities/new", form)
    assert "The hours credited cannot be more than the activity lasts" in page.get_data(as_text=True)
    with app.app_context():
        assert community_session("comm-a").query(Activity).filter_by(title="自己给自己记时长").count() == 0
    assert auth.post("/c/comm-a/timebank/activities/new", {**form, "hours": "2"}).status_code == 303
    with app.app_context():
        aid = community_session("comm-a").query(Activity).filter_by(title="自己给自己记时长").one().id
    base = f"/c/comm-a/timebank/activities/{aid}"
    auth.post(f"{base}/signup")
    auth.login("res-a2")
    auth.post(f"{base}/signup")
    with app.app_context():
        mine = community_session("comm-a").query(ActivitySignup).filter_by(activity_id=aid).order_by(
            ActivitySignup.id).first().id
    clock.set_now(datetime(2031, 5, 1, 7, 41, tzinfo=UTC))                        # 15:41: it has just started
    auth.login("res-a")
    page = auth.post(f"{base}/attendance/{mine}", {"outcome": "attended", "hours": "2"}, follow_redirects=True)
    assert "You cannot mark your own attendance" in page.get_data(as_text=True)
    with app.app_context():
        assert community_session("comm-a").get(ActivitySignup, mine).status == "signed_up"
    auth.login("staff-a")
    with app.app_context():
        other = community_session("comm-a").query(ActivitySignup).filter(
            ActivitySignup.activity_id == aid, ActivitySignup.id != mine).one().id
    auth.post(f"{base}/attendance/{mine}", {"outcome": "attended", "hours": "2"})   # roll call during the activity
    auth.post(f"{base}/attendance/{other}", {"outcome": "attended", "hours": "2"})
    page = auth.post(f"{base}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "Hours are credited once the activity has ended" in page
    assert _balance(app, "res-a") == 0
    auth.login("res-a")
    page = auth.post("/c/comm-a/timebank/certificates/mine", follow_redirects=True).get_data(as_text=True)
    assert "You have no confirmed service hours yet" in page
    clock.set_now(datetime(2031, 5, 1, 9, 42, tzinfo=UTC))                        # 17:42: it is over
    page = auth.post(f"{base}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "You attended this activity" in page
    assert _balance(app, "res-a") == 0 and _balance(app, "res-a2") == 0
    auth.login("staff-a")
    auth.post(f"{base}/confirm")
    assert _balance(app, "res-a") == 120 and _balance(app, "res-a2") == 120


def test_the_head_cannot_approve_his_own_volunteer_application(app, client, auth, people, apply_as):
    client.get("/?lang=en")
    apply_as("head-a", real_name="站长a")
    with app.app_context():
        vid = community_session("comm-a").query(Volunteer).one().id
    page = auth.post(f"/c/comm-a/timebank/applications/{vid}/approve", follow_redirects=True)
    assert "You cannot decide your own application" in page.get_data(as_text=True)
    with app.app_context():
        assert community_session("comm-a").get(Volunteer, vid).status == "pending"


def test_staff_who_served_an_order_cannot_confirm_it_for_the_resident(world):  # noqa: F811
    with world.app_context(), force_locale("en"):
        session = community_session("comm-a")
        order = served_order()
        with pytest.raises(HallError, match="You served this order"):
            order_services.confirm(session, order.id, actor("vol-1"), 5, "", "own", on_behalf=True)
        assert ledger.balance(session, ledger.person(uid("vol-1"))) == 0
        assert ledger.balance(session, ledger.person(uid("res-a"))) == 180


def test_nobody_credits_reverses_into_or_sets_an_overdraft_for_himself(app, build):
    build.community("comm-x")
    with app.app_context(), force_locale("en"):
        s = community_session("comm-x")
        head = type("Actor", (), {"user_id": 5, "name": "站长"})()
        with pytest.raises(HallError, match="your own"):
            ledger.credit_service(s, 5, 60, "ticket:1", "self-credit", head)
        ledger.credit_service(s, 6, 60, "ticket:1", "other", head)
        paid = ledger.donate(s, 6, 5, 30, "gift", type("Actor", (), {"user_id": 6, "name": "x"})())
        ledger.credit_service(s, 5, 60, "ticket:2", "c5", type("Actor", (), {"user_id": 6, "name": "x"})())
        payment = ledger.pay_service(s, 5, 60, "order:1", "pay5", head)
        with pytest.raises(HallError, match="your own"):
            ledger.reverse(s, payment.id, "退回", head)                 # would give the head his hours back
        ledger.reverse(s, paid.id, "纠错", head)                          # takes from him: allowed
        with pytest.raises(HallError, match="your own"):
            ledger.set_overdraft(s, 5, 600, head)
        assert ledger.balance(s, "person:5") == 0
