"""What must hold after the soak, read straight from the databases (run inside an app context)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from sqlalchemy import select, text

from community_hall.tenancy import all_communities, community_session, registry_session, tenancy
from community_hall.timebank.activity_models import Activity, ActivitySignup
from community_hall.timebank.ledger import check as ledger_check
from community_hall.window.models import Ticket, TicketEvent
from community_hall.window.rules import TRANSITIONS

MARKER = re.compile(r"soak ([0-9a-f]{32})")


def _timeline_problems(number: str, status: str, events: list[tuple[str, str, str]]) -> list[str]:
    """The events, in order, must start with the submission and walk the state table to the ticket's state."""
    if not events or events[0] != ("submit", "", "submitted"):
        return [f"{number}: the timeline does not start with the submission: {events[:1]}"]
    state, problems = "submitted", []
    for action, before, after in events[1:]:
        if before != state:
            problems.append(f"{number}: {action} starts from {before!r} but the ticket was {state!r}")
        if after != before and TRANSITIONS.get((before, action)) != after and not (
                action == "resubmit" and before == "returned" and after in ("submitted", "accepted")):
            problems.append(f"{number}: {action} moved {before!r} to {after!r}, which the state table does not allow")
        state = after
    if state != status:
        problems.append(f"{number}: the timeline ends at {state!r} but the ticket is {status!r}")
    return problems


def tickets(slug: str, acked: list[tuple[str, str, str, str]]) -> tuple[list[str], dict]:
    """Acknowledged tickets exist exactly once, numbers are unique and gap-free, timelines match states."""
    session = community_session(slug)
    rows = session.execute(select(Ticket.id, Ticket.number, Ticket.day, Ticket.seq, Ticket.status, Ticket.details)).all()
    problems: list[str] = []
    by_marker: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if found := MARKER.search(row.details or ""):
            by_marker[found.group(1)].append(row.number)
    for marker, numbers in by_marker.items():
        if len(numbers) > 1:
            problems.append(f"{slug}: one submission ({marker}) became {len(numbers)} tickets: {numbers}")
    numbers = Counter(row.number for row in rows)
    problems += [f"{slug}: number {n} is used {c} times" for n, c in numbers.items() if c > 1]
    for number, marker in ((a[1], a[2]) for a in acked if a[0] == slug):
        if number not in numbers:
            problems.append(f"{slug}: acknowledged ticket {number} is missing")
        elif by_marker.get(marker) != [number]:
            problems.append(f"{slug}: acknowledged ticket {number} is not the one submitted ({by_marker.get(marker)})")
    seqs: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        seqs[row.day].append(row.seq)
    for day, got in seqs.items():
        if sorted(got) != list(range(1, len(got) + 1)):
            missing = sorted(set(range(1, max(got) + 1)) - set(got))
            problems.append(f"{slug}: numbers of {day} are not 1..{len(got)}: missing {missing[:10]}")
    events: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for e in session.execute(select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.from_status,
                                    TicketEvent.to_status).order_by(TicketEvent.id)):
        events[e.ticket_id].append((e.action, e.from_status, e.to_status))
    for row in rows:
        problems += _timeline_problems(row.number, row.status, events[row.id])
    return problems, {"tickets": len(rows), "marked": len(by_marker), "states": dict(Counter(r.status for r in rows))}


def activities(slug: str, prepared: list[dict], confirmed: set[int]) -> list[str]:
    """An activity is either confirmed with every attendee credited, or open with nobody credited."""
    session = community_session(slug)
    problems = []
    for spec in prepared:
        activity = session.get(Activity, spec["id"])
        credited = session.scalars(select(ActivitySignup.movement_id).where(
            ActivitySignup.activity_id == spec["id"])).all()
        if activity.status == "confirmed" and not all(credited):
            problems.append(f"{slug}: activity {spec['id']} is confirmed but not every attendee is credited")
        if activity.status != "confirmed" and any(credited):
            problems.append(f"{slug}: activity {spec['id']} is not confirmed but hours were credited")
        if spec["id"] in confirmed and activity.status != "confirmed":
            problems.append(f"{slug}: activity {spec['id']} was confirmed by the head but is {activity.status}")
    return problems + [f"{slug}: ledger: {line}" for line in ledger_check(session)]


def integrity() -> list[str]:
    """PRAGMA integrity_check on the registry and every community file (SQLite only)."""
    t = tenancy()
    if t.backend != "sqlite":
        return []
    problems = []
    sessions = [("registry", registry_session())] + [(c.slug, community_session(c.slug)) for c in all_communities()]
    for name, session in sessions:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        if result != ["ok"]:
            problems.append(f"{name}: integrity_check says {result[:5]}")
    return problems
