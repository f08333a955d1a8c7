"""Volunteer registration: validation, one application per person, the head's decision, numbers, card, check."""

from __future__ import annotations

import threading

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import volunteers as services
from community_hall.timebank.volunteer_models import Volunteer


def _count(app, slug="comm-a"):
    with app.app_context():
        return community_session(slug).query(Volunteer).count()


def _one(app, slug="comm-a"):
    with app.app_context():
        return community_session(slug).query(Volunteer).order_by(Volunteer.id.desc()).first()


PHONE_RULE = "Enter an 11-digit mobile number or a landline such as 022-23456701."


@pytest.mark.parametrize("changes, message", [
    ({"real_name": ""}, "This field is required."),
    ({"real_name": "王"}, "Enter your real name (2 to 50 characters)."),
    ({"phone": "12345"}, PHONE_RULE),
    ({"id_number": "12345"}, "An ID number has 18 characters: 17 digits and a digit or X."),
    ({"emergency_name": ""}, "This field is required."),
    ({"emergency_phone": "13912345678"}, "The emergency contact needs a phone other than your own."),
    ({"consent": None}, "Please agree to the privacy terms to apply."),
    ({"skills": ["flying"]}, "Choose only from the options shown."),
])
def test_bad_applications_are_refused_and_store_nothing(app, people, apply_as, zh, changes, message):
    response = apply_as("res-a", **changes)
    page = response.get_data(as_text=True)
    expected = zh(message, value="flying") if "%(value)s" in message else zh(message)
    assert response.status_code == 200 and expected in page.replace("&#39;", "'")
    assert _count(app) == 0


def test_one_live_application_per_person_and_declined_sees_reason(app, client, auth, people, apply_as):
    assert apply_as("res-a").status_code == 303
    apply_as("res-a", real_name="王二明")
    assert _count(app) == 1
    auth.login("head-a")
    listing = client.get("/c/comm-a/timebank/applications").get_data(as_text=True)
    assert "王小明" in listing and "1201**********1234" in listing and "120101199001011234" not in listing
    v = _one(app)
    assert auth.post(f"/c/comm-a/timebank/applications/{v.id}/decline", {"reason": ""}).status_code == 303
    assert _one(app).status == "pending"   # a reason is required
    auth.post(f"/c/comm-a/timebank/applications/{v.id}/decline", {"reason": "请先参加志愿者培训"})
    assert _one(app).status == "declined"
    auth.login("res-a")
    page = client.get("/c/comm-a/timebank/apply").get_data(as_text=True)
    assert "请先参加志愿者培训" in page and "120101199001011234" not in page
    assert apply_as("res-a").status_code == 303 and _count(app) == 2   # may apply again after a decline


def test_approval_gives_sequential_numbers_and_a_card_with_qr(app, client, auth, people, build, apply_as):
    build.user("res-a2", "comm-a", "resident", "李四")
    apply_as("res-a")
    apply_as("res-a2", real_name="李四", phone="13700001111")
    auth.login("head-a")
    with app.app_context():
        ids = [v.id for v in community_session("comm-a").query(Volunteer).order_by(Volunteer.id)]
    for vid in ids:
        auth.post(f"/c/comm-a/timebank/applications/{vid}/approve")
    with app.app_context():
        numbers = [v.number for v in community_session("comm-a").query(Volunteer).order_by(Volunteer.id)]
    assert numbers == ["COMM-A-V-0001", "COMM-A-V-0002"]
    assert auth.post(f"/c/comm-a/timebank/applications/{ids[0]}/approve").status_code == 303
    assert _one(app).number == "COMM-A-V-0002"   # approving twice gives no second number
    head_view = client.get("/c/comm-a/timebank/card?number=COMM-A-V-0002").get_data(as_text=True)
    assert "李四" in head_view
    auth.login("res-a")
    card = client.get("/c/comm-a/timebank/card").get_data(as_text=True)
    assert "COMM-A-V-0001" in card and "<svg" in card and "1201**********1234" in card
    assert "120101199001011234" not in card
    other = client.get("/c/comm-a/timebank/card?number=COMM-A-V-0002").get_data(as_text=True)
    assert "COMM-A-V-0001" in other and "李四" not in other   # a resident only ever sees their own card


def test_public_check_shows_no_personal_data(app, client, auth, people, apply_as):
    apply_as("res-a")
    auth.login("head-a")
    auth.post(f"/c/comm-a/timebank/applications/{_one(app).id}/approve")
    auth.logout()
    page = client.get("/c/comm-a/timebank/volunteers/COMM-A-V-0001").get_data(as_text=True)
    assert "王**" in page and "COMM-A-V-0001" in page and "甲社区" in page
    for secret in ("王小明", "13912345678", "1201", "1234", "王大明", "13811112222"):
        assert secret not in page
    assert client.get("/c/comm-a/timebank/volunteers/COMM-A-V-0009").status_code == 404
    assert client.get("/c/comm-b/timebank/volunteers/COMM-A-V-0001").status_code == 404


def test_only_the_head_decides(app, client, auth, people, apply_as):
    apply_as("res-a")
    vid = _one(app).id
    for username in ("res-a", "staff-a"):
        auth.login(username)
        assert auth.post(f"/c/comm-a/timebank/applications/{vid}/approve").status_code == 403
        assert client.get("/c/comm-a/timebank/applications").status_code == 403
    auth.login("head-b")
    assert auth.post(f"/c/comm-a/timebank/applications/{vid}/approve").status_code == 404
    assert _one(app).status == "pending"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_approvals_give_distinct_sequential_numbers(app, people):
    with app.app_context():
        session = community_session("comm-a")
        for i in range(8):
            services.apply(session, 100 + i, services.Application(
                real_name=f"志愿者{i}", phone=f"1390000{i:04d}", emergency_name="家人", emergency_phone="13800000000",
                consent=True))
        ids = [v.id for v in session.query(Volunteer)]
        head = registry_session().query(User).filter_by(username="head-a").one().id
    errors = []

    def approve(vid):
        with app.app_context():
            try:
                services.approve(community_session("comm-a"), get_community("comm-a"), vid, head)
            except Exception as err:  # noqa: BLE001 - collected for the assertion below
                errors.append(err)
            finally:
                community_session("comm-a").close()

    threads = [threading.Thread(target=approve, args=(vid,)) for vid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        seqs = sorted(v.seq for v in community_session("comm-a").query(Volunteer))
    assert seqs == list(range(1, 9))


def test_navigation_links_by_role(client, auth, people):
    auth.login("res-a")
    page = client.get("/c/comm-a/").get_data(as_text=True)
    assert "/c/comm-a/timebank/teams" in page and "/c/comm-a/timebank/applications" not in page
    auth.login("head-a")
    page = client.get("/c/comm-a/").get_data(as_text=True)
    assert "/c/comm-a/timebank/applications" in page


def test_a_second_application_while_pending_is_refused_with_a_message(app, people, apply_as, zh):
    apply_as("res-a")
    page = apply_as("res-a", real_name="王二明").get_data(as_text=True)
    assert zh("You have already applied; one application per person.") in page
    assert _count(app) == 1 and _one(app).real_name == "王小明"
