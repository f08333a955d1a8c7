"""Ticket numbers under concurrency, idempotent submission, working-day due dates and pauses."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from community_hall import clock as app_clock
from community_hall.errors import HallError
from community_hall.tenancy import community_session, get_community
from community_hall.window import services
from community_hall.window.models import CalendarOverride, Ticket
from tests.window.conftest import STAFF


def test_number_format_and_masking(app, submit):
    ticket = submit(id_number="11010519491231002X")
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert ticket.number == f"COMM-A-{day}-0001"
    assert submit().number == f"COMM-A-{day}-0002"
    assert ticket.masked_phone == "138****8001" and ticket.masked_id_number == "1101**********002X"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.real_time   # 8 writers x 200 wait on SQLite's busy timeout; under libfaketime that wait fell short once
def test_concurrent_writers_get_distinct_consecutive_numbers(app, menu, backend):
    writers, each = 8, 200
    errors, numbers = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(writers)

    def writer(w):
        with app.app_context():
            session, community = community_session("comm-a"), get_community("comm-a")
            barrier.wait()
            for _ in range(each):
                try:
                    t = services.submit_ticket(session, community, services.Submission(
                        item_code="SB-001", resident_name=f"居民{w}", resident_phone="13800138001"),
                        services.Actor(None, f"居民{w}", "resident"))
                    with lock:
                        numbers.append(t.number)
                except Exception as exc:  # any error fails the test below
                    with lock:
                        errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == writers * each
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, writers * each + 1))
    with app.app_context():
        assert community_session("comm-a").query(Ticket).count() == writers * each


def test_a_double_submission_creates_one_ticket(app, submit):
    first = submit(idem_key="form-abc123")
    second = submit(idem_key="form-abc123")
    assert first.id == second.id
    with app.app_context():
        assert community_session("comm-a").query(Ticket).count() == 1


@pytest.mark.parametrize("change, field", [
    ({"item_code": "NOPE"}, "item_code"),
    ({"item_code": "DB-999"}, "item_code"),        # unpublished
    ({"resident_phone": "12345"}, "resident_phone"),
    ({"resident_name": ""}, "resident_name"),
    ({"id_number": "12345"}, "id_number"),
    ({"channel": "home_visit"}, "home_address"),
    ({"channel": "proxy", "proxy_name": "王小明"}, "proxy_name"),
    ({"channel": "carrier-pigeon"}, "channel"),
])
def test_bad_submissions_change_nothing(app, submit, change, field):
    with pytest.raises(HallError) as err:
        submit(**change)
    assert err.value.field == field
    with app.app_context():
        assert community_session("comm-a").query(Ticket).count() == 0


def _at(monkeypatch, when: str):
    """Freeze the services' clock at a Shanghai local time."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
    app_clock.set_now(moment)
    return moment


def _local(dt):
    from zoneinfo import ZoneInfo

    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("accepted, code, due", [
    # 5 working days from Tue 10 Feb 2026: 11, 12, 13, Sat 14 (调休 workday), then 春节 15-23 Feb → Tue 24 Feb.
    ("2026-02-10 10:00", "SB-001", "2026-02-24 17:30"),
    # 5 working days from Tue 29 Sep 2026: 30 Sep, then 国庆 1-7 Oct → 8, 9, Sat 10 (调休), Mon 12 Oct.
    ("2026-09-29 09:00", "SB-001", "2026-10-12 17:30"),
    # 1 working day from Fri 13 Feb 2026 lands on the 调休 Saturday 14 Feb.
    ("2026-02-13 15:00", "ZJ-001", "2026-02-14 17:30"),
    # 0 days: the same day.
    ("2026-11-24 09:00", "SB-002", "2026-11-24 17:30"),
])
def test_due_dates_count_working_days(app, submit, monkeypatch, accepted, code, due):
    ticket = submit(item_code=code)
    _at(monkeypatch, accepted)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = services.accept(session, community, session.get(Ticket, ticket.id), STAFF)
        assert _local(t.due_at).strftime("%Y-%m-%d %H:%M") == due


def test_local_overrides_move_due_dates(app, submit, monkeypatch):
    from datetime import date

    with app.app_context():
        session = community_session("comm-a")
        session.add(CalendarOverride(day=date(2026, 11, 25), is_workday=False, note="停电检修"))
        session.commit()
    ticket = submit(item_code="ZJ-001")
    _at(monkeypatch, "2026-11-24 10:00")
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        t = services.accept(session, community, session.get(Ticket, ticket.id), STAFF)
        assert _local(t.due_at).strftime("%Y-%m-%d") == "2026-11-26"


def test_the_clock_pauses_while_the_ticket_is_back_with_the_resident(app, submit, monkeypatch):
    ticket = submit()
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        _at(monkeypatch, "2026-11-23 09:00")   # Monday
        t = services.accept(session, community, session.get(Ticket, ticket.id), STAFF)
        assert _local(t.due_at).strftime("%Y-%m-%d") == "2026-11-30"
        _at(monkeypatch, "2026-11-24 10:00")   # returned on Tuesday …
        t = services.return_for_materials(session, t, STAFF, ["收入证明"])
        _at(monkeypatch, "2026-11-26 16:00")   # … back on Thursday: two working days paused
        t = services.resubmit(session, community, t, services.Actor(None, "王秀兰", "resident"))
        assert t.status == "accepted" and t.paused_workdays == 2
        assert _local(t.due_at).strftime("%Y-%m-%d") == "2026-12-02"


def test_overdue(app, submit, monkeypatch):
    ticket = submit(item_code="ZJ-001")
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        _at(monkeypatch, "2026-11-23 09:00")
        t = services.accept(session, community, session.get(Ticket, ticket.id), STAFF)
        assert not services.is_overdue(t, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
        assert services.is_overdue(t, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # 18:00 Shanghai
        t = services.complete(session, t, STAFF, "已办结")
        assert not services.is_overdue(t, datetime(2027, 1, 1, tzinfo=UTC))
