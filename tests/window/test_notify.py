"""Status-change notifications: in-app for residents with an account, email over SMTP (a local aiosmtpd server)."""

from __future__ import annotations

import email
import email.policy
import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.window import notify
from community_hall.window.models import Ticket
from community_hall.window.ratings_models import Notification
from tests.window.conftest import drive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 at a free port; yields (inbox, port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def mail_to(app, port, address="wang@example.org"):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="hall@comm-a.example.org",
                      MAIL_TIMEOUT=5, NOTIFY_EMAIL_LOOKUP=lambda community, ticket: address)


def user_id(app, username):
    with app.app_context():
        return registry_session().scalar(select(User.id).where(User.username == username))


def act(app, ticket_id, *actions):
    return drive(app, ticket_id, *actions, texts={"complete": "已办结，请到2号窗口领取证明。",
                                                  "return": "户口簿、收入证明", "decline": "户籍不在本社区"})


def notifications(app):
    with app.app_context():
        return community_session("comm-a").scalars(select(Notification).order_by(Notification.id)).all()


def test_a_signed_in_resident_is_told_of_acceptance_and_completion_in_the_app(app, client, auth, submit):
    resident = user_id(app, "res-a")
    ticket = submit(resident_user_id=resident)
    done = act(app, ticket.id, "accept", "complete")
    rows = notifications(app)
    assert [n.kind for n in rows] == ["submitted", "accepted", "done"]
    assert {n.user_id for n in rows} == {resident} and {n.ticket_id for n in rows} == {ticket.id}
    assert all(done.number in n.message for n in rows)
    with app.app_context():
        due = notify.notice_params(done, get_community("comm-a"))["due"]
    assert due and due in rows[1].message and "已办结，请到2号窗口领取证明。" in rows[2].message

    auth.login("res-a")
    page = client.get("/c/comm-a/notifications?lang=en").get_data(as_text=True)
    assert f"Your request {done.number} has been accepted and should be finished by {due}." in page
    assert f"/c/comm-a/rate/{done.number}" in page and page.count('class="tag"') == 3
    assert auth.post("/c/comm-a/notifications", {"notification_id": str(rows[0].id)}).status_code == 303
    assert sum(n.read_at is None for n in notifications(app)) == 2
    assert auth.post("/c/comm-a/notifications", {}).status_code == 303
    assert all(n.read_at is not None for n in notifications(app))
    auth.logout()
    auth.login("staff-a")
    assert done.number not in client.get("/c/comm-a/notifications").get_data(as_text=True)
    auth.post("/c/comm-a/notifications", {})  # marking "all" read touches only one's own


def test_no_in_app_message_without_an_account(app, submit):
    ticket = submit()
    act(app, ticket.id, "accept", "complete")
    assert notifications(app) == []


def test_returned_and_declined_name_what_is_missing_and_why(app, submit):
    resident = user_id(app, "res-a")
    returned = act(app, submit(resident_user_id=resident).id, "return")
    declined = act(app, submit(resident_user_id=resident).id, "decline")
    messages = {n.ticket_id: n for n in notifications(app) if n.kind in ("returned", "declined")}
    assert "户口簿、收入证明" in messages[returned.id].message
    assert "户籍不在本社区" in messages[declined.id].message


def test_email_is_delivered_in_chinese_to_a_local_smtp_server(app, submit, smtp_server):
    inbox, port = smtp_server
    mail_to(app, port)
    ticket = submit()
    with app.test_request_context("/?lang=en"):  # even while the page is in English, the mail is in Chinese
        ticket = act(app, ticket.id, "accept")
    assert len(inbox.messages) == 2  # submitted, accepted
    recipients, message = inbox.messages[1]
    assert recipients == ["wang@example.org"]
    assert message["From"] == "hall@comm-a.example.org" and message["Content-Language"] == "zh-CN"
    assert ticket.number in message["Subject"] and "甲社区" in message["Subject"]
    body = message.get_body().get_content()
    with app.app_context():
        due = notify.notice_params(ticket, get_community("comm-a"))["due"]
    assert f"您的办件 {ticket.number} 已受理" in body and due in body
    assert "请勿回复" in body


def test_no_address_means_no_email(app, submit, smtp_server):
    inbox, port = smtp_server
    mail_to(app, port, address=None)
    act(app, submit().id, "accept")
    assert inbox.messages == []


def test_a_mail_failure_never_breaks_the_transition(app, submit, caplog):
    mail_to(app, free_port())  # nothing listens there: connection refused
    ticket = submit(resident_user_id=user_id(app, "res-a"))
    with caplog.at_level(logging.ERROR, logger="community_hall.window.notify"):
        accepted = act(app, ticket.id, "accept")
    assert accepted.status == "accepted"
    with app.app_context():
        assert community_session("comm-a").get(Ticket, ticket.id).status == "accepted"
    assert [n.kind for n in notifications(app)] == ["submitted", "accepted"]  # in-app still delivered
    assert "SmtpNotifier could not send the accepted notice" in caplog.text


def test_a_failing_notifier_does_not_stop_the_others(app, submit, monkeypatch):
    class Broken:
        def notify(self, community, ticket, event, message):
            raise RuntimeError("SMS gateway down")

    monkeypatch.setattr(notify, "notifiers_for", lambda app: [Broken(), notify.InAppNotifier()])
    ticket = submit(resident_user_id=user_id(app, "res-a"))
    assert act(app, ticket.id, "accept").status == "accepted"
    assert [n.kind for n in notifications(app)] == ["submitted", "accepted"]


def test_notifiers_follow_the_configuration(app):
    assert [type(n).__name__ for n in notify.notifiers_for(app)] == ["InAppNotifier"]
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["NOTIFY_EMAIL_LOOKUP"] = "tests.window.test_notify:lookup_for_config"
    found = notify.notifiers_for(app)
    assert [type(n).__name__ for n in found] == ["InAppNotifier", "SmtpNotifier"]
    assert found[1].lookup is lookup_for_config and found[1].port == 25


def lookup_for_config(community, ticket):
    return None
