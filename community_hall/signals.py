"""Signals by which lower packages tell higher ones what happened (blinker, as Flask itself does)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Community; kwargs: session (the new community's database session). Sent before its commit.
community_created = _signals.signal("community-created")
