"""Time-bank figures against hand-computed fixtures, and the ledger's CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from community_hall.accounts.models import User
from community_hall.audit import AuditEvent
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import figures, ledger
from community_hall.timebank import volunteers as volunteer_services
from community_hall.timebank.ledger_models import LedgerMovement
from community_hall.timebank.order_models import Order
from community_hall.timebank.volunteer_models import Team

HEAD = SimpleNamespace(user_id=1, name="站长a")
NOW = datetime(2026, 3, 15, 4, 0, tzinfo=UTC)        # 12:00 on 15 March in Shanghai


def _at(session, movement, when):
    # Movements are never edited by the app; a test dates them by hand to place them around month boundaries.
    session.execute(update(LedgerMovement).where(LedgerMovement.id == movement.id)
                    .values(created_at=when.replace(tzinfo=UTC)))
    session.commit()
    return movement


def _volunteer(session, user_id):
    v = volunteer_services.apply(session, user_id, volunteer_services.Application(
        real_name=f"志愿者{user_id}", phone=f"139{user_id:08d}", emergency_name="家人", emergency_phone="13800000000",
        consent=True))
    return volunteer_services.approve(session, get_community("comm-a"), v.id, 1)


def _figures(session, thresholds=(1, 2)):
    return figures.figures(session, registry_session(), get_community("comm-a"), now=NOW, thresholds=thresholds)


def test_an_empty_community_has_zero_figures(app, people):
    with app.app_context():
        f = _figures(community_session("comm-a"))
    assert (f.volunteers, f.residents, f.registration_rate, f.teams) == (0, 3000, 0.0, 0)   # the recorded population
    assert (f.month_minutes, f.active_volunteers, f.orders) == (0, 0, (0, None))
    assert f.stars == [(0, 0), (1, 0), (2, 0)]
    assert not f.registration_met and not f.teams_met
    assert f.month_start == datetime(2026, 3, 1, tzinfo=figures.ZoneInfo("Asia/Shanghai"))


BOTH = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])


def _order(session, status, confirmed_at=None, rating=None):
    session.add(Order(item_name="助老陪护", resident_user_id=99, resident_name="李奶奶", phone="13900000000",
                      address="1-101", wanted_day=date(2026, 3, 1), wanted_part="am", placed_by_user_id=99,
                      status=status, rating=rating, confirmed_at=confirmed_at))


@BOTH
def test_orders_confirmed_this_local_month_with_their_average_rating(app, people, backend):
    with app.app_context():
        s = community_session("comm-a")
        _order(s, "confirmed", datetime(2026, 3, 2, 3, 0, tzinfo=UTC), 5)
        _order(s, "confirmed", datetime(2026, 3, 14, 9, 0, tzinfo=UTC), 4)
        _order(s, "confirmed", datetime(2026, 2, 28, 16, 30, tzinfo=UTC), 5)   # 1 March 00:30 in Shanghai: counts
        _order(s, "confirmed", datetime(2026, 2, 28, 15, 30, tzinfo=UTC), 1)   # still February in Shanghai
        _order(s, "done")                                                      # done, not yet confirmed
        s.commit()
        assert _figures(s).orders == (3, 4.7)


@BOTH
def test_month_hours_count_local_month_and_subtract_reversals(app, people):
    with app.app_context():
        s = community_session("comm-a")
        a = _at(s, ledger.credit_service(s, 100, 60, "activity:1", "a", HEAD), datetime(2026, 2, 28, 16, 30))
        b = _at(s, ledger.credit_service(s, 100, 30, "activity:2", "b", HEAD), datetime(2026, 2, 28, 15, 30))
        _at(s, ledger.credit_service(s, 100, 45, "activity:3", "c", HEAD), datetime(2026, 3, 31, 16, 30))
        d = _at(s, ledger.credit_service(s, 100, 120, "order:4", "d", HEAD), datetime(2026, 3, 10, 2, 0))
        _at(s, ledger.reverse(s, d.id, "记错", HEAD), datetime(2026, 3, 12, 2, 0))
        _at(s, ledger.reverse(s, b.id, "记错", HEAD), datetime(2026, 3, 13, 2, 0))   # a February credit undone in March
        _at(s, ledger.pay_service(s, 100, 10, "order:9", "pay", HEAD), datetime(2026, 3, 5, 2, 0))   # spending: no
        _at(s, ledger.donate(s, 100, 101, 20, "gift", HEAD), datetime(2026, 3, 6, 2, 0))            # giving: no
        f = _figures(s)
        # 00:30 on 1 March local counts, 23:30 on 28 February and 00:30 on 1 April do not; both reversals subtract.
        assert f.month_minutes == 60 + 120 - 120 - 30
        assert a.id and figures.service_minutes_between(s, *figures.month_span(get_community("comm-a"), NOW)) == 30


@BOTH
def test_active_volunteers_and_star_levels(app, people):
    with app.app_context():
        s = community_session("comm-a")
        for uid in (100, 101, 102, 103):
            _volunteer(s, uid)
        _at(s, ledger.credit_service(s, 100, 105, "activity:1", "a", HEAD), datetime(2026, 3, 1, 2, 0))
        _at(s, ledger.credit_service(s, 101, 150, "activity:1", "b", HEAD), datetime(2025, 12, 1, 2, 0))  # > 90 days
        wrong = _at(s, ledger.credit_service(s, 102, 60, "activity:2", "c", HEAD), datetime(2026, 3, 2, 2, 0))
        _at(s, ledger.reverse(s, wrong.id, "记错", HEAD), datetime(2026, 3, 3, 2, 0))
        _at(s, ledger.credit_service(s, 200, 500, "activity:3", "d", HEAD), datetime(2026, 3, 4, 2, 0))  # no volunteer
        f = _figures(s)
    assert f.active_volunteers == 2                    # 100 and 200; 101 too long ago, 102's credit was reversed
    assert f.stars == [(0, 2), (1, 1), (2, 1)]         # 102, 103 none; 100 105 min ≥ 1 h; 101 150 min ≥ 2 h
    assert f.volunteers == 4


def _population(app, residents: int) -> None:
    from community_hall.tenancy import Community, registry_session

    with app.app_context():
        registry_session().query(Community).filter_by(slug="comm-a").one().residents = residents
        registry_session().commit()


def test_registration_rate_and_teams_against_their_targets(app, build, people):
    """Counted against the population recorded with the community (居民人口), not its resident accounts."""
    for i in range(39):
        build.user(f"res-{i:02d}", "comm-a", "resident")   # accounts change nothing
    _population(app, 40)
    with app.app_context():
        s = community_session("comm-a")
        for uid in (100, 101, 102, 103):
            _volunteer(s, uid)
        for name in ("巡逻队", "环境队", "助老队", "宣传队"):
            s.add(Team(name=name, description=""))
        s.commit()
        f = _figures(s)
        assert (f.residents, f.registration_rate, f.registration_met) == (40, 10.0, True)
        assert (f.teams, f.teams_met) == (4, False)
        s.add(Team(name="法律队", description=""))
        s.commit()
        assert _figures(s).teams_met
    _population(app, 41)
    with app.app_context():
        f = _figures(community_session("comm-a"))
    assert (f.residents, f.registration_rate, f.registration_met) == (41, 9.8, False)
    _population(app, 0)
    with app.app_context():
        f = _figures(community_session("comm-a"))
    assert (f.residents, f.registration_rate, f.registration_met) == (0, None, False)   # not recorded: no rate


def test_figures_page_for_head_and_district_only(app, client, auth, people, zh):
    with app.app_context():
        s = community_session("comm-a")
        ledger.credit_service(s, 100, 90, "activity:1", "a", HEAD)
    for username in ("head-a", "district"):
        auth.login(username)
        page = client.get("/c/comm-a/timebank/figures").get_data(as_text=True)
        assert zh("Volunteer registration rate") in page and zh("Not met") in page
        orders = page.split('id="figure-orders"')[1].split("</tr>")[0]
        assert "<td>0 (—)</td>" in orders                # no orders confirmed: no average either
        assert ("ledger.csv" in page) == (username == "head-a")
        month = page.split('id="figure-month"')[1].split("</tr>")[0]
        assert "<td>1.5</td>" in month
    for username in ("staff-a", "res-a"):
        auth.login(username)
        assert client.get("/c/comm-a/timebank/figures").status_code == 403
    auth.login("head-b")
    assert client.get("/c/comm-a/timebank/figures").status_code == 404
    auth.login("head-a")
    assert "/c/comm-a/timebank/figures" in client.get("/c/comm-a/").get_data(as_text=True)


def _rows(response):
    assert response.data.startswith(b"\xef\xbb\xbf")            # BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def movements(app, people):
    """A credit to res-a on 1 March (local) and a reversal of it with a formula-like reason on 2 March."""
    with app.app_context():
        s = community_session("comm-a")
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        credit = _at(s, ledger.credit_service(s, uid, 90, "activity:12", "a12", HEAD), datetime(2026, 2, 28, 16, 30))
        _at(s, ledger.reverse(s, credit.id, "=HYPERLINK(\"x\")", HEAD), datetime(2026, 3, 2, 2, 0))
        return SimpleNamespace(uid=uid, credit=credit.id)


def test_ledger_export_has_every_entry_with_local_times_and_names(app, client, auth, movements, zh):
    auth.login("head-a")
    response = client.get("/c/comm-a/timebank/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == [zh(h) for h in ("Movement", "Time", "Kind", "Account", "Name", "Minutes", "In hours",
                                       "Reference", "Reason", "Recorded by")]
    assert rows[1:3] == [
        [str(movements.credit), "2026-03-01 00:30:00", "服务入账", "issuing", "发行账户", "-90", "-1.5", "activity:12", "",
         "站长a"],
        [str(movements.credit), "2026-03-01 00:30:00", "服务入账", f"person:{movements.uid}", "居民a", "90", "1.5",
         "activity:12", "", "站长a"]]
    assert len(rows) == 5 and rows[3][2] == "冲正" and rows[4][8] == "'=HYPERLINK(\"x\")"   # no formula runs
    with app.app_context():
        event = community_session("comm-a").query(AuditEvent).filter_by(action="timebank.ledger_export").one()
        assert "4 entries" in event.detail


def test_ledger_export_date_range(app, client, auth, movements, zh):
    auth.login("head-a")
    rows = _rows(client.get("/c/comm-a/timebank/ledger.csv?date_from=2026-03-01&date_to=2026-03-01"))
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"服务入账"}
    rows = _rows(client.get("/c/comm-a/timebank/ledger.csv?date_from=2026-03-02"))
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"冲正"}
    rows = _rows(client.get("/c/comm-a/timebank/ledger.csv?date_to=2026-02-28"))
    assert len(rows) == 1
    bad = client.get("/c/comm-a/timebank/ledger.csv?date_from=2026-13-01")
    assert bad.status_code == 400 and zh("Enter a date such as 2026-11-01.") in bad.get_data(as_text=True)
    backwards = client.get("/c/comm-a/timebank/ledger.csv?date_from=2026-03-02&date_to=2026-03-01")
    assert backwards.status_code == 400
    assert zh("The end date comes before the start date.") in backwards.get_data(as_text=True)


def test_ledger_export_is_for_the_head_only(app, client, auth, movements):
    for username in ("staff-a", "res-a", "district"):
        auth.login(username)
        assert client.get("/c/comm-a/timebank/ledger.csv").status_code == 403
    auth.login("head-b")
    assert client.get("/c/comm-a/timebank/ledger.csv").status_code == 404
    with app.app_context():
        assert community_session("comm-a").query(AuditEvent).filter_by(action="timebank.ledger_export").count() == 0


def test_figures_page_in_english(app, client, auth, people):
    auth.login("head-a")
    page = client.get("/c/comm-a/timebank/figures?lang=en").get_data(as_text=True)
    assert "Volunteer registration rate" in page and "Star levels of approved volunteers" in page
