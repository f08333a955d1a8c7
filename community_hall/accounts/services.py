"""Account operations: create users, grant memberships, sign up, authenticate, change passwords."""

from __future__ import annotations

import re

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..errors import HallError
from ..tenancy import Community, community_session, registry_session, tenancy
from .models import ROLES, Membership, Profile, User
from .policy import GRANTS, can

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
PHONE_RE = re.compile(r"^1\d{10}$")
MIN_PASSWORD = 8
DEMO_PASSWORD = "hall-demo-2026"
DEMO_PASSWORDS = frozenset({DEMO_PASSWORD})
# A hash to check against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = None


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive; store and compare them lowercased."""
    return (username or "").strip().lower()


def check_password_rules(password: str, field: str = "password") -> None:
    """Raise HallError when a new password is too weak or a demo password in production."""
    if len(password or "") < MIN_PASSWORD:
        raise HallError(_l("Password must be at least %(n)s characters.", n=MIN_PASSWORD), field)
    if current_app.config["HALL_ENV"] == "production" and password in DEMO_PASSWORDS:
        raise HallError(_l("Demo passwords cannot be used in production."), field)


def create_user(username: str, password: str, display_name: str | None = None) -> User:
    """Create a user in the registry (not committed); raise HallError on a bad or taken username."""
    username = normalise_username(username)
    if not USERNAME_RE.match(username):
        raise HallError(_l("Username must be 3-40 characters: lowercase letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit."), "username")
    check_password_rules(password)
    session = registry_session()
    if session.query(User.id).filter_by(username=username).first() is not None:
        raise HallError(_l("This username is already taken."), "username")
    user = User(username=username, display_name=(display_name or username).strip()[:100],
                password_hash=_hash(password), is_active=True)
    session.add(user)
    session.flush()
    return user


def grant(user: User, community: Community, role: str) -> Membership:
    """Give a user a role in a community (not committed); idempotent."""
    if role not in ROLES:
        raise HallError(_l("Unknown role: %(role)s", role=role), "role")
    session = registry_session()
    existing = session.query(Membership).filter_by(user_id=user.id, community_id=community.id, role=role).first()
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, community_id=community.id, role=role)
    session.add(membership)
    end_sessions(user.id)  # a change of privilege: the user signs in afresh (the acting session is restarted)
    session.flush()
    return membership


def end_sessions(user_id: int) -> None:
    """Make every session of this user stale (not committed): raise their session_version.

    Call it on any change of a user's password or privileges (a role granted, or one day removed). When the user
    is the one signed in on this request, their session is renewed instead, after the request (views.py)."""
    db_user = registry_session().get(User, user_id)
    db_user.session_version = (db_user.session_version or 0) + 1
    if has_request_context() and current_user.is_authenticated and current_user.id == user_id:
        g.renew_session = user_id


def _save_profile(community: Community, user: User, real_name: str, phone: str, address: str,
                  actor_id: int | None, action: str) -> None:
    session = community_session(community.slug)
    profile = session.get(Profile, user.id)
    if profile is None:
        session.add(Profile(user_id=user.id, real_name=real_name, phone=phone, address=address))
    # By id, not username: the log is append-only, and a deleted account's username must not stay readable in it.
    audit.record(session, actor_id, action, f"user #{user.id}")
    session.commit()


def _validate_person(real_name: str, phone: str) -> tuple[str, str]:
    real_name = (real_name or "").strip()
    phone = re.sub(r"[\s-]", "", phone or "")
    if not 1 <= len(real_name) <= 50:
        raise HallError(_l("Please enter your real name (up to 50 characters)."), "real_name")
    if phone and not PHONE_RE.match(phone):
        raise HallError(_l("Please enter an 11-digit mobile number starting with 1."), "phone")
    return real_name, phone


def add_new_member(community: Community, role: str, username: str, password: str, real_name: str,
                   phone: str = "", address: str = "", actor_id: int | None = None) -> User:
    """Create a user with a role in a community and their profile there; nothing is kept on error."""
    real_name, phone = _validate_person(real_name, phone)
    session = registry_session()
    try:
        user = create_user(username, password, real_name)
        grant(user, community, role)
        session.commit()
    except IntegrityError as exc:  # a concurrent sign-up took the name between check and insert
        session.rollback()
        raise HallError(_l("This username is already taken."), "username") from exc
    except HallError:
        session.rollback()
        raise
    _save_profile(community, user, real_name, phone, address, actor_id or user.id, f"member.create.{role}")
    return user


def sign_up_resident(community: Community, username: str, password: str, real_name: str,
                     phone: str = "", address: str = "") -> User:
    """A resident registers themselves into a community."""
    return add_new_member(community, "resident", username, password, real_name, phone, address)


def join_as_resident(user: User, community: Community, real_name: str, phone: str = "", address: str = "") -> None:
    """A signed-in person (say, of another community) becomes a resident here too."""
    real_name, phone = _validate_person(real_name, phone)
    session = registry_session()
    if session.query(Membership.id).filter_by(user_id=user.id, community_id=community.id, role="resident").first():
        raise HallError(_l("You are already a resident of this community."))
    grant(user, community, "resident")
    session.commit()
    _save_profile(community, user, real_name, phone, address, user.id, "resident.join")


def create_member(actor: User, actor_roles: frozenset[str], community: Community, role: str, username: str,
                  password: str, real_name: str, phone: str = "") -> User:
    """A head creates staff, a district admin creates heads; raise HallError when not allowed or invalid."""
    if role not in GRANTS or not can(actor_roles, GRANTS[role]):
        raise HallError(_l("You may not create members with this role."), "role")
    return add_new_member(community, role, username, password, real_name, phone, actor_id=actor.id)


def grant_existing(username: str, community: Community, role: str) -> Membership:
    """Give an existing user a role in a community (a person may belong to several)."""
    session = registry_session()
    user = session.query(User).filter_by(username=normalise_username(username)).one_or_none()
    if user is None:
        raise HallError(_l("No such user: %(name)s", name=username), "username")
    if session.query(Membership.id).filter_by(user_id=user.id, community_id=community.id, role=role).first():
        raise HallError(_l("%(name)s already has this role here.", name=username), "role")
    membership = grant(user, community, role)
    session.commit()
    _save_profile(community, user, user.display_name, "", "", None, f"member.grant.{role}")
    return membership


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; either way written to the site's audit log."""
    user = _check_credentials(username, password)
    # A failure keeps what was typed (the only trace of a guessing attempt); a success names the account by id.
    detail = f"user #{user.id}" if user else normalise_username(username)[:40]
    audit.record_apart(tenancy().registry_engine, user.id if user else None, "login" if user else "login.failed",
                       detail, site=True)
    return user


def note_logout(user_id: int) -> None:
    """Write a sign-out to the site's audit log."""
    audit.record_apart(tenancy().registry_engine, user_id, "logout", site=True)


def _check_credentials(username: str, password: str) -> User | None:
    # Same work whether or not the user exists.
    global _DUMMY_HASH
    user = registry_session().query(User).filter_by(username=normalise_username(username)).one_or_none()
    if user is None or not user.is_active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hash("not-a-password")
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if current_app.config["HALL_ENV"] == "production" and password in DEMO_PASSWORDS:
        return None
    return user


def change_password(user: User, old: str, new: str) -> User:
    """Change a user's password after checking the old one; every session of theirs ends."""
    if not check_password_hash(user.password_hash, old or ""):
        raise HallError(_l("The current password is wrong."), "old_password")
    check_password_rules(new, "new_password")
    session = registry_session()
    db_user = session.get(User, user.id)
    db_user.password_hash = _hash(new)
    end_sessions(user.id)   # signed out everywhere; the view gives the current session the new version
    audit.record_site(session, user.id, "password.change", f"user #{user.id}")
    session.commit()
    return db_user


def set_password(user: User, new: str, actor_id: int | None = None) -> None:
    """Give a user a new password without the old one (the `hall set-password` admin command)."""
    check_password_rules(new)
    user.password_hash = _hash(new)
    end_sessions(user.id)
    audit.record_site(registry_session(), actor_id, "password.set", f"user #{user.id}")
    registry_session().commit()


def memberships_of(user: User) -> list[tuple[Community, str]]:
    """The (community, role) pairs of a user, by community name."""
    rows = (registry_session().query(Community, Membership.role)
            .join(Membership, Membership.community_id == Community.id)
            .filter(Membership.user_id == user.id).order_by(Community.name, Membership.role))
    return [(c, r) for c, r in rows]


def members_of(community: Community) -> list[dict]:
    """People of a community with their roles and profile (phones masked)."""
    rows = (registry_session().query(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .filter(Membership.community_id == community.id).order_by(User.username))
    people: dict[int, dict] = {}
    for user, role in rows:
        people.setdefault(user.id, {"user": user, "roles": []})["roles"].append(role)
    if people:
        profiles = community_session(community.slug).query(Profile).filter(Profile.user_id.in_(people))
        for p in profiles:
            people[p.user_id]["profile"] = p
    return list(people.values())


def set_housebound(community: Community, user_id: int, on: bool, actor_id: int | None) -> Profile:
    """Mark a resident as housebound (cannot come to the hall), so their open tickets need home visits."""
    member = registry_session().query(Membership.id).filter_by(user_id=user_id, community_id=community.id,
                                                               role="resident").first()
    session = community_session(community.slug)
    profile = session.get(Profile, user_id)
    if member is None or profile is None:
        raise HallError(_l("Only residents of this community can be marked housebound."), "housebound")
    profile.housebound = on
    audit.record(session, actor_id, "resident.housebound.on" if on else "resident.housebound.off", str(user_id))
    session.commit()
    return profile
