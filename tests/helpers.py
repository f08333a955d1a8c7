"""Builders for test data, in the manner of CTFd's gen_user(): small, explicit, real services."""

from __future__ import annotations

import re

from sqlalchemy import text

from community_hall.accounts.services import add_new_member, grant_existing
from community_hall.communities.services import create_community
from community_hall.tenancy import get_community

PASSWORD = "password123"


class Builder:
    """Creates communities and members through the same services the app uses."""

    def __init__(self, app):
        self.app = app

    def community(self, slug: str, name: str | None = None, **kwargs):
        with self.app.app_context():
            return create_community(slug, name or f"{slug}社区", **kwargs)

    def user(self, username: str, slug: str, role: str, real_name: str | None = None, phone: str = "",
             password: str = PASSWORD):
        with self.app.app_context():
            community = get_community(slug)
            return add_new_member(community, role, username, password, real_name or username, phone)

    def grant(self, username: str, slug: str, role: str):
        with self.app.app_context():
            return grant_existing(username, get_community(slug), role)

    def two_communities(self):
        """Communities a and b, each with a head, a staff member and a resident; a district admin over both."""
        for slug, name in (("comm-a", "甲社区"), ("comm-b", "乙社区")):
            self.community(slug, name, households=1000, residents=3000)
            prefix = slug[-1]
            self.user(f"head-{prefix}", slug, "head", f"站长{prefix}")
            self.user(f"staff-{prefix}", slug, "staff", f"员工{prefix}")
            self.user(f"res-{prefix}", slug, "resident", f"居民{prefix}", phone=f"1380000000{ord(prefix) % 10}")
        self.user("district", "comm-a", "district", "街道管理员")
        self.grant("district", "comm-b", "district")


def query_plan(session, stmt) -> str:
    """SQLite's EXPLAIN QUERY PLAN of a statement, as one line."""
    compiled = str(stmt.compile(bind=session.get_bind(), compile_kwargs={"literal_binds": True}))
    # A plain text statement is not schema-translated: put the session's schema names in by hand.
    for schema, actual in (session.connection().get_execution_options().get("schema_translate_map") or {}).items():
        compiled = compiled.replace(f"{schema}.", f"{actual}." if actual else "")
    return " ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"|name="csrf_token"[^>]*? value="([^"]+)"')


def csrf_in(html: str) -> str | None:
    """The CSRF token a page holds (its <meta name="csrf-token"> or a form's csrf_token field), if any."""
    found = _CSRF.search(html)
    return (found.group(1) or found.group(2)) if found else None


def site_token(client, path: str = "/login") -> str:
    """A valid CSRF token for the client's session: from path, else from the sign-in form."""
    token = csrf_in(client.get(path).get_data(as_text=True))
    return token or csrf_in(client.get("/login").get_data(as_text=True))
