"""Retention periods per kind of record: the head's settings page, and the sweep that anonymises old records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community_hall.accounts.personal_data import PLACEHOLDER_NAME
from community_hall.accounts.retention import DEFAULT_MONTHS, RetentionSetting, months_by_kind
from community_hall.appointments.models import Appointment
from community_hall.audit import AuditEvent
from community_hall.floor.models import QueueNumber
from community_hall.tenancy import community_session, utcnow
from community_hall.window.models import Ticket
from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.personal_setup import PHONE, populate, ticket_figures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


GOOD = {kind: str(months) for kind, months in DEFAULT_MONTHS.items()}


def test_only_the_head_sets_retention_periods(app, build, auth, client):
    build.two_communities()
    assert "/login" in client.get("/c/comm-a/retention").headers["Location"]
    for username, status in (("res-a", 403), ("staff-a", 403), ("head-b", 404), ("district", 403)):
        auth.login(username)
        assert client.get("/c/comm-a/retention").status_code == status, username
        assert auth.post("/c/comm-a/retention", {**GOOD, "tickets": "1"}).status_code == status, username
        auth.logout()
    auth.login("head-a")
    assert client.get("/c/comm-a/retention").status_code == 200
    with app.app_context():
        assert community_session("comm-a").scalars(select(RetentionSetting)).all() == []


@pytest.mark.parametrize("value", ["abc", "0", "601", "", "-3", "1.5"])
def test_bad_periods_are_refused_with_a_message_and_store_nothing(app, build, auth, value, zh):
    build.two_communities()
    auth.login("head-a")
    response = auth.post("/c/comm-a/retention", {**GOOD, "appointments": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert zh("Give a whole number of months from 1 to 600.") in page or zh("This field is required.") in page
    with app.app_context():
        assert community_session("comm-a").scalars(select(RetentionSetting)).all() == []


def test_head_saves_periods_and_the_change_is_audited(app, build, auth):
    build.two_communities()
    auth.login("head-a")
    response = auth.post("/c/comm-a/retention", {**GOOD, "tickets": "24", "queue_numbers": "1"})
    assert response.status_code == 302
    with app.app_context():
        session = community_session("comm-a")
        assert months_by_kind(session) == {**DEFAULT_MONTHS, "tickets": 24, "queue_numbers": 1}
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "privacy.retention_settings"))
        assert months_by_kind(community_session("comm-b")) == DEFAULT_MONTHS


def _age_ticket(app, number: str, days: int) -> None:
    with app.app_context():
        session = community_session("comm-a")
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        ticket.finished_at = utcnow() - timedelta(days=days)
        session.commit()


def test_sweep_anonymises_records_past_retention_and_keeps_the_figures(app, menu, runner):  # noqa: F811
    data = populate(app)
    _age_ticket(app, data.ticket, 37 * 30)        # past the 36 months of closed tickets
    figures = ticket_figures(app)

    result = runner.invoke(args=["hall", "retention-sweep", "--community", "comm-a", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "comm-a: would anonymise 3 (tickets 1, complaints 0, home_visits 0, appointments 1, queue_numbers 1)" \
        in result.output
    with app.app_context():
        session = community_session("comm-a")
        assert session.scalar(select(Ticket).where(Ticket.number == data.ticket)).resident_phone == PHONE

    result = runner.invoke(args=["hall", "retention-sweep"])
    assert result.exit_code == 0, result.output
    assert "comm-a: anonymised 3" in result.output and "comm-b: anonymised 0" in result.output
    with app.app_context():
        session = community_session("comm-a")
        session.expire_all()
        ticket = session.scalar(select(Ticket).where(Ticket.number == data.ticket))
        assert (ticket.resident_name, ticket.resident_phone, ticket.id_number, ticket.status) \
            == (PLACEHOLDER_NAME, "", "", "done")
        assert session.scalar(select(Ticket).where(Ticket.number == data.other)).resident_name == "李四"  # open
        assert session.get(Appointment, data.appointment_id).phone == ""
        number = session.scalar(select(QueueNumber))
        assert (number.ticket_id, number.appointment_id, number.status) == (None, None, "done")
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "privacy.retention"))
    assert ticket_figures(app) == figures
    assert "comm-a: anonymised 0" in runner.invoke(args=["hall", "retention-sweep"]).output   # nothing twice
    assert runner.invoke(args=["hall", "ledger-check"]).exit_code == 0


def test_sweep_keeps_what_is_within_the_period(app, menu, auth, runner):  # noqa: F811
    data = populate(app)
    _age_ticket(app, data.ticket, 37 * 30)
    auth.login("head-a")
    auth.post("/c/comm-a/retention", {**GOOD, "tickets": "600", "appointments": "600", "queue_numbers": "600"})
    result = runner.invoke(args=["hall", "retention-sweep", "--community", "comm-a"])
    assert "comm-a: anonymised 0" in result.output
    with app.app_context():
        ticket = community_session("comm-a").scalar(select(Ticket).where(Ticket.number == data.ticket))
        assert ticket.resident_phone == PHONE
    assert runner.invoke(args=["hall", "retention-sweep", "--community", "nope"]).exit_code != 0
