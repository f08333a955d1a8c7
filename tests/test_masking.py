"""Phones and ID numbers are masked in every list and export; only pages whose reader needs the number show it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community_hall.accounts.models import Profile
from community_hall.appointments.models import Appointment
from community_hall.complaints.services import ComplaintData, submit_complaint
from community_hall.floor.models import ServiceWindow
from community_hall.privacy import mask_id_number, mask_phone, mask_text
from community_hall.routing.services import InquiryData, log_inquiry
from community_hall.tenancy import community_session, get_community
from community_hall.timebank import volunteers
from community_hall.window import services as window_services
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.personal_setup import ID_NUMBER, PHONE, populate, user_id

OPEN_NAME, VISIT_NAME, COMPLAINT_NAME, APPLICANT = "赵开放", "钱上门", "孙投诉", "李申请"
ASKER = "吴咨询"
SPACED = "138 1234 5678"        # the same mobile number typed in groups
# What people type into free text: the numbers again, which lists must mask like the fields.
TYPED = f"请回电{PHONE}（或 {SPACED}），身份证{ID_NUMBER}"


@pytest.fixture
def data(app, menu):  # noqa: F811
    """Everything populate() makes (with the known numbers), plus open work in every list that shows people."""
    made = populate(app)
    with app.app_context():
        session, community = community_session("comm-a"), get_community("comm-a")
        session.get(Profile, made.user_id).phone = PHONE
        session.commit()
        open_ticket = submit_ticket(session, community, Submission(
            item_code="ZJ-001", resident_name=OPEN_NAME, resident_phone=PHONE, id_number=ID_NUMBER, channel="window",
            details=TYPED), Actor(None, OPEN_NAME, "resident"))
        open_ticket = window_services.accept(session, community, open_ticket, Actor(user_id("staff-a"), "员工a", "staff"),
                                             note=TYPED)
        submit_ticket(session, community, Submission(
            item_code="FL-001", resident_name=VISIT_NAME, resident_phone=PHONE, channel="home_visit",
            home_address=f"5-1-101 {PHONE}", details=TYPED), Actor(None, VISIT_NAME, "resident"))
        submit_complaint(session, community, ComplaintData(
            kind="complaint", resident_name=COMPLAINT_NAME, resident_phone=PHONE, details=f"窗口态度不好 {TYPED}",
            item_code="ZJ-001"),
            Actor(None, COMPLAINT_NAME, "resident"))
        window = session.scalar(select(ServiceWindow))
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()     # the community's day, which the page shows
        session.add(Appointment(code="TODAY1", item_code="ZJ-001", item_name="开具居住证明", window_id=window.id,
                                day=today, start="09:00", end="09:30", name="周预约", phone=PHONE))
        session.commit()
        volunteers.apply(session, user_id("staff-a"), volunteers.Application(
            real_name=APPLICANT, phone=PHONE, id_number=ID_NUMBER, emergency_name="家人", emergency_phone="13812345670",
            consent=True))
        log_inquiry(session, community, user_id("staff-a"), InquiryData(
            resident_name=ASKER, text=TYPED, contact_phone=PHONE, topic=f"低保 {PHONE}"))
        made.open_ticket = open_ticket.number
    return made


# (who reads it, the list or export, something that shows the data is really there; None for figures only)
MASKED = [
    ("staff-a", "/c/comm-a/queue", OPEN_NAME),
    ("staff-a", "/c/comm-a/appointments/day", "周预约"),
    ("staff-a", "/c/comm-a/visits", VISIT_NAME),
    ("head-a", "/c/comm-a/complaints", "开具居住证明"),
    ("head-a", "/c/comm-a/members", "res-a"),
    ("head-a", "/c/comm-a/timebank/applications", APPLICANT),
    ("head-a", "/c/comm-a/timebank/ledger", "居民a"),
    ("head-a", "/c/comm-a/timebank/ledger.csv", None),
    ("head-a", "/c/comm-a/timebank/figures", None),
    ("head-a", "/c/comm-a/orders/board", None),
    ("staff-a", "/c/comm-a/orders", None),
    ("staff-a", "/c/comm-a/desk", None),
    ("staff-a", "/c/comm-a/inquiries", ASKER),
    ("head-a", "/c/comm-a/inquiries/escalations", None),
    ("head-a", "/c/comm-a/timebank/teams", None),
    ("head-a", "/c/comm-a/timebank/activities", None),
    ("head-a", "/c/comm-a/timebank/certificates", None),
    ("head-a", "/c/comm-a/rosters/export/shifts.csv", None),
    ("head-a", "/c/comm-a/followups", None),
    ("head-a", "/c/comm-a/menu/export.csv", None),
    ("head-a", "/c/comm-a/menu/export.xlsx", None),
    ("head-a", "/c/comm-a/dashboard", None),
    ("head-a", "/c/comm-a/dashboard?format=xlsx", None),
    ("head-a", "/c/comm-a/report", None),
    ("head-a", "/c/comm-a/disclosure", None),
    ("head-a", "/c/comm-a/disclosure.json", None),
    ("district", "/district", None),
    ("district", "/district?format=csv", None),
    ("district", "/district?format=xlsx", None),
    ("district", "/district/report", None),
    ("staff-a", "/c/comm-a/queue/board", None),
    ("staff-a", "/c/comm-a/queue/board.json", None),
    (None, "/open311/v2/requests.json?jurisdiction_id=comm-a", None),
    (None, "/open311/v2/requests.xml?jurisdiction_id=comm-a", None),
]


def _body(response) -> str:
    """The text of a response; an XLSX is a zip, so its sheets are read through openpyxl."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data))
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who, path, marker", MASKED, ids=[p for _, p, _ in MASKED])
def test_lists_and_exports_never_show_a_full_phone_or_id_number(data, auth, client, who, path, marker):
    if who:
        auth.login(who)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    body = _body(response)
    assert PHONE not in body and ID_NUMBER not in body
    assert "13812345670" not in body                   # an emergency contact is a phone too
    assert SPACED not in body                          # nor a number typed into free text, however grouped
    if marker:
        assert marker in body


def test_masked_forms_show_enough_to_recognise_a_number(data, auth, client):
    auth.login("staff-a")
    body = client.get("/c/comm-a/queue").get_data(as_text=True)
    assert mask_phone(PHONE) == "138****5678" and mask_phone(PHONE) in body
    assert mask_id_number(ID_NUMBER) == "1101**********1234"


def test_the_handler_sees_the_full_number_on_the_ticket_and_others_do_not(data, auth, client):
    auth.login("staff-a")
    ticket_page = client.get(f"/c/comm-a/tickets/{data.open_ticket}").get_data(as_text=True)
    assert PHONE in ticket_page and ID_NUMBER in ticket_page          # to call back and check the identity
    auth.logout()
    auth.login("district")
    ticket_page = client.get(f"/c/comm-a/tickets/{data.open_ticket}").get_data(as_text=True)
    assert OPEN_NAME in ticket_page and PHONE not in ticket_page and ID_NUMBER not in ticket_page


def test_numbers_typed_into_free_text_are_masked_like_the_fields():
    assert mask_text(TYPED) == "请回电138****5678（或 138****5678），身份证1101**********1234"
    assert mask_text("身份证11010119900307123X，电话138-1234-5678。") == "身份证1101**********123X，电话138****5678。"
    # Longer runs of digits (ticket and order numbers, amounts) and landlines are not phone numbers.
    for text in ("20261123000138123456789", "订单12345678901234567890", "010-12345678", "", None):
        assert mask_text(text) == (text or "")


def test_lists_show_free_text_masked_and_the_handler_sees_it_in_full(data, auth, client):
    auth.login("staff-a")
    inquiries = client.get("/c/comm-a/inquiries").get_data(as_text=True)
    assert f"低保 {mask_phone(PHONE)}" in inquiries and PHONE not in inquiries
    ticket_page = client.get(f"/c/comm-a/tickets/{data.open_ticket}").get_data(as_text=True)
    assert ticket_page.count(PHONE) >= 3 and SPACED in ticket_page     # field, request and timeline note in full
    auth.logout()
    auth.login("district")
    ticket_page = client.get(f"/c/comm-a/tickets/{data.open_ticket}").get_data(as_text=True)
    assert "请回电138****5678" in ticket_page and ticket_page.count(mask_id_number(ID_NUMBER)) >= 3
    assert PHONE not in ticket_page and SPACED not in ticket_page and ID_NUMBER not in ticket_page
