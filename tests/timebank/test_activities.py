"""Activities: publishing, sign-up refusals, places under concurrency, attendance, crediting once, the ledger link."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community, utcnow
from community_hall.timebank import activities as services
from community_hall.timebank import ledger
from community_hall.timebank import volunteers as volunteer_services
from community_hall.timebank.activity_models import Activity, ActivitySignup
from community_hall.timebank.ledger_models import LedgerMovement
from community_hall.timebank.volunteer_models import Team, Volunteer

HEAD = SimpleNamespace(user_id=1, name="王主任")


def make_volunteer(session, user_id: int, approve: bool = True) -> Volunteer:
    """An application for user_id, approved unless told otherwise."""
    volunteer = volunteer_services.apply(session, user_id, volunteer_services.Application(
        real_name=f"志愿者{user_id}", phone=f"139{user_id:08d}", emergency_name="家人", emergency_phone="13800000000",
        consent=True))
    if approve:
        volunteer = volunteer_services.approve(session, get_community("comm-a"), volunteer.id, HEAD.user_id)
    return volunteer


def draft(**changes) -> services.Draft:
    """A valid activity starting tomorrow, with changes."""
    starts = utcnow() + timedelta(days=1)
    values = dict(title="楼道清洁日", description="清理楼道", starts_at=starts, ends_at=starts + timedelta(hours=2),
                  place="服务站门口", slots=3, hours="2", skills=["repair"], team_id=None)
    return services.Draft(**{**values, **changes})


def publish(session, **changes) -> Activity:
    return services.publish(session, draft(**changes), HEAD.user_id, HEAD.name, True)


def start_now(session, activity: Activity) -> None:
    """Move an activity so it started an hour ago (publishing refuses a start in the past)."""
    activity = session.get(Activity, activity.id)
    activity.starts_at, activity.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    session.commit()


def end_now(session, activity: Activity) -> None:
    """Move an activity so it ended a minute ago, after lasting two hours (hours are credited only after the end)."""
    activity = session.get(Activity, activity.id)
    activity.starts_at, activity.ends_at = utcnow() - timedelta(minutes=121), utcnow() - timedelta(minutes=1)
    session.commit()


def snapshot(session):
    """Everything the services may change, to show a refusal changed nothing."""
    session.rollback()
    return ([(a.id, a.status, a.slots, a.minutes) for a in session.scalars(select(Activity).order_by(Activity.id))],
            [(s.id, s.status, s.minutes, s.movement_id) for s in session.scalars(select(ActivitySignup)
                                                                                  .order_by(ActivitySignup.id))],
            session.scalar(select(LedgerMovement.id).order_by(LedgerMovement.id.desc())))


@pytest.fixture
def db(app, build):
    """comm-a's session inside an app context, with English messages."""
    build.community("comm-a", "甲社区")
    with app.app_context(), force_locale("en"):
        yield community_session("comm-a")


@pytest.mark.parametrize("changes, field", [
    ({"title": "x"}, "title"), ({"description": "很" * 2001}, "description"),
    ({"starts_at": utcnow() - timedelta(hours=1)}, "starts_at"),
    ({"ends_at": utcnow()}, "ends_at"), ({"ends_at": utcnow() + timedelta(days=9)}, "ends_at"),
    ({"place": ""}, "place"), ({"slots": 0}, "slots"), ({"slots": None}, "slots"), ({"slots": 501}, "slots"),
    ({"hours": "0"}, "hours"), ({"hours": "24.5"}, "hours"), ({"hours": "两小时"}, "hours"),
    ({"hours": "1.01"}, "hours"), ({"skills": ["flying"]}, "skills"), ({"team_id": 99}, "team"),
])
def test_publishing_refuses_bad_input_and_stores_nothing(db, changes, field):
    with pytest.raises(HallError) as err:
        publish(db, **changes)
    assert err.value.field == field
    db.rollback()
    assert db.scalar(select(Activity.id)) is None


def test_hours_are_whole_minutes(db):
    assert services.parse_hours("1.5") == 90 and services.parse_hours("2") == 120
    assert services.parse_hours("0.25") == 15 and services.parse_hours("24") == 24 * 60
    assert publish(db, hours="1.5").minutes == 90


def test_team_leaders_publish_for_their_own_team_only(db):
    leader, other = make_volunteer(db, 10), make_volunteer(db, 11)
    mine = Team(name="环境整治队", description="", leader_id=leader.id)
    theirs = Team(name="义务巡逻队", description="", leader_id=other.id)
    db.add_all([mine, theirs])
    db.commit()
    assert services.may_publish(db, 10, organiser=False) and not services.may_publish(db, 12, organiser=False)
    for team_id in (None, theirs.id):
        with pytest.raises(HallError, match="team they lead"):
            services.publish(db, draft(team_id=team_id), 10, "志愿者10", organiser=False)
    activity = services.publish(db, draft(team_id=mine.id), 10, "志愿者10", organiser=False)
    assert services.may_organise(db, activity, 10, organiser=False)
    assert services.may_organise(db, activity, 99, organiser=True)
    assert not services.may_organise(db, activity, 11, organiser=False)


def test_sign_up_refusals_change_nothing(db):
    activity = publish(db, slots=1)
    first, second = make_volunteer(db, 10), make_volunteer(db, 11)
    pending = make_volunteer(db, 12, approve=False)
    before = snapshot(db)
    for who, message in ((None, "Only approved volunteers"), (pending, "Only approved volunteers")):
        with pytest.raises(HallError, match=message):
            services.sign_up(db, activity.id, who)
        assert snapshot(db) == before
    services.sign_up(db, activity.id, first)
    taken = snapshot(db)
    with pytest.raises(HallError, match="already signed up"):
        services.sign_up(db, activity.id, first)
    with pytest.raises(HallError, match="full"):
        services.sign_up(db, activity.id, second)
    with pytest.raises(HallError, match="does not exist"):
        services.sign_up(db, 999, second)
    assert snapshot(db) == taken
    later = publish(db, title="反诈宣传")
    services.cancel(db, later.id)
    with pytest.raises(HallError, match="cancelled"):
        services.sign_up(db, later.id, second)
    started = publish(db, title="读报")
    start_now(db, started)
    done = snapshot(db)
    with pytest.raises(HallError, match="already started"):
        services.sign_up(db, started.id, second)
    assert snapshot(db) == done


def test_withdraw_frees_the_place_and_signing_up_again_reuses_the_row(db):
    activity = publish(db, slots=1)
    first, second = make_volunteer(db, 10), make_volunteer(db, 11)
    row = services.sign_up(db, activity.id, first)
    services.withdraw(db, activity.id, first)
    with pytest.raises(HallError, match="not signed up"):
        services.withdraw(db, activity.id, first)
    services.sign_up(db, activity.id, second)
    services.withdraw(db, activity.id, second)
    assert services.sign_up(db, activity.id, first).id == row.id
    start_now(db, activity)
    before = snapshot(db)
    with pytest.raises(HallError, match="already started"):
        services.withdraw(db, activity.id, first)
    assert snapshot(db) == before


def test_cancelling_an_activity_cancels_its_sign_ups_only_before_the_start(db):
    activity, started = publish(db), publish(db, title="读报")
    volunteer = make_volunteer(db, 10)
    services.sign_up(db, activity.id, volunteer)
    services.sign_up(db, started.id, volunteer)
    services.cancel(db, activity.id)
    assert db.get(Activity, activity.id).status == "cancelled"
    assert services.signup_of(db, activity.id, volunteer).status == "cancelled"
    with pytest.raises(HallError, match="cancelled"):
        services.cancel(db, activity.id)
    start_now(db, started)
    before = snapshot(db)
    with pytest.raises(HallError, match="already started"):
        services.cancel(db, started.id)
    assert snapshot(db) == before
    assert [r.activity.id for r in services.upcoming(db)] == [started.id]


def test_attendance_confirmation_credits_attendees_once_and_records_no_shows(db):
    activity = publish(db, hours="2")
    came, absent, late = make_volunteer(db, 10), make_volunteer(db, 11), make_volunteer(db, 12)
    rows = {v.user_id: services.sign_up(db, activity.id, v) for v in (came, absent, late)}
    with pytest.raises(HallError, match="once the activity has started"):
        services.mark(db, activity.id, rows[10].id, True, by=HEAD.user_id)
    end_now(db, activity)
    services.mark(db, activity.id, rows[10].id, True, "1.5", by=HEAD.user_id)
    services.mark(db, activity.id, rows[11].id, False, by=HEAD.user_id)
    before = snapshot(db)
    for hours in ("0", "24.5", "abc", "-1"):
        with pytest.raises(HallError, match="hours"):
            services.mark(db, activity.id, rows[12].id, True, hours, by=HEAD.user_id)
    with pytest.raises(HallError, match="Mark every volunteer"):
        services.confirm(db, activity.id, HEAD)
    assert snapshot(db) == before
    services.mark(db, activity.id, rows[12].id, True, "", by=HEAD.user_id)        # empty: the activity's hours
    assert db.get(ActivitySignup, rows[12].id).minutes == 120
    services.confirm(db, activity.id, HEAD)
    services.confirm(db, activity.id, HEAD)                        # a double click
    assert ledger.balance(db, "person:10") == 90 and ledger.balance(db, "person:12") == 120
    assert ledger.balance(db, "person:11") == 0
    no_show = db.get(ActivitySignup, rows[11].id)
    assert no_show.status == "no_show" and no_show.movement_id is None
    assert services.no_show_counts(db, [absent.id]) == {absent.id: 1}
    credited = db.get(ActivitySignup, rows[10].id)
    movement = db.get(LedgerMovement, credited.movement_id)
    assert movement.reference == f"activity:{activity.id}"
    assert movement.idem_key == f"activity:{activity.id}:signup:{credited.id}"
    assert services.is_confirmed_credit(db, movement)
    assert ledger.check(db) == []
    with pytest.raises(HallError, match="reverses it in the ledger"):
        services.mark(db, activity.id, rows[11].id, True, "2", by=HEAD.user_id)


def test_a_retry_after_a_crash_between_credit_and_storing_it_credits_once(db):
    activity = publish(db)
    volunteer = make_volunteer(db, 10)
    row = services.sign_up(db, activity.id, volunteer)
    end_now(db, activity)
    services.mark(db, activity.id, row.id, True, by=HEAD.user_id)
    services.confirm(db, activity.id, HEAD)
    first = db.get(ActivitySignup, row.id).movement_id
    db.get(ActivitySignup, row.id).movement_id = None             # as if the process died before storing it
    db.commit()
    services.confirm(db, activity.id, HEAD)
    assert db.get(ActivitySignup, row.id).movement_id == first
    assert ledger.balance(db, "person:10") == 120
    assert db.scalar(select(LedgerMovement.id).where(LedgerMovement.id != first)) is None


def test_a_credit_and_its_link_to_the_sign_up_are_written_together(db, monkeypatch):
    activity = publish(db)
    volunteer = make_volunteer(db, 10)
    row = services.sign_up(db, activity.id, volunteer)
    end_now(db, activity)
    services.mark(db, activity.id, row.id, True, by=HEAD.user_id)

    def fail(_signup_id):
        def link(_session, _movement_id):
            raise RuntimeError("the process dies while linking the credit")
        return link

    monkeypatch.setattr(services, "_hold", fail)
    with pytest.raises(RuntimeError):
        services.confirm(db, activity.id, HEAD)
    db.rollback()
    # Nothing half-done: no credit without its sign-up, and the ledger check has nothing to say.
    assert db.scalar(select(LedgerMovement.id)) is None and ledger.balance(db, "person:10") == 0
    assert ledger.check(db) == []
    monkeypatch.undo()
    services.confirm(db, activity.id, HEAD)
    assert db.get(ActivitySignup, row.id).movement_id is not None and ledger.balance(db, "person:10") == 120


def test_is_confirmed_credit_rejects_credits_that_no_confirmed_attendance_explains(db):
    activity = publish(db)
    volunteer = make_volunteer(db, 10)
    row = services.sign_up(db, activity.id, volunteer)
    stray = ledger.credit_service(db, 10, 60, f"activity:{activity.id}", "stray", HEAD)
    assert not services.is_confirmed_credit(db, stray)
    end_now(db, activity)
    services.mark(db, activity.id, row.id, True, by=HEAD.user_id)
    services.confirm(db, activity.id, HEAD)
    assert not services.is_confirmed_credit(db, stray)
    other = ledger.credit_service(db, 10, 60, "order:1", "order", HEAD)
    assert not services.is_confirmed_credit(db, other)
    assert services.is_confirmed_credit(db, db.get(LedgerMovement, db.get(ActivitySignup, row.id).movement_id))


def test_cancelled_or_unstarted_activities_cannot_be_confirmed(db):
    activity = publish(db)
    with pytest.raises(HallError, match="once the activity has started"):
        services.confirm(db, activity.id, HEAD)
    services.cancel(db, activity.id)
    with pytest.raises(HallError, match="cancelled"):
        services.confirm(db, activity.id, HEAD)
    assert db.get(Activity, activity.id).status == "cancelled"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_places_are_never_exceeded_under_concurrent_sign_ups(app, build, backend):
    build.community("comm-a", "甲社区")
    with app.app_context():
        session = community_session("comm-a")
        activity_id = publish(session, slots=3).id
        ids = [make_volunteer(session, 100 + i).id for i in range(8)]
    refused, errors = [], []

    def go(volunteer_id):
        with app.app_context(), force_locale("en"):
            session = community_session("comm-a")
            try:
                services.sign_up(session, activity_id, session.get(Volunteer, volunteer_id))
            except HallError as err:
                refused.append(str(err.message))
            except Exception as exc:    # noqa: BLE001 - any other error is the failure being tested
                errors.append(repr(exc))
            finally:
                session.close()

    threads = [threading.Thread(target=go, args=(vid,)) for vid in ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with app.app_context():
        taken = community_session("comm-a").query(ActivitySignup).filter_by(status="signed_up").count()
    assert taken == 3 and len(refused) == 5 and all("full" in m for m in refused)


def test_refusals_speak_chinese_by_default(app, build, zh):
    build.community("comm-a", "甲社区")
    with app.app_context():
        session = community_session("comm-a")
        activity = publish(session)
        with pytest.raises(HallError) as err:
            services.sign_up(session, activity.id, None)
        assert str(err.value.message) == zh("Only approved volunteers can sign up for activities. "
                                            "Apply to volunteer first.")
        assert "志愿者" in str(err.value.message)


def test_demo_has_upcoming_activities_and_a_confirmed_past_one(app, runner):
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0
    assert runner.invoke(args=["hall", "seed-demo"]).exit_code == 0    # seeding twice adds nothing
    with app.app_context():
        for slug in ("yangliu", "qinghe", "jinxiu"):
            session = community_session(slug)
            assert len(services.upcoming(session)) == 3
            past = session.query(Activity).filter_by(status="confirmed").one()
            credits = [s.movement_id for s in session.query(ActivitySignup).filter_by(activity_id=past.id)]
            assert len(credits) == 2 and all(credits)
            assert ledger.check(session) == []
