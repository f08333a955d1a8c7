"""Sites for backup and migration tests: submit tickets through the services, read numbers, check SQLite files."""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import select

from community_hall.menu.models import ServiceItem
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import Ticket
from community_hall.window.services import Actor, Submission, submit_ticket


def submit(app, slug: str, name: str = "王秀兰") -> str:
    """Submit one ticket for the first published item of a community through the services; its number."""
    with app.app_context():
        session = community_session(slug)
        code = session.scalar(select(ServiceItem.code).where(ServiceItem.published.is_(True)).order_by(ServiceItem.id))
        ticket = submit_ticket(session, get_community(slug), Submission(code, name, "13800138001"),
                               Actor(None, name, "resident"))
        return ticket.number

def ticket_numbers(app, slug: str) -> set[str]:
    with app.app_context():
        return set(community_session(slug).scalars(select(Ticket.number)))

def integrity(app) -> dict[str, str]:
    """PRAGMA integrity_check of every SQLite file of a site (empty on PostgreSQL)."""
    t = app.extensions["tenancy"]
    if t.backend != "sqlite":
        return {}
    files = [os.path.join(t.data_dir, "hall.sqlite3")]
    folder = os.path.join(t.data_dir, "communities")
    files += [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".sqlite3")]
    out = {}
    for path in files:
        conn = sqlite3.connect(path)
        out[os.path.basename(path)] = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
    return out

def slugs(app) -> list[str]:
    with app.app_context():
        from community_hall.tenancy import all_communities

        return [c.slug for c in all_communities()]

