"""The community's audit log, newest first, filtered by action, person and dates (heads and district admins)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.policy import requires
from ..accounts.services import normalise_username
from ..audit import AuditEvent
from ..errors import HallError
from ..htmx import render
from ..tenancy import community_session, registry_session

bp = Blueprint("auditlog", __name__, url_prefix="/c/<slug>")

PAGE_SIZE = 50
# Accounts named in a detail by id (accounts/services.py), so a deleted account shows as "deleted-<id>".
SUBJECT = re.compile(r"user #(\d{1,9})\b")


@dataclass
class AuditFilter:
    """What the page asks for (all optional)."""

    action: str = ""
    actor: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HallError(_l("Enter a date as YYYY-MM-DD."), field) from None


def events_page(f: AuditFilter) -> tuple[list[AuditEvent], bool]:
    """One page of the log, newest first, and whether there is another; HallError on a bad filter."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.action:
        query = query.where(AuditEvent.action.startswith(f.action, autoescape=True))
    if f.actor:
        user_id = registry_session().scalar(select(User.id).where(User.username == normalise_username(f.actor)))
        if user_id is None:
            raise HallError(_l("No such user: %(name)s", name=f.actor), "actor")
        query = query.where(AuditEvent.actor_user_id == user_id)
    tz = ZoneInfo(g.community.timezone or "Asia/Shanghai")
    start, end = _day(f.date_from, "date_from"), _day(f.date_to, "date_to")
    if start and end and end < start:
        raise HallError(_l("The end date is before the start date."), "date_to")
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time(), tz).astimezone(UTC))
    if end:
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC))
    page = max(1, f.page)
    rows = list(community_session(g.community.slug).scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@bp.route("/audit")
@requires("audit.read")
def log(slug):
    """The audit log: who did what, when and from where."""
    args = request.args
    page = args.get("page", "1")
    f = AuditFilter(action=args.get("action", "").strip()[:50], actor=args.get("actor", "").strip()[:40],
                    date_from=args.get("date_from", "").strip(), date_to=args.get("date_to", "").strip(),
                    page=int(page) if page.isdigit() and len(page) < 7 else 1)
    error, status = None, 200
    try:
        events, more = events_page(f)
    except HallError as err:
        error, status, events, more = err, 400, [], False
    ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
    ids |= {int(m) for e in events for m in SUBJECT.findall(e.detail or "")}
    people = {row.id: row for row in registry_session().execute(
        select(User.id, User.username, User.display_name).where(User.id.in_(ids)))} if ids else {}

    def detail(event) -> str:
        """The detail with each "user #<id>" followed by that account's username as it is now."""
        def named(match):
            person = people.get(int(match.group(1)))
            return f"{match.group(0)} ({person.username})" if person else match.group(0)
        return SUBJECT.sub(named, event.detail or "")

    return render("audit/log.html", f=f, events=events, more=more, people=people, error=error,
                  detail=detail), status
