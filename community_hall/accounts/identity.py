"""Signed-in users and their roles, kept a few seconds per worker: they are read on every request.

A change made in this process is seen at once (the cache is cleared on flush); another worker sees it
within SECONDS, the bound on how long a removed role or a deactivated account can still act there.

A session carries the user's session_version from sign-in (SESSION_KEY); a request whose session holds an older
version than the user's is not signed in (see session_user), which is how a password change ends every session.
It also carries the id of its sign-in (signins.py), which must still be open on the server: sign-out, idle time
and lifetime end it there, whatever copies of the cookie exist."""

from __future__ import annotations

from flask import flash, has_app_context, session
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..kept import kept, store
from ..tenancy import registry_session
from .models import Membership, User
from .signins import SID_KEY, signin_open

SECONDS = 5.0
SESSION_KEY = "_sv"
CACHE = "identity_cache"


def _load_user(user_id: int) -> User | None:
    user = registry_session().get(User, user_id)
    if user is not None:
        registry_session().expunge(user)
        if not user.is_active:
            user = None
    return user


def active_user(user_id: int) -> User | None:
    """The active user with this id (a detached, read-only row), or None."""
    return kept(CACHE, ("user", user_id), SECONDS, lambda: _load_user(user_id))


def session_user(user_id: int) -> User | None:
    """The user this request's session signs in, or None when the user is gone or the session is older than
    the user's session_version (checked on every request, against the cached row: a bump clears the cache here)."""
    user = active_user(user_id)
    if user is None or session.get(SESSION_KEY, 0) != user.session_version:
        return None
    ended = signin_open(user_id, session.get(SID_KEY))
    if ended is not None:
        _forget_signin(ended)
        return None
    return user


def _forget_signin(reason: str) -> None:
    # The cookie's sign-in is over on the server (sign-out elsewhere, idle, lifetime): drop it from this session
    # too, so the next request does not ask again, and say why when time ran out.
    for key in ("_user_id", "_fresh", "_id", SESSION_KEY, SID_KEY):
        session.pop(key, None)
    if reason == "idle":
        flash(_("You were signed out after a while without activity. Please sign in again."), "info")
    elif reason == "lifetime":
        flash(_("Your sign-in has reached its time limit. Please sign in again."), "info")


def roles(user_id: int, community_id: int) -> frozenset[str]:
    """The roles the user holds in the community."""
    return kept(CACHE, ("roles", user_id, community_id), SECONDS, lambda: frozenset(registry_session().scalars(
        select(Membership.role).where(Membership.user_id == user_id, Membership.community_id == community_id))))


def first_head(community_id: int) -> int | None:
    """The user id of the community's first station head (the fallback of every post), or None."""
    return kept(CACHE, ("head", community_id), SECONDS, lambda: registry_session().scalar(
        select(Membership.user_id).where(Membership.community_id == community_id, Membership.role == "head")
        .order_by(Membership.id).limit(1)))


@event.listens_for(Session, "before_flush")
def _forget(session, _context, _instances):
    """A user or membership written in this process is read afresh by the next request."""
    if has_app_context() and any(isinstance(obj, User | Membership)
                                 for obj in (*session.new, *session.dirty, *session.deleted)):
        store(CACHE).clear()


@event.listens_for(Session, "do_orm_execute")
def _forget_bulk(state):
    """The same for INSERT, UPDATE and DELETE statements on users or memberships."""
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) \
            and getattr(table, "name", None) in ("users", "memberships") \
            and has_app_context():
        store(CACHE).clear()
