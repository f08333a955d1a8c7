"""The rota generator (排班): a month of draft shifts for a set of staff and rules, fair by construction.

The generator is a pure function of the month, the people, the rules, the working-day calendar and who is
unavailable on which day. On each day it gives every slot to the available person with the fewest shifts of
that kind so far (then the fewest weekend and holiday shifts, then the fewest hours, then a rotating order), which
keeps the max-min spread of every count at most one whenever nobody's leave forces otherwise. The rest of the
module stores drafts, lets the head fix them and publishes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations, islice

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..accounts.models import Membership, Profile, User
from ..errors import HallError
from ..tenancy import Community, registry_session
from ..workdays import WorkCalendar
from .models import Leave, Shift

KINDS = ("regular", "late", "weekend", "holiday")
STAFF_ROLES = ("staff", "head")
SEARCH_LIMIT = 500    # late crews tried per working day before settling for the best seen


@dataclass(frozen=True)
class Rules:
    """How a month is staffed: hours of each kind of shift and how many people each day needs."""

    regular_start: str = "08:30"
    regular_end: str = "17:30"
    per_workday: int = 2          # people on duty each working day, late shift included
    late_per_workday: int = 1     # of whom on the staggered late shift (错时)
    late_start: str = "10:00"
    late_end: str = "19:00"
    weekend_per_day: int = 1      # people on duty on an ordinary weekend day
    holiday_per_day: int = 1      # people on duty on a public holiday (节假日轮休)
    duty_start: str = "09:00"     # hours of weekend and holiday duty
    duty_end: str = "17:00"

    def hours(self, kind: str) -> tuple[str, str]:
        """Start and end of a shift of this kind."""
        return {"regular": (self.regular_start, self.regular_end), "late": (self.late_start, self.late_end)}.get(
            kind, (self.duty_start, self.duty_end))


@dataclass(frozen=True)
class Proposal:
    """One proposed shift."""

    user_id: int
    day: date
    start: str
    end: str
    kind: str

    @property
    def hours(self) -> float:
        """Length of the shift in hours."""
        return shift_hours(self.start, self.end)


@dataclass(frozen=True)
class Shortfall:
    """A day on which fewer people were available than the rules need."""

    day: date
    kind: str
    needed: int
    got: int


@dataclass
class Rota:
    """What the generator proposes."""

    shifts: list[Proposal] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


@dataclass
class Tally:
    """One person's line of the fairness report."""

    user_id: int
    regular: int = 0
    late: int = 0
    weekend: int = 0
    holiday: int = 0
    hours: float = 0.0

    def count(self, kind: str) -> int:
        """Shifts of one kind."""
        return getattr(self, kind)


def shift_hours(start: str, end: str) -> float:
    """Hours between two "HH:MM" clock times of one day."""
    first, last = datetime.strptime(start, "%H:%M"), datetime.strptime(end, "%H:%M")
    return (last - first).total_seconds() / 3600


def month_days(month: date) -> list[date]:
    """Every day of the month that `month` falls in."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((following - first).days)]


def day_kind(day: date, calendar: WorkCalendar) -> str:
    """"workday", "holiday" (a public holiday off) or "weekend" (any other day off) by the working-day calendar."""
    if calendar.is_workday(day):
        return "workday"
    return "holiday" if calendar.holiday_name(day) else "weekend"


def generate(month: date, staff: Sequence[int], rules: Rules, calendar: WorkCalendar,
             unavailable: Mapping[int, Iterable[date]] | None = None) -> Rota:
    """Propose the month's shifts; nobody is given a shift on a day they are unavailable (approved leave)."""
    people = list(dict.fromkeys(staff))
    away = {uid: set(days) for uid, days in (unavailable or {}).items()}
    tallies = {uid: Tally(uid) for uid in people}
    last: dict[tuple[int, str], int] = {}
    rota = Rota()

    def order(kind: str, among: list[int], offset: int) -> list[int]:
        def key(uid: int):
            t = tallies[uid]
            rotation = (people.index(uid) - offset) % len(people)
            # Among equals, whoever has waited longest for this kind of shift goes first (a queue, not a fixed order).
            waited = last.get((uid, kind), -1)
            if kind in ("late", "regular"):
                return t.count(kind), waited, t.regular + t.late, t.weekend + t.holiday, rotation
            return t.count(kind), t.weekend + t.holiday, waited, t.hours, rotation

        return sorted(among, key=key)

    def assign(day: date, kind: str, chosen: Sequence[int], needed: int) -> None:
        if len(chosen) < needed:
            rota.shortfalls.append(Shortfall(day, kind, needed, len(chosen)))
        start, end = rules.hours(kind)
        for uid in chosen:
            last[uid, kind] = day.toordinal()
            rota.shifts.append(Proposal(uid, day, start, end, kind))
            tally = tallies[uid]
            setattr(tally, kind, tally.count(kind) + 1)
            tally.hours += shift_hours(start, end)

    def spreads_after(late: Sequence[int], regular: Sequence[int]) -> tuple[int, int]:
        lates = [t.late + (uid in late) for uid, t in tallies.items()]
        regulars = [t.regular + (uid in regular) for uid, t in tallies.items()]
        return max(lates) - min(lates), max(regulars) - min(regulars)

    def working_day(day: date, free: list[int], offset: int) -> None:
        n_late = min(rules.late_per_workday, rules.per_workday)
        n_regular = max(rules.per_workday - rules.late_per_workday, 0)
        best = None
        # The greedy choice comes first; other late crews are tried only while it would leave a spread above one.
        for late in islice(combinations(order("late", free, offset), min(n_late, len(free))), SEARCH_LIMIT):
            regular = order("regular", [uid for uid in free if uid not in late], offset)[:n_regular]
            spread_late, spread_regular = spreads_after(late, regular)
            score = (max(spread_late, spread_regular), spread_late + spread_regular)
            if best is None or score < best[0]:
                best = (score, late, regular)
            if score[0] <= 1:
                break
        _score, late, regular = best if best else ((0, 0), (), [])
        assign(day, "late", late, n_late)
        assign(day, "regular", regular, n_regular)

    if not people:
        return rota
    for offset, day in enumerate(month_days(month)):
        free = [uid for uid in people if day not in away.get(uid, ())]
        kind = day_kind(day, calendar)
        if kind == "workday":
            working_day(day, free, offset)
        else:
            needed = rules.weekend_per_day if kind == "weekend" else rules.holiday_per_day
            assign(day, kind, order(kind, free, offset)[:needed], needed)
    return rota


def fairness(shifts: Iterable[Proposal | Shift], staff: Sequence[int]) -> list[Tally]:
    """Per person: regular, late, weekend and holiday shifts and total hours."""
    tallies = {uid: Tally(uid) for uid in staff}
    for s in shifts:
        tally = tallies.setdefault(s.user_id, Tally(s.user_id))
        setattr(tally, s.kind, tally.count(s.kind) + 1)
        tally.hours += shift_hours(s.start, s.end)
    return list(tallies.values())


def spread(tallies: Sequence[Tally]) -> dict[str, int]:
    """Max-min difference of each count across people (0 when nobody)."""
    return {kind: (max(t.count(kind) for t in tallies) - min(t.count(kind) for t in tallies)) if tallies else 0
            for kind in KINDS}


# --- stored drafts ------------------------------------------------------------------------------------


def parse_month(text: str | None, today: date) -> date:
    """The first day of a "YYYY-MM" month; next month when missing or malformed."""
    try:
        return datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def station_staff(session: Session, community: Community) -> list[tuple[int, str]]:
    """The community's staff and head as (user id, name), by name; names only, never phones."""
    rows = registry_session().execute(
        select(User.id, User.display_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.role.in_(STAFF_ROLES),
               User.is_active.is_(True)).distinct()).all()
    if not rows:
        return []
    names = dict(session.execute(select(Profile.user_id, Profile.real_name)
                                 .where(Profile.user_id.in_([uid for uid, _n in rows]))).all())
    return sorted(((uid, names.get(uid) or display) for uid, display in rows), key=lambda p: (p[1], p[0]))


def names_of(session: Session, community: Community) -> dict[int, str]:
    """User id -> name for the station's people."""
    return dict(station_staff(session, community))


def unavailable_days(session: Session, month: date, staff: Sequence[int]) -> dict[int, set[date]]:
    """Days of the month each person is on approved leave or already has a published shift."""
    days = month_days(month)
    first, last = days[0], days[-1]
    away: dict[int, set[date]] = {uid: set() for uid in staff}
    for v in session.scalars(select(Leave).where(Leave.status == "approved", Leave.first_day <= last,
                                                 Leave.last_day >= first, Leave.user_id.in_(staff))):
        away[v.user_id].update(d for d in days if v.first_day <= d <= v.last_day)
    for s in session.scalars(select(Shift).where(Shift.published.is_(True), Shift.day >= first, Shift.day <= last,
                                                 Shift.user_id.in_(staff))):
        away[s.user_id].add(s.day)
    return away


def month_shifts(session: Session, month: date, published: bool | None = None) -> list[Shift]:
    """The month's shifts (drafts, published or both), by day, start and person."""
    days = month_days(month)
    query = select(Shift).where(Shift.day >= days[0], Shift.day <= days[-1])
    if published is not None:
        query = query.where(Shift.published.is_(published))
    return list(session.scalars(query.order_by(Shift.day, Shift.start, Shift.user_id)))


def check_rules(rules: Rules) -> None:
    """HallError when the rules cannot make sense."""
    for name in ("regular", "late", "weekend"):
        start, end = rules.hours(name)
        try:
            if shift_hours(start, end) <= 0:
                raise ValueError
        except ValueError:
            raise HallError(_l("A shift must end after it starts (times as HH:MM)."), f"{name}_start") from None
    counts = (rules.per_workday, rules.late_per_workday, rules.weekend_per_day, rules.holiday_per_day)
    if any(n < 0 or n > 50 for n in counts):
        raise HallError(_l("The number of people must be between 0 and 50."), "per_workday")
    if rules.late_per_workday > rules.per_workday:
        raise HallError(_l("The late shift cannot need more people than the whole working day."), "late_per_workday")


def generate_drafts(session: Session, community: Community, month: date, staff: Sequence[int], rules: Rules,
                    calendar: WorkCalendar, actor_id: int | None) -> Rota:
    """Replace the month's drafts (only drafts) with a newly generated rota."""
    known = {uid for uid, _n in station_staff(session, community)}
    if not staff:
        raise HallError(_l("Choose at least one member of staff."), "staff")
    if not set(staff) <= known:
        raise HallError(_l("Only the station's staff can be put on the rota."), "staff")
    check_rules(rules)
    rota = generate(month, staff, rules, calendar, unavailable_days(session, month, staff))
    days = month_days(month)
    session.execute(delete(Shift).where(Shift.day >= days[0], Shift.day <= days[-1], Shift.published.is_(False)))
    session.add_all(Shift(user_id=p.user_id, day=p.day, start=p.start, end=p.end, kind=p.kind, published=False)
                    for p in rota.shifts)
    audit.record(session, actor_id, "rota.generate", f"{month:%Y-%m}: {len(rota.shifts)} draft shifts")
    session.commit()
    return rota


def _draft(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None or shift.published:
        raise HallError(_l("Only a draft shift can be changed here."), "shift")
    return shift


def delete_draft(session: Session, shift_id: int, actor_id: int | None) -> Shift:
    """Remove one draft shift."""
    shift = _draft(session, shift_id)
    session.delete(shift)
    audit.record(session, actor_id, "rota.delete_draft", f"{shift.day} {shift.kind} user {shift.user_id}")
    session.commit()
    return shift


def reassign_draft(session: Session, community: Community, shift_id: int, user_id: int,
                   actor_id: int | None) -> Shift:
    """Give a draft shift to another member of staff who is not on approved leave that day."""
    shift = _draft(session, shift_id)
    if user_id not in names_of(session, community):
        raise HallError(_l("Only the station's staff can be put on the rota."), "user")
    if shift.day in unavailable_days(session, shift.day, [user_id])[user_id]:
        raise HallError(_l("This person is on leave or already on duty that day."), "user")
    taken = session.scalar(select(Shift.id).where(Shift.day == shift.day, Shift.user_id == user_id, Shift.id != shift.id))
    if taken is not None:
        raise HallError(_l("This person is on leave or already on duty that day."), "user")
    before = shift.user_id
    shift.user_id = user_id
    audit.record(session, actor_id, "rota.reassign_draft", f"{shift.day} {shift.kind}: user {before} -> {user_id}")
    session.commit()
    return shift


def publish(session: Session, month: date, actor_id: int | None) -> int:
    """Publish the month's drafts; returns how many shifts were published."""
    drafts = month_shifts(session, month, published=False)
    if not drafts:
        raise HallError(_l("There are no draft shifts to publish for this month."), "month")
    for shift in drafts:
        shift.published = True
    audit.record(session, actor_id, "rota.publish", f"{month:%Y-%m}: {len(drafts)} shifts published")
    session.flush()
    return len(drafts)
