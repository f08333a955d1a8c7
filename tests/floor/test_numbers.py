"""Taking numbers and calling them: the priority rule as a table, concurrency, transfer, no-shows."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from community_hall import clock as app_clock
from community_hall.errors import HallError
from community_hall.floor import services
from community_hall.floor.models import QueueNumber
from community_hall.tenancy import community_session, get_community


@pytest.fixture
def hall(app, build):
    """Community comm-a with windows A and B."""
    build.community("comm-a", "甲社区")
    with app.app_context():
        session = community_session("comm-a")
        a = services.create_window(session, "A", "1号窗口", "社会保障")
        b = services.create_window(session, "b", "2号窗口", "证照办理")
        session.commit()
        return SimpleNamespace(a=a.id, b=b.id)


def _take(app, window_id, priority=False):
    with app.app_context():
        return services.take_number(community_session("comm-a"), get_community("comm-a"), window_id, priority)


def _call(app, window_id, every=2):
    with app.app_context():
        n = services.call_next(community_session("comm-a"), get_community("comm-a"), window_id, None, "张敏", every)
        return n.code if n else None


def test_numbers_restart_per_window_with_its_prefix(app, hall):
    assert [_take(app, hall.a).code for _ in range(3)] == ["A001", "A002", "A003"]
    assert _take(app, hall.b).code == "B001"


# normal (N) and priority (P) numbers taken in this order; the codes called one after another
@pytest.mark.parametrize("taken, every, called", [
    ("NNN", 2, ["A001", "A002", "A003"]),
    ("PNN", 2, ["A001", "A002", "A003"]),
    ("NNNP", 2, ["A004", "A001", "A002", "A003"]),     # first call of the day: a waiting priority number goes first
    ("NNNNPP", 2, ["A005", "A001", "A002", "A006", "A003", "A004"]),   # then one priority for every two normal
    ("NNNP", 1, ["A004", "A001", "A002", "A003"]),
    ("PPN", 2, ["A001", "A003", "A002"]),              # after a priority call, a normal one is due
    ("NPPP", 2, ["A002", "A001", "A003", "A004"]),     # no normal number left: priority ones go in order
    ("NNNNP", 0, ["A005", "A001", "A002", "A003", "A004"]),   # 0: priority numbers always first
])
def test_priority_rule(app, hall, taken, every, called):
    for kind in taken:
        _take(app, hall.a, priority=kind == "P")
    assert [_call(app, hall.a, every) for _ in taken] == called
    assert _call(app, hall.a, every) is None


def _n(i, kind):
    return SimpleNamespace(id=i, priority=kind in "PB", appointment_id=i if kind == "B" else None)


@pytest.mark.parametrize("queue, normals_since, every, expected", [
    ("NPN", 0, 2, 1),       # a priority number waits its turn behind normal ones
    ("NPN", 2, 2, 2),       # two normal calls since the last priority one: its turn
    ("P", 0, 2, 1),         # no normal number waits: priority goes at once
    ("", 5, 2, None),       # nobody waits
    ("NPB", 0, 2, 3),       # an appointment checked in within its slot is called next, before everyone
    ("NPB", 2, 2, 3),       # ... even when it is the priority group's turn
    ("BNB", 0, 2, 1),       # two appointments: in the order they checked in
    ("NNN", 0, 0, 1),       # every=0: oldest first
])
def test_choose_next_is_a_pure_rule(queue, normals_since, every, expected):
    chosen = services.choose_next([_n(i, k) for i, k in enumerate(queue, 1)], normals_since, every)
    assert (chosen.id if chosen else None) == expected


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_take_and_call_never_duplicate_or_skip(app, hall, backend):
    takers, each = 6, 30
    errors, taken = [], []
    lock = threading.Lock()

    def taker():
        with app.app_context():
            session, community = community_session("comm-a"), get_community("comm-a")
            for _ in range(each):
                try:
                    code = services.take_number(session, community, hall.a).code
                    with lock:
                        taken.append(code)
                except Exception as exc:
                    errors.append(repr(exc))

    threads = [threading.Thread(target=taker) for _ in range(takers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and sorted(taken) == [f"A{i:03d}" for i in range(1, takers * each + 1)]

    called = []

    def caller():
        with app.app_context():
            session, community = community_session("comm-a"), get_community("comm-a")
            while True:
                try:
                    n = services.call_next(session, community, hall.a, None, "x")
                except Exception as exc:
                    errors.append(repr(exc))
                    return
                if n is None:
                    return
                with lock:
                    called.append(n.code)

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(called) == sorted(taken) and len(set(called)) == len(called)


def test_serve_finish_no_show_recall_and_transfer(app, hall):
    first, second, third = (_take(app, hall.a) for _ in range(3))
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        called = services.call_next(session, community, hall.a, None, "张敏")
        assert called.code == "A001" and called.call_count == 1
        assert services.recall(session, called.id).call_count == 2
        serving = services.start_serving(session, called.id)
        assert serving.status == "serving"
        with pytest.raises(HallError):
            services.mark_no_show(session, called.id)        # being served: not a no-show
        assert services.finish(session, called.id).status == "done"
        nxt = services.call_next(session, community, hall.a, None, "张敏")
        assert services.mark_no_show(session, nxt.id).status == "no_show"
        # A003 moves to window B and keeps its place there: ahead of a number taken later for B.
        late_b = services.take_number(session, community, hall.b)
        moved = services.transfer(session, third.id, hall.b)
        assert (moved.window_id, moved.status, moved.code) == (hall.b, "waiting", "A003")
        assert services.people_ahead(session, session.get(QueueNumber, late_b.id)) == 1
        assert services.call_next(session, community, hall.b, None, "李强").code == "A003"
        figures = {f["window"].prefix: f for f in services.day_figures(session, services.today(community))}
        assert figures["A"]["served"] == 1 and figures["A"]["no_shows"] == 1


def test_board_shows_calls_waiting_and_recent(app, hall):
    for _ in range(3):
        _take(app, hall.a)
    _call(app, hall.a)
    with app.app_context():
        rows, recent = services.board(community_session("comm-a"), get_community("comm-a"))
        a = next(r for r in rows if r.window.prefix == "A")
        assert a.calling.code == "A001" and a.waiting == 2 and a.estimated_wait_minutes == 10
        assert [n.code for n in recent] == ["A001"]


@pytest.mark.parametrize("prefix", ["", "ABC", "1", "甲"])
def test_bad_window_prefixes(app, hall, prefix):
    with app.app_context():
        with pytest.raises(HallError):
            services.create_window(community_session("comm-a"), prefix, "x")


def test_a_number_called_three_times_or_long_ago_becomes_a_no_show(app, hall, monkeypatch):
    from datetime import timedelta

    for _ in range(3):
        _take(app, hall.a)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        first = services.call_next(session, community, hall.a, None, "张敏")
        services.recall(session, first.id)
        second = services.call_next(session, community, hall.a, None, "张敏")   # called twice: still called
        assert session.get(QueueNumber, first.id).status == "called"
        services.recall(session, first.id)                                     # third call
        services.call_next(session, community, hall.a, None, "张敏")
        assert session.get(QueueNumber, first.id).status == "no_show"
        later = services.utcnow() + timedelta(minutes=11)
        app_clock.set_now(later)
        services.call_next(session, community, hall.a, None, "张敏")
        assert session.get(QueueNumber, second.id).status == "no_show"        # called 11 minutes ago
