"""Taking numbers, calling them by the priority rule, serving, transferring, and the board's figures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..errors import HallError, parse_id
from ..signals import ticket_changed
from ..tenancy import Community, utcnow
from .models import QueueCounter, QueueNumber, ServiceWindow

# How many normal numbers a window calls between two priority numbers (70+, disability, pregnancy) while
# both are waiting: 2 means one priority for every two normal. Shown on the board.
DEFAULT_PRIORITY_EVERY = 2
# A called number that has not come to the window is a no-show after this many calls or minutes.
DEFAULT_NO_SHOW_CALLS = 3
DEFAULT_NO_SHOW_MINUTES = 10


def today(community: Community, now: datetime | None = None) -> str:
    """The community's local date as YYYYMMDD (numbers restart each day)."""
    return (now or utcnow()).astimezone(ZoneInfo(community.timezone)).strftime("%Y%m%d")


def _write_lock(session: Session) -> None:
    # A fresh transaction that holds SQLite's write lock from its first statement, so reads inside it are current.
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def create_window(session: Session, prefix: str, name: str, serves: str = "", post_id: int | None = None) -> ServiceWindow:
    """Add a window; its prefix is one or two capital letters, unique in the hall."""
    prefix = (prefix or "").strip().upper()
    if not (1 <= len(prefix) <= 2 and prefix.isalpha() and prefix.isascii()):
        raise HallError(_l("A window's prefix is one or two letters, for example A."), "prefix")
    if session.scalar(select(ServiceWindow.id).where(ServiceWindow.prefix == prefix)) is not None:
        raise HallError(_l("Another window already uses the prefix %(prefix)s.", prefix=prefix), "prefix")
    top = session.scalar(select(func.max(ServiceWindow.position))) or 0
    window = ServiceWindow(prefix=prefix, name=(name or "").strip()[:50] or prefix, serves=(serves or "")[:200],
                           post_id=post_id, active=True, position=top + 1)
    session.add(window)
    session.flush()
    return window


def windows(session: Session, active_only: bool = True) -> list[ServiceWindow]:
    """The hall's windows in order."""
    stmt = select(ServiceWindow).order_by(ServiceWindow.position, ServiceWindow.id)
    if active_only:
        stmt = stmt.where(ServiceWindow.active.is_(True))
    return list(session.scalars(stmt))


def take_number(session: Session, community: Community, window_id: int, priority: bool = False,
                appointment_id: int | None = None, locked: bool = False) -> QueueNumber:
    """Give out the window's next number of the day (A001, A002 …), safely under concurrency and without gaps.

    locked: the caller already holds the write lock and has changes of its own to commit with the number.
    """
    window = session.get(ServiceWindow, window_id)
    if window is None or not window.active:
        if locked:
            session.rollback()
        raise HallError(_l("This window is not taking numbers."), "window")
    prefix = window.prefix
    if not locked:
        _write_lock(session)
    now = utcnow()
    day = today(community, now)
    seq = _bump(session, day, window_id)
    number = QueueNumber(token=secrets.token_urlsafe(12), day=day, issued_window_id=window_id, window_id=window_id,
                         seq=seq, code=f"{prefix}{seq:03d}", priority=priority or appointment_id is not None,
                         status="waiting", issued_at=now, appointment_id=appointment_id)
    session.add(number)
    session.commit()
    return number


def _bump(session: Session, day: str, window_id: int) -> int:
    table = QueueCounter.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(table).values(day=day, window_id=window_id, last=1).on_conflict_do_update(
        index_elements=[table.c.day, table.c.window_id], set_={"last": table.c.last + 1})
    return session.execute(stmt.returning(table.c.last)).scalar_one()


def waiting(session: Session, day: str, window_id: int, lock: bool = False) -> list[QueueNumber]:
    """Numbers waiting at a window in the order they were taken (a transferred number keeps its place).

    With lock (PostgreSQL), rows another desk is calling right now are skipped rather than waited for.
    """
    stmt = select(QueueNumber).where(QueueNumber.day == day, QueueNumber.window_id == window_id,
                                     QueueNumber.status == "waiting").order_by(QueueNumber.issued_at, QueueNumber.id)
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def choose_next(waiting_numbers: list[QueueNumber], normals_since_priority: int, every: int) -> QueueNumber | None:
    """The rule: an appointment checked in within its slot goes first; then a waiting priority number once
    `every` normal numbers were called since the last priority one (or when no normal number waits);
    otherwise the oldest normal number."""
    booked = [n for n in waiting_numbers if n.appointment_id is not None]
    if booked:
        return booked[0]
    priority = [n for n in waiting_numbers if n.priority]
    normal = [n for n in waiting_numbers if not n.priority]
    if priority and (not normal or normals_since_priority >= every):
        return priority[0]
    return normal[0] if normal else None


def _normals_since_priority(session: Session, day: str, window_id: int) -> int:
    called = session.execute(select(QueueNumber.priority, QueueNumber.appointment_id).where(
        QueueNumber.day == day, QueueNumber.window_id == window_id, QueueNumber.called_at.is_not(None))
        .order_by(QueueNumber.called_at.desc(), QueueNumber.id.desc()).limit(50))
    count = 0
    for was_priority, appointment_id in called:
        if appointment_id is not None:
            continue  # an appointment is served in its slot; it is not the priority group's turn
        if was_priority:
            break
        count += 1
    return count


def call_next(session: Session, community: Community, window_id: int, staff_id: int | None, staff_name: str,
              every: int = DEFAULT_PRIORITY_EVERY, no_show_calls: int = DEFAULT_NO_SHOW_CALLS,
              no_show_minutes: int = DEFAULT_NO_SHOW_MINUTES) -> QueueNumber | None:
    """Call the next number for a window by the rule; two desks pressing at once never get the same number.

    Numbers this window called that never came to be served are first marked no-show once they were called
    no_show_calls times or no_show_minutes ago.
    """
    _write_lock(session)
    day = today(community)
    now = utcnow()
    session.execute(update(QueueNumber).where(
        QueueNumber.day == day, QueueNumber.window_id == window_id, QueueNumber.status == "called",
        (QueueNumber.call_count >= no_show_calls) | (QueueNumber.called_at <= now - timedelta(minutes=no_show_minutes)))
        .values(status="no_show", finished_at=now).execution_options(synchronize_session=False))
    normals = _normals_since_priority(session, day, window_id)
    if every and normals == 0 and not session.scalar(select(func.count()).where(
            QueueNumber.day == day, QueueNumber.window_id == window_id, QueueNumber.called_at.is_not(None),
            QueueNumber.appointment_id.is_(None))):
        normals = every  # no walk-in called yet today: a waiting priority number may go first
    for _attempt in range(20):
        chosen = choose_next(waiting(session, day, window_id, lock=True), normals, every)
        if chosen is None:
            session.commit()  # keep the no-shows marked above even when nobody else waits
            return None
        now = utcnow()
        # PostgreSQL has no BEGIN IMMEDIATE: the status guard makes a concurrent caller lose and pick again.
        result = session.execute(update(QueueNumber).where(QueueNumber.id == chosen.id, QueueNumber.status == "waiting")
                                 .values(status="called", called_at=now, call_count=QueueNumber.call_count + 1,
                                         staff_user_id=staff_id, staff_name=staff_name)
                                 .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            session.commit()
            session.refresh(chosen)
            return chosen
        session.rollback()
        _write_lock(session)
    session.rollback()
    raise HallError(_l("The queue is very busy; please press again."), "window")


def _number(session: Session, number_id: int) -> QueueNumber:
    number = session.get(QueueNumber, number_id)
    if number is None:
        raise HallError(_l("No such number."), "number")
    return number


def _move(session: Session, number_id: int, allowed_from: tuple[str, ...], values: dict) -> QueueNumber:
    _write_lock(session)
    result = session.execute(update(QueueNumber).where(QueueNumber.id == number_id,
                                                       QueueNumber.status.in_(allowed_from))
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise HallError(_l("This number has already moved on; the desk now shows its current state."), "number")
    session.commit()
    number = _number(session, number_id)
    session.refresh(number)
    return number


def recall(session: Session, number_id: int) -> QueueNumber:
    """Call the same number again (the board shows and says it again)."""
    return _move(session, number_id, ("called",), {"called_at": utcnow(), "call_count": QueueNumber.call_count + 1})


def mark_no_show(session: Session, number_id: int) -> QueueNumber:
    """The resident did not come after being called."""
    return _move(session, number_id, ("called",), {"status": "no_show", "finished_at": utcnow()})


def start_serving(session: Session, number_id: int, ticket_id: int | None = None) -> QueueNumber:
    """The resident is at the window (optionally linked to the ticket opened or found for them)."""
    values = {"status": "serving", "served_at": utcnow()}
    if ticket_id:
        values["ticket_id"] = ticket_id
    return _move(session, number_id, ("called",), values)


def link_ticket(session: Session, number_id: int, ticket_id: int) -> QueueNumber:
    """Link the ticket opened for the resident being served."""
    return _move(session, number_id, ("serving", "done"), {"ticket_id": ticket_id})


def finish(session: Session, number_id: int) -> QueueNumber:
    """Done at the window."""
    return _move(session, number_id, ("serving",), {"status": "done", "finished_at": utcnow()})


def transfer(session: Session, number_id: int, to_window_id: int) -> QueueNumber:
    """Send a called or waiting number to another window; it keeps its place there (its time of issue)."""
    target = session.get(ServiceWindow, to_window_id)
    if target is None or not target.active:
        raise HallError(_l("Choose a window that is open."), "window")
    return _move(session, number_id, ("waiting", "called"), {"window_id": to_window_id, "status": "waiting",
                                                              "staff_user_id": None, "staff_name": ""})


@dataclass
class WindowBoard:
    """What the board shows for one window."""

    window: ServiceWindow
    calling: QueueNumber | None
    waiting: int
    estimated_wait_minutes: int


def board(session: Session, community: Community) -> tuple[list[WindowBoard], list[QueueNumber]]:
    """Per window: the number being called or served, how many wait, an estimated wait; and the last five calls."""
    day = today(community)
    counts = dict(session.execute(select(QueueNumber.window_id, func.count()).where(
        QueueNumber.day == day, QueueNumber.status == "waiting").group_by(QueueNumber.window_id)).all())
    current = {}
    for n in session.scalars(select(QueueNumber).where(QueueNumber.day == day,
                                                       QueueNumber.status.in_(("called", "serving")))
                             .order_by(QueueNumber.called_at)):
        current[n.window_id] = n   # the latest call of each window wins
    averages = average_service_minutes(session, day)
    rows = [WindowBoard(w, current.get(w.id), counts.get(w.id, 0),
                        round(counts.get(w.id, 0) * averages.get(w.id, 5.0))) for w in windows(session)]
    recent = list(session.scalars(select(QueueNumber).where(QueueNumber.day == day, QueueNumber.called_at.is_not(None))
                                  .order_by(QueueNumber.called_at.desc(), QueueNumber.id.desc()).limit(5)))
    return rows, recent


def average_service_minutes(session: Session, day: str) -> dict[int, float]:
    """Rolling average minutes a window spends per resident today (the last 20 finished; 5 when none yet)."""
    out: dict[int, float] = {}
    for window_id in session.scalars(select(ServiceWindow.id)):
        rows = session.execute(select(QueueNumber.served_at, QueueNumber.finished_at).where(
            QueueNumber.day == day, QueueNumber.window_id == window_id, QueueNumber.status == "done",
            QueueNumber.served_at.is_not(None)).order_by(QueueNumber.finished_at.desc()).limit(20)).all()
        spans = [(f - s).total_seconds() / 60 for s, f in rows if s and f]
        out[window_id] = max(1.0, sum(spans) / len(spans)) if spans else 5.0
    return out


def people_ahead(session: Session, number: QueueNumber) -> int:
    """How many numbers wait before this one at its window."""
    if number.status != "waiting":
        return 0
    return session.scalar(select(func.count()).where(
        QueueNumber.day == number.day, QueueNumber.window_id == number.window_id, QueueNumber.status == "waiting",
        QueueNumber.issued_at < number.issued_at)) or 0


def day_figures(session: Session, day: str) -> list[dict]:
    """Per window for a day: numbers issued, served, no-shows (grouped in the database), average wait and service."""
    counts = session.execute(select(
        QueueNumber.window_id, func.count(),
        func.sum(case((QueueNumber.status == "done", 1), else_=0)),
        func.sum(case((QueueNumber.status == "no_show", 1), else_=0)),
    ).where(QueueNumber.day == day).group_by(QueueNumber.window_id)).all()
    # Time spans differ between SQLite and PostgreSQL in SQL; a day's numbers at one hall are few, so average here.
    spans: dict[int, tuple[list[float], list[float]]] = {}
    for w, issued, called, served, finished in session.execute(select(
            QueueNumber.window_id, QueueNumber.issued_at, QueueNumber.called_at, QueueNumber.served_at,
            QueueNumber.finished_at).where(QueueNumber.day == day, QueueNumber.called_at.is_not(None))):
        waits, services = spans.setdefault(w, ([], []))
        waits.append((called - issued).total_seconds() / 60)
        if served and finished:
            services.append((finished - served).total_seconds() / 60)
    names = {w.id: w for w in windows(session, active_only=False)}
    out = []
    for w, issued, done, no_show in counts:
        waits, services = spans.get(w, ([], []))
        out.append({"window": names.get(w), "issued": issued, "served": int(done or 0), "no_shows": int(no_show or 0),
                    "avg_wait_minutes": round(sum(waits) / len(waits), 1) if waits else None,
                    "avg_service_minutes": round(sum(services) / len(services), 1) if services else None})
    return out


@ticket_changed.connect
def _link_ticket_opened_from_the_desk(ticket, session: Session, action: str, **_kwargs) -> None:
    """A ticket opened from the calling desk ("serve and open a ticket") is linked to the number being served."""
    from flask import has_request_context, request

    queue = parse_id(request.form.get("queue")) if has_request_context() else None
    if action != "submit" or queue is None or ticket.kind != "request":
        return  # a complaint sent with a queue field stays off the desk: staff see what a number is linked to
    try:
        link_ticket(session, queue, ticket.id)
    except HallError:
        session.rollback()  # the number moved on meanwhile; the ticket stands on its own


def days_figures(session: Session, first: str, last: str) -> list[dict]:
    """Per day between first and last (YYYYMMDD): numbers issued, served, no-shows, grouped in the database."""
    rows = session.execute(select(
        QueueNumber.day, func.count(),
        func.sum(case((QueueNumber.status == "done", 1), else_=0)),
        func.sum(case((QueueNumber.status == "no_show", 1), else_=0)),
    ).where(QueueNumber.day >= first, QueueNumber.day <= last).group_by(QueueNumber.day).order_by(QueueNumber.day))
    return [{"day": d, "issued": n, "served": int(s or 0), "no_shows": int(x or 0)} for d, n, s, x in rows]
