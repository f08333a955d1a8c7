"""Backup tests run on SQLite files and on PostgreSQL schemas."""

from __future__ import annotations

import os
import shutil

import pytest

from community_hall import create_app
from community_hall.demo import seed_demo
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import tenancy
from tests.conftest import _db_counter


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


@pytest.fixture
def make_app(app_config, tmp_path, backend, request):
    """make_app(name) -> a new, empty app of this backend on its own data directory (and database)."""
    apps = []

    def make(name):
        url = _pg_database(request) if backend == "postgresql" else None
        app = create_app({**app_config, "HALL_DATA_DIR": str(tmp_path / name), "DATABASE_URL": url})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["tenancy"].dispose()

_TEMPLATES: dict[str, str] = {}   # backend -> the seeded demo site (a data directory, or a template database)


def _pg_database(request, template: str | None = None) -> str:
    cluster = request.getfixturevalue("pg_cluster")
    name = f"hall_bk_{os.getpid()}_{next(_db_counter)}"
    if template is None:
        return cluster.create_database(name)
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return cluster.url(name)


@pytest.fixture
def demo(app_config, backend, request, tmp_path, tmp_path_factory):
    """An app on its own copy of the demo site (seeded once per backend: three communities, people, menus, rosters)."""
    if backend not in _TEMPLATES:
        folder = tmp_path_factory.mktemp("demo-template")
        url = _pg_database(request) if backend == "postgresql" else None
        seeded = create_app({**app_config, "HALL_DATA_DIR": str(folder / "data"), "DATABASE_URL": url})
        with seeded.app_context():
            upgrade_registry(tenancy())
            list(seed_demo())
        seeded.extensions["tenancy"].dispose()
        _TEMPLATES[backend] = url.rsplit("/", 1)[1] if url else str(folder / "data")
    if backend == "postgresql":
        url = _pg_database(request, _TEMPLATES[backend])
    else:
        url = None
        shutil.copytree(_TEMPLATES[backend], tmp_path / "demo")
    app = create_app({**app_config, "HALL_DATA_DIR": str(tmp_path / "demo"), "DATABASE_URL": url})
    yield app
    app.extensions["tenancy"].dispose()
