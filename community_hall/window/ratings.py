"""Ratings as the national 好差评 system does them: rate a finished ticket once; bad ratings are followed up.

A rating has a level (5 非常满意 … 1 非常不满意) and three sub-scores whose names depend on the channel
(offline: 服务效率, 服务水平, 服务态度; online: 办事效率, 办事指南精确度, 办事便捷度). A level of 2 or 1 opens
a follow-up (回访整改) the station head works through in order — contact the resident, verify the complaint,
put it right, reply — within a number of working days (RATING_FOLLOWUP_WORKDAYS, default 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import utcnow
from ..workdays import DEFAULT_TZ, OFFICE_CLOSES
from . import notify
from .models import Ticket, TicketEvent
from .ratings_models import FOLLOWUP_STATES, RATERS, RATING_CHANNELS, FollowUp, Rating
from .rules import STAFF_ACTIONS
from .services import Actor, calendar_for, handled_by

DEFAULT_FOLLOWUP_WORKDAYS = 15
RATABLE_STATES = ("done", "declined")   # a finished service, including a 不予受理 decision
COMMENT_MAX = 500
NOTE_MAX = 2000
LEVEL_MESSAGE = _l("Choose how satisfied you are.")
SCORE_MESSAGE = _l("Give this score from 1 to 5.")

LEVEL_LABELS = {
    5: _l("Very satisfied"),       # 非常满意
    4: _l("Satisfied"),            # 满意
    3: _l("Fairly satisfied"),     # 基本满意
    2: _l("Dissatisfied"),         # 不满意
    1: _l("Very dissatisfied"),    # 非常不满意
}
SUBSCORE_LABELS = {
    "offline": (_l("Speed of service"), _l("Quality of service"), _l("Attitude of staff")),
    "online": (_l("Speed of handling"), _l("Accuracy of the service guide"), _l("Ease of applying")),
}
FOLLOWUP_STATE_LABELS = {
    "open": _l("Waiting for contact"),
    "contacted": _l("Resident contacted"),
    "verified": _l("Complaint verified"),
    "rectified": _l("Put right"),
    "closed": _l("Replied and closed"),
}
# step -> (state it starts from, state it leads to); the steps must be taken in this order.
STEPS: dict[str, tuple[str, str]] = {
    "contact": ("open", "contacted"),
    "verify": ("contacted", "verified"),
    "rectify": ("verified", "rectified"),
    "close": ("rectified", "closed"),
}
STEP_LABELS = {
    "contact": _l("Contact the resident"),
    "verify": _l("Verify the complaint"),
    "rectify": _l("Put it right"),
    "close": _l("Reply and close"),
}


def level_label(level: int) -> str:
    """The level's name (非常满意 … 非常不满意)."""
    return str(LEVEL_LABELS.get(level, level))


def subscore_labels(channel: str) -> tuple[str, str, str]:
    """Names of the three sub-scores for a rating channel."""
    return tuple(str(label) for label in SUBSCORE_LABELS.get(channel, SUBSCORE_LABELS["offline"]))


def channel_for(ticket: Ticket, rater: str) -> str:
    """Online sub-scores for a request made online; offline ones for the window and whenever staff rate for the resident."""
    if rater == "staff_on_behalf":
        return "offline"
    return "online" if ticket.channel in ("online", "api") else "offline"


def _aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


def _as_int(value, field: str, message) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise HallError(message, field) from None
    if not 1 <= number <= 5:
        raise HallError(message, field)
    return number


def rating_of(session: Session, ticket_id: int) -> Rating | None:
    """The ticket's rating, or None."""
    return session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))


def rate_ticket(session: Session, ticket: Ticket, level, scores, comment: str, channel: str, rater: str, *,
                actor: Actor | None = None, tz: str = DEFAULT_TZ, workdays: int | None = None) -> Rating:
    """Rate a finished ticket once; a level of 2 or less opens a follow-up due in `workdays` working days."""
    level = _as_int(level, "level", LEVEL_MESSAGE)
    scores = list(scores or [])
    if len(scores) != 3:
        raise HallError(_l("Give each of the three scores."), "score_1")
    scores = [_as_int(s, f"score_{i}", SCORE_MESSAGE) for i, s in enumerate(scores, 1)]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise HallError(_l("Please keep the comment under 500 characters."), "comment")
    if level <= 2 and not comment:
        raise HallError(_l("Please tell us what went wrong, so that the station can put it right."), "comment")
    if channel not in RATING_CHANNELS:
        raise HallError(_l("Unknown rating channel."), "channel")
    if rater not in RATERS:
        raise HallError(_l("Unknown rater."), "rater")
    if workdays is None:
        workdays = int(notify.setting(current_app, "RATING_FOLLOWUP_WORKDAYS", DEFAULT_FOLLOWUP_WORKDAYS))

    # Take the write lock before reading, so a concurrent second submission waits and then sees the first.
    ticket_id = ticket.id
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    status = session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))
    if status not in RATABLE_STATES:
        session.rollback()
        raise HallError(_l("A request can be rated once it is finished."), "level")
    if rating_of(session, ticket_id) is not None:
        session.rollback()
        raise HallError(_l("This request has already been rated. Thank you."), "level")
    now = utcnow()
    rating = Rating(ticket_id=ticket_id, level=level, channel=channel, score_1=scores[0], score_2=scores[1],
                    score_3=scores[2], comment=comment, rater=rater,
                    rater_user_id=actor.user_id if actor else None, created_at=now)
    session.add(rating)
    try:
        session.flush()
    except IntegrityError:  # another submission won the race (PostgreSQL, or a lock-less caller)
        session.rollback()
        raise HallError(_l("This request has already been rated. Thank you."), "level") from None
    if rating.is_bad:
        session.add(FollowUp(rating_id=rating.id, ticket_id=ticket_id, status="open", created_at=now,
                             due_at=followup_due(session, now, workdays, tz)))
    who = actor or Actor(None, ticket.resident_name, "resident")
    session.execute(insert(TicketEvent).values(ticket_id=ticket_id, at=now, actor_user_id=who.user_id,
                                               actor_name=who.name, action="rate", from_status=status,
                                               to_status=status, note=f"{level}/5"))
    session.commit()
    return rating


def followup_due(session: Session, opened_at: datetime, workdays: int, tz: str = DEFAULT_TZ) -> datetime:
    """When a follow-up opened at opened_at must be closed: closing time on the n-th working day after, in UTC."""
    zone = ZoneInfo(tz)
    day = calendar_for(session).add_workdays(opened_at.astimezone(zone).date(), workdays)
    return datetime.combine(day, OFFICE_CLOSES, tzinfo=zone).astimezone(UTC)


def is_followup_overdue(followup: FollowUp, now: datetime | None = None) -> bool:
    """Not closed and past its due moment."""
    return followup.status != "closed" and _aware(followup.due_at) < (now or utcnow())


def closed_in_time(followup: FollowUp) -> bool | None:
    """Whether a closed follow-up was closed by its due moment (None while open)."""
    if followup.closed_at is None:
        return None
    return _aware(followup.closed_at) <= _aware(followup.due_at)


def next_step(followup: FollowUp) -> str | None:
    """The step to record next, or None once closed."""
    return next((step for step, (start, _end) in STEPS.items() if start == followup.status), None)


def follow_up_step(session: Session, followup: FollowUp, step: str, note: str, actor: Actor, *,
                   justified: bool | None = None) -> FollowUp:
    """Record one step of a follow-up, in order; "close" carries the reply, which the resident is sent."""
    if step not in STEPS:
        raise HallError(_l("Unknown follow-up step."), "step")
    note = (note or "").strip()
    if not note:
        raise HallError(_l("Write what was done in this step."), "note")
    if len(note) > NOTE_MAX:
        raise HallError(_l("Please keep the note under 2,000 characters."), "note")
    if step == "verify" and justified is None:
        raise HallError(_l("Say whether the complaint was justified."), "justified")
    start, target = STEPS[step]
    followup_id = followup.id
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    now = utcnow()
    values: dict = {"status": target}
    if step == "contact":
        values.update(contacted_at=now, contacted_by=actor.user_id, contact_note=note)
    elif step == "verify":
        values.update(verified_at=now, verified_by=actor.user_id, verify_note=note, justified=justified)
    elif step == "rectify":
        values.update(rectified_at=now, rectified_by=actor.user_id, rectify_note=note)
    else:
        values.update(closed_at=now, closed_by=actor.user_id, reply=note)
    # The status guard makes the order hold even when two people record a step at the same moment.
    result = session.execute(update(FollowUp).where(FollowUp.id == followup_id, FollowUp.status == start)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise HallError(_l("The steps are recorded in order: contact, verify, put right, then reply. "
                           "This one cannot be recorded now."), "step")
    session.commit()
    session.refresh(followup)
    if step == "close":
        ticket = session.get(Ticket, followup.ticket_id)
        notify.notify_resident(ticket, "followup_reply", {"reply": note})
    return followup


def may_follow_up(session: Session, followup: FollowUp, user_id: int | None) -> bool:
    """Nobody follows up a bad rating of their own work: whoever worked on the rated ticket is left out."""
    ticket = session.get(Ticket, followup.ticket_id)
    return ticket is not None and user_id not in handled_by(session, ticket)


def followup_list(session: Session, user_id: int | None = None) -> list[tuple[FollowUp, Rating, Ticket]]:
    """The follow-ups this user may take, with rating and ticket: open ones first, each group by due date."""
    closed_last = case((FollowUp.status == "closed", 1), else_=0)
    stmt = (select(FollowUp, Rating, Ticket).join(Rating, Rating.id == FollowUp.rating_id)
            .join(Ticket, Ticket.id == FollowUp.ticket_id).order_by(closed_last, FollowUp.due_at, FollowUp.id))
    if user_id is not None:
        worked = select(TicketEvent.ticket_id).where(TicketEvent.actor_user_id == user_id,
                                                     TicketEvent.action.in_(sorted(STAFF_ACTIONS)))
        stmt = stmt.where(Ticket.id.not_in(worked), or_(Ticket.handler_user_id.is_(None),
                                                        Ticket.handler_user_id != user_id))
    return [tuple(row) for row in session.execute(stmt)]


def _utc(dt: datetime) -> datetime:
    # SQLite compares the stored UTC text; a bound time in another zone must be converted first.
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(session: Session, start: datetime, end: datetime) -> dict:
    """Ratings made in [start, end): counts by level, satisfaction (levels 3-5 over all), follow-up and reply rates."""
    in_range = and_(Rating.created_at >= _utc(start), Rating.created_at < _utc(end))
    levels = dict(session.execute(select(Rating.level, func.count()).where(in_range).group_by(Rating.level)).all())
    in_time = func.sum(case((and_(FollowUp.closed_at.is_not(None), FollowUp.closed_at <= FollowUp.due_at), 1),
                            else_=0))
    by_state = {status: (count, int(on_time or 0)) for status, count, on_time in session.execute(
        select(FollowUp.status, func.count(), in_time).join(Rating, Rating.id == FollowUp.rating_id)
        .where(in_range).group_by(FollowUp.status))}

    def states_from(first: str) -> int:
        later = FOLLOWUP_STATES[FOLLOWUP_STATES.index(first):]
        return sum(by_state.get(s, (0, 0))[0] for s in later)

    total = sum(levels.values())
    satisfied = sum(n for level, n in levels.items() if level >= 3)
    bad = total - satisfied
    followed_up, closed = states_from("contacted"), states_from("closed")
    return {
        "ratings": total,
        "levels": {level: levels.get(level, 0) for level in (5, 4, 3, 2, 1)},
        "satisfied": satisfied,
        "satisfaction_rate": _rate(satisfied, total),
        "bad": bad,
        "followed_up": followed_up,
        "rectified": states_from("rectified"),
        "replied": closed,
        "closed_in_time": by_state.get("closed", (0, 0))[1],
        "followup_rate": _rate(followed_up, bad),
        "reply_rate": _rate(closed, bad),
    }


@dataclass
class Period:
    """A reporting period in the community's zone, as UTC bounds."""

    start: datetime
    end: datetime


def quarter_to_date(tz: str = DEFAULT_TZ, now: datetime | None = None) -> Period:
    """From the start of the current quarter (local) to now: the period 居务公开 publishes at least quarterly."""
    local = (now or utcnow()).astimezone(ZoneInfo(tz))
    first = local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return Period(first.astimezone(UTC), (now or utcnow()).astimezone(UTC))
