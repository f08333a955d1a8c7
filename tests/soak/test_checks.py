"""The soak's checks can fail: a lost, doubled or half-moved ticket, a gap in the numbers, a half-confirmed activity."""

from __future__ import annotations

from sqlalchemy import delete, update

from community_hall.tenancy import community_session
from community_hall.window.models import Ticket, TicketEvent
from soak import checks
from tests.menu.conftest import menu  # noqa: F401 - the fixtures tickets need
from tests.window.conftest import submit  # noqa: F401


def _submit(app, submit, n: int) -> list[tuple[str, str, str, str]]:  # noqa: F811
    acked = []
    for i in range(n):
        marker = f"{i:032x}"
        ticket = submit(details=f"soak {marker}")
        acked.append(("comm-a", ticket.number, marker, "web"))
    return acked


def test_timeline_rules():
    ok = [("submit", "", "submitted"), ("accept", "submitted", "accepted"), ("visit", "accepted", "accepted"),
          ("complete", "accepted", "done")]
    assert checks._timeline_problems("N-1", "done", ok) == []
    assert "ends at 'done'" in checks._timeline_problems("N-1", "accepted", ok)[0]
    skipped = [("submit", "", "submitted"), ("complete", "accepted", "done")]
    assert any("starts from 'accepted'" in p for p in checks._timeline_problems("N-1", "done", skipped))
    illegal = [("submit", "", "submitted"), ("complete", "submitted", "done")]
    assert any("does not allow" in p for p in checks._timeline_problems("N-1", "done", illegal))
    assert "does not start" in checks._timeline_problems("N-1", "submitted", [])[0]


def test_a_sound_archive_passes_and_each_kind_of_damage_is_found(app, submit):  # noqa: F811
    acked = _submit(app, submit, 4)
    with app.app_context():
        assert checks.tickets("comm-a", acked)[0] == []
        session = community_session("comm-a")
        # A transition whose timeline entry is missing, a lost ticket (a gap), and a doubled submission.
        session.execute(update(Ticket).where(Ticket.number == acked[0][1]).values(status="accepted"))
        lost = session.get(Ticket, session.query(Ticket.id).filter(Ticket.number == acked[1][1]).scalar())
        session.execute(delete(TicketEvent).where(TicketEvent.ticket_id == lost.id))
        session.execute(delete(Ticket).where(Ticket.id == lost.id))
        session.execute(update(Ticket).where(Ticket.number == acked[3][1]).values(details=f"soak {acked[2][2]}"))
        session.commit()
        problems = "\n".join(checks.tickets("comm-a", acked)[0])
    assert f"{acked[0][1]}: the timeline ends at 'submitted' but the ticket is 'accepted'" in problems
    assert f"acknowledged ticket {acked[1][1]} is missing" in problems
    assert "missing [2]" in problems
    assert f"one submission ({acked[2][2]}) became 2 tickets" in problems
