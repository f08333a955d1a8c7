"""Post operations, and loading the roster to decide who is responsible for a post (rosters/duty.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..audit import record
from ..errors import HallError
from ..kept import kept_while
from ..pagecache import CacheStamp, pending_writes, watch
from ..tenancy import Community, CommunityBase, registry_session, utcnow
from . import duty
from .models import SHIFT_KINDS, Leave, Outreach, Post, Shift, ShiftSwap


def create_post(session: Session, code: str, name: str, window: str = "") -> Post:
    """Add a post; the code must be new."""
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or len(code) > 20 or not name:
        raise HallError(_l("A post needs a code (up to 20 characters) and a name."), "code")
    if session.scalar(select(Post.id).where(Post.code == code)) is not None:
        raise HallError(_l("A post with code %(code)s already exists.", code=code), "code")
    post = Post(code=code, name=name[:100], window=(window or "").strip()[:50])
    session.add(post)
    session.flush()
    return post


def all_posts(session: Session) -> list[Post]:
    """Every post, by code."""
    return list(session.scalars(select(Post).order_by(Post.code)))


def head_of(community: Community) -> int | None:
    """The user id of the community's (first) station head, the fallback of every post."""
    # Read on every routed ticket: kept per worker with the signed-in users' roles (accounts/identity.py).
    from ..accounts.identity import first_head

    return first_head(community.id)


def holders_of(post: Post, community: Community) -> duty.Holders:
    """The post's A and B holders and the head."""
    return duty.Holders(post.a_holder_id, post.b_holder_id, head_of(community))


@lru_cache(maxsize=1440)
def _clock(clock: str) -> time:
    # Shift times are "HH:MM"; strptime cost 10 µs each, and routing one ticket reads two weeks of shifts.
    hours, minutes = clock.split(":")
    return time(int(hours), int(minutes))


def _local(community: Community, day: date, clock: str) -> datetime:
    return datetime.combine(day, _clock(clock), tzinfo=ZoneInfo(community.timezone))


# Routing each new ticket reads two weeks of the roster; it is kept per worker while these tables are unchanged.
ROSTER_TABLES = watch("shifts", "leave", "outreach")
_STAMPS = CacheStamp.__table__


def _roster_stamp(session: Session) -> tuple | None:
    """The roster tables' write stamps as this transaction sees them; None when it has roster writes pending
    (the stamps are bumped at commit, so they would not show them yet)."""
    if pending_writes(session).intersection(ROSTER_TABLES):
        return None
    rows = session.connection().execute(
        select(_STAMPS.c.tag, _STAMPS.c.version).where(_STAMPS.c.tag.in_(ROSTER_TABLES))).all()
    return tuple(sorted(rows))


def load_roster(session: Session, community: Community, start: datetime, end: datetime) -> duty.Roster:
    """Published shifts, approved leave and outreach overlapping [start, end), as aware datetimes."""
    zone = ZoneInfo(community.timezone)
    first, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    stamp = _roster_stamp(session) if has_app_context() else None
    # Bounded: one entry per community and fortnight routed in this worker.
    shifts, leave, out = kept_while("rosters", (community.slug, first, last), stamp,
                                    lambda: _read_roster(session, zone, first, last), bound=256)
    # Outreach is kept for whole days and cut to [start, end) here, as the query did before.
    return duty.Roster(list(shifts), list(leave), [s for s in out if s.start < end_utc and s.end > start_utc])


def _read_roster(session: Session, zone: ZoneInfo, first: date, last: date) -> tuple[list, list, list]:
    # Plain rows, not ORM objects: routing every new ticket reads two weeks of shifts.
    shifts = [duty.Span(user_id, datetime.combine(day, _clock(begins), tzinfo=zone),
                        datetime.combine(day, _clock(ends), tzinfo=zone), kind)
              for user_id, day, begins, ends, kind in session.execute(
                  select(Shift.user_id, Shift.day, Shift.start, Shift.end, Shift.kind)
                  .where(Shift.day >= first, Shift.day <= last, Shift.published.is_(True)))]
    leave = [duty.Span(user_id, datetime.combine(first_day, time(0), tzinfo=zone),
                       datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone), kind)
             for user_id, first_day, last_day, kind in session.execute(
                 select(Leave.user_id, Leave.first_day, Leave.last_day, Leave.kind)
                 .where(Leave.status == "approved", Leave.first_day <= last, Leave.last_day >= first))]
    # Compare in UTC: SQLite keeps the stored UTC wall time and would compare a local-zone bound as if it were UTC.
    start_utc = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end_utc = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    out = [duty.Span(user_id, _aware(starts_at), _aware(ends_at), "out")
           for user_id, starts_at, ends_at in session.execute(
               select(Outreach.user_id, Outreach.starts_at, Outreach.ends_at)
               .where(Outreach.starts_at < end_utc, Outreach.ends_at > start_utc))]
    return shifts, leave, out


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def responsible_for(session: Session, community: Community, post: Post, at: datetime | None = None) -> duty.Decision:
    """Who is responsible for the post at `at` (now by default), why, and until when."""
    at = at or utcnow()
    roster = load_roster(session, community, at, at + duty.HORIZON)
    return duty.responsible(holders_of(post, community), roster, at)


# --- people, dates and times ---------------------------------------------------------------------------------------
STAFF_ROLES = ("staff", "head")


@dataclass(frozen=True)
class Person:
    """A member of the station (staff or head) as the roster pages name them."""

    user_id: int
    name: str
    username: str


def staff_of(session: Session, community: Community) -> list[Person]:
    """The community's staff and head (active accounts), by name: the people posts and shifts may name."""
    from ..accounts.models import Membership, Profile, User

    rows = (registry_session().query(User.id, User.display_name, User.username)
            .join(Membership, Membership.user_id == User.id)
            .filter(Membership.community_id == community.id, Membership.role.in_(STAFF_ROLES),
                    User.is_active.is_(True)).distinct().all())
    ids = [uid for uid, _name, _username in rows]
    names = dict(session.execute(select(Profile.user_id, Profile.real_name).where(Profile.user_id.in_(ids))).all()) \
        if ids else {}
    return sorted((Person(uid, names.get(uid) or display, username) for uid, display, username in rows),
                  key=lambda p: (p.name, p.username))


def names_of(session: Session, community: Community) -> dict[int, str]:
    """user id -> name of the station's people (for lists that show who)."""
    return {p.user_id: p.name for p in staff_of(session, community)}


def today(community: Community) -> date:
    """The community's local date."""
    return utcnow().astimezone(ZoneInfo(community.timezone)).date()


def local_now(community: Community) -> datetime:
    """The community's local time."""
    return utcnow().astimezone(ZoneInfo(community.timezone))


def parse_day(value: str, field: str = "day") -> date:
    """A YYYY-MM-DD date in 2000–2099, or HallError."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        raise HallError(_l("Enter a date like 2026-11-25."), field) from None
    # A leave or shift stored near year 9999 overflowed every page that looks a week past it, for good.
    if not 2000 <= day.year <= 2099:
        raise HallError(_l("Enter a date between 2000 and 2099."), field)
    return day


def parse_clock(value: str, field: str = "start") -> str:
    """A HH:MM time of day (00:00–23:59) as "HH:MM", or HallError."""
    text = (value or "").strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text  # 8:30 as people write it
    try:
        if len(text) != 5:
            raise ValueError
        return datetime.strptime(text, "%H:%M").strftime("%H:%M")
    except ValueError:
        raise HallError(_l("Enter a time like 08:30."), field) from None


def _member(community: Community, session: Session, user_id: int | None, field: str,
            staff: list[Person] | None = None) -> Person:
    # `staff`: the station's people when the caller already has them (an import checks thousands of rows).
    person = next((p for p in (staff if staff is not None else staff_of(session, community)) if p.user_id == user_id),
                  None)
    if person is None:
        raise HallError(_l("Choose a member of the station's staff."), field)
    return person


# --- posts ---------------------------------------------------------------------------------------------------------
POST_ACTION = "rosters.post"


def post_or_none(session: Session, post_id: int) -> Post | None:
    """A post by id."""
    return session.get(Post, post_id)


def update_post(session: Session, community: Community, post: Post, actor_id: int | None, name: str, window: str,
                a_holder_id: int | None, b_holder_id: int | None,
                staff: list[Person] | None = None) -> list[tuple[str, str, str]]:
    """Change a post's name, window and holders (two different people of the staff); records what changed.

    Returns the changes as (field, from, to); nothing is recorded when nothing changed. Does not commit.
    """
    name, window = (name or "").strip(), (window or "").strip()
    if not name or len(name) > 100:
        raise HallError(_l("A post needs a name of up to 100 characters."), "name")
    if len(window) > 50:
        raise HallError(_l("The window may have up to 50 characters."), "window")
    for holder, current, field in ((a_holder_id, post.a_holder_id, "a_holder"),
                                   (b_holder_id, post.b_holder_id, "b_holder")):
        if holder is not None and holder != current:  # a holder kept as is needs no new check
            _member(community, session, holder, field, staff)
    if a_holder_id is not None and a_holder_id == b_holder_id:
        raise HallError(_l("The A holder and the B holder must be two different people."), "b_holder")
    names = {p.user_id: p.name for p in (staff if staff is not None else staff_of(session, community))}

    def who(uid):
        return names.get(uid, f"#{uid}") if uid is not None else ""

    changes = [(f, str(old), str(new)) for f, old, new in (
        ("name", post.name, name), ("window", post.window, window),
        ("a_holder", who(post.a_holder_id), who(a_holder_id)), ("b_holder", who(post.b_holder_id), who(b_holder_id)))
        if old != new]
    if not changes:
        return []
    post.name, post.window, post.a_holder_id, post.b_holder_id = name, window, a_holder_id, b_holder_id
    record(session, actor_id, POST_ACTION, json.dumps({"post": post.id, "code": post.code, "changes": changes},
                                                       ensure_ascii=False))
    session.flush()
    return changes


@dataclass(frozen=True)
class Change:
    """One recorded change of a post: when, by whom, and (field, from, to) for each field changed."""

    at: datetime
    actor_id: int | None
    changes: list


def post_history(session: Session, post: Post, limit: int = 20) -> list[Change]:
    """The recorded changes of a post, newest first."""
    from ..audit import AuditEvent

    history = []
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action == POST_ACTION)
                                 .order_by(AuditEvent.id.desc())):
        try:
            detail = json.loads(event.detail)
        except ValueError:
            continue
        if detail.get("post") == post.id:
            history.append(Change(_aware(event.at), event.actor_user_id, detail.get("changes", [])))
            if len(history) >= limit:
                break
    return history


def items_of_posts(session: Session) -> dict[int, list[tuple[str, str]]]:
    """post id -> (code, name) of the menu items it is responsible for (ServiceItem.post_id)."""
    # The menu package sits above rosters: read its table through the shared metadata without importing it.
    table = next((t for t in CommunityBase.metadata.sorted_tables if t.name == "service_items"), None)
    if table is None:
        return {}
    rows = session.execute(select(table.c.post_id, table.c.code, table.c.name).where(table.c.post_id.is_not(None))
                           .order_by(table.c.code))
    items: dict[int, list[tuple[str, str]]] = {}
    for post_id, code, name in rows:
        items.setdefault(post_id, []).append((code, name))
    return items


# --- shifts --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShiftData:
    """A checked shift."""

    user_id: int
    day: date
    start: str
    end: str
    kind: str


def clean_shift(session: Session, community: Community, user_id: int | None, day: str | date, start: str, end: str,
                kind: str, shift_id: int | None = None, staff: list[Person] | None = None) -> ShiftData:
    """Check a shift: a member of staff, a date, HH:MM times with start before end, a known kind, no overlap."""
    person = _member(community, session, user_id, "user", staff)
    the_day = day if isinstance(day, date) else parse_day(day, "day")
    start, end = parse_clock(start, "start"), parse_clock(end, "end")
    if start >= end:
        raise HallError(_l("The shift must start before it ends."), "end")
    if kind not in SHIFT_KINDS:
        raise HallError(_l("Choose the kind of shift."), "kind")
    clash = session.scalar(select(Shift).where(Shift.user_id == person.user_id, Shift.day == the_day,
                                               Shift.start < end, Shift.end > start,
                                               Shift.id != (shift_id or 0)).limit(1))
    if clash is not None:
        raise HallError(_l("%(name)s already has a shift on %(day)s from %(start)s to %(end)s.", name=person.name,
                           day=the_day.isoformat(), start=clash.start, end=clash.end), "start")
    return ShiftData(person.user_id, the_day, start, end, kind)


def add_shift(session: Session, community: Community, actor_id: int | None, data: ShiftData,
              published: bool = True) -> Shift:
    """Store a checked shift and record it. Does not commit."""
    shift = Shift(user_id=data.user_id, day=data.day, start=data.start, end=data.end, kind=data.kind,
                  published=published)
    session.add(shift)
    session.flush()
    record(session, actor_id, "rosters.shift", f"added #{shift.id}: {_shift_text(shift)}")
    return shift


def update_shift(session: Session, community: Community, actor_id: int | None, shift: Shift, data: ShiftData) -> Shift:
    """Change a shift to checked values and record from → to. Does not commit."""
    before = _shift_text(shift)
    shift.user_id, shift.day, shift.start, shift.end, shift.kind = data.user_id, data.day, data.start, data.end, data.kind
    session.flush()
    record(session, actor_id, "rosters.shift", f"changed #{shift.id}: {before} -> {_shift_text(shift)}")
    return shift


def delete_shift(session: Session, actor_id: int | None, shift: Shift) -> None:
    """Remove a shift (and any swap asked for it) and record it. Does not commit."""
    record(session, actor_id, "rosters.shift", f"deleted #{shift.id}: {_shift_text(shift)}")
    session.execute(delete(ShiftSwap).where(ShiftSwap.shift_id == shift.id))
    session.delete(shift)
    session.flush()


def _shift_text(shift: Shift) -> str:
    return f"user {shift.user_id} {shift.day.isoformat()} {shift.start}-{shift.end} {shift.kind}"


def parse_month(value: str | None, community: Community) -> date:
    """The first day of a YYYY-MM month (this month when missing or malformed)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today(community).replace(day=1)


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def shifts_between(session: Session, first: date, last: date, user_id: int | None = None) -> list[Shift]:
    """Shifts (published and draft) from first to last inclusive, by day and start."""
    query = select(Shift).where(Shift.day >= first, Shift.day <= last)
    if user_id is not None:
        query = query.where(Shift.user_id == user_id)
    return list(session.scalars(query.order_by(Shift.day, Shift.start, Shift.user_id)))


# --- shift swaps ---------------------------------------------------------------------------------------------------
def request_swap(session: Session, community: Community, user_id: int, shift: Shift | None, to_user_id: int | None,
                 reason: str) -> ShiftSwap:
    """A member of staff asks to give one of their future shifts to a colleague. Does not commit."""
    if shift is None or shift.user_id != user_id or not shift.published or shift.day <= today(community):
        raise HallError(_l("Choose one of your own shifts from tomorrow on."), "shift")
    colleague = _member(community, session, to_user_id, "to_user")
    if colleague.user_id == user_id:
        raise HallError(_l("Choose a colleague other than yourself."), "to_user")
    reason = (reason or "").strip()
    if not reason:
        raise HallError(_l("Say why you want to give the shift away."), "reason")
    if session.scalar(select(ShiftSwap.id).where(ShiftSwap.shift_id == shift.id,
                                                 ShiftSwap.status == "requested")) is not None:
        raise HallError(_l("A swap of this shift is already waiting for the head."), "shift")
    swap = ShiftSwap(shift_id=shift.id, from_user_id=user_id, to_user_id=colleague.user_id, reason=reason[:1000])
    session.add(swap)
    session.flush()
    return swap


def decide_swap(session: Session, community: Community, actor_id: int, swap: ShiftSwap, approve: bool) -> ShiftSwap:
    """The head approves (the shift passes to the colleague, recorded) or declines a requested swap. Does not commit."""
    if swap.status != "requested":
        raise HallError(_l("This request has already been decided."), "decision")
    if approve:
        shift = session.get(Shift, swap.shift_id)
        if shift is None or shift.user_id != swap.from_user_id:
            raise HallError(_l("The shift has changed since the request; it cannot be swapped."), "decision")
        data = clean_shift(session, community, swap.to_user_id, shift.day, shift.start, shift.end, shift.kind,
                           shift_id=shift.id)
        update_shift(session, community, actor_id, shift, data)
    swap.status = "approved" if approve else "declined"
    swap.decided_by, swap.decided_at = actor_id, utcnow()
    record(session, actor_id, "rosters.swap", f"{swap.status} #{swap.id}: shift #{swap.shift_id} "
                                              f"user {swap.from_user_id} -> {swap.to_user_id}")
    session.flush()
    return swap


def swaps(session: Session, user_id: int | None = None, states: tuple[str, ...] | None = None) -> list[ShiftSwap]:
    """Swap requests (of one person, given or received, when user_id is given), newest first."""
    from sqlalchemy import or_

    query = select(ShiftSwap)
    if user_id is not None:
        query = query.where(or_(ShiftSwap.from_user_id == user_id, ShiftSwap.to_user_id == user_id))
    if states:
        query = query.where(ShiftSwap.status.in_(states))
    return list(session.scalars(query.order_by(ShiftSwap.id.desc()).limit(200)))


def as_local(community: Community, value: datetime | None) -> str:
    """A stored moment as the community's local "YYYY-MM-DD HH:MM" ("" for None)."""
    if value is None:
        return ""
    return f"{_aware(value).astimezone(ZoneInfo(community.timezone)):%Y-%m-%d %H:%M}"
