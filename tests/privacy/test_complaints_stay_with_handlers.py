"""Invariant: a complaint or 办不成事 report reaches only the filer, its handler and the heads above, never the staff
member it is about: not through any page staff can reach, nor any form or address that takes a ticket's id or
number. Property-tested on SQLite and PostgreSQL (the queries differ by backend)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from community_hall.complaints.services import ComplaintData, submit_complaint
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import Ticket, TicketEvent
from community_hall.window.services import Actor
from tests.complaints.conftest import user_id
from tests.fuzz.conftest import crawl
from tests.menu.conftest import menu  # noqa: F401 - fixture
from tests.privacy.side_doors import side_doors
from tests.window.conftest import submit  # noqa: F401 - fixture


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫"
names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES), st.text("秀兰建国淑芬志明晓燕丽娟", min_size=1, max_size=2))
phones = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1))
markers = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=8, max_size=8).map(lambda s: f"MK{s}")
complaints = st.fixed_dictionaries({"kind": st.sampled_from(["about_staff", "unresolved", "about_ticket"]),
                                    "name": names, "phone": phones, "marker": markers,
                                    "padding": st.text("窗口态度差跑了三趟没人管 ", max_size=40)})


def _file(app, spec: dict, handled_number: str) -> tuple[str, int]:
    """Submit one complaint as res-a describes it; (number, id)."""
    kinds = {"about_staff": {"kind": "complaint", "about": "staff", "staff_user_id": user_id(app, "staff-a")},
             "unresolved": {"kind": "unresolved", "where_tried": f"{spec['marker']} 街道", "item_code": "SB-001"},
             "about_ticket": {"kind": "complaint", "about": "service", "ticket_number": handled_number}}
    with app.app_context():
        data = ComplaintData(resident_name=spec["name"], resident_phone=spec["phone"],
                             details=f"{spec['padding']}{spec['marker']}{spec['padding']}",
                             resident_user_id=user_id(app, "res-a"), **kinds[spec["kind"]])
        ticket = submit_complaint(community_session("comm-a"), get_community("comm-a"), data,
                                  Actor(data.resident_user_id, data.resident_name, "resident"))
        return ticket.number, ticket.id


def _state(app):
    with app.app_context():
        session = community_session("comm-a")
        return (list(session.execute(select(Ticket.id, Ticket.version, Ticket.status).order_by(Ticket.id))),
                session.scalar(select(func.count(TicketEvent.id))))


def _leaks(text: str, specs: list[dict]) -> list[str]:
    return [piece for spec in specs for piece in (spec["marker"], spec["name"], spec["phone"]) if piece in text]


def test_a_complaint_never_reaches_the_staff_member_it_is_about(app, menu, submit, client, auth, backend):  # noqa: F811
    from tests.window.conftest import drive

    handled = submit(resident_name="钱多多", resident_phone="13700000001").number   # staff-a worked on it
    drive(app, handled, "accept")
    with app.app_context():
        session = community_session("comm-a")
        ticket = session.scalar(select(Ticket).where(Ticket.number == handled))
        ticket.handler_user_id = user_id(app, "staff-a")
        session.commit()
    auth.login("staff-a")
    staff = SimpleNamespace(client=client)     # the crawler's visitor: a signed-in client (CSRF on here)
    token = {}

    @settings(max_examples=4 if backend == "sqlite" else 2, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(complaints, min_size=1, max_size=3))
    def check(specs):
        filed = [_file(app, spec, handled) for spec in specs]
        before = _state(app)
        seen: list[str] = []
        crawl(app, {"staff-a": staff}, on_page=lambda _role, url, html: seen.extend(
            f"{url}: {piece}" for piece in _leaks(html, specs)))
        assert not seen, seen
        if "csrf" not in token:
            from tests.helpers import site_token
            token["csrf"] = site_token(staff.client, "/c/comm-a/queue")
        for number, ticket_id in filed:
            for method, url in side_doors(app, number, ticket_id):
                data = {"csrf_token": token["csrf"], "version": "2", "note": "x", "reason": "x", "answer": "x",
                        "to_user_id": str(user_id(app, "staff-a")), "step": "contact"}
                response = staff.client.open(url, method=method, data=data if method != "GET" else None,
                                             follow_redirects=True)
                assert response.status_code < 500, (method, url)
                assert not _leaks(response.get_data(as_text=True), specs), (method, url)
        assert _state(app) == before     # no form moved a complaint, or made anything of it

    check()
