"""Backup tests run on SQLite files and on PostgreSQL schemas; helpers to make sites and submit tickets."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import select

from community_hall import create_app
from community_hall.demo import seed_demo
from community_hall.menu.models import ServiceItem
from community_hall.tenancy import community_session, get_community
from community_hall.window.models import Ticket
from community_hall.window.services import Actor, Submission, submit_ticket
from tests.conftest import _db_counter


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param

@pytest.fixture
def make_app(app_config, tmp_path, backend, request):
    """make_app(name) -> a new, empty app of this backend on its own data directory (and database)."""
    apps = []

    def make(name):
        url = None
        if backend == "postgresql":
            url = request.getfixturevalue("pg_cluster").create_database(f"hall_bk_{os.getpid()}_{next(_db_counter)}")
        app = create_app({**app_config, "HALL_DATA_DIR": str(tmp_path / name), "DATABASE_URL": url})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["tenancy"].dispose()

@pytest.fixture
def demo(app):
    """The app with the demo site seeded (three communities, people, menus, rosters, volunteers)."""
    with app.app_context():
        list(seed_demo())
    return app

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

