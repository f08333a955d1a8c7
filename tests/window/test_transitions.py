"""Every allowed and every forbidden transition, the timeline, and concurrent changes."""

from __future__ import annotations

import itertools
import threading

import pytest

from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community
from community_hall.window import rules, services
from community_hall.window.models import Ticket, TicketEvent
from tests.window.conftest import RESIDENT, STAFF, apply_action

# How to bring a fresh ticket into each state (a path of actions from "submitted").
PATHS = {
    "submitted": [],
    "accepted": ["accept"],
    "in_progress": ["accept", "start"],
    "returned": ["return"],
    "done": ["accept", "complete"],
    "declined": ["decline"],
    "withdrawn": ["withdraw"],
}


def _in_state(app, submit, state):
    ticket = submit()
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        ticket = session.get(Ticket, ticket.id)
        for action in PATHS[state]:
            ticket = apply_action(session, community, ticket, action)
        assert ticket.status == state
        return ticket.id


CASES = list(itertools.product(rules.STATES, ["accept", "start", "return", "complete", "decline", "withdraw",
                                               "resubmit"]))


@pytest.mark.parametrize("state, action", CASES)
def test_every_transition_is_allowed_or_refused_by_the_table(app, submit, state, action):
    ticket_id = _in_state(app, submit, state)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        ticket = session.get(Ticket, ticket_id)
        events_before = session.query(TicketEvent).filter_by(ticket_id=ticket_id).count()
        expected = rules.next_state(state, action)
        if action == "resubmit" and state == "returned":
            expected = "submitted"  # this path returned it before acceptance
        if expected is None:
            with pytest.raises(HallError):
                apply_action(session, community, ticket, action)
            session.rollback()
            again = session.get(Ticket, ticket_id)
            assert again.status == state
            assert session.query(TicketEvent).filter_by(ticket_id=ticket_id).count() == events_before
        else:
            after = apply_action(session, community, ticket, action)
            assert after.status == expected
            last = session.query(TicketEvent).filter_by(ticket_id=ticket_id).order_by(TicketEvent.id.desc()).first()
            assert (last.from_status, last.to_status) == (state, expected)


def test_residents_cannot_take_staff_actions_and_staff_cannot_withdraw(app, submit):
    ticket = submit()
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        ticket = session.get(Ticket, ticket.id)
        with pytest.raises(HallError):
            services.accept(session, community, ticket, RESIDENT)
        session.rollback()
        with pytest.raises(HallError):
            services.withdraw(session, session.get(Ticket, ticket.id), STAFF)


def test_the_timeline_records_who_when_what(app, submit):
    ticket = submit()
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = session.get(Ticket, ticket.id)
        t = services.return_for_materials(session, t, STAFF, ["户口簿", "收入证明"])
        assert t.missing_materials == "户口簿\n收入证明"
        t = services.resubmit(session, community, t, RESIDENT)
        t = services.accept(session, community, t, STAFF, ["身份证", "户口簿"])
        t = services.start(session, t, STAFF)
        t = services.complete(session, t, STAFF, "已为您办结，请到窗口领取。")
        events = [(e.action, e.from_status, e.to_status, e.actor_name) for e in t.events]
        assert events == [("submit", "", "submitted", "王秀兰"), ("return", "submitted", "returned", "张敏"),
                          ("resubmit", "returned", "submitted", "王秀兰"), ("accept", "submitted", "accepted", "张敏"),
                          ("start", "accepted", "in_progress", "张敏"), ("complete", "in_progress", "done", "张敏")]
        assert t.reply == "已为您办结，请到窗口领取。" and t.finished_at is not None
        assert t.materials_checked == "身份证\n户口簿"


@pytest.mark.parametrize("call", [
    lambda s, c, t: services.complete(s, t, STAFF, "  "),
    lambda s, c, t: services.decline(s, t, STAFF, ""),
    lambda s, c, t: services.return_for_materials(s, t, STAFF, [" "]),
])
def test_reasons_are_required(app, submit, call):
    ticket = submit()
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = services.accept(session, community, session.get(Ticket, ticket.id), STAFF)
        with pytest.raises(HallError):
            call(session, community, t)
        session.rollback()
        assert session.get(Ticket, ticket.id).status == "accepted"


def test_two_staff_acting_at_once_one_wins(app, submit):
    """Both load the ticket, both press accept: exactly one transition and one event, the other a Conflict."""
    ticket = submit()
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        with app.app_context():
            session, community = community_session("comm-a"), get_community("comm-a")
            t = session.get(Ticket, ticket.id)
            seen_version = t.version   # what each member of staff saw on their screen
            session.rollback()         # release the read snapshot before the race
            barrier.wait()
            try:
                services.accept(session, community, t, STAFF, expected_version=seen_version)
                outcomes.append("ok")
            except services.Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with app.app_context():
        session = community_session("comm-a")
        assert session.query(TicketEvent).filter_by(ticket_id=ticket.id, action="accept").count() == 1
        assert session.get(Ticket, ticket.id).version == 2
