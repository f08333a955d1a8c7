"""Home visit services: which tickets need a visit, the list by day and place, planning, and outcomes (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community_hall.accounts.services import set_housebound
from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community
from community_hall.visits import services
from community_hall.visits.models import HomeVisit
from community_hall.window.models import Ticket, TicketEvent
from tests.visits.conftest import actor, plan, synced_visit, uid
from tests.window.conftest import drive


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """The services run on SQLite files and on PostgreSQL schemas (the insert that ignores duplicates differs)."""
    return request.param


def _visits(app):
    with app.app_context():
        return community_session("comm-a").query(HomeVisit).order_by(HomeVisit.id).all()


def _events(app, ticket_id):
    with app.app_context():
        return [e.action for e in community_session("comm-a").query(TicketEvent).filter_by(ticket_id=ticket_id)
                .order_by(TicketEvent.id)]


def _ticket(app, ticket_id):
    with app.app_context():
        return community_session("comm-a").get(Ticket, ticket_id)


def _record(app, visit_id, outcome, text="", username="staff-a", may_record_any=False):
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        return services.record_outcome(session, community, session.get(HomeVisit, visit_id), actor(app, username),
                                       outcome, text, may_record_any)


def test_home_visit_and_housebound_tickets_get_one_visit_each_however_often_synced(app, submit, home_ticket):
    home = home_ticket()
    submit(item_code="ZJ-001", channel="online")  # an ordinary online ticket needs no visit
    resident = uid(app, "res-a")
    of_resident = submit(item_code="ZJ-001", channel="online", resident_user_id=resident)
    with app.app_context():
        assert services.sync_visits(community_session("comm-a")) == 1
        set_housebound(get_community("comm-a"), resident, True, None)
        assert services.sync_visits(community_session("comm-a")) == 1
        assert services.sync_visits(community_session("comm-a")) == 0
    visits = _visits(app)
    assert [(v.ticket_id, v.reason) for v in visits] == [(home.id, "home_visit"), (of_resident.id, "housebound")]


def test_a_housebound_residents_complaint_is_never_a_visit(app, submit):
    """Every member of staff sees the visits list; a complaint's author must stay hidden from the one complained of."""
    from community_hall.complaints.services import ComplaintData, submit_complaint
    from community_hall.window.services import Actor as WindowActor

    resident = uid(app, "res-a")
    with app.app_context():
        community = get_community("comm-a")
        set_housebound(community, resident, True, None)
        data = ComplaintData(kind="complaint", resident_name="居民a", resident_phone="13800000007", details="态度差",
                             resident_user_id=resident, about="staff", staff_user_id=uid(app, "staff-a"))
        submit_complaint(community_session("comm-a"), community, data, WindowActor(resident, "居民a", "resident"))
        assert services.sync_visits(community_session("comm-a")) == 0
    assert _visits(app) == []


def test_a_visit_added_meanwhile_by_another_request_is_not_added_twice(app, home_ticket):
    t = home_ticket()
    synced_visit(app, t.id)
    with app.app_context():
        session = community_session("comm-a")
        services._insert_ignoring_duplicates(session, [{
            "ticket_id": t.id, "reason": "home_visit", "building": "", "grid": "", "assignee_name": "",
            "outcome": "", "outcome_note": "", "attempts": 0, "created_at": services.utcnow()}])
        session.commit()
    assert [v.ticket_id for v in _visits(app)] == [t.id]


def test_closed_tickets_need_no_visit(app, home_ticket):
    t = home_ticket()
    drive(app, t.id, "decline")
    with app.app_context():
        assert services.sync_visits(community_session("comm-a")) == 0
        assert services.pending_visits(community_session("comm-a"), services.VisitFilter()) == []


def test_the_list_puts_unplanned_first_then_days_then_buildings_and_filters(app, home_ticket):
    tickets = [home_ticket() for _ in range(4)]
    visits = [synced_visit(app, t.id) for t in tickets]
    with app.app_context():
        today = services.today(get_community("comm-a"))
    tomorrow = (today + timedelta(days=1)).isoformat()
    plan(app, visits[0].id, day=tomorrow, building="5号楼")
    plan(app, visits[1].id, building="5号楼", visitor="head-a")
    plan(app, visits[2].id, building="1号楼")
    with app.app_context():
        session = community_session("comm-a")
        groups = services.group_visits(services.pending_visits(session, services.VisitFilter()))
        assert [day for day, _p in groups] == [None, today, today + timedelta(days=1)]
        assert [(b, [v.ticket_id for v in vs]) for b, _g, vs in groups[1][1]] == \
            [("1号楼", [tickets[2].id]), ("5号楼", [tickets[1].id])]
        by_day = services.pending_visits(session, services.VisitFilter(day=today.isoformat()))
        assert {v.ticket_id for v in by_day} == {tickets[1].id, tickets[2].id}
        unplanned = services.pending_visits(session, services.VisitFilter(day="unplanned"))
        assert [v.ticket_id for v in unplanned] == [tickets[3].id]
        assert services.planned_days(session) == [today, today + timedelta(days=1)]
        mine = services.pending_visits(session, services.VisitFilter(assignee_id=uid(app, "head-a")))
        assert [v.ticket_id for v in mine] == [tickets[1].id]


def test_planning_sets_day_place_visitor_and_leaves_a_trace(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    assert visit.assignee_user_id == uid(app, "staff-a") and visit.assignee_name == "员工a"
    assert (visit.building, visit.grid) == ("3号楼", "第二网格") and visit.assigned_at is not None
    assert _events(app, t.id) == ["submit", "visit_planned"]
    assert _ticket(app, t.id).status == "submitted"  # planning does not move the ticket


@pytest.mark.parametrize("visitor", ["res-a", "staff-b"])
def test_only_the_stations_staff_can_be_sent(app, home_ticket, visitor):
    t = home_ticket()
    visit = synced_visit(app, t.id)
    with pytest.raises(HallError, match="staff"):
        plan(app, visit.id, visitor=visitor)
    after = synced_visit(app, t.id)
    assert after.assignee_user_id is None and after.planned_day is None and after.building == ""
    assert _events(app, t.id) == ["submit"]


def test_a_visit_cannot_be_planned_in_the_past_or_with_a_bad_date(app, home_ticket):
    t = home_ticket()
    visit = synced_visit(app, t.id)
    with app.app_context():
        yesterday = (services.today(get_community("comm-a")) - timedelta(days=1)).isoformat()
    for day in (yesterday, "2026-13-40"):
        with pytest.raises(HallError):
            plan(app, visit.id, day=day)
    assert synced_visit(app, t.id).planned_day is None


def test_done_accepts_and_completes_the_ticket_with_the_reply(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    done = _record(app, visit.id, "done", "已上门办结，材料已收")
    assert done.outcome == "done" and done.attempts == 1 and done.visited_at is not None
    ticket = _ticket(app, t.id)
    assert ticket.status == "done" and ticket.reply == "已上门办结，材料已收"
    assert _events(app, t.id) == ["submit", "visit_planned", "accept", "complete"]
    with app.app_context():
        assert services.pending_visits(community_session("comm-a"), services.VisitFilter()) == []


def test_done_on_an_accepted_ticket_only_completes_it(app, home_ticket):
    t = home_ticket()
    drive(app, t.id, "accept")
    visit = plan(app, synced_visit(app, t.id).id)
    _record(app, visit.id, "done", "已办结")
    assert _events(app, t.id)[-2:] == ["visit_planned", "complete"]


def test_need_materials_returns_the_ticket_listing_what_is_missing(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    _record(app, visit.id, "need_materials", "户口簿、收入证明")
    ticket = _ticket(app, t.id)
    assert ticket.status == "returned" and ticket.missing_materials == "户口簿\n收入证明"
    assert _events(app, t.id)[-1] == "return"
    # Once the resident supplies them the ticket is back with the station, and the visit is to be made again.
    drive(app, t.id, "resubmit")
    again = synced_visit(app, t.id)
    assert again.outcome == "" and again.planned_day is None and again.attempts == 1


def test_done_on_a_returned_ticket_takes_in_the_materials_first(app, home_ticket):
    t = home_ticket()
    drive(app, t.id, "accept", "return")
    visit = plan(app, synced_visit(app, t.id).id)
    _record(app, visit.id, "done", "材料已收齐，已办结")
    assert _ticket(app, t.id).status == "done"
    assert _events(app, t.id)[-2:] == ["resubmit_accepted", "complete"]


def test_nobody_at_home_counts_an_attempt_and_sends_the_visit_back_to_planning(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    after = _record(app, visit.id, "not_home", "电话未接")
    assert after.outcome == "not_home" and after.attempts == 1 and after.planned_day is None
    assert _ticket(app, t.id).status == "submitted"
    assert _events(app, t.id)[-1] == "visit_not_home"
    with app.app_context():
        unplanned = services.pending_visits(community_session("comm-a"), services.VisitFilter(day="unplanned"))
    assert [v.id for v in unplanned] == [visit.id]
    replanned = plan(app, visit.id)
    assert replanned.outcome == "" and replanned.attempts == 1 and replanned.planned_day is not None


def test_cannot_do_declines_with_the_reason(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    _record(app, visit.id, "cannot_do", "不符合低保条件")
    ticket = _ticket(app, t.id)
    assert ticket.status == "declined" and ticket.decline_reason == "不符合低保条件"
    assert _events(app, t.id)[-1] == "decline"


@pytest.mark.parametrize(("outcome", "text", "username", "message"), [
    ("done", "  ", "staff-a", "reply"),
    ("need_materials", "、 ", "staff-a", "missing materials"),
    ("cannot_do", "", "staff-a", "reason"),
    ("maybe", "x", "staff-a", "came of the visit"),
    ("done", "已办结", "head-a", "Only the member of staff"),  # head-a without the record_any permission
])
def test_bad_outcomes_are_refused_and_change_nothing(app, home_ticket, outcome, text, username, message):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    with pytest.raises(HallError, match=message):
        _record(app, visit.id, outcome, text, username=username)
    after = synced_visit(app, t.id)
    assert after.outcome == "" and after.attempts == 0
    assert _ticket(app, t.id).status == "submitted" and _events(app, t.id) == ["submit", "visit_planned"]


def test_a_finished_visit_cannot_be_recorded_or_planned_again(app, home_ticket):
    t = home_ticket()
    visit = plan(app, synced_visit(app, t.id).id)
    _record(app, visit.id, "cannot_do", "不符合条件")
    with pytest.raises(HallError, match="already finished"):
        _record(app, visit.id, "done", "已办结", may_record_any=True)
    with pytest.raises(HallError, match="already finished"):
        plan(app, visit.id)
    assert _events(app, t.id)[-1] == "decline" and _ticket(app, t.id).status == "declined"


def test_visitors_are_the_staff_and_head_of_this_community_only(app, menu):
    with app.app_context():
        names = [v.name for v in services.visitors(community_session("comm-a"), get_community("comm-a"))]
    assert sorted(names) == ["员工a", "站长a"]
