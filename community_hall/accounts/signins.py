"""Server-side sign-ins: a session cookie signs a user in only while its row in user_sessions is open.

A sign-in ends at sign-out, after an idle time and at its lifetime (both shorter for staff and above: settings
SESSION_IDLE_MINUTES[_STAFF], SESSION_LIFETIME_HOURS[_STAFF]), so a copied cookie is worth nothing once its
session is over. The cookie carries a random id; the table keeps only its sha256. Writes go in short
transactions of their own (on SQLite a request's read transaction could not take the write lock later)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g
from sqlalchemy import delete, exists, insert, or_, select, update

from ..clock import utcnow
from ..tenancy import registry_session, tenancy
from .models import Membership, UserSession

SID_KEY = "_sid"
PRIVILEGED = ("staff", "head", "district")
# seen_at is written at most this often per session: idle time is measured to within it, without a write per page.
SEEN_EVERY = timedelta(seconds=60)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def limits(privileged: bool) -> tuple[timedelta, timedelta]:
    """The idle time and the lifetime of a session, for staff and above or for everyone else."""
    config = current_app.config
    suffix = "_STAFF" if privileged else ""
    return (timedelta(minutes=config[f"SESSION_IDLE_MINUTES{suffix}"]),
            timedelta(hours=config[f"SESSION_LIFETIME_HOURS{suffix}"]))


def open_signin(user_id: int) -> str:
    """Record a new sign-in of the user and return the id its cookie carries (the user's finished ones go)."""
    now = utcnow()
    privileged = bool(registry_session().scalar(select(exists().where(
        Membership.user_id == user_id, Membership.role.in_(PRIVILEGED)))))
    sid = secrets.token_urlsafe(32)
    with tenancy().registry_engine.begin() as connection:
        # Housekeeping that stays bounded per user: rows of sessions that can no longer sign anyone in.
        connection.execute(delete(UserSession).where(UserSession.user_id == user_id, or_(
            UserSession.ended_at.is_not(None), UserSession.started_at < now - _longest())))
        connection.execute(insert(UserSession).values(token_hash=_hash(sid), user_id=user_id, started_at=now,
                                                      seen_at=now, privileged=privileged))
    return sid


def _longest() -> timedelta:
    return max(limits(False)[1], limits(True)[1])


def end_signin(sid: str | None) -> None:
    """End the sign-in this id names (sign-out): its cookie, or any copy of it, signs nobody in again."""
    if isinstance(sid, str) and sid:
        with tenancy().registry_engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.token_hash == _hash(sid),
                                                         UserSession.ended_at.is_(None)).values(ended_at=utcnow()))


def signin_open(user_id: int, sid: str | None) -> str | None:
    """None when the sign-in is open (and note it was seen), else why not: "ended", "idle" or "lifetime"."""
    if not isinstance(sid, str) or not sid:
        return "ended"
    cached = g.get("_signin_checked")
    if cached is not None and cached[0] == sid:
        return cached[1]
    outcome = _check(user_id, sid)
    g._signin_checked = (sid, outcome)
    return outcome


def _check(user_id: int, sid: str) -> str | None:
    row = registry_session().execute(select(
        UserSession.user_id, UserSession.started_at, UserSession.seen_at, UserSession.ended_at,
        UserSession.privileged).where(UserSession.token_hash == _hash(sid))).first()
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return "ended"
    now = utcnow()
    idle, lifetime = limits(row.privileged)
    seen, started = _aware(row.seen_at), _aware(row.started_at)
    reason = "idle" if now - seen > idle else "lifetime" if now - started > lifetime else None
    if reason is not None:
        end_signin(sid)
    elif now - seen >= SEEN_EVERY:
        with tenancy().registry_engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.token_hash == _hash(sid)).values(seen_at=now))
    return reason
