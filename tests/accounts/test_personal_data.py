"""Personal-data rights: a person sees and downloads all their own data (and only theirs), and deletion anonymises
it while the statistics and the time-bank ledger stay as they were."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from community_hall.accounts.data_views import LABELS
from community_hall.accounts.models import Membership, Profile, User
from community_hall.accounts.personal_data import KINDS, PLACEHOLDER_NAME
from community_hall.appointments.models import Appointment
from community_hall.audit import AuditEvent
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import ledger
from community_hall.timebank.volunteer_models import Volunteer
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import Notification, Rating
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.personal_setup import ID_NUMBER, PHONE, populate, ticket_figures
from tests.window.conftest import submit  # noqa: F401 - the submit fixture

SITE_ROUTES = ["/account/data", "/account/data.json", "/account/data.csv", "/account/delete"]


@pytest.mark.parametrize("path", SITE_ROUTES)
def test_site_routes_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/delete", data={"password": "x"}).status_code in (302, 400)


def test_delete_post_of_anonymous_visitor_changes_nothing(app, build, auth, client):
    build.two_communities()
    response = auth.post("/account/delete", {"password": "password123"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert registry_session().query(User).filter_by(is_active=False).count() == 0


def test_resident_sees_and_downloads_everything_of_their_own_and_nothing_of_others(app, menu, auth, client):  # noqa: F811
    data = populate(app)
    auth.login("res-a")
    page = client.get("/account/data").get_data(as_text=True)
    assert data.ticket in page and PHONE in page and data.other not in page

    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["account"]["username"] == "res-a" and "password_hash" not in body["account"]
    assert [m["role"] for m in body["memberships"]] == ["resident"]
    [community] = [c for c in body["communities"] if c["slug"] == "comm-a"]
    held = community["data"]
    assert [t["number"] for t in held["ticket"]] == [data.ticket]
    assert held["ticket"][0]["id_number"] == ID_NUMBER
    assert {"profile", "ticket_event", "appointment", "queue_number", "rating", "notification", "volunteer",
            "ledger_account", "ledger_entry", "activity_signup"} <= set(held)
    assert held["ledger_account"][0]["balance_minutes"] == 120
    assert data.other not in json.dumps(body, ensure_ascii=False)
    assert all(c["slug"] != "comm-b" for c in body["communities"])   # nothing there, and not a member

    response = client.get("/account/data.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["community", "kind", "record", "field", "value"]
    assert ["comm-a", "ticket", "1", "number", data.ticket] in rows
    assert ["comm-a", "volunteer", "1", "id_number", ID_NUMBER] in rows
    with app.app_context():
        events = community_session("comm-a").scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "privacy.export")).all()
        assert events == ["format=json", "format=csv"]
        assert community_session("comm-b").scalars(
            select(AuditEvent).where(AuditEvent.action == "privacy.export")).all() == []
    again = client.get("/account/data.json").get_json()["communities"][0]["data"]
    actions = [e["action"] for e in again["audit_event"]]                 # their own actions
    assert actions.count("privacy.export") == 2 and "member.create.resident" in actions


def test_staff_download_leaves_out_what_they_entered_for_residents(app, menu, auth, client):  # noqa: F811
    with app.app_context():
        staff_id = registry_session().scalar(select(User.id).where(User.username == "staff-a"))
        submit_ticket(community_session("comm-a"), get_community("comm-a"), Submission(
            item_code="ZJ-001", resident_name="李四", resident_phone="13900000003", channel="window"),
            Actor(staff_id, "员工a", "staff"))
    auth.login("staff-a")
    body = client.get("/account/data.json").get_data(as_text=True)
    assert "员工a" in body and "13900000003" not in body and "李四" not in body


def test_wrong_passwords_at_deletion_are_limited_like_sign_in(app, build, auth, client):
    build.two_communities()
    auth.login("res-a")
    statuses = [auth.post("/account/delete", {"password": f"wrong-{i}"}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    with app.app_context():
        assert registry_session().scalar(select(User).where(User.username == "res-a")).is_active


def test_every_kind_of_record_has_a_name_in_the_page():
    assert set(KINDS) == set(LABELS)


def _snapshot(app, uid: int):
    """Balances and rating levels, which deletion must not change."""
    with app.app_context():
        session = community_session("comm-a")
        session.expire_all()
        balances = {a: ledger.balance(session, a) for a in (ledger.person(uid), "issuing")}
        levels = [(r.ticket_id, r.level, r.scores) for r in session.scalars(select(Rating).order_by(Rating.id))]
        return balances, levels


def test_deletion_needs_the_password_then_anonymises_and_keeps_figures_and_ledger(app, menu, auth, client,  # noqa: F811
                                                                                   runner, zh):
    data = populate(app)
    figures, before = ticket_figures(app), _snapshot(app, data.user_id)
    auth.login("res-a")
    assert "password" in client.get("/account/delete").get_data(as_text=True)
    response = auth.post("/account/delete", {"password": "wrong-password"})
    assert response.status_code == 200 and zh("The password is wrong.") in response.get_data(as_text=True)
    with app.app_context():
        assert registry_session().get(User, data.user_id).is_active

    response = auth.post("/account/delete", {"password": "password123"})
    assert response.status_code == 302
    assert client.get("/account/data").status_code == 302           # signed out
    assert auth.login("res-a").status_code == 200                    # the form again: cannot sign in
    with app.app_context():
        user = registry_session().get(User, data.user_id)
        assert (user.username, user.display_name, user.is_active) == (f"deleted-{data.user_id}", PLACEHOLDER_NAME, False)
        assert registry_session().scalars(select(Membership).where(Membership.user_id == data.user_id)).all() == []
        session = community_session("comm-a")
        ticket = session.scalar(select(Ticket).where(Ticket.number == data.ticket))
        assert (ticket.resident_name, ticket.resident_phone, ticket.id_number, ticket.home_address, ticket.details) \
            == (PLACEHOLDER_NAME, "", "", "", "")
        assert ticket.status == "done" and ticket.resident_user_id == data.user_id
        other = session.scalar(select(Ticket).where(Ticket.number == data.other))
        assert other.resident_name == "李四"                          # nobody else's record changes
        profile = session.get(Profile, data.user_id)
        assert (profile.real_name, profile.phone, profile.address) == (PLACEHOLDER_NAME, "", "")
        volunteer = session.get(Volunteer, data.volunteer_id)
        assert (volunteer.real_name, volunteer.phone, volunteer.id_number, volunteer.status) \
            == (PLACEHOLDER_NAME, "", "", "approved")
        assert session.get(Appointment, data.appointment_id).phone == ""
        assert session.scalars(select(Notification).where(Notification.user_id == data.user_id)).all() == []
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.delete")).all()
        for slug in ("comm-a", "comm-b"):
            dump = "\n".join(str(row) for row in community_session(slug).execute(select(Ticket)).all())
            assert PHONE not in dump and ID_NUMBER not in dump
    assert ticket_figures(app) == figures and _snapshot(app, data.user_id) == before
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


def test_deletion_is_refused_while_a_ticket_is_open_and_for_staff(app, menu, submit, auth, client, zh):  # noqa: F811
    with app.app_context():
        uid = registry_session().scalar(select(User.id).where(User.username == "res-a"))
    submit(resident_user_id=uid)
    auth.login("res-a")
    response = auth.post("/account/delete", {"password": "password123"})
    assert zh("You still have open matters (tickets, appointments or orders). Withdraw them or wait until they are "
              "finished, then ask again.") in response.get_data(as_text=True)
    auth.logout()
    auth.login("staff-a")
    response = auth.post("/account/delete", {"password": "password123"})
    assert zh("Staff, heads and district administrators cannot delete their own account here: ask the head of "
              "your community (or the street office) to remove you.") in response.get_data(as_text=True)
    with app.app_context():
        assert registry_session().query(User).filter_by(is_active=False).count() == 0
        assert community_session("comm-a").scalar(select(Ticket).where(Ticket.resident_user_id == uid)).resident_phone
