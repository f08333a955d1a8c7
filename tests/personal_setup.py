"""A resident of comm-a with a bit of everything the site keeps about people, for the personal-data tests."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.appointments.models import Appointment
from community_hall.floor.models import QueueNumber, ServiceWindow
from community_hall.tenancy import community_session, get_community, registry_session, utcnow
from community_hall.timebank import activities, volunteers
from community_hall.timebank.activity_models import Activity
from community_hall.window import ratings
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import Notification
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.window.conftest import apply_action

PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
HEAD = SimpleNamespace(user_id=1, name="站长a")


def user_id(username: str) -> int:
    """The registry id of a user (inside an app context)."""
    return registry_session().scalar(select(User.id).where(User.username == username))


def populate(app, username: str = "res-a") -> SimpleNamespace:
    """Give the resident of comm-a (menu fixture) a finished, rated ticket, an old appointment with a queue number,
    a message, and a volunteer record credited 2 hours by a confirmed activity; another person gets a ticket too."""
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        uid = user_id(username)
        sub = Submission(item_code="SB-001", resident_name="居民甲", resident_phone=PHONE, resident_user_id=uid,
                         id_number=ID_NUMBER, channel="window", home_address="3-2-501", details="家住3号楼")
        ticket = submit_ticket(session, community, sub, Actor(uid, "居民甲", "resident"))
        for action in ("accept", "start", "complete"):
            ticket = apply_action(session, community, ticket, action)
        ratings.rate_ticket(session, ticket, 5, [5, 5, 5], "很好", "offline", "resident")
        other = submit_ticket(session, community, Submission(item_code="ZJ-001", resident_name="李四",
                                                             resident_phone="13900000002"),
                              Actor(None, "李四", "resident"))
        window = ServiceWindow(prefix="A", name="1号窗口")
        session.add(window)
        session.flush()
        old_day = date.today() - timedelta(days=400)
        appointment = Appointment(code="K7M2Q9", item_code="ZJ-001", item_name="开具居住证明", window_id=window.id,
                                  day=old_day, start="09:00", end="09:30", resident_user_id=uid, name="居民甲",
                                  phone=PHONE, status="checked_in")
        session.add(appointment)
        session.flush()
        session.add(QueueNumber(token="tok-1", day=old_day.strftime("%Y%m%d"), issued_window_id=window.id,
                                window_id=window.id, seq=1, code="A001", status="done", ticket_id=ticket.id,
                                appointment_id=appointment.id, issued_at=utcnow() - timedelta(days=400)))
        session.add(Notification(user_id=uid, ticket_id=ticket.id, kind="done", message="您的办件已办结"))
        session.commit()
        volunteer = volunteers.apply(session, uid, volunteers.Application(
            real_name="居民甲", phone=PHONE, id_number=ID_NUMBER, emergency_name="家人", emergency_phone="13800000000",
            consent=True))
        volunteer = volunteers.approve(session, community, volunteer.id, HEAD.user_id)
        starts = utcnow() + timedelta(days=1)
        activity = activities.publish(session, activities.Draft(
            title="楼道清洁日", description="清理楼道", starts_at=starts, ends_at=starts + timedelta(hours=2),
            place="服务站门口", slots=3, hours="2"), HEAD.user_id, HEAD.name, True)
        signup = activities.sign_up(session, activity.id, volunteer)
        row = session.get(Activity, activity.id)
        row.starts_at, row.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
        session.commit()
        activities.mark(session, activity.id, signup.id, True, by=HEAD.user_id)
        activities.confirm(session, activity.id, HEAD)
        return SimpleNamespace(user_id=uid, ticket=ticket.number, other=other.number, ticket_id=ticket.id,
                               appointment_id=appointment.id, volunteer_id=volunteer.id)


def ticket_figures(app, slug: str = "comm-a") -> list:
    """What statistics read from tickets: number, kind, item, status and times, for every ticket."""
    with app.app_context():
        session = community_session(slug)
        session.expire_all()
        return [(t.number, t.kind, t.item_code, t.status, t.submitted_at, t.finished_at, t.priority, t.channel)
                for t in session.scalars(select(Ticket).order_by(Ticket.id))]
