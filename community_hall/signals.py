"""Signals by which lower packages tell higher ones what happened (blinker, as Flask itself does)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Community; kwargs: session (the new community's database session). Sent before its commit.
community_created = _signals.signal("community-created")

# sender: the Ticket; kwargs: session, action (submit, accept, start, return, resubmit, resubmit_accepted,
# complete, decline, withdraw), actor; and community with "submit". Sent after the change is committed.
ticket_changed = _signals.signal("ticket-changed")

# sender: the new Ticket (flushed, not yet committed); kwargs: session, actor, community. Sent inside the
# submitting transaction, so a receiver's writes commit with the ticket (receivers use a savepoint: their failure
# must not lose the ticket).
ticket_submitting = _signals.signal("ticket-submitting")
