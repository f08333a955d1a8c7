"""Registration (注册登记): applying, the head's decision, volunteer numbers and the card."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import Community, utcnow
from .volunteer_models import DAYS, PARTS, SKILLS, Team, TeamMember, Volunteer

PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
LIVE_STATES = ("pending", "approved")


@dataclass
class Application:
    """What a resident fills in to become a volunteer."""

    real_name: str
    phone: str
    emergency_name: str
    emergency_phone: str
    consent: bool
    id_number: str = ""
    skills: list[str] = field(default_factory=list)
    skills_other: str = ""
    availability: list[str] = field(default_factory=list)
    teams_wanted: list[str] = field(default_factory=list)


def _write_lock(session: Session) -> None:
    # A fresh transaction holding SQLite's write lock from its first statement, so reads inside it are current.
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def current_application(session: Session, user_id: int) -> Volunteer | None:
    """The person's latest application (pending, approved or declined), if any."""
    return session.scalar(select(Volunteer).where(Volunteer.user_id == user_id)
                          .order_by(Volunteer.applied_at.desc(), Volunteer.id.desc()))


def _check(app: Application) -> Application:
    name = (app.real_name or "").strip()
    if not 2 <= len(name) <= 50:
        raise HallError(_l("Enter your real name (2 to 50 characters)."), "real_name")
    phone = (app.phone or "").strip().replace(" ", "")
    if not PHONE.match(phone):
        raise HallError(_l("Enter an 11-digit mobile number or a landline such as 022-23456701."), "phone")
    id_number = (app.id_number or "").strip().upper()
    if id_number and not ID_NUMBER.match(id_number):
        raise HallError(_l("An ID number has 18 characters: 17 digits and a digit or X."), "id_number")
    if any(s not in SKILLS for s in app.skills):
        raise HallError(_l("Choose skills from the list."), "skills")
    slots = {f"{d}-{p}" for d in DAYS for p in PARTS}
    if any(a not in slots for a in app.availability):
        raise HallError(_l("Choose times from the table."), "availability")
    emergency_name = (app.emergency_name or "").strip()
    if not 2 <= len(emergency_name) <= 50:
        raise HallError(_l("Enter the name of someone we can call in an emergency."), "emergency_name")
    emergency_phone = (app.emergency_phone or "").strip().replace(" ", "")
    if not PHONE.match(emergency_phone):
        raise HallError(_l("Enter an 11-digit mobile number or a landline such as 022-23456701."), "emergency_phone")
    if emergency_phone == phone:
        raise HallError(_l("The emergency contact needs a phone other than your own."), "emergency_phone")
    if not app.consent:
        raise HallError(_l("Please agree to the privacy terms to apply."), "consent")
    return Application(real_name=name, phone=phone, id_number=id_number, skills=list(dict.fromkeys(app.skills)),
                       skills_other=(app.skills_other or "").strip()[:200],
                       availability=[s for s in slots_in_order() if s in app.availability],
                       teams_wanted=app.teams_wanted, emergency_name=emergency_name,
                       emergency_phone=emergency_phone, consent=True)


def slots_in_order() -> list[str]:
    """Every day-part code, Monday morning first."""
    return [f"{d}-{p}" for d in DAYS for p in PARTS]


def apply(session: Session, user_id: int, app: Application) -> Volunteer:
    """Store a resident's application; refused when they already have one pending or approved."""
    app = _check(app)
    known = {t.name for t in session.scalars(select(Team))}
    wanted = [t for t in app.teams_wanted if t in known]
    _write_lock(session)
    existing = current_application(session, user_id)
    if existing is not None and existing.status in LIVE_STATES:
        session.rollback()
        raise HallError(_l("You have already applied; one application per person."))
    volunteer = Volunteer(user_id=user_id, real_name=app.real_name, phone=app.phone, id_number=app.id_number,
                          skills=",".join(app.skills), skills_other=app.skills_other,
                          availability=",".join(app.availability), teams_wanted="\n".join(wanted)[:200],
                          emergency_name=app.emergency_name, emergency_phone=app.emergency_phone,
                          consent_at=utcnow(), status="pending", decline_reason="")
    session.add(volunteer)
    session.commit()
    return volunteer


def applications(session: Session, status: str | None = None) -> list[Volunteer]:
    """Applications, pending first then newest."""
    stmt = select(Volunteer).order_by(Volunteer.status != "pending", Volunteer.applied_at.desc(), Volunteer.id.desc())
    if status:
        stmt = stmt.where(Volunteer.status == status)
    return list(session.scalars(stmt))


def _bump(session: Session) -> int:
    from .volunteer_models import VolunteerCounter

    table = VolunteerCounter.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(table).values(id=1, last=1).on_conflict_do_update(
        index_elements=[table.c.id], set_={"last": table.c.last + 1})
    return session.execute(stmt.returning(table.c.last)).scalar_one()


def approve(session: Session, community: Community, volunteer_id: int, head_user_id: int) -> Volunteer:
    """Approve a pending application and give the next volunteer number, in one locked transaction."""
    _write_lock(session)
    volunteer = session.get(Volunteer, volunteer_id, with_for_update=True)
    if volunteer is None or volunteer.status != "pending":
        session.rollback()
        raise HallError(_l("This application has already been decided."))
    if volunteer.user_id == head_user_id:
        session.rollback()
        raise HallError(_l("You cannot decide your own application: another station head or the street office "
                           "decides it."))
    seq = _bump(session)
    volunteer.seq = seq
    volunteer.number = f"{community.slug.upper()}-V-{seq:04d}"
    volunteer.status = "approved"
    volunteer.decided_at = utcnow()
    volunteer.decided_by = head_user_id
    _join_wanted_teams(session, volunteer)
    session.commit()
    return volunteer


def _join_wanted_teams(session: Session, volunteer: Volunteer) -> None:
    # Teams ticked on the application become requests to join, for the leader or the head to accept.
    for name in [t for t in volunteer.teams_wanted.split("\n") if t]:
        team = session.scalar(select(Team).where(Team.name == name))
        if team is not None:
            session.add(TeamMember(team_id=team.id, volunteer_id=volunteer.id, status="pending"))


def decline(session: Session, volunteer_id: int, head_user_id: int, reason: str) -> Volunteer:
    """Decline a pending application with a reason the applicant will see."""
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 500:
        raise HallError(_l("Give the applicant a reason (2 to 500 characters)."), "reason")
    _write_lock(session)
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "pending":
        session.rollback()
        raise HallError(_l("This application has already been decided."))
    volunteer.status = "declined"
    volunteer.decline_reason = reason
    volunteer.decided_at = utcnow()
    volunteer.decided_by = head_user_id
    session.commit()
    return volunteer


def by_number(session: Session, number: str) -> Volunteer | None:
    """An approved volunteer by their number."""
    return session.scalar(select(Volunteer).where(Volunteer.number == (number or "").strip().upper(),
                                                  Volunteer.status == "approved"))


def approved_volunteer(session: Session, user_id: int) -> Volunteer | None:
    """The person's approved volunteer record, if they are a volunteer."""
    return session.scalar(select(Volunteer).where(Volunteer.user_id == user_id, Volunteer.status == "approved"))


def approved(session: Session) -> list[Volunteer]:
    """All approved volunteers by number."""
    return list(session.scalars(select(Volunteer).where(Volunteer.status == "approved").order_by(Volunteer.seq)))
