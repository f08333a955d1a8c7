"""Property: through any sequence of hand-overs, hand-backs, acknowledgements, leave and outreach starting and
sweeps, every open inquiry and ticket keeps a first-asked owner (inquiries) and a handler who works at the station;
after a sweep nobody away on leave or outreach still holds work someone else covers."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community_hall.errors import HallError
from community_hall.rosters.services import load_roster
from community_hall.routing import services
from community_hall.routing.models import Inquiry
from community_hall.window.models import OPEN_STATES, Ticket
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.routing.conftest import MON, at

PEOPLE = ("a", "b", "giver", "other", "head")
step = st.one_of(
    st.tuples(st.just("log"), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("ticket"), st.just(""), st.booleans()),
    st.tuples(st.just("handover"), st.integers(0, 5), st.sampled_from((*PEOPLE, None)), st.booleans()),
    st.tuples(st.just("ack"), st.integers(0, 5), st.sampled_from(PEOPLE)),
    st.tuples(st.just("answer"), st.integers(0, 5), st.sampled_from(PEOPLE)),
    st.tuples(st.just("leave"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("outreach"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("sweep"), st.integers(0, 240)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_no_inquiry_or_ticket_is_ever_left_without_an_owner(app, station, steps):
    with app.app_context():
        session, community = station.session, station.community
        if not getattr(station, "has_shifts", False):   # one station serves every example of this test
            station.shifts()
            station.has_shifts = True
        who = {"a": station.a, "b": station.b, "giver": station.giver, "other": station.other, "head": station.head}
        staff = set(services.station_people(community))
        now = at(MON, "09:00")
        matters: list = []
        for op, *args in steps:
            try:
                if op == "log":
                    data = services.InquiryData(resident_name="王", text="问", item_code="SB-001" if args[1] else "",
                                                topic="" if args[1] else "其他")
                    matters.append(services.log_inquiry(session, community, who[args[0]], data, now=now))
                elif op == "ticket":
                    sub = Submission(item_code="SB-001", resident_name="王", resident_phone="13800138001")
                    matters.append(submit_ticket(session, community, sub, Actor(None, "王", "resident")))
                elif op in ("handover", "ack", "answer") and matters:
                    matter = matters[args[0] % len(matters)]
                    if op == "handover":
                        to = who[args[1]] if args[1] else None
                        services.hand_over(session, community, matter, matter.handler_user_id, to,
                                           "理由" if args[2] else "", now=now)
                    elif op == "ack":
                        services.acknowledge(session, matter, who[args[1]], now=now)
                    elif isinstance(matter, Inquiry):
                        services.answer_inquiry(session, matter, who[args[1]], "答复", now=now)
                elif op == "leave":
                    station.leave(who[args[0]], now.date(), now.date() + timedelta(days=1))
                elif op == "outreach":
                    station.outreach(who[args[0]], now, now + timedelta(hours=2))
                elif op == "sweep":
                    now += timedelta(minutes=args[0])
                    services.sweep(session, community, now)
                    roster = load_roster(session, community, now.astimezone(services.UTC),
                                         now.astimezone(services.UTC) + timedelta(days=14))
                    for m in services.open_matters(session):
                        if roster.away_reason(m.handler_user_id, now) in ("leave", "out"):
                            # still with an away person only when the rule names nobody else now
                            assert services.propose(session, community, m.post_id, now, roster).user_id in (
                                m.handler_user_id, None)
            except HallError:
                session.rollback()
            session.expire_all()
            for i in session.scalars(select(Inquiry).where(Inquiry.status == "open")):
                assert i.owner_user_id in staff and i.handler_user_id in staff
            for t in session.scalars(select(Ticket).where(Ticket.kind == "request", Ticket.status.in_(OPEN_STATES))):
                assert t.handler_user_id in staff
