"""Family grants (亲情代付): a person lets a family member pay for that member's services with the grantor's hours.

Hours buy services only: a grant never gives cash or goods, it only lets an order's payment come from the grantor.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Profile, User
from ..errors import HallError
from ..tenancy import registry_session, utcnow
from .ledger import person
from .ledger_models import LedgerEntry, LedgerMovement
from .order_models import RELATIONS, FamilyGrant

MAX_CAP_HOURS = 500


def find_member(session: Session, who: str) -> Profile | None:
    """A person of this community by their mobile phone or username (None when not found)."""
    who = (who or "").strip()
    phone = re.sub(r"[\s-]", "", who)
    if not who:
        return None
    if phone.isdigit():
        profile = session.scalar(select(Profile).where(Profile.phone == phone).order_by(Profile.user_id))
        if profile is not None:
            return profile
    user = registry_session().scalar(select(User).where(User.username == who))
    return session.get(Profile, user.id) if user is not None else None


def grant(session: Session, grantor_user_id: int, grantee: str, relation: str, cap_hours: float | None
          ) -> FamilyGrant:
    """Let the family member named by phone or username pay for their services with the grantor's hours."""
    if relation not in RELATIONS:
        raise HallError(_l("Choose how you are related."), "relation")
    cap = None
    if cap_hours is not None:
        if not 0 < cap_hours <= MAX_CAP_HOURS:
            raise HallError(_l("The monthly limit must be between 0 and 500 hours (leave it empty for no limit)."),
                            "cap_hours")
        cap = round(cap_hours * 60)
    member = find_member(session, grantee)
    if member is None:
        raise HallError(_l("Nobody with this phone or username is registered in this community."), "grantee")
    if member.user_id == grantor_user_id:
        raise HallError(_l("You cannot grant your hours to yourself."), "grantee")
    me = session.get(Profile, grantor_user_id)
    existing = active_grant(session, grantor_user_id, member.user_id)
    if existing is not None:
        existing.relation, existing.monthly_cap_minutes = relation, cap
        session.commit()
        return existing
    row = FamilyGrant(grantor_user_id=grantor_user_id, grantor_name=me.real_name if me else "",
                      grantee_user_id=member.user_id, grantee_name=member.real_name, relation=relation,
                      monthly_cap_minutes=cap, active=True)
    session.add(row)
    session.commit()
    return row


def revoke(session: Session, grant_id: int, grantor_user_id: int) -> FamilyGrant:
    """The grantor withdraws a grant; later payments from it are refused."""
    row = session.get(FamilyGrant, grant_id)
    if row is None or row.grantor_user_id != grantor_user_id:
        raise HallError(_l("There is no such grant of yours."))
    if row.active:
        row.active, row.revoked_at = False, utcnow()
        session.commit()
    return row


def given(session: Session, user_id: int) -> list[FamilyGrant]:
    """Grants a person has given, active first."""
    return list(session.scalars(select(FamilyGrant).where(FamilyGrant.grantor_user_id == user_id)
                                .order_by(FamilyGrant.active.desc(), FamilyGrant.id.desc())))


def received(session: Session, user_id: int) -> list[FamilyGrant]:
    """Active grants a person may pay from."""
    return list(session.scalars(select(FamilyGrant).where(FamilyGrant.grantee_user_id == user_id,
                                                          FamilyGrant.active.is_(True)).order_by(FamilyGrant.id)))


def active_grant(session: Session, grantor_user_id: int, grantee_user_id: int) -> FamilyGrant | None:
    """The active grant from one person to another, if any."""
    return session.scalar(select(FamilyGrant).where(FamilyGrant.grantor_user_id == grantor_user_id,
                                                    FamilyGrant.grantee_user_id == grantee_user_id,
                                                    FamilyGrant.active.is_(True)))


def used_this_month(session: Session, grant: FamilyGrant, month_start: datetime) -> int:
    """Minutes the grantor's hours paid for the grantee since the start of the month, read from the ledger itself so
    that a payment counts from the moment it is made (see orders.confirm, which checks the cap inside the payment)."""
    return -session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
        .where(LedgerMovement.kind == "pay_service", LedgerMovement.created_at >= month_start,
               LedgerMovement.reason == f"on behalf of person:{int(grant.grantee_user_id)}",
               LedgerEntry.account == person(grant.grantor_user_id)))
