"""The ticket state machine: one explicit table of which action moves which state where."""

from __future__ import annotations

# (state, action) -> new state. "resubmit" goes back to where the ticket was before it was returned:
# "submitted" if it had not been accepted yet, else "accepted" (decided in services.resubmit).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "accept"): "accepted",
    ("submitted", "return"): "returned",
    ("submitted", "decline"): "declined",
    ("submitted", "withdraw"): "withdrawn",
    ("returned", "resubmit"): "submitted",
    ("returned", "resubmit_accepted"): "accepted",
    ("returned", "withdraw"): "withdrawn",
    ("returned", "decline"): "declined",
    ("accepted", "start"): "in_progress",
    ("accepted", "return"): "returned",
    ("accepted", "complete"): "done",
    ("accepted", "decline"): "declined",
    ("in_progress", "return"): "returned",
    ("in_progress", "complete"): "done",
    ("in_progress", "decline"): "declined",
}

STATES = ("submitted", "accepted", "in_progress", "returned", "done", "declined", "withdrawn")
ACTIONS = ("accept", "start", "return", "complete", "decline", "withdraw", "resubmit", "resubmit_accepted")

# Who may take an action: the station's people, or the resident whose matter it is.
STAFF_ACTIONS = frozenset({"accept", "start", "return", "complete", "decline"})
RESIDENT_ACTIONS = frozenset({"withdraw", "resubmit", "resubmit_accepted"})


def next_state(state: str, action: str) -> str | None:
    """The state an action leads to, or None when the action is not allowed in this state."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: str, actor: str = "staff") -> list[str]:
    """Actions the staff (or the resident) may take on a ticket in this state, in a stable order."""
    allowed = STAFF_ACTIONS if actor == "staff" else RESIDENT_ACTIONS - {"resubmit_accepted"}
    return [a for a in ACTIONS if a in allowed and (state, a) in TRANSITIONS]
