"""Separation of duties for hours, as a property over who acts, on whose row, when; both backends.

Whoever acts (the team's leader, staff, the head) and whatever the moment: nobody marks their own attendance or
confirms hours they would be credited, attendance is taken only from the start, hours are credited only after the
end and never more than the activity lasted, and every credit names an actor other than the person credited.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import activities, ledger
from community_hall.timebank import volunteers as vol_services
from community_hall.timebank.activity_models import Activity, ActivitySignup
from community_hall.timebank.ledger_models import LedgerEntry, LedgerMovement
from community_hall.timebank.volunteer_models import Team, Volunteer

BASE = datetime(2031, 3, 2, 0, 0, tzinfo=UTC)
_days = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


@pytest.fixture
def crew(app, build, clock):
    """comm-a: the head, staff-a (also an approved volunteer), leader (leads a team) and vol, approved volunteers."""
    clock.set_now(BASE)
    build.two_communities()
    build.user("leader", "comm-a", "resident", "队长")
    build.user("vol", "comm-a", "resident", "志愿者")
    with app.app_context():
        session = community_session("comm-a")
        ids = {u.username: u.id for u in registry_session().scalars(select(User))}
        volunteers = {}
        for name in ("leader", "vol", "staff-a"):
            v = vol_services.apply(session, ids[name], vol_services.Application(
                real_name=name, phone="13912345678", emergency_name="家属", emergency_phone="13000000000",
                consent=True))
            volunteers[name] = vol_services.approve(session, get_community("comm-a"), v.id, ids["head-a"])
        team = Team(name="环境整治队", description="", leader_id=volunteers["leader"].id)
        session.add(team)
        session.commit()
        return SimpleNamespace(ids=ids, volunteers={k: v.id for k, v in volunteers.items()}, team=team.id)


ACTORS = ("leader", "staff-a", "head-a")
ROWS = ("leader", "vol", "staff-a")
# moments relative to an activity of 10:00-12:00 (UTC): before, at the start, during, at the end, after
MOMENTS = (-60, 0, 60, 120, 180)
steps = st.lists(st.tuples(st.sampled_from(["mark", "confirm"]), st.sampled_from(ACTORS), st.sampled_from(ROWS),
                           st.sampled_from(MOMENTS), st.sampled_from(["", "1", "2", "3"])), min_size=1, max_size=8)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=steps)
def test_nobody_credits_themselves_and_only_time_that_has_passed(app, backend, clock, crew, ops):
    day = BASE + timedelta(days=next(_days))
    starts, ends = day + timedelta(hours=10), day + timedelta(hours=12)
    clock.set_now(day)
    with app.app_context():
        s = community_session("comm-a")
        head = crew.ids["head-a"]
        activity = activities.publish(s, activities.Draft(
            title="楼道清洁", description="", starts_at=starts, ends_at=ends, place="服务站", slots=5, hours="2",
            team_id=crew.team), head, "站长", True)
        signups = {}
        for name in ROWS:
            signups[name] = activities.sign_up(s, activity.id, s.get(Volunteer, crew.volunteers[name])).id
        uid = crew.ids
        for action, actor, row, moment, hours in ops:
            now = starts + timedelta(minutes=moment)
            clock.set_now(now)
            s.rollback()
            marked = {n: s.get(ActivitySignup, signups[n]).status for n in ROWS}
            confirmed = s.get(Activity, activity.id).status == "confirmed"
            who = SimpleNamespace(user_id=uid[actor], name=actor)
            try:
                if action == "mark":
                    activities.mark(s, activity.id, signups[row], True, hours, by=uid[actor])
                else:
                    activities.confirm(s, activity.id, who)
                done = True
            except HallError:
                done = False
            if action == "mark":
                allowed = now >= starts and actor != row and not confirmed and hours != "3"
            else:
                credited_now = [n for n in ROWS if marked[n] == "attended"]
                allowed = (now >= ends and all(m != "signed_up" for m in marked.values())
                           and actor not in credited_now) if not confirmed else actor not in [
                    n for n in ROWS if marked[n] == "attended" and s.get(ActivitySignup, signups[n]).movement_id
                    is None]
            assert done == allowed, (action, actor, row, moment, hours, marked)
        s.rollback()
        for m in s.scalars(select(LedgerMovement).where(LedgerMovement.kind == "credit_service",
                                                        LedgerMovement.reference == f"activity:{activity.id}")):
            credited = s.scalar(select(LedgerEntry.account).where(LedgerEntry.movement_id == m.id,
                                                                  LedgerEntry.amount > 0))
            amount = s.scalar(select(LedgerEntry.amount).where(LedgerEntry.movement_id == m.id,
                                                               LedgerEntry.amount > 0))
            assert credited != ledger.person(m.actor_user_id), "credited by themselves"
            assert activities.aware(m.created_at) >= ends, "credited before the activity ended"
            assert amount <= 120, "credited more than the activity lasted"
