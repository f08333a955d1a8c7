"""With 100,000 tickets in a community the SQL figures of a month match the rows counted by hand.

Speed is measured by `make bench`, never by a timed test; the index use is checked by the query-plan test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from community_hall.disclosure import figures
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.window.models import Ticket

COUNT = 100_000


def test_figures_of_a_month_among_100000_tickets(app, build):
    build.community("comm-a")
    first = datetime(2024, 1, 1, tzinfo=UTC)
    # two years of tickets, one every ten minutes; the last 2 % are complaints
    rows = [{"number": f"T{n}", "day": f"{first + timedelta(minutes=10 * n):%Y%m%d}", "seq": n,
             "kind": "complaint" if n % 50 == 0 else "request", "item_code": "SB-001", "item_name": "事项",
             "channel": ("window", "online")[n % 2], "status": "done", "resident_name": "", "resident_phone": "",
             "submitted_at": first + timedelta(minutes=10 * n),
             "finished_at": first + timedelta(minutes=10 * n, days=2),
             "due_at": first + timedelta(minutes=10 * n, days=3 if n % 4 else 1), "visits": n % 3}
            for n in range(COUNT)]
    with app.app_context():
        session = community_session("comm-a")
        session.execute(insert(Ticket), rows)
        session.commit()
        community = get_community("comm-a")
        period = figures.period_of(community, "month", datetime(2025, 6, 15, tzinfo=UTC))
        found = figures.disclosure(session, registry_session(), community, period)
    # the same figures counted in Python over the rows, to check the SQL (only here, never in the app)
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    requests = [r for r in rows if r["kind"] == "request"]
    done = [r for r in requests if start <= r["finished_at"] < end]
    assert found["tickets"] == {
        "received": sum(start <= r["submitted_at"] < end for r in requests), "finished": len(done),
        "on_time_rate": figures.percent(sum(r["finished_at"] <= r["due_at"] for r in done), len(done)),
        "avg_days": 2.0, "online_rate": figures.percent(sum(r["channel"] == "online" for r in done), len(done)),
        "one_trip_rate": figures.percent(sum(r["visits"] <= 1 for r in done), len(done))}
    assert found["complaints"]["received"] == sum(r["kind"] == "complaint" and start <= r["submitted_at"] < end
                                                  for r in rows)
    assert found["tickets"]["received"] + found["complaints"]["received"] == 30 * 144   # June: 144 a day
