"""Many communities: the engine cache stays bounded, evicted engines let go of their files, nothing opens them all."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.pool import Pool

from community_hall import create_app
from community_hall.communities.models import Station
from community_hall.migrate import upgrade_registry
from community_hall.tenancy import community_session, tenancy
from tests.helpers import Builder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backend():
    """Closing files and counting connections is about SQLite files."""
    return "sqlite"


@pytest.fixture
def small_cache_app(app_config):
    """An app whose engine cache holds three communities, with six communities registered."""
    app = create_app({**app_config, "COMMUNITY_ENGINE_CACHE": 3})
    with app.app_context():
        upgrade_registry(tenancy())
    build = Builder(app)
    for i in range(6):
        build.community(f"c{i}")
    yield app
    app.extensions["tenancy"].dispose()


@pytest.fixture
def opened_files():
    """Paths of every SQLite file a pooled connection opens while the test runs."""
    paths: list[str] = []

    def record(dbapi_connection, _record):
        for _seq, name, path in dbapi_connection.execute("PRAGMA database_list").fetchall():
            if name == "main":
                paths.append(os.path.basename(path))

    event.listen(Pool, "connect", record)
    yield paths
    event.remove(Pool, "connect", record)


def _communities(paths):
    return [p for p in paths if p.endswith(".sqlite3") and p != "hall.sqlite3"]


def _touch(app, slug):
    with app.app_context():
        community_session(slug).execute(text("SELECT 1"))


def test_touching_more_communities_than_the_cache_keeps_it_bounded(small_cache_app):
    t = small_cache_app.extensions["tenancy"]
    for _ in range(2):
        for i in range(6):
            _touch(small_cache_app, f"c{i}")
            assert len(t.cached_slugs()) <= t.cache_size == 3
    assert t.cached_slugs() == ["c3", "c4", "c5"]


def test_an_evicted_engine_closes_its_connections_and_is_released(small_cache_app):
    t = small_cache_app.extensions["tenancy"]
    with small_cache_app.app_context():
        engine = t.community_engine("c0")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            raw = conn.connection.driver_connection   # back in the pool, open, after the block
        ref = weakref.ref(engine)
        del engine, conn
    raw.execute("SELECT 1")
    for i in range(1, 4):
        _touch(small_cache_app, f"c{i}")
    assert "c0" not in t.cached_slugs()
    with pytest.raises(sqlite3.ProgrammingError):
        raw.execute("SELECT 1")   # disposed on eviction: the file is closed, not left for the garbage collector
    gc.collect()
    assert ref() is None, "something still holds the evicted engine (and its compiled statements)"


def test_starting_the_app_and_the_site_index_open_no_community_database(app_config, small_cache_app, opened_files):
    app = create_app(app_config)      # a fresh worker on a data directory with six communities
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "c5社区" in html
    assert app.extensions["tenancy"].cached_slugs() == []
    assert _communities(opened_files) == []
    assert client.get("/healthz").status_code == 200
    assert len(_communities(opened_files)) == 1   # the health check reads one community
    app.extensions["tenancy"].dispose()


def test_a_community_page_opens_only_its_own_database(app_config, small_cache_app, opened_files):
    app = create_app(app_config)
    client = app.test_client()
    assert client.get("/c/c4/").status_code == 200
    assert _communities(opened_files) == ["c4.sqlite3"]
    assert app.extensions["tenancy"].cached_slugs() == ["c4"]
    app.extensions["tenancy"].dispose()


def test_a_cold_community_reuses_sql_compiled_for_another(small_cache_app):
    query = select(Station.name).where(Station.id == 1)
    with small_cache_app.app_context():
        first = community_session("c1").connection().execute(query)
        again = community_session("c2").connection().execute(query)
        assert again.scalar_one() == "c2社区服务站"
        assert first.context.cache_hit == first.context.dialect.CACHE_MISS
        assert again.context.cache_hit == again.context.dialect.CACHE_HIT


def test_a_worker_starts_without_the_pinyin_dictionaries(tmp_path):
    # pypinyin holds ~55 MB per process; only saving a menu item needs it, so the app must not import it.
    env = dict(os.environ, HALL_DATA_DIR=str(tmp_path), SECRET_KEY="x" * 32)
    code = "import sys, app; app.app.test_client().get('/'); print('pypinyin' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
