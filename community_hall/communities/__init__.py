"""Communities: creating them, their public home and the site index."""
