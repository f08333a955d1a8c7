"""Hand-overs propose the routed person with the reason; other choices and hand-backs need a reason; deadlines
count working minutes; unacknowledged hand-overs escalate; leave passes work on; tickets are routed when submitted."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import event, func, select

from community_hall import create_app
from community_hall.errors import HallError
from community_hall.rosters import duty
from community_hall.rosters.models import Leave
from community_hall.rosters.services import load_roster
from community_hall.routing import services
from community_hall.routing.models import Hop, Inquiry, StaffNotification
from community_hall.tenancy import community_session
from community_hall.window.models import Ticket
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.routing.conftest import MAKE_UP_SAT, MID_AUTUMN, MON, at


def log(station, now, item_code="SB-001", by=None, **kw):
    data = services.InquiryData(resident_name="王秀兰", text="低保怎么申请？", item_code=item_code, **kw)
    return services.log_inquiry(station.session, station.community, by or station.giver, data, now=now)


@pytest.mark.parametrize("situation, when, setup, expected", [
    ("A present", at(MON, "09:00"), None, ("a", duty.A_ON_DUTY, None)),
    ("A on leave", at(MON, "11:00"), "a_leave", ("b", duty.A_ON_LEAVE, None)),
    ("A out", at(MON, "11:00"), "a_out", ("b", duty.A_OUT, None)),
    ("both away", at(MON, "11:00"), "both", ("head", duty.BOTH_AWAY, None)),
    ("outside hours", at(MON, "20:00"), None, ("a", duty.CLOSED, at(MON + timedelta(days=1), "08:30"))),
    ("a holiday", at(MID_AUTUMN, "10:00"), None, ("a", duty.CLOSED, at(date(2026, 9, 28), "08:30"))),
    ("a 调休 Saturday", at(MAKE_UP_SAT, "09:00"), None, ("a", duty.A_ON_DUTY, None)),
])
def test_handover_proposes_the_routed_person_with_the_reason(app, station, situation, when, setup, expected):
    with app.app_context():
        station.shifts()
        if setup in ("a_leave", "both"):
            station.leave(station.a, MON, MON)
        if setup == "a_out":
            station.outreach(station.a, at(MON, "10:30"), at(MON, "12:00"))
        if setup == "both":
            station.outreach(station.b, at(MON, "10:00"), at(MON, "12:00"))
        decision = duty.responsible(duty.Holders(station.a, station.b, station.head),
                                    load_roster(station.session, station.community, when.astimezone(UTC),
                                                when.astimezone(UTC) + duty.HORIZON), when)
        inquiry = log(station, when)
        proposal = services.propose(station.session, station.community, inquiry.post_id, when)
        hop = services.hand_over(station.session, station.community, inquiry, station.giver, None, now=when)
        person = {"a": station.a, "b": station.b, "head": station.head}[expected[0]]
        assert (proposal.user_id, proposal.reason) == (decision.user_id, decision.reason) == (person, expected[1])
        assert (hop.to_user_id, hop.routed_user_id, hop.routed_reason, hop.kind) == (person, person, expected[1],
                                                                                      "handover")
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == person
        if expected[2] is not None:
            assert proposal.until == expected[2], situation
        assert station.session.scalar(select(func.count()).select_from(StaffNotification).where(
            StaffNotification.user_id == person, StaffNotification.kind == "handover")) == 1


def test_someone_else_only_with_a_reason_and_only_station_people(app, station, build):
    build.user("res-x", "comm-a", "resident", "居民某")
    with app.app_context():
        station.shifts()
        now = at(MON, "09:00")
        inquiry = log(station, now)
        with pytest.raises(HallError) as err:
            services.hand_over(station.session, station.community, inquiry, station.giver, station.other, "", now=now)
        assert err.value.field == "reason"
        station.session.rollback()
        from tests.routing.conftest import uid
        for outsider in (uid("res-x"), uid("staff-b")):
            with pytest.raises(HallError) as err:
                services.hand_over(station.session, station.community, inquiry, station.giver, outsider, "他懂", now=now)
            assert err.value.field == "to_user_id"
            station.session.rollback()
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == station.giver
        assert station.session.scalar(select(func.count()).select_from(Hop)) == 0
        hop = services.hand_over(station.session, station.community, inquiry, station.giver, station.other, "她熟悉政策",
                                 now=now)
        assert (hop.to_user_id, hop.routed_user_id, hop.reason) == (station.other, station.a, "她熟悉政策")


def test_only_the_handler_acts_and_a_hand_back_needs_a_reason(app, station):
    with app.app_context():
        station.shifts()
        now = at(MON, "09:00")
        inquiry = log(station, now)
        services.hand_over(station.session, station.community, inquiry, station.giver, None, now=now)
        with pytest.raises(HallError):   # the giver no longer handles it
            services.answer_inquiry(station.session, inquiry, station.giver, "已答复")
        station.session.rollback()
        with pytest.raises(HallError) as err:   # A hands back to the giver without a reason
            services.hand_over(station.session, station.community, inquiry, station.a, station.giver, "", now=now)
        assert err.value.field == "reason"
        station.session.rollback()
        hop = services.hand_over(station.session, station.community, inquiry, station.a, station.giver,
                                 "居民问的是医保，不是低保", now=now)
        assert hop.kind == "handback"
        # the head may act on any matter
        services.answer_inquiry(station.session, inquiry, station.head, "已电话答复", acting_as_head=True)
        assert station.session.get(Inquiry, inquiry.id).status == "answered"
        assert services.numbers(station.session).handbacks_by_giver == [(station.a, 1)]


def test_acknowledgement_deadline_counts_working_minutes_across_closing_time(app, station):
    with app.app_context():
        late = at(MON, "17:15")
        assert services.ack_deadline(station.session, station.community, late) == \
            at(MON + timedelta(days=1), "08:45").astimezone(UTC)
        before_holiday = at(date(2026, 9, 30), "17:20")   # National Day: next working day 8 October
        assert services.ack_deadline(station.session, station.community, before_holiday) == \
            at(date(2026, 10, 8), "08:50").astimezone(UTC)
        inquiry = log(station, late)
        hop = services.hand_over(station.session, station.community, inquiry, station.giver, None, now=late)
        assert services.aware(hop.ack_due_at) == at(MON + timedelta(days=1), "08:45").astimezone(UTC)


def test_acknowledge_then_answer_tells_the_first_asked_owner(app, station):
    with app.app_context():
        now = at(MON, "09:00")
        inquiry = log(station, now)
        services.hand_over(station.session, station.community, inquiry, station.giver, station.a, now=now)
        with pytest.raises(HallError):
            services.acknowledge(station.session, inquiry, station.other)
        station.session.rollback()
        hop = services.acknowledge(station.session, inquiry, station.a, now=now + timedelta(minutes=12))
        assert services.aware(hop.acknowledged_at) == now + timedelta(minutes=12)
        services.answer_inquiry(station.session, inquiry, station.a, "带身份证、户口簿到2号窗口办理",
                                now=now + timedelta(hours=1))
        rows = services.my_first_inquiries(station.session, station.giver, now + timedelta(hours=2))
        assert [r.matter.id for r in rows] == [inquiry.id] and rows[0].matter.answered_at is not None
        notice = station.session.scalar(select(StaffNotification).where(StaffNotification.user_id == station.giver))
        assert notice.kind == "answered"
        figures = services.numbers(station.session)
        assert figures.ack_by_receiver == [(station.a, 1, pytest.approx(12, abs=0.1))]
        assert figures.inquiries_by_owner == [(station.giver, 1, 1, 1)]


def test_unacknowledged_handover_escalates_to_the_head_and_is_listed(app, station):
    with app.app_context():
        now = at(MON, "09:00")
        inquiry = log(station, now)
        services.hand_over(station.session, station.community, inquiry, station.giver, station.a, now=now)
        assert services.escalate_overdue(station.session, station.community, now + timedelta(minutes=20)) == []
        assert services.my_first_inquiries(station.session, station.giver, now + timedelta(minutes=20))[0].late is False
        later = now + timedelta(minutes=31)
        hops = services.escalate_overdue(station.session, station.community, later)
        assert [(h.kind, h.from_user_id, h.to_user_id) for h in hops] == [("escalation", station.a, station.head)]
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == station.head
        assert services.escalate_overdue(station.session, station.community, later) == []      # once only
        listed = services.unacknowledged(station.session, later)
        assert [r.matter.id for r in listed] == [inquiry.id]
        assert services.my_first_inquiries(station.session, station.giver, later)[0].late is True
        assert station.session.scalar(select(StaffNotification.kind).where(
            StaffNotification.user_id == station.head)) == "escalation"


def test_a_late_handover_waits_while_the_head_is_on_leave_and_escalates_on_return(app, station):
    with app.app_context():
        now = at(MON, "09:00")
        inquiry = log(station, now)
        services.hand_over(station.session, station.community, inquiry, station.giver, station.a, now=now)
        station.leave(station.head, MON, MON)
        assert services.escalate_overdue(station.session, station.community, now + timedelta(minutes=31)) == []
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == station.a
        tuesday = at(MON + timedelta(days=1), "09:00")
        hops = services.escalate_overdue(station.session, station.community, tuesday)
        assert [(h.kind, h.from_user_id, h.to_user_id) for h in hops] == [("escalation", station.a, station.head)]


def test_leave_starting_passes_open_work_to_the_covering_person_once(app, station, submit):
    with app.app_context():
        station.shifts()
        before = at(MON, "09:00")
        inquiry = log(station, before, by=station.a)          # A logged it and handles it
        ticket = submit()                                     # routed to A (A on duty now? by the real clock)
        station.session.execute(Ticket.__table__.update().values(handler_user_id=station.a))
        station.session.commit()
        station.leave(station.a, MON + timedelta(days=1), MON + timedelta(days=2))
        assert services.pass_on_leave(station.session, station.community, before) == []      # not yet started
        tuesday = at(MON + timedelta(days=1), "11:00")
        hops = services.pass_on_leave(station.session, station.community, tuesday)
        assert sorted((h.kind, h.from_user_id, h.to_user_id, h.reason, h.routed_reason) for h in hops) == \
            [("leave", station.a, station.b, "leave", duty.A_ON_LEAVE)] * 2
        assert station.session.get(Inquiry, inquiry.id).handler_user_id == station.b
        assert station.session.get(Ticket, ticket.id).handler_user_id == station.b
        assert services.pass_on_leave(station.session, station.community, tuesday) == []      # idempotent
        assert station.session.get(Inquiry, inquiry.id).owner_user_id == station.a           # still the owner


def test_outreach_starting_passes_work_on(app, station):
    with app.app_context():
        station.shifts()
        now = at(MON, "09:00")
        inquiry = log(station, now, by=station.b)
        station.outreach(station.b, at(MON, "13:00"), at(MON, "16:00"))
        assert services.sweep(station.session, station.community, at(MON, "12:00")) == (0, 0)
        passed, _ = services.sweep(station.session, station.community, at(MON, "13:30"))
        assert passed == 1 and station.session.get(Inquiry, inquiry.id).handler_user_id == station.a


def test_submitted_request_is_routed_with_a_hop_and_complaints_are_not(app, station, submit):
    with app.app_context():
        ticket = submit()
        hop = station.session.scalar(select(Hop).where(Hop.ticket_id == ticket.id))
        assert station.session.get(Ticket, ticket.id).handler_user_id == station.a      # no roster: A by default
        assert (hop.kind, hop.to_user_id, hop.routed_reason) == ("route", station.a, duty.NO_ROSTER)
        complaint = submit(kind="complaint", item_code="", item_name="投诉")
        station.session.rollback()   # the fixture submits in its own app context: read afresh
        assert station.session.get(Ticket, complaint.id).handler_user_id is None
        assert station.session.scalar(select(func.count()).select_from(Hop).where(Hop.ticket_id == complaint.id)) == 0
        assert station.session.scalar(select(func.count()).select_from(StaffNotification).where(
            StaffNotification.user_id == station.a, StaffNotification.kind == "assigned")) == 1


def test_a_request_is_routed_in_the_transaction_that_stores_it(app, station):
    commits = []
    with app.app_context():
        session = station.session
        session.commit()
        written: set[str] = set()
        event.listen(session, "after_flush", lambda s, _ctx: written.update(
            o.__tablename__ for o in (*s.new, *s.dirty)))
        event.listen(session, "after_commit", lambda s: (commits.append(set(written)), written.clear()))
        sub = Submission(item_code="SB-001", resident_name="王秀兰", resident_phone="13800138001")
        ticket = submit_ticket(session, station.community, sub, Actor(None, "王秀兰", "resident"))
        # the ticket, its timeline, the hop, the handler and the staff notice: all in one commit
        assert {"tickets", "ticket_events", Hop.__tablename__, StaffNotification.__tablename__} <= commits[1]
        assert [c for c in commits if c] == [commits[1]]
        assert session.scalar(select(Hop.kind).where(Hop.ticket_id == ticket.id)) == "route"


def test_a_routing_failure_keeps_the_ticket_and_routes_it_after_the_commit(app, station, submit, monkeypatch):
    real, calls = services.propose, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("roster unreadable")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "propose", fails_once)
    with app.app_context():
        ticket = submit()
        station.session.rollback()
        stored = station.session.get(Ticket, ticket.id)
        assert stored is not None and stored.handler_user_id == station.a and len(calls) == 2
        hops = station.session.scalars(select(Hop.kind).where(Hop.ticket_id == ticket.id)).all()
        assert hops == ["route"]    # the savepoint left nothing of the failed attempt


def test_inquiry_becomes_a_routed_ticket_and_its_owner_is_told_when_it_ends(app, station):
    from tests.window.conftest import apply_action

    with app.app_context():
        now = at(MON, "09:00")
        bare = log(station, now, item_code="", topic="停车问题")
        with pytest.raises(HallError):
            services.inquiry_to_ticket(station.session, station.community, bare, station.giver, "员工庚")
        station.session.rollback()
        inquiry = log(station, now, contact_phone="13800138001")
        ticket = services.inquiry_to_ticket(station.session, station.community, inquiry, station.giver, "员工庚")
        inquiry = station.session.get(Inquiry, inquiry.id)
        assert (inquiry.status, inquiry.ticket_id, ticket.channel) == ("ticket", ticket.id, "window")
        assert station.session.get(Ticket, ticket.id).handler_user_id == station.a
        assert services.my_first_inquiries(station.session, station.giver)[0].matter.answered_at is None
        for action in ("accept", "complete"):
            ticket = apply_action(station.session, station.community, ticket, action)
        inquiry = station.session.get(Inquiry, inquiry.id)
        assert inquiry.answered_at is not None and inquiry.answer == "已办结"
        assert station.session.scalar(select(StaffNotification.kind).where(
            StaffNotification.user_id == station.giver)) == "answered"


def test_bad_inquiry_is_refused_with_a_message_and_nothing_stored(app, station):
    with app.app_context():
        for kw, field in (({"resident_name": ""}, "resident_name"), ({"contact_phone": "12345"}, "contact_phone"),
                          ({"text": " "}, "text"), ({"item_code": "NOPE"}, "item_code")):
            data = services.InquiryData(**{"resident_name": "王", "text": "问", "item_code": "SB-001", **kw})
            with pytest.raises(HallError) as err:
                services.log_inquiry(station.session, station.community, station.giver, data)
            assert err.value.field == field
            station.session.rollback()
        assert station.session.scalar(select(func.count()).select_from(Inquiry)) == 0


def test_the_kept_roster_follows_changes_from_this_session_and_from_other_workers(app, app_config, station):
    tuesday = at(MON + timedelta(days=1), "11:00")
    with app.app_context():
        station.shifts()
        post_id = station.post().id
        assert services.propose(station.session, station.community, post_id, tuesday).user_id == station.a
        kept = app.extensions["rosters"]
        assert kept    # the roster is kept for the next ticket
        # A leave written but not committed in this transaction is seen (its stamp is bumped only at commit).
        station.session.add(Leave(user_id=station.a, first_day=MON + timedelta(days=1), last_day=MON + timedelta(days=1),
                                  kind="annual", status="approved"))
        station.session.flush()
        assert services.propose(station.session, station.community, post_id, tuesday).user_id == station.b
        station.session.rollback()
        assert services.propose(station.session, station.community, post_id, tuesday).user_id == station.a
    other = create_app(app_config)    # another worker of the same site approves A's leave
    with other.app_context():
        station_there = community_session("comm-a")
        station_there.add(Leave(user_id=station.a, first_day=MON + timedelta(days=1), last_day=MON + timedelta(days=2),
                                kind="annual", status="approved"))
        station_there.commit()
    other.extensions["tenancy"].dispose()
    with app.app_context():
        assert services.propose(station.session, station.community, post_id, tuesday).user_id == station.b
