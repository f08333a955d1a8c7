"""Teams: the head creates and edits them, volunteers ask to join, the leader or the head accepts."""

from __future__ import annotations

import pytest

from community_hall.tenancy import community_session
from community_hall.timebank import teams as team_services
from community_hall.timebank.volunteer_models import Team, TeamMember, Volunteer


@pytest.fixture
def volunteers(app, auth, build, people, apply_as):
    """res-a (COMM-A-V-0001) and res-a2 (COMM-A-V-0002) approved; res-a3 only a resident."""
    build.user("res-a2", "comm-a", "resident", "李四")
    build.user("res-a3", "comm-a", "resident", "赵五")
    apply_as("res-a")
    apply_as("res-a2", real_name="李四", phone="13700001111")
    auth.login("head-a")
    with app.app_context():
        ids = [v.id for v in community_session("comm-a").query(Volunteer).order_by(Volunteer.id)]
    for vid in ids:
        auth.post(f"/c/comm-a/timebank/applications/{vid}/approve")
    return ids


def _members(app, team_id, status="member"):
    with app.app_context():
        return sorted(m.volunteer_id for m in community_session("comm-a").query(TeamMember)
                      .filter_by(team_id=team_id, status=status))


def test_head_creates_and_edits_a_team_with_leader_and_members(app, client, auth, volunteers):
    response = auth.post("/c/comm-a/timebank/teams/new", {"name": "义务巡逻队", "description": "夜间巡逻",
                                                          "leader": str(volunteers[0])})
    assert response.status_code == 303
    with app.app_context():
        team = community_session("comm-a").query(Team).one()
    assert team.leader_id == volunteers[0] and _members(app, team.id) == [volunteers[0]]
    auth.post(f"/c/comm-a/timebank/teams/{team.id}/edit", {"name": "义务巡逻队", "description": "夜间巡逻",
                                                          "leader": str(volunteers[0]),
                                                          "members": [str(v) for v in volunteers]})
    assert _members(app, team.id) == sorted(volunteers)
    page = auth.post("/c/comm-a/timebank/teams/new", {"name": "义务巡逻队", "leader": ""}).get_data(as_text=True)
    assert "义务巡逻队" in page and response.status_code == 303
    with app.app_context():
        assert community_session("comm-a").query(Team).count() == 1   # the duplicate name was refused
    listing = client.get("/c/comm-a/timebank/teams").get_data(as_text=True)
    assert "义务巡逻队" in listing and "2" in listing


def test_leader_must_be_an_approved_volunteer(app, people):
    with app.app_context():
        session = community_session("comm-a")
        with pytest.raises(Exception) as err:
            team_services.save_team(session, "环境整治队", "", leader_id=999)
        assert getattr(err.value, "field", None) == "leader"
        session.rollback()
        assert session.query(Team).count() == 0


def test_volunteer_asks_to_join_and_the_leader_accepts(app, client, auth, volunteers):
    auth.post("/c/comm-a/timebank/teams/new",
              {"name": "助老服务队", "description": "陪伴老人", "leader": str(volunteers[0])})
    with app.app_context():
        team_id = community_session("comm-a").query(Team).one().id
    auth.login("res-a3")   # not a volunteer: refused
    auth.post(f"/c/comm-a/timebank/teams/{team_id}/join")
    assert _members(app, team_id, "pending") == []
    auth.login("res-a2")
    auth.post(f"/c/comm-a/timebank/teams/{team_id}/join")
    assert _members(app, team_id, "pending") == [volunteers[1]]
    # res-a2 is not the leader: may not accept their own request
    assert auth.post(f"/c/comm-a/timebank/teams/{team_id}/requests/{volunteers[1]}/accept").status_code == 403
    auth.login("res-a")   # the leader
    page = client.get(f"/c/comm-a/timebank/teams/{team_id}").get_data(as_text=True)
    assert "李四" in page
    auth.post(f"/c/comm-a/timebank/teams/{team_id}/requests/{volunteers[1]}/accept")
    assert _members(app, team_id) == sorted(volunteers)


def test_public_team_list_has_no_personal_data_and_staff_cannot_manage(app, client, auth, volunteers):
    auth.post("/c/comm-a/timebank/teams/new", {"name": "文明宣传队", "description": "宣传", "leader": str(volunteers[0]),
                                               "members": [str(v) for v in volunteers]})
    auth.logout()
    page = client.get("/c/comm-a/timebank/teams").get_data(as_text=True)
    assert "文明宣传队" in page
    for secret in ("王小明", "李四", "13912345678", "COMM-A-V-0001"):
        assert secret not in page
    auth.login("staff-a")
    assert client.get("/c/comm-a/timebank/teams/new").status_code == 403
    auth.login("head-b")
    assert client.get("/c/comm-a/timebank/teams/new").status_code == 404


def test_demo_has_five_teams_and_volunteers_per_community_once(app, runner):
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0   # seeding twice adds nothing
    with app.app_context():
        for slug in ("yangliu", "qinghe", "jinxiu"):
            session = community_session(slug)
            names = {t.name for t in session.query(Team)}
            assert {"义务巡逻队", "环境整治队", "助老服务队", "文明宣传队", "法律服务队"} <= names
            assert session.query(Volunteer).filter_by(status="approved").count() == 2
            assert all(t.leader_id for t in session.query(Team))
