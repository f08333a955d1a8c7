"""Volunteer teams (志愿服务队): created by the head, joined on request, accepted by the leader or the head."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import HallError
from .volunteer_models import Team, TeamMember, Volunteer


@dataclass
class TeamRow:
    """A team for the public list: no personal data, only how many members it has."""

    team: Team
    members: int


def teams(session: Session) -> list[Team]:
    """All teams by name."""
    return list(session.scalars(select(Team).order_by(Team.id)))


def team_rows(session: Session) -> list[TeamRow]:
    """Teams with their member counts."""
    counts = dict(session.execute(select(TeamMember.team_id, func.count()).where(TeamMember.status == "member")
                                  .group_by(TeamMember.team_id)).all())
    return [TeamRow(t, counts.get(t.id, 0)) for t in teams(session)]


def _approved(session: Session, volunteer_id: int | None, field: str) -> Volunteer | None:
    if volunteer_id is None:
        return None
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "approved":
        raise HallError(_l("Choose an approved volunteer."), field)
    return volunteer


def save_team(session: Session, name: str, description: str, leader_id: int | None = None,
              member_ids: list[int] | None = None, team_id: int | None = None) -> Team:
    """Create or edit a team; the leader and the members must be approved volunteers (the leader is a member)."""
    name = (name or "").strip()
    if not 2 <= len(name) <= 50:
        raise HallError(_l("A team's name has 2 to 50 characters."), "name")
    description = (description or "").strip()
    if len(description) > 2000:
        raise HallError(_l("Describe the team in at most 2,000 characters."), "description")
    _approved(session, leader_id, "leader")
    members = [m for m in dict.fromkeys(member_ids or [])]
    for volunteer_id in members:
        _approved(session, volunteer_id, "members")
    clash = session.scalar(select(Team.id).where(Team.name == name))
    if clash is not None and clash != team_id:
        raise HallError(_l("There is already a team called %(name)s.", name=name), "name")
    if team_id is None:
        team = Team(name=name, description=description, leader_id=leader_id)
        session.add(team)
        session.flush()
    else:
        team = session.get(Team, team_id)
        if team is None:
            raise HallError(_l("This team does not exist."))
        team.name, team.description, team.leader_id = name, description, leader_id
    if member_ids is not None:
        wanted = set(members) | ({leader_id} if leader_id else set())
        rows = {m.volunteer_id: m for m in session.scalars(select(TeamMember).where(TeamMember.team_id == team.id))}
        for volunteer_id, row in rows.items():
            if volunteer_id in wanted:
                row.status = "member"
            elif row.status == "member":
                session.delete(row)
        for volunteer_id in wanted - set(rows):
            session.add(TeamMember(team_id=team.id, volunteer_id=volunteer_id, status="member"))
    elif leader_id:
        _make_member(session, team.id, leader_id)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise HallError(_l("There is already a team called %(name)s.", name=name), "name") from None
    return team


def _make_member(session: Session, team_id: int, volunteer_id: int) -> None:
    row = session.scalar(select(TeamMember).where(TeamMember.team_id == team_id,
                                                  TeamMember.volunteer_id == volunteer_id))
    if row is None:
        session.add(TeamMember(team_id=team_id, volunteer_id=volunteer_id, status="member"))
    else:
        row.status = "member"


def members(session: Session, team_id: int, status: str = "member") -> list[Volunteer]:
    """A team's volunteers (or those asking to join) by number."""
    return list(session.scalars(select(Volunteer).join(TeamMember, TeamMember.volunteer_id == Volunteer.id)
                                .where(TeamMember.team_id == team_id, TeamMember.status == status)
                                .order_by(Volunteer.seq)))


def teams_of(session: Session, volunteer_id: int) -> list[tuple[Team, str]]:
    """The teams a volunteer is in or asked to join, with the status."""
    return list(session.execute(select(Team, TeamMember.status).join(TeamMember, TeamMember.team_id == Team.id)
                                .where(TeamMember.volunteer_id == volunteer_id).order_by(Team.id)))


def ask_to_join(session: Session, team_id: int, volunteer: Volunteer | None) -> TeamMember:
    """An approved volunteer asks to join a team."""
    if volunteer is None or volunteer.status != "approved":
        raise HallError(_l("Only approved volunteers can join a team. Apply to volunteer first."))
    if session.get(Team, team_id) is None:
        raise HallError(_l("This team does not exist."))
    row = session.scalar(select(TeamMember).where(TeamMember.team_id == team_id,
                                                  TeamMember.volunteer_id == volunteer.id))
    if row is not None:
        raise HallError(_l("You are already in this team or have asked to join it."))
    row = TeamMember(team_id=team_id, volunteer_id=volunteer.id, status="pending")
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise HallError(_l("You are already in this team or have asked to join it.")) from None
    return row


def may_lead(session: Session, team_id: int, user_id: int, is_head: bool) -> bool:
    """The head, or the volunteer who leads the team, decides who joins it."""
    if is_head:
        return True
    team = session.get(Team, team_id)
    leader = session.get(Volunteer, team.leader_id) if team and team.leader_id else None
    return leader is not None and leader.user_id == user_id


def decide_join(session: Session, team_id: int, volunteer_id: int, accept: bool) -> None:
    """Accept or turn down a request to join."""
    row = session.scalar(select(TeamMember).where(TeamMember.team_id == team_id,
                                                  TeamMember.volunteer_id == volunteer_id,
                                                  TeamMember.status == "pending"))
    if row is None:
        raise HallError(_l("There is no such request to join."))
    if accept:
        row.status = "member"
    else:
        session.delete(row)
    session.flush()
