"""Telling residents when their ticket changes: a notifier interface, in-app messages and email over SMTP.

Ticket services send the `ticket_changed` signal after each committed change; the receiver here builds
the message in the site's default language (Chinese) and hands it to every configured notifier. A notifier
that fails is logged and skipped: a change of state never fails because a message could not be sent.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..signals import ticket_changed
from ..tenancy import Community, get_community, tenancy, utcnow
from .models import Ticket
from .ratings_models import Notification, Rating

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "zh_CN"

# What the resident is told, by kind; %(number)s and the other names come from notice_params().
MESSAGES = {
    "submitted": _l("Your request %(number)s (%(item)s) has been received and is waiting to be accepted."),
    "accepted": _l("Your request %(number)s has been accepted and should be finished by %(due)s."),
    "in_progress": _l("Your request %(number)s is now being handled."),
    "returned": _l("Your request %(number)s needs more materials: %(missing)s. "
                   "Please supply them so that it can go on."),
    "resubmitted": _l("We have received the materials for your request %(number)s."),
    "resubmitted_accepted": _l("We have received the materials for your request %(number)s. "
                               "It should now be finished by %(due)s."),
    "done": _l("Your request %(number)s is done. Result: %(reply)s Please rate our service."),
    "declined": _l("Your request %(number)s has not been accepted. Reason: %(reason)s"),
    "withdrawn": _l("Your request %(number)s has been withdrawn."),
    "answered": _l("Your %(item)s %(number)s has been answered: %(reply)s"),
    "followup_reply": _l("The station has followed up your rating of request %(number)s. Reply: %(reply)s"),
}
# ticket action -> kind of message
ACTION_KINDS = {
    "submit": "submitted", "accept": "accepted", "start": "in_progress", "return": "returned",
    "resubmit": "resubmitted", "resubmit_accepted": "resubmitted_accepted", "complete": "done",
    "decline": "declined", "withdraw": "withdrawn",
}


@dataclass(frozen=True)
class Notice:
    """What happened to a ticket: the kind of message and the values it names."""

    kind: str
    params: dict = field(default_factory=dict)


class Notifier(Protocol):
    """Something that tells a resident about their ticket (in the app, by email, later SMS …)."""

    def notify(self, community: Community, ticket: Ticket, event: Notice, message: str) -> None: ...


def message_text(kind: str, params: dict) -> str:
    """The message of a kind in the current language."""
    return str(MESSAGES[kind]) % params


def notice_params(ticket: Ticket, community: Community, extra: dict | None = None) -> dict:
    """The values a message may name, taken from the ticket (dates in the community's zone)."""
    due = ""
    if ticket.due_at is not None:
        due_at = ticket.due_at if ticket.due_at.tzinfo else ticket.due_at.replace(tzinfo=UTC)
        due = due_at.astimezone(ZoneInfo(community.timezone)).strftime("%Y-%m-%d")
    return {"number": ticket.number, "item": ticket.item_name, "due": due,
            "missing": "、".join(m for m in (ticket.missing_materials or "").splitlines() if m.strip()),
            "reply": ticket.reply or "", "reason": ticket.decline_reason or "", **(extra or {})}


class InAppNotifier:
    """Keeps a Notification row for a resident with an account; they read it at /c/<slug>/notifications."""

    def notify(self, community: Community, ticket: Ticket, event: Notice, message: str) -> None:
        if ticket.resident_user_id is None:
            return
        # Its own session: the caller's has just committed the change and must not be disturbed.
        with Session(bind=tenancy().community_engine(community.slug)) as session:
            session.add(Notification(user_id=ticket.resident_user_id, ticket_id=ticket.id, kind=event.kind,
                                     message=message, params=json.dumps(event.params, ensure_ascii=False),
                                     created_at=utcnow()))
            session.commit()


EmailLookup = Callable[[Community, Ticket], "str | None"]


class SmtpNotifier:
    """Emails the resident over SMTP, in Chinese unless told otherwise.

    Residents' email addresses are not collected yet, so whom to write to is a lookup the site supplies
    (config NOTIFY_EMAIL_LOOKUP); without one, or when it finds no address, nothing is sent.
    """

    def __init__(self, host: str, port: int = 25, sender: str = "community-hall@localhost",
                 lookup: EmailLookup | None = None, timeout: float = 10, starttls: bool = False,
                 username: str | None = None, password: str | None = None, locale: str = DEFAULT_LOCALE):
        self.host, self.port, self.sender, self.lookup = host, port, sender, lookup
        self.timeout, self.starttls, self.username, self.password = timeout, starttls, username, password
        self.locale = locale

    def notify(self, community: Community, ticket: Ticket, event: Notice, message: str) -> None:
        to = self.lookup(community, ticket) if self.lookup else None
        if not to:
            return
        with force_locale(self.locale):
            subject = _("%(community)s: news of your request %(number)s", community=community.name,
                        number=ticket.number)
            footer = _("This message was sent automatically by the community service station. Please do not reply.")
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = self.sender
        mail["To"] = to
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(f"{message}\n\n{community.name}\n{footer}\n")
        mail["Content-Language"] = self.locale.replace("_", "-")  # after set_content, which drops Content-*
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


def setting(app, key: str, default=None):
    """A setting from the app config, else from the environment variable of the same name, else the default."""
    value = app.config.get(key)
    if value is None or value == "":
        value = os.environ.get(key) or default
    return value


def _lookup(app) -> EmailLookup | None:
    lookup = setting(app, "NOTIFY_EMAIL_LOOKUP")
    if isinstance(lookup, str):  # "package.module:function"
        module, _sep, name = lookup.partition(":")
        lookup = getattr(importlib.import_module(module), name)
    return lookup


def notifiers_for(app) -> list[Notifier]:
    """The notifiers this site uses: always in-app; email when MAIL_SERVER is set."""
    notifiers: list[Notifier] = [InAppNotifier()]
    host = setting(app, "MAIL_SERVER")
    if host:
        notifiers.append(SmtpNotifier(
            host, int(setting(app, "MAIL_PORT", 25)), setting(app, "MAIL_FROM", "community-hall@localhost"),
            lookup=_lookup(app), timeout=float(setting(app, "MAIL_TIMEOUT", 10)),
            starttls=str(setting(app, "MAIL_USE_STARTTLS", "")).lower() in ("1", "true", "yes"),
            username=setting(app, "MAIL_USERNAME"), password=setting(app, "MAIL_PASSWORD"),
            locale=setting(app, "NOTIFY_LOCALE", DEFAULT_LOCALE)))
    return notifiers


def _community_of(ticket: Ticket) -> Community | None:
    # Ticket numbers are <SLUG>-YYYYMMDD-NNNN, so the number names its community.
    community = g.get("community")
    if community is not None and ticket.number.startswith(community.slug.upper() + "-"):
        return community
    return get_community(ticket.number.rsplit("-", 2)[0].lower())


def notify_resident(ticket: Ticket, kind: str, extra: dict | None = None) -> None:
    """Tell the ticket's resident through every notifier; failures are logged, never raised."""
    try:
        if ticket.resident_user_id is None and not setting(current_app, "MAIL_SERVER"):
            return  # nobody to tell: no account for in-app messages, no mail server
        community = _community_of(ticket)
        if community is None or kind not in MESSAGES:
            return
        params = notice_params(ticket, community, extra)
        with force_locale(setting(current_app, "NOTIFY_LOCALE", DEFAULT_LOCALE)):
            message = message_text(kind, params)
        notifiers = notifiers_for(current_app)
    except Exception:
        log.exception("could not prepare the %s notice of ticket %s", kind, getattr(ticket, "number", "?"))
        return
    for notifier in notifiers:
        try:
            notifier.notify(community, ticket, Notice(kind, params), message)
        except Exception:
            log.exception("%s could not send the %s notice of ticket %s", type(notifier).__name__, kind,
                          ticket.number)


@ticket_changed.connect
def _on_ticket_changed(ticket: Ticket, action: str = "", **_kwargs) -> None:
    kind = ACTION_KINDS.get(action)
    if kind == "done" and getattr(ticket, "kind", "request") != "request":
        kind = "answered"   # complaints and 办不成事反映 are answered, not rated (a rating would reach the head)
    if kind is not None:
        notify_resident(ticket, kind)


# --- reading them --------------------------------------------------------------------------------
def notification_text(notification: Notification) -> str:
    """A notification in the reader's language (the stored text when its kind is unknown)."""
    try:
        return message_text(notification.kind, json.loads(notification.params or "{}"))
    except (KeyError, ValueError, TypeError):
        return notification.message


@dataclass
class InboxRow:
    """A notification with what the reader may do next about its ticket."""

    notification: Notification
    number: str
    can_rate: bool


def inbox(session: Session, user_id: int, limit: int = 100) -> list[InboxRow]:
    """A person's notifications, newest first, each saying whether its ticket is finished and not yet rated."""
    rows = session.execute(
        select(Notification, Ticket.number, Ticket.status, Rating.id, Ticket.kind)
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
        .outerjoin(Rating, Rating.ticket_id == Notification.ticket_id)
        .where(Notification.user_id == user_id).order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit))
    return [InboxRow(n, number or "", status in ("done", "declined") and rating_id is None and kind == "request")
            for n, number, status, rating_id, kind in rows]


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one of a person's notifications (or all of them) read; returns how many changed."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    count = session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return count
