"""Backup tests run on SQLite files and on PostgreSQL schemas."""

from __future__ import annotations

import os

import pytest

from community_hall import create_app
from community_hall.demo import seed_demo
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
