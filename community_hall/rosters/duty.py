"""Who is responsible for a post at a moment, and why: a pure function of the holders and the roster.

The rule (AB岗 + 首问负责制): the A holder when on shift and present; else the B holder, saying why A is away
(on leave, out visiting households, off shift, no A holder); else the head. Outside opening hours (nobody of
the station on shift) the matter goes to whichever holder is next on duty, with that time. No database, no
Flask: the caller loads a Roster (rosters/services.py) and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Reasons, in the words the UI shows for them (glossary.DUTY_REASON_LABELS).
A_ON_DUTY = "a_on_duty"
A_ON_LEAVE = "a_on_leave"
A_OUT = "a_out"
A_OFF_SHIFT = "a_off_shift"
NO_A_HOLDER = "no_a_holder"
BOTH_AWAY = "both_away"
CLOSED = "closed"            # outside opening hours: the next holder on duty, from `until`
NO_ROSTER = "no_roster"      # nobody has any shift in the horizon: A (else B, else the head) by default
REASONS = (A_ON_DUTY, A_ON_LEAVE, A_OUT, A_OFF_SHIFT, NO_A_HOLDER, BOTH_AWAY, CLOSED, NO_ROSTER)

HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class Span:
    """A stretch of time of one person: a shift, approved leave or an outreach trip. [start, end)."""

    user_id: int
    start: datetime
    end: datetime
    kind: str = ""

    def covers(self, at: datetime) -> bool:
        """True when at falls inside [start, end)."""
        return self.start <= at < self.end


@dataclass(frozen=True)
class Holders:
    """A post's A and B holders and the head who falls back for both (user ids; None when unset)."""

    a: int | None
    b: int | None
    head: int | None


@dataclass
class Roster:
    """Shifts, approved leave and outreach of the station's people (aware datetimes)."""

    shifts: list[Span] = field(default_factory=list)
    leave: list[Span] = field(default_factory=list)
    out: list[Span] = field(default_factory=list)

    def away_reason(self, user_id: int | None, at: datetime) -> str | None:
        """Why a person cannot take a matter at `at` ("leave", "out", "off_shift", "none"), or None if present."""
        if user_id is None:
            return "none"
        if any(s.user_id == user_id and s.covers(at) for s in self.leave):
            return "leave"
        if any(s.user_id == user_id and s.covers(at) for s in self.out):
            return "out"
        if not any(s.user_id == user_id and s.covers(at) for s in self.shifts):
            return "off_shift"
        return None

    def is_open(self, at: datetime) -> bool:
        """The station is open when anybody is on shift."""
        return any(s.covers(at) for s in self.shifts)

    def boundaries(self, after: datetime, until: datetime) -> list[datetime]:
        """Every moment in (after, until] at which somebody's availability may change, in order."""
        moments = {t for s in (*self.shifts, *self.leave, *self.out) for t in (s.start, s.end) if after < t <= until}
        return sorted(moments)


@dataclass(frozen=True)
class Decision:
    """The person responsible, as what ("A", "B", "head"), why, and until when this holds (None: beyond horizon).

    For CLOSED, `until` is when the chosen person comes on duty.
    """

    user_id: int | None
    role: str
    reason: str
    until: datetime | None = None


_AWAY_TO_REASON = {"leave": A_ON_LEAVE, "out": A_OUT, "off_shift": A_OFF_SHIFT, "none": NO_A_HOLDER}


def _at_moment(holders: Holders, roster: Roster, at: datetime) -> tuple[int | None, str, str]:
    """(person, role, reason) at one moment while the station is open."""
    a_away = roster.away_reason(holders.a, at)
    if a_away is None:
        return holders.a, "A", A_ON_DUTY
    if roster.away_reason(holders.b, at) is None:
        return holders.b, "B", _AWAY_TO_REASON[a_away]
    return holders.head, "head", BOTH_AWAY


def responsible(holders: Holders, roster: Roster, at: datetime, horizon: timedelta = HORIZON) -> Decision:
    """The person responsible for the post at `at`, why, and until when (the next change of person)."""
    end = at + horizon
    if not any(s.end > at and s.start < end for s in roster.shifts):
        person, role = next(((p, r) for p, r in ((holders.a, "A"), (holders.b, "B"), (holders.head, "head"))
                             if p is not None), (None, "head"))
        return Decision(person, role, NO_ROSTER)
    if not roster.is_open(at):
        # Outside opening hours: whichever holder of the post is next present (A before B at the same moment),
        # with the time they come on duty; the head when neither comes within the horizon.
        for moment in roster.boundaries(at, end):
            if not roster.is_open(moment):
                continue
            person, role, _reason = _at_moment(holders, roster, moment)
            if role != "head":
                return Decision(person, role, CLOSED, moment)
        return Decision(holders.head, "head", CLOSED)
    person, role, reason = _at_moment(holders, roster, at)
    for moment in roster.boundaries(at, end):
        later = _at_moment(holders, roster, moment)[0] if roster.is_open(moment) else None
        if later != person:
            return Decision(person, role, reason, moment)
    return Decision(person, role, reason)
