"""Invariant: nothing personal on public surfaces. Whatever anyone types into the flows that feed them (a resident's
description, staff's reply, decline reason and missing materials, a complaint, an outreach note, a leave reason) —
phones, landlines, ID numbers, names, addresses — never shows on a public page, feed or API answer fetched
anonymously: Open311 (JSON and XML, list and single, services), the board, the disclosure page and JSON, the duty
page and JSON, a staff member's iCal feed, the service menu, the home page, activities (list and page), teams, the
volunteer card check and the certificate check. Both backends."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community_hall import clock
from community_hall.complaints.services import ComplaintData, submit_complaint
from community_hall.rosters import ical
from community_hall.tenancy import community_session, get_community
from community_hall.timebank import certificates, ledger
from community_hall.timebank import volunteers as volunteer_services
from community_hall.timebank.activity_models import Activity
from community_hall.timebank.volunteer_models import Team
from community_hall.window import services
from community_hall.window.models import Ticket
from tests.complaints.conftest import user_id
from tests.menu.conftest import menu  # noqa: F401 - fixture

MOBILE = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[0-9Xx](?!\d)")

mobiles = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1))
landlines = st.builds(lambda a, n: f"{a}-{n}", st.sampled_from(["010", "021", "0571", "0755"]),
                      st.integers(10**7, 10**8 - 1))
id_numbers = st.builds(lambda area, born, seq, check: f"{area}{born}{seq:03d}{check}",
                       st.sampled_from(["110105", "310104", "330106"]), st.sampled_from(["19491231", "19800101",
                                                                                          "20010615"]),
                       st.integers(0, 999), st.sampled_from("0123456789X"))
marker_names = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=6, max_size=6).map(lambda s: f"名{s}")
typed_texts = st.builds(lambda name, mobile, land, idn, n: {
    "name": name, "mobile": mobile, "landline": land, "id": idn, "address": f"幸福里{n}号楼{n}01室",
    "text": f"联系{name}，电话{mobile}，座机{land}，身份证{idn}，住幸福里{n}号楼{n}01室"},
    marker_names, mobiles, landlines, id_numbers, st.integers(2, 99))

_volunteers = itertools.count(1)
PUBLIC = ["/", "/c/comm-a/", "/c/comm-a/menu/", "/c/comm-a/menu/SB-001", "/c/comm-a/disclosure",
          "/c/comm-a/disclosure.json", "/c/comm-a/queue/board", "/c/comm-a/queue/board.json", "/c/comm-a/rosters/duty",
          "/c/comm-a/rosters/duty.json", "/c/comm-a/timebank/activities", "/c/comm-a/timebank/teams",
          "/c/comm-a/appointments", "/open311/v2/services.json?jurisdiction_id=comm-a",
          "/open311/v2/services.xml?jurisdiction_id=comm-a", "/open311/v2/requests.json?jurisdiction_id=comm-a",
          "/open311/v2/requests.xml?jurisdiction_id=comm-a"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


def _type_everywhere(app, client, auth, typed: dict) -> list[str]:
    """Feed the typed text through every flow that reaches a public surface; the numbers of the tickets made."""
    text = typed["text"]
    numbers = []
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        for _ in range(4):
            numbers.append(services.submit_ticket(session, community, services.Submission(
                item_code="SB-001", resident_name=typed["name"], resident_phone=typed["mobile"], details=text,
                id_number=typed["id"], home_address=typed["address"], proxy_name=typed["name"]),
                services.Actor(None, typed["name"], "resident")).number)
        data = ComplaintData(kind="complaint", about="service", item_code="SB-001", details=text,
                             resident_name=typed["name"], resident_phone=typed["mobile"])
        numbers.append(submit_complaint(session, community, data, services.Actor(None, typed["name"], "resident")).number)
    auth.login("staff-a")
    done, declined, returned, accepted = numbers[:4]
    for number, steps in ((done, ["accept", "complete"]), (declined, ["decline"]), (returned, ["return"]),
                          (accepted, ["accept"])):
        for step in steps:
            version = _version(app, number)
            auth.post(f"/c/comm-a/tickets/{number}/{step}", {"version": str(version), "note": text, "missing": text,
                                                             "checked": "身份证"})
    now = clock.local_now("Asia/Shanghai")
    auth.post("/c/comm-a/rosters/outreach", {"starts_at": f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}",
                                             "ends_at": f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}",
                                             "note": text[:200]})
    auth.logout()
    # What an organiser publishes is public by intent (a name and a place may be the activity itself), so it gets
    # its own name and address; the numbers in it are the same ones and must show masked.
    auth.login("head-a")
    start = now + timedelta(days=2)
    name = typed["name"].lower()
    published = f"联系{name}，电话{typed['mobile']}，座机{typed['landline']}，身份证{typed['id']}"
    auth.post("/c/comm-a/timebank/activities/new", {
        "title": f"陪{name}聊天{typed['mobile']}", "description": published, "place": f"和睦里{typed['landline']}",
        "starts_at": f"{start:%Y-%m-%dT09:00}", "ends_at": f"{start:%Y-%m-%dT11:00}", "slots": "3", "hours": "2"})
    auth.post("/c/comm-a/timebank/teams/new", {"name": f"{name}{typed['mobile']}", "description": published})
    auth.logout()
    return numbers


def _certify(app, build, typed: dict) -> tuple[str, str]:
    """A volunteer registered with the typed name, mobile and ID number, with a certificate: their two public checks."""
    username = f"vol-{next(_volunteers)}"
    build.user(username, "comm-a", "resident", typed["name"], phone=typed["mobile"])
    head = type("Head", (), {"user_id": 1, "name": "站长a"})()
    with app.app_context():
        session = community_session("comm-a")
        uid = user_id(app, username)
        volunteer = volunteer_services.approve(session, get_community("comm-a"), volunteer_services.apply(
            session, uid, volunteer_services.Application(
                real_name=typed["name"], phone=typed["mobile"], id_number=typed["id"],
                emergency_name=typed["name"], emergency_phone="13800000009", consent=True)).id, 1)
        ledger.credit_service(session, uid, 90, f"ticket:{uid}", f"ticket:{uid}:u", head)
        certificate = certificates.issue(session, get_community("comm-a"), volunteer.id, head)
        session.commit()
        return (f"/c/comm-a/timebank/volunteers/{volunteer.number}",
                f"/c/comm-a/timebank/certificates/{certificate.number}")


def _version(app, number: str) -> int:
    with app.app_context():
        return community_session("comm-a").scalar(select(Ticket.version).where(Ticket.number == number))


def _found(body: str, typed: dict) -> list[str]:
    hits = [piece for key, piece in typed.items() if key != "text" and piece in body]
    hits += [m.group() for pattern in (MOBILE, LANDLINE, ID_NUMBER) for m in pattern.finditer(body)]
    return hits


def test_nothing_anyone_typed_reaches_a_public_surface(app, menu, client, auth, build):  # noqa: F811
    with app.app_context():
        feed = f"/c/comm-a/rosters/ical/{ical.token_for(community_session('comm-a'), user_id(app, 'staff-a'))}.ics"
        community_session("comm-a").commit()

    @settings(max_examples=5, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(typed_texts)
    def check(typed):
        numbers = _type_everywhere(app, client, auth, typed)
        assert _version(app, numbers[0]) > 2    # the staff forms did go through: the reply is stored
        checks = _certify(app, build, typed)
        with app.app_context():
            activities = [a.id for a in community_session("comm-a").scalars(select(Activity))]
            teams = community_session("comm-a").scalars(select(Team.name)).all()
        assert activities and any(typed["name"].lower() in t for t in teams)   # the head's forms did go through
        anonymous = app.test_client()
        paths = PUBLIC + [feed, *checks] + [f"/c/comm-a/timebank/activities/{a}" for a in activities]
        paths += [f"/open311/v2/requests/{n}.{fmt}?jurisdiction_id=comm-a" for n in numbers for fmt in ("json", "xml")]
        for path in paths:
            response = anonymous.get(path)
            assert response.status_code < 500, path
            assert not _found(response.get_data(as_text=True), typed), (path, _found(response.get_data(as_text=True),
                                                                                     typed))

    check()
