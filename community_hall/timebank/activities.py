"""Volunteer activities (志愿活动): publish, sign up and withdraw, cancel, mark attendance, confirm and credit hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import utcnow
from .activity_models import Activity, ActivitySignup
from .ledger import credit_service
from .ledger_models import LedgerMovement
from .volunteer_models import SKILLS, Team, Volunteer

MAX_SLOTS = 500
MAX_DAYS = 7     # an activity lasting longer is a typing mistake


@dataclass
class Draft:
    """What an organiser fills in to publish an activity (times already converted to UTC)."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    slots: int | None
    hours: str
    skills: list[str] = field(default_factory=list)
    team_id: int | None = None


@dataclass
class Row:
    """An activity in a list, with how many places are taken (no personal data)."""

    activity: Activity
    taken: int

    @property
    def left(self) -> int:
        """Places still free."""
        return max(self.activity.slots - self.taken, 0)


def aware(value: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives naive ones back)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _write_lock(session: Session) -> None:
    # A fresh transaction holding SQLite's write lock from its first statement, so counts read inside it are current.
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def parse_hours(text, field_name: str = "hours") -> int:
    """Hours as typed (2, 1.5) as whole minutes; more than 0 and at most 24 hours."""
    try:
        hours = Decimal(str(text or "").strip())
    except InvalidOperation:
        raise HallError(_l("Enter the hours as a number, such as 2 or 1.5."), field_name) from None
    if not hours.is_finite() or not 0 < hours <= 24:
        raise HallError(_l("The hours must be more than 0 and at most 24."), field_name)
    minutes = hours * 60
    if minutes != minutes.to_integral_value():
        raise HallError(_l("Give the hours in whole minutes, such as 1.5 or 0.25."), field_name)
    return int(minutes)


def may_publish(session: Session, user_id: int, organiser: bool) -> bool:
    """Staff and the head publish activities, and so does any volunteer who leads a team."""
    return organiser or bool(led_teams(session, user_id))


def led_teams(session: Session, user_id: int) -> list[Team]:
    """The teams this person leads as an approved volunteer."""
    return list(session.scalars(select(Team).join(Volunteer, Volunteer.id == Team.leader_id)
                                .where(Volunteer.user_id == user_id, Volunteer.status == "approved")
                                .order_by(Team.id)))


def may_organise(session: Session, activity: Activity, user_id: int, organiser: bool) -> bool:
    """Who runs an activity (attendance, confirming, cancelling): staff and the head (organiser), its publisher,
    or the leader of its team."""
    if organiser or activity.organiser_user_id == user_id:
        return True
    return activity.team_id is not None and any(t.id == activity.team_id for t in led_teams(session, user_id))


def publish(session: Session, draft: Draft, user_id: int, user_name: str, organiser: bool) -> Activity:
    """Publish an activity; a team leader (not staff) publishes for a team they lead. Commits."""
    title = (draft.title or "").strip()
    if not 2 <= len(title) <= 100:
        raise HallError(_l("An activity's title has 2 to 100 characters."), "title")
    description = (draft.description or "").strip()
    if len(description) > 2000:
        raise HallError(_l("Describe the activity in at most 2,000 characters."), "description")
    if draft.starts_at <= utcnow():
        raise HallError(_l("The start must be in the future."), "starts_at")
    if draft.ends_at <= draft.starts_at:
        raise HallError(_l("The end must be after the start."), "ends_at")
    if draft.ends_at - draft.starts_at > timedelta(days=MAX_DAYS):
        raise HallError(_l("An activity lasts at most 7 days."), "ends_at")
    place = (draft.place or "").strip()
    if not 2 <= len(place) <= 200:
        raise HallError(_l("Say where the activity takes place (2 to 200 characters)."), "place")
    if not isinstance(draft.slots, int) or not 1 <= draft.slots <= MAX_SLOTS:
        raise HallError(_l("The number of places is between 1 and 500."), "slots")
    minutes = parse_hours(draft.hours)
    if minutes > (draft.ends_at - draft.starts_at).total_seconds() // 60:
        raise HallError(_l("The hours credited cannot be more than the activity lasts."), "hours")
    if any(s not in SKILLS for s in draft.skills):
        raise HallError(_l("Choose skills from the list."), "skills")
    if draft.team_id is not None and session.get(Team, draft.team_id) is None:
        raise HallError(_l("This team does not exist."), "team")
    if not organiser and (draft.team_id is None or draft.team_id not in {t.id for t in led_teams(session, user_id)}):
        raise HallError(_l("A team leader publishes activities for the team they lead; choose it."), "team")
    activity = Activity(title=title, description=description, starts_at=draft.starts_at, ends_at=draft.ends_at,
                        place=place, slots=draft.slots, skills=",".join(dict.fromkeys(draft.skills)),
                        team_id=draft.team_id, minutes=minutes, status="open", organiser_user_id=user_id,
                        organiser_name=(user_name or "")[:50])
    session.add(activity)
    session.commit()
    return activity


def _taken(session: Session, activity_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ActivitySignup)
                          .where(ActivitySignup.activity_id == activity_id, ActivitySignup.status == "signed_up"))


def rows(session: Session, activities: list[Activity]) -> list[Row]:
    """Activities with their taken places."""
    ids = [a.id for a in activities]
    counts = dict(session.execute(select(ActivitySignup.activity_id, func.count())
                                  .where(ActivitySignup.activity_id.in_(ids), ActivitySignup.status == "signed_up")
                                  .group_by(ActivitySignup.activity_id)).all()) if ids else {}
    return [Row(a, counts.get(a.id, 0)) for a in activities]


def upcoming(session: Session) -> list[Row]:
    """Open activities that have not ended, soonest first."""
    return rows(session, list(session.scalars(select(Activity).where(Activity.status == "open",
                                                                      Activity.ends_at > utcnow())
                                              .order_by(Activity.starts_at, Activity.id))))


def to_close(session: Session, user_id: int, organiser: bool) -> list[Activity]:
    """Started activities awaiting attendance that this person may organise, oldest first."""
    started = session.scalars(select(Activity).where(Activity.status == "open", Activity.starts_at <= utcnow())
                              .order_by(Activity.starts_at, Activity.id))
    return [a for a in started if may_organise(session, a, user_id, organiser)]


def row(session: Session, activity: Activity) -> Row:
    """One activity with its taken places."""
    return Row(activity, _taken(session, activity.id))


def signup_of(session: Session, activity_id: int, volunteer: Volunteer | None) -> ActivitySignup | None:
    """This volunteer's sign-up row for the activity, whatever its state."""
    if volunteer is None:
        return None
    return session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                       ActivitySignup.volunteer_id == volunteer.id))


def _locked(session: Session, activity_id: int) -> Activity:
    # FOR UPDATE on PostgreSQL: sign-ups to one activity queue behind each other, so places are never exceeded.
    activity = session.get(Activity, activity_id, with_for_update=True, populate_existing=True)
    if activity is None:
        session.rollback()
        raise HallError(_l("This activity does not exist."))
    return activity


def sign_up(session: Session, activity_id: int, volunteer: Volunteer | None) -> ActivitySignup:
    """An approved volunteer takes a place, if one is free and the activity has not started. Commits."""
    if volunteer is None or volunteer.status != "approved":
        raise HallError(_l("Only approved volunteers can sign up for activities. Apply to volunteer first."))
    _write_lock(session)
    activity = _locked(session, activity_id)
    if activity.status == "cancelled":
        session.rollback()
        raise HallError(_l("This activity has been cancelled."))
    if activity.status != "open" or aware(activity.starts_at) <= utcnow():
        session.rollback()
        raise HallError(_l("This activity has already started; sign-up is closed."))
    mine = signup_of(session, activity_id, volunteer)
    if mine is not None and mine.status == "signed_up":
        session.rollback()
        raise HallError(_l("You have already signed up for this activity."))
    if _taken(session, activity_id) >= activity.slots:
        session.rollback()
        raise HallError(_l("This activity is full; no places are left."))
    now = utcnow()
    if mine is None:
        mine = ActivitySignup(activity_id=activity_id, volunteer_id=volunteer.id, status="signed_up",
                              signed_up_at=now, updated_at=now)
        session.add(mine)
    else:   # signing up again after withdrawing
        mine.status, mine.signed_up_at, mine.updated_at = "signed_up", now, now
    session.commit()
    return mine


def withdraw(session: Session, activity_id: int, volunteer: Volunteer | None) -> ActivitySignup:
    """A volunteer gives their place back before the activity starts. Commits."""
    _write_lock(session)
    activity = _locked(session, activity_id)
    mine = signup_of(session, activity_id, volunteer)
    if mine is None or mine.status != "signed_up":
        session.rollback()
        raise HallError(_l("You are not signed up for this activity."))
    if activity.status != "open" or aware(activity.starts_at) <= utcnow():
        session.rollback()
        raise HallError(_l("This activity has already started; sign-ups can no longer be cancelled."))
    mine.status, mine.updated_at = "cancelled", utcnow()
    session.commit()
    return mine


def cancel(session: Session, activity_id: int) -> Activity:
    """The organiser cancels an activity before it starts; its sign-ups are marked cancelled. Commits."""
    _write_lock(session)
    activity = _locked(session, activity_id)
    if activity.status == "cancelled":
        session.rollback()
        raise HallError(_l("This activity has been cancelled."))
    if activity.status != "open" or aware(activity.starts_at) <= utcnow():
        session.rollback()
        raise HallError(_l("This activity has already started and can no longer be cancelled."))
    activity.status = "cancelled"
    now = utcnow()
    for signup in session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                               ActivitySignup.status == "signed_up")):
        signup.status, signup.updated_at = "cancelled", now
    session.commit()
    return activity


def attendance(session: Session, activity_id: int) -> list[tuple[ActivitySignup, Volunteer]]:
    """Sign-ups still counting (not withdrawn) with their volunteers, by volunteer number."""
    return list(session.execute(select(ActivitySignup, Volunteer).join(Volunteer, Volunteer.id ==
                                                                       ActivitySignup.volunteer_id)
                                .where(ActivitySignup.activity_id == activity_id,
                                       ActivitySignup.status != "cancelled")
                                .order_by(Volunteer.seq, Volunteer.id)).all())


def no_show_counts(session: Session, volunteer_ids: list[int]) -> dict[int, int]:
    """How many confirmed activities each volunteer signed up for and did not come to."""
    if not volunteer_ids:
        return {}
    return dict(session.execute(select(ActivitySignup.volunteer_id, func.count())
                                .where(ActivitySignup.volunteer_id.in_(volunteer_ids),
                                       ActivitySignup.status == "no_show")
                                .group_by(ActivitySignup.volunteer_id)).all())


def _open_for_attendance(activity: Activity) -> None:
    if activity.status == "cancelled":
        raise HallError(_l("This activity has been cancelled."))
    if activity.status == "confirmed":
        raise HallError(_l("Attendance is already confirmed. To correct a credit, the head reverses it in the "
                           "ledger."))
    if aware(activity.starts_at) > utcnow():
        raise HallError(_l("Attendance is taken once the activity has started."))


def _length(activity: Activity) -> int:
    """How many minutes the activity lasts: no attendee is credited more."""
    return int((aware(activity.ends_at) - aware(activity.starts_at)).total_seconds() // 60)


def mark(session: Session, activity_id: int, signup_id: int, attended: bool, hours=None, *, by: int | None
         ) -> ActivitySignup:
    """Mark one volunteer as attended (actual hours, the activity's by default) or no-show; `by` (the organiser's
    user id) never marks their own row. Commits."""
    _write_lock(session)
    activity = _locked(session, activity_id)
    signup = session.get(ActivitySignup, signup_id)
    try:
        _open_for_attendance(activity)
        if signup is None or signup.activity_id != activity_id or signup.status == "cancelled":
            raise HallError(_l("This volunteer is not signed up for this activity."))
        volunteer = session.get(Volunteer, signup.volunteer_id)
        if by is not None and volunteer is not None and volunteer.user_id == by:
            raise HallError(_l("You cannot mark your own attendance: another organiser (staff or the station head) "
                               "marks it."), f"hours-{signup_id}")
        minutes = parse_hours(hours, f"hours-{signup_id}") if attended and hours not in (None, "") else None
        if minutes is not None and minutes > _length(activity):
            raise HallError(_l("The hours credited cannot be more than the activity lasts."), f"hours-{signup_id}")
    except HallError:
        session.rollback()
        raise
    signup.status = "attended" if attended else "no_show"
    signup.minutes = (minutes or min(activity.minutes, _length(activity))) if attended else None
    signup.updated_at = utcnow()
    session.commit()
    return signup


def confirm(session: Session, activity_id: int, actor) -> Activity:
    """Confirm attendance and credit each attendee once (a second confirm only finishes missing credits).

    Every sign-up must be marked attended or no-show first; no-shows are recorded and never credited. Hours are
    credited only once the activity has ended (time not yet served is not credited), and never by an attendee.
    """
    _write_lock(session)
    activity = _locked(session, activity_id)
    actor_id = getattr(actor, "user_id", None)
    if any(s.status == "attended" and s.movement_id is None and v.user_id == actor_id
           for s, v in attendance(session, activity_id)):
        session.rollback()
        raise HallError(_l("You attended this activity, so you cannot confirm it: another organiser (staff or the "
                           "station head) confirms it and credits the hours."))
    if activity.status != "confirmed":
        try:
            _open_for_attendance(activity)
            if aware(activity.ends_at) > utcnow():
                raise HallError(_l("Hours are credited once the activity has ended; confirm it after the end."))
        except HallError:
            session.rollback()
            raise
        if any(s.status == "signed_up" for s, _v in attendance(session, activity_id)):
            session.rollback()
            raise HallError(_l("Mark every volunteer as attended or no-show before confirming."))
        activity.status, activity.confirmed_at = "confirmed", utcnow()
        activity.confirmed_by = getattr(actor, "user_id", None)
    due = [(signup.id, volunteer.user_id, signup.minutes) for signup, volunteer in attendance(session, activity_id)
           if signup.status == "attended" and signup.movement_id is None]
    session.commit()
    for signup_id, user_id, minutes in due:
        # The key names the sign-up, so a double click or a retry credits once; the credit and the sign-up's link
        # to it are written in one transaction, so no crash can leave one without the other.
        movement = credit_service(session, user_id, minutes, f"activity:{activity_id}",
                                  f"activity:{activity_id}:signup:{signup_id}", actor, also=_hold(signup_id))
        _write_lock(session)
        # A credit recorded before its link was written in the same transaction (older data): link it now.
        session.execute(update(ActivitySignup).where(ActivitySignup.id == signup_id, ActivitySignup.movement_id.is_(None))
                        .values(movement_id=movement.id))
        session.commit()
    return session.get(Activity, activity_id)


def _hold(signup_id: int):
    """Write, with the credit, which sign-up it is for."""
    def link(session: Session, movement_id: int) -> None:
        session.execute(update(ActivitySignup).where(ActivitySignup.id == signup_id).values(movement_id=movement_id))
    return link


def is_confirmed_credit(session: Session, movement: LedgerMovement) -> bool:
    """True when a credit_service movement for activity:N is the stored credit of an attended sign-up of N, confirmed."""
    if movement.kind != "credit_service" or not (movement.reference or "").startswith("activity:"):
        return False
    try:
        activity_id = int(movement.reference.split(":", 1)[1])
    except ValueError:
        return False
    found = session.scalar(select(ActivitySignup.id).join(Activity, Activity.id == ActivitySignup.activity_id)
                           .where(ActivitySignup.movement_id == movement.id, ActivitySignup.activity_id == activity_id,
                                  ActivitySignup.status == "attended", Activity.status == "confirmed"))
    return found is not None


def history(session: Session, volunteer_id: int) -> list[tuple[ActivitySignup, Activity]]:
    """A volunteer's sign-ups with their activities, newest first."""
    return list(session.execute(select(ActivitySignup, Activity).join(Activity, Activity.id ==
                                                                      ActivitySignup.activity_id)
                                .where(ActivitySignup.volunteer_id == volunteer_id)
                                .order_by(Activity.starts_at.desc(), Activity.id.desc())).all())
