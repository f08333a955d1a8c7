"""Activity pages: the public list, who may publish and organise, htmx sign-up, attendance and confirming, CSRF."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import activities as services
from community_hall.timebank import ledger
from community_hall.timebank.activity_models import Activity, ActivitySignup
from community_hall.timebank.volunteer_models import Team
from tests.timebank.test_activities import draft, end_now

HX = {"HX-Request": "true"}


@pytest.fixture
def setup(app, build, people, apply_as, auth):
    """res-a and res-a2 approved volunteers (res-a leads 环境整治队); res-a3 a resident only; one activity."""
    build.user("res-a2", "comm-a", "resident", "李四")
    build.user("res-a3", "comm-a", "resident", "赵五")
    apply_as("res-a")
    apply_as("res-a2", real_name="李四", phone="13700001111")
    auth.login("head-a")
    with app.app_context():
        from community_hall.timebank.volunteer_models import Volunteer

        ids = [v.id for v in community_session("comm-a").query(Volunteer).order_by(Volunteer.id)]
    for vid in ids:
        auth.post(f"/c/comm-a/timebank/applications/{vid}/approve")
    with app.app_context():
        session = community_session("comm-a")
        team = Team(name="环境整治队", description="", leader_id=ids[0])
        session.add(team)
        session.commit()
        head = registry_session().query(User).filter_by(username="head-a").one()
        activity = services.publish(session, draft(slots=1, team_id=team.id), head.id, head.display_name, True)
        return SimpleNamespace(activity=activity.id, team=team.id, volunteers=ids)


def _signups(app, status="signed_up"):
    with app.app_context():
        return community_session("comm-a").query(ActivitySignup).filter_by(status=status).count()


def test_public_list_shows_activities_without_names(app, client, auth, setup):
    auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup")     # head-a: not a volunteer
    auth.login("res-a2")
    auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup")
    auth.logout()
    for url in ("/c/comm-a/timebank/activities", f"/c/comm-a/timebank/activities/{setup.activity}"):
        page = client.get(url).get_data(as_text=True)
        assert "楼道清洁日" in page and "服务站门口" in page
        for secret in ("李四", "COMM-A-V-0002", "13700001111"):
            assert secret not in page


def test_resident_who_is_not_a_volunteer_is_refused_with_a_message(app, client, auth, setup, zh):
    auth.login("res-a3")
    page = auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup", follow_redirects=True)
    assert zh("Only approved volunteers can sign up for activities. Apply to volunteer first.") in \
        page.get_data(as_text=True)
    assert _signups(app) == 0
    assert client.get("/c/comm-a/timebank/activities/new").status_code == 403
    assert client.get(f"/c/comm-a/timebank/activities/{setup.activity}/attendance").status_code == 403
    assert auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/cancel").status_code == 403


def test_htmx_sign_up_and_cancel_swap_their_fragment(app, client, auth, setup, zh):
    auth.login("res-a2")
    url = f"/c/comm-a/timebank/activities/{setup.activity}"
    response = auth.post(f"{url}/signup", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and f'id="signup-{setup.activity}"' in body
    assert zh("Cancel my sign-up") in body and _signups(app) == 1
    auth.login("res-a")                                                          # the only place is taken
    body = auth.post(f"{url}/signup", headers=HX).get_data(as_text=True)
    assert zh("This activity is full; no places are left.") in body and _signups(app) == 1
    auth.login("res-a2")
    body = auth.post(f"{url}/withdraw", headers=HX).get_data(as_text=True)
    assert zh("Sign up") in body and _signups(app) == 0


def test_staff_publish_with_hours_like_one_and_a_half(app, client, auth, setup, zh):
    auth.login("staff-a")
    form = {"title": "陪老人读报", "starts_at": "2031-05-01T09:00", "ends_at": "2031-05-01T11:00",
            "place": "养老驿站", "slots": "4", "hours": "1.5", "skills": ["care"], "team": ""}
    response = auth.post("/c/comm-a/timebank/activities/new", form)
    assert response.status_code == 303
    with app.app_context():
        activity = community_session("comm-a").query(Activity).filter_by(title="陪老人读报").one()
        assert activity.minutes == 90 and activity.skills == "care" and activity.slots == 4
    page = auth.post("/c/comm-a/timebank/activities/new", {**form, "hours": "30"}).get_data(as_text=True)
    assert zh("The hours must be more than 0 and at most 24.") in page
    page = auth.post("/c/comm-a/timebank/activities/new", {**form, "starts_at": "明天"}).get_data(as_text=True)
    assert zh("Enter a date and time like 2026-11-25 14:00.") in page
    with app.app_context():
        assert community_session("comm-a").query(Activity).count() == 2


def test_team_leader_publishes_for_their_team_and_runs_its_activities(app, client, auth, setup):
    auth.login("res-a")                                                           # leads 环境整治队
    assert client.get("/c/comm-a/timebank/activities/new").status_code == 200
    assert client.get(f"/c/comm-a/timebank/activities/{setup.activity}/attendance").status_code == 200
    auth.login("res-a2")                                                          # leads nothing
    assert client.get("/c/comm-a/timebank/activities/new").status_code == 403
    assert client.get(f"/c/comm-a/timebank/activities/{setup.activity}/attendance").status_code == 403


def test_staff_of_another_community_are_refused(app, client, auth, setup):
    for username in ("staff-b", "head-b"):
        auth.login(username)
        assert client.get("/c/comm-a/timebank/activities/new").status_code == 404
        assert client.get(f"/c/comm-a/timebank/activities/{setup.activity}/attendance").status_code == 404
        assert auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/confirm").status_code == 404
        assert auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/cancel").status_code == 404
    with app.app_context():
        assert community_session("comm-a").get(Activity, setup.activity).status == "open"


def test_posts_without_the_csrf_token_are_refused(app, client, auth, setup):
    auth.login("res-a2")
    assert client.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup").status_code == 400
    assert _signups(app) == 0
    auth.login("head-a")
    assert client.post(f"/c/comm-a/timebank/activities/{setup.activity}/cancel").status_code == 400
    with app.app_context():
        assert community_session("comm-a").get(Activity, setup.activity).status == "open"


def test_attendance_rows_and_confirming_twice_credit_once(app, client, auth, setup, zh):
    auth.login("res-a2")
    auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup")
    with app.app_context():
        session = community_session("comm-a")
        end_now(session, session.get(Activity, setup.activity))
        signup = session.query(ActivitySignup).one()
        user_id = registry_session().query(User).filter_by(username="res-a2").one().id
    auth.login("staff-a")
    base = f"/c/comm-a/timebank/activities/{setup.activity}"
    page = client.get(f"{base}/attendance").get_data(as_text=True)
    assert "李四" in page and zh("Confirm attendance and credit hours") in page
    row = auth.post(f"{base}/attendance/{signup.id}", {"outcome": "attended", "hours": "25"}, headers=HX)
    body = row.get_data(as_text=True)
    assert "<html" not in body and f'id="signup-row-{signup.id}"' in body
    assert zh("The hours must be more than 0 and at most 24.") in body
    body = auth.post(f"{base}/attendance/{signup.id}", {"outcome": "attended", "hours": "1.5"},
                     headers=HX).get_data(as_text=True)
    assert zh("%(hours)s hours", hours="1.5") in body
    auth.post(f"{base}/confirm")
    auth.post(f"{base}/confirm")                                                  # a double click
    with app.app_context():
        session = community_session("comm-a")
        assert ledger.balance(session, f"person:{user_id}") == 90
        assert session.get(Activity, setup.activity).status == "confirmed"
    page = client.get(f"{base}/attendance").get_data(as_text=True)
    assert zh("Confirmed attendance is not edited. To correct a credit, the station head reverses it in the ledger "
              "and, if needed, records the right one.") in page
    auth.login("res-a2")
    mine = client.get("/c/comm-a/timebank/activities/mine").get_data(as_text=True)
    assert "楼道清洁日" in mine and zh("Attended: %(n)s", n=1) in mine


def test_pages_speak_english_when_asked_and_chinese_by_default(client, setup):
    assert "志愿活动" in client.get("/c/comm-a/timebank/activities").get_data(as_text=True)
    page = client.get("/c/comm-a/timebank/activities?lang=en").get_data(as_text=True)
    assert "Volunteer activities" in page and "Places left: 1 of 1" in page and "志愿活动" not in page


def test_organiser_cancels_before_the_start_and_sign_ups_are_cancelled(app, client, auth, setup, zh):
    auth.login("res-a2")
    auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/signup")
    auth.login("res-a")                                                           # the team's leader
    page = auth.post(f"/c/comm-a/timebank/activities/{setup.activity}/cancel", follow_redirects=True)
    assert zh("The activity is cancelled.") in page.get_data(as_text=True)
    assert _signups(app) == 0 and _signups(app, "cancelled") == 1
    assert "楼道清洁日" not in client.get("/c/comm-a/timebank/activities").get_data(as_text=True)
