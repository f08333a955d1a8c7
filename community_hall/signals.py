"""Signals by which lower packages tell higher ones what happened (blinker, as Flask itself does)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Community; kwargs: session (the new community's database session). Sent before its commit.
community_created = _signals.signal("community-created")

# sender: the Ticket; kwargs: session, action (submit, accept, start, return, resubmit, resubmit_accepted,
# complete, decline, withdraw), actor. Sent after the change is committed.
ticket_changed = _signals.signal("ticket-changed")
