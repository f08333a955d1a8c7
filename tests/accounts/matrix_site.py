"""The access matrix's data: the demo site (community A = yangliu, B = qinghe) and one real row of every kind in A."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.accounts.services import add_new_member
from community_hall.api.services import create_api_key
from community_hall.demo import seed_demo
from community_hall.tenancy import community_session, get_community, registry_session, utcnow

A, B = "yangliu", "qinghe"
# yangliu-res3, who owns the ticket, the order, the appointment … the matrix targets
OWNER_NAME, OWNER_PHONE = "吴桂英", "13700137003"
# the actors' usernames (password of the demo site); the volunteer is an approved volunteer and a team leader
USERS = {"resident": "yangliu-res4", "volunteer": "yangliu-res2", "staff": "yangliu-staff1", "head": "yangliu-head",
         "staff_b": "qinghe-staff1", "district": "jiedao"}


def uid(username: str) -> int:
    """A user's id by username (inside an app context)."""
    return registry_session().scalar(select(User.id).where(User.username == username))


def who(username: str, kind: str = "staff"):
    """A user as the actor the services take (.user_id, .name, .kind)."""
    from community_hall.window.services import Actor

    user = registry_session().get(User, uid(username))
    return Actor(user.id, user.display_name, kind)


def build_site(app) -> dict[str, str | int]:
    """Seed the demo site and add one row of each kind to A; returns the values route arguments are filled from."""
    with app.app_context():
        for _line in seed_demo():
            pass
        community = get_community(A)
        session = community_session(A)
        add_new_member(community, "resident", "matrix-kin", "password123", "亲属", "13700001111")
        values = _window(session, community) | _floor(session, community) | _rosters(session, community)
        values |= _timebank(session, community) | _misc(session, community, values)
        values["api_key_a"] = create_api_key(community, "矩阵测试")[1]
        values["api_key_b"] = create_api_key(get_community(B), "矩阵测试")[1]
        session.commit()
    return values


def _window(session, community) -> dict:
    """A ticket (an elderly resident's, from another resident than the actor), a home-visit ticket, a complaint,
    an inquiry, a rated ticket with a follow-up, a day off in the calendar."""
    from community_hall.complaints.services import ComplaintData, submit_complaint
    from community_hall.menu.models import ServiceItem
    from community_hall.routing.services import InquiryData, log_inquiry
    from community_hall.visits.models import HomeVisit
    from community_hall.visits.services import sync_visits
    from community_hall.window import ratings
    from community_hall.window import services as window
    from community_hall.window.calendar import set_override
    from community_hall.window.ratings_models import FollowUp

    items = session.scalars(select(ServiceItem).where(ServiceItem.published.is_(True)).order_by(ServiceItem.id)).all()
    home_item = next(i for i in items if "home_visit" in i.channel_list)
    owner = who("yangliu-res3", "resident")
    ticket = window.submit_ticket(session, community, window.Submission(
        item_code=items[0].code, resident_name=OWNER_NAME, resident_phone=OWNER_PHONE, resident_user_id=owner.user_id),
        owner)
    home = window.submit_ticket(session, community, window.Submission(
        item_code=home_item.code, resident_name=OWNER_NAME, resident_phone=OWNER_PHONE, channel="home_visit",
        home_address="12-3-101", resident_user_id=owner.user_id), owner)
    sync_visits(session)
    visit = session.scalar(select(HomeVisit).where(HomeVisit.ticket_id == home.id))
    rated = window.submit_ticket(session, community, window.Submission(
        item_code=items[0].code, resident_name=OWNER_NAME, resident_phone=OWNER_PHONE), owner)
    staff = who("yangliu-staff1")
    rated = window.accept(session, community, rated, staff, [])
    rated = window.start(session, rated, staff)
    rated = window.complete(session, rated, staff, "已办结")
    ratings.rate_ticket(session, rated, 1, (1, 1, 1), "太慢", "offline", "resident")
    followup = session.scalar(select(FollowUp).where(FollowUp.ticket_id == rated.id))
    complaint = submit_complaint(session, community, ComplaintData(
        kind="complaint", resident_name=OWNER_NAME, resident_phone=OWNER_PHONE, details="窗口人员态度差。",
        item_code=items[0].code), owner)
    inquiry = log_inquiry(session, community, staff.user_id, InquiryData(resident_name=OWNER_NAME, text="低保怎么申请？",
                                                                           item_code=items[0].code))
    day = (utcnow() + timedelta(days=40)).date()
    set_override(session, day, False, "矩阵测试", None)
    session.commit()
    return {"ticket": ticket.number, "ticket_id": ticket.id, "item": items[0].code, "category_id": items[0].category_id,
            "other_item": items[1].code, "complaint": complaint.number,
            "inquiry_id": inquiry.id, "followup_id": followup.id, "visit_id": visit.id, "day": day.isoformat()}


def _floor(session, community) -> dict:
    """A queue number of window A, and an appointment of the first bookable item."""
    from community_hall.appointments import services as appointments
    from community_hall.floor import services as floor

    window = floor.windows(session)[0]
    number = floor.take_number(session, community, window.id)
    item = appointments.bookable_items(session)[0]
    booked = None
    for day in appointments.open_days(session, community):
        free = [s for s in appointments.day_slots(session, community, appointments.window_for(session, item), day)
                if s.bookable]
        if free:
            start = free[0].slot.start.strftime("%H:%M")
            booked = appointments.book(session, community, item.code, day, start, OWNER_NAME, OWNER_PHONE,
                                       user_id=uid("yangliu-res3"))
            break
    assert booked is not None, "no free appointment slot in the next two weeks"
    session.commit()
    return {"window_id": window.id, "number_id": number.id, "slip": number.token, "appointment": booked.code}


def _rosters(session, community) -> dict:
    """A post, a shift of the staff actor (and a spare one for the deleting routes), leave, an outreach trip, a swap
    request, and another staff member's calendar feed (the staff actor renews their own)."""
    from community_hall.rosters import ical
    from community_hall.rosters.models import Leave, Outreach, Post, Shift, ShiftSwap

    staff, other = uid("yangliu-staff1"), uid("yangliu-staff2")
    post = session.scalar(select(Post).order_by(Post.id))
    shift, spare = session.scalars(select(Shift).where(Shift.user_id == staff).order_by(Shift.day.desc()).limit(2))
    leave = Leave(user_id=staff, first_day=shift.day, last_day=shift.day, kind="annual", reason="探亲")
    now = datetime.now(UTC)
    trip = Outreach(user_id=staff, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1), note="入户走访")
    session.add_all([leave, trip])
    session.flush()
    swap = ShiftSwap(shift_id=shift.id, from_user_id=staff, to_user_id=other, reason="家里有事")
    session.add(swap)
    session.commit()
    return {"post_id": post.id, "post": post.code, "shift_id": shift.id, "spare_shift_id": spare.id,
            "leave_id": leave.id, "trip_id": trip.id, "swap_id": swap.id, "ical": ical.token_for(session, other)}


def _timebank(session, community) -> dict:
    """A pending volunteer application, a team, an activity with a signup, an order, a family grant, a certificate
    and a ledger movement."""
    from community_hall.timebank import certificates, family
    from community_hall.timebank import volunteers as vol_services
    from community_hall.timebank.activity_models import Activity, ActivitySignup
    from community_hall.timebank.ledger_models import LedgerMovement
    from community_hall.timebank.order_models import Order
    from community_hall.timebank.volunteer_models import Team, Volunteer

    pending = vol_services.apply(session, uid("yangliu-res3"), vol_services.Application(
        real_name=OWNER_NAME, phone=OWNER_PHONE, emergency_name="家属", emergency_phone="13000000000", consent=True,
        skills=["care"], availability=["sat-am"]))
    first = session.scalar(select(Volunteer).where(Volunteer.user_id == uid("yangliu-res1")))
    team = session.scalar(select(Team).order_by(Team.id))
    signup = session.scalar(select(ActivitySignup).order_by(ActivitySignup.id))
    upcoming = session.scalar(select(Activity).where(Activity.starts_at > utcnow()).order_by(Activity.id))
    order = session.scalar(select(Order).where(Order.resident_user_id == uid("yangliu-res3")))
    grant = family.grant(session, uid("yangliu-res3"), "matrix-kin", "child", None)
    head = SimpleNamespace(user_id=uid("yangliu-head"), name="刘淑芬")
    certificate = certificates.issue(session, community, first.id, head)
    movement = session.scalar(select(LedgerMovement).order_by(LedgerMovement.id))
    session.commit()
    return {"pending_volunteer_id": pending.id, "volunteer_id": first.id, "volunteer": first.number,
            "team_id": team.id, "activity_id": upcoming.id, "past_activity_id": signup.activity_id,
            "signup_id": signup.id, "order_id": order.id, "grant_id": grant.id, "certificate": certificate.number,
            "movement_id": movement.id, "pool_user_id": uid("yangliu-res1")}


def _misc(session, community, values) -> dict:
    """A resident's user id (for the housebound flag)."""
    return {"user_id": uid("yangliu-res3")}


def snapshot(app, values: dict) -> dict:
    """The state of A's rows the matrix targets: an actor who may not change them must leave this as it was (a
    refusal by the services shows as a redirect with a message, which the status alone does not tell from success)."""
    from community_hall.appointments.models import Appointment
    from community_hall.rosters.models import Leave, Outreach, Shift, ShiftSwap
    from community_hall.timebank.activity_models import Activity
    from community_hall.timebank.certificate_models import Certificate
    from community_hall.timebank.order_models import FamilyGrant, Order
    from community_hall.timebank.volunteer_models import Volunteer
    from community_hall.window.models import Ticket

    with app.app_context():
        session = community_session(A)
        rows = [(Ticket, values["ticket_id"], "status"), (Order, values["order_id"], "status"),
                (FamilyGrant, values["grant_id"], "active"), (Activity, values["activity_id"], "status"),
                (Volunteer, values["pending_volunteer_id"], "status"), (Leave, values["leave_id"], "status"),
                (ShiftSwap, values["swap_id"], "status"), (Outreach, values["trip_id"], "ends_at"),
                (Shift, values["spare_shift_id"], "day")]
        state = {f"{model.__name__} {key}": getattr(session.get(model, key), column, None) for model, key, column in rows}
        state["certificate"] = session.scalar(select(Certificate.status).where(
            Certificate.number == values["certificate"]))
        state["appointment"] = session.scalar(select(Appointment.status).where(
            Appointment.code == values["appointment"]))
        session.rollback()
        return state
