"""The routing services on SQLite files and on PostgreSQL schemas (minutes between timestamps differ)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community_hall.routing import services
from community_hall.routing.models import Inquiry
from tests.routing.conftest import MON, at


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    """Both backends."""
    return request.param


def test_hand_over_acknowledge_answer_count_escalate_and_pass_on(app, station):
    with app.app_context():
        station.shifts()
        s, c = station.session, station.community
        now = at(MON, "09:00")
        data = services.InquiryData(resident_name="王", text="问", item_code="SB-001")
        first = services.log_inquiry(s, c, station.giver, data, now=now)
        services.hand_over(s, c, first, station.giver, None, now=now)
        services.acknowledge(s, first, station.a, now=now + timedelta(minutes=20))
        services.answer_inquiry(s, first, station.a, "答复", now=now + timedelta(minutes=30))
        second = services.log_inquiry(s, c, station.giver, data, now=now)
        services.hand_over(s, c, second, station.giver, station.b, "B熟悉", now=now)
        figures = services.numbers(s)
        assert figures.ack_by_receiver == [(station.a, 1, pytest.approx(20, abs=0.1))]
        assert figures.inquiries_by_owner == [(station.giver, 2, 1, 1)]
        assert (figures.hops, figures.matters) == (2, 2)
        assert [h.to_user_id for h in services.escalate_overdue(s, c, now + timedelta(hours=1))] == [station.head]
        station.leave(station.head, MON, MON)
        hops = services.pass_on_leave(s, c, at(MON, "11:00"))
        assert [(h.from_user_id, h.to_user_id) for h in hops] == [(station.head, station.a)]
        assert s.get(Inquiry, second.id).handler_user_id == station.a
