"""Accounts: users, memberships (user x community x role), login and the role policy."""
