"""The queries behind the pages that must not grow with the archive read along an index (SQLite's plan).

How fast they are at 1,000 and 100,000 tickets is measured by `make bench` (scale.growth), never here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from community_hall.api.services import requests_query
from community_hall.tenancy import community_session
from community_hall.window.models import OPEN_STATES, Ticket, TicketEvent
from community_hall.window.queue import QueueFilter, queue_query
from community_hall.window.services import count_open_query
from tests.helpers import query_plan

QUERIES = {
    # the staff queue, open work (the page and its 30-second poll)
    "queue": lambda: queue_query(QueueFilter()).limit(51),
    "queue-mine-overdue": lambda: queue_query(QueueFilter(overdue=True, mine_user_id=3)).limit(51),
    # finished work and everything: newest first along the submission index, no sort of the archive
    "queue-done": lambda: queue_query(QueueFilter(status="done")).limit(51),
    "queue-all": lambda: queue_query(QueueFilter(status="all")).limit(51),
    "open-counts": count_open_query,
    # the tracking page: one ticket by number, its timeline
    "ticket-by-number": lambda: select(Ticket).where(Ticket.number == "COMM-A-20261123-0001"),
    "timeline": lambda: select(TicketEvent).where(TicketEvent.ticket_id == 7).order_by(TicketEvent.id),
    "last-event": lambda: select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id == 7),
    # Open311 GET requests.json: a 90-day window, newest first, at most 1,000
    "open311-list": lambda: requests_query(_Community(), {}, datetime(2026, 11, 23, tzinfo=UTC)),
}

class _Community:
    timezone = "Asia/Shanghai"


# open work is found by state, along either index that starts with it
INDEX = {"queue": "ix_tickets_", "queue-mine-overdue": "ix_tickets_", "queue-done": "ix_tickets_kind_submitted",
         "queue-all": "ix_tickets_kind_submitted", "open-counts": "ix_tickets_kind_status_finished",
         "ticket-by-number": "sqlite_autoindex_tickets_", "timeline": "ix_ticket_events_ticket_id",
         "last-event": "ix_ticket_events_ticket_id", "open311-list": "ix_tickets_kind_submitted"}


@pytest.mark.parametrize("name", QUERIES)
def test_the_main_queries_read_along_an_index(app, build, name):
    build.community("comm-a")
    with app.app_context():
        plan = query_plan(community_session("comm-a"), QUERIES[name]())
    assert f"USING INDEX {INDEX[name]}" in plan or f"USING COVERING INDEX {INDEX[name]}" in plan, plan
    assert "SCAN tickets" not in plan and "SCAN ticket_events" not in plan, plan   # never the whole archive
    if name in ("queue-done", "queue-all", "open311-list", "timeline"):
        assert "TEMP B-TREE" not in plan, plan  # read in order: no sort however many tickets there are


def test_open_states_are_what_the_queue_counts():
    assert "status IN" in str(count_open_query()) and len(OPEN_STATES) == 4
