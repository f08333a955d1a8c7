"""Who may do what: the one place where roles are checked."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..tenancy import Community, get_community, registry_session
from . import identity
from .models import Membership

# permission -> roles (within the community of the request) that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "community.member": frozenset({"resident", "staff", "head", "district"}),
    "members.view": frozenset({"staff", "head", "district"}),
    "members.create_staff": frozenset({"head"}),
    "members.create_head": frozenset({"district"}),
    "members.create": frozenset({"head", "district"}),
    "menu.manage": frozenset({"head"}),
    "calendar.manage": frozenset({"head"}),
    "floor.call": frozenset({"staff", "head"}),
    "floor.manage": frozenset({"head"}),
    "appointments.view": frozenset({"staff", "head"}),
    "appointments.work": frozenset({"staff", "head"}),
    "ratings.on_behalf": frozenset({"staff", "head"}),
    "ratings.followup": frozenset({"head", "district"}),   # district: a bad rating of the head's own work
    "tickets.view": frozenset({"staff", "head", "district"}),
    "tickets.work": frozenset({"staff", "head"}),
    "residents.housebound": frozenset({"staff", "head"}),
    "visits.view": frozenset({"staff", "head"}),
    "visits.assign": frozenset({"head"}),
    "visits.record": frozenset({"staff", "head"}),
    "visits.record_any": frozenset({"head"}),  # staff record only the visits they were sent on
    "complaints.handle": frozenset({"head", "district"}),
    "rosters.view": frozenset({"staff", "head", "district"}),
    "rosters.manage": frozenset({"head"}),  # posts and holders, shifts, deciding leave and swaps, import
    "rosters.self": frozenset({"staff", "head"}),  # own leave, outreach and shift swaps
    "dashboard.view": frozenset({"head", "district"}),
    "inquiries.work": frozenset({"staff", "head"}),
    "inquiries.act_any": frozenset({"head"}),   # staff act only on the matters they handle
    "inquiries.oversee": frozenset({"head", "district"}),
    "timebank.manage": frozenset({"head"}),  # deciding volunteer applications, creating and editing teams
    "timebank.figures": frozenset({"head", "district"}),  # the time bank's figures (read-only)
    "timebank.organise": frozenset({"staff", "head"}),  # publishing and running any activity (team leaders: their own)
    "orders.dispatch": frozenset({"staff", "head"}),  # ordering for residents, dispatching, confirming for them
    "privacy.retention": frozenset({"head"}),  # how long personal details of finished records are kept
    "audit.read": frozenset({"head", "district"}),  # the community's audit log
}

# role a granting permission allows to create
GRANTS = {"staff": "members.create_staff", "head": "members.create_head"}


def roles_in(user, community: Community) -> frozenset[str]:
    """Roles the user holds in the community (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return identity.roles(user.id, community.id)


def can(roles: frozenset[str], permission: str) -> bool:
    """True when any of the roles holds the permission."""
    return bool(roles & PERMISSIONS[permission])


def may_handle_complaint(user, roles: frozenset[str], handler_level: str, about_user_id: int | None) -> bool:
    """Who may see and answer a complaint: its handler level's role (head, or district when it is about the head),
    never the person it is about. Ordinary staff never: the complainant's identity stays hidden from them."""
    if not can(roles, "complaints.handle") or handler_level not in roles:
        return False
    return getattr(user, "id", None) != about_user_id


def grantable_roles(roles: frozenset[str]) -> list[str]:
    """Roles that holders of these roles may give to new members."""
    return [role for role, perm in GRANTS.items() if can(roles, perm)]


def is_district_admin(user) -> bool:
    """True when the user is a street-office admin of at least one community."""
    if not getattr(user, "is_authenticated", False):
        return False
    return registry_session().query(Membership.id).filter_by(user_id=user.id, role="district").first() is not None


def district_communities(user) -> list[Community]:
    """The communities in which the user holds the district (street-office) role, by street and name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(registry_session().scalars(
        select(Community).join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user.id, Membership.role == "district")
        .order_by(Community.street, Community.name, Community.id)))


def load_community(slug: str) -> Community:
    """Put the URL's community and the user's roles in it on g; 404 when it does not exist."""
    community = get_community(slug)
    if community is None:
        abort(404)
    g.community = community
    g.roles = roles_in(current_user, community)
    return community


def community_public(view):
    """A community page anyone may see: loads the community or 404."""

    @wraps(view)
    def wrapped(slug, **kwargs):
        load_community(slug)
        return view(slug, **kwargs)

    return wrapped


def requires(permission: str):
    """A community page needing a permission: anonymous -> login, non-member -> 404, member without it -> 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(slug, **kwargs):
            load_community(slug)
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if not g.roles:
                abort(404)  # not a member: the community's private pages do not exist for them
            if not can(g.roles, permission):
                abort(403)
            return view(slug, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def requires_district(view):
    """A site-level page for street-office admins: anonymous -> login, others -> 403."""

    @wraps(view)
    def wrapped(**kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if not is_district_admin(current_user):
            abort(403)
        return view(**kwargs)

    wrapped.permission = "district"
    return wrapped


def requires_login(view):
    """A page for any signed-in user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    wrapped.permission = "login"
    return wrapped
