"""The head's reading of the community's audit log (/c/<slug>/audit)."""
