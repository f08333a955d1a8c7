"""One database per community: storage, settings, the bounded engine cache, failure leaves nothing."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import inspect, text

from community_hall.accounts.models import Profile
from community_hall.communities.models import Station
from community_hall.errors import HallError
from community_hall.migrate import community_revision, head_revision
from community_hall.tenancy import community_session, get_community, tenancy


def _tables(app, slug):
    with app.app_context():
        t = tenancy()
        if t.backend == "postgresql":
            return set(inspect(t.migration_engine()).get_table_names(schema=t.schema_name(slug)))
        return set(inspect(t.community_engine(slug)).get_table_names())


def test_creating_a_community_creates_and_migrates_its_database(app, build, backend):
    build.community("yangliu", "杨柳社区", households=2380, residents=6912)
    assert {"station", "profiles", "audit_log", "alembic_version", "service_items", "posts"} <= _tables(app, "yangliu")
    with app.app_context():
        t = tenancy()
        if backend == "sqlite":
            assert os.path.exists(os.path.join(app.config["HALL_DATA_DIR"], "communities", "yangliu.sqlite3"))
        else:
            schemas = inspect(t.migration_engine()).get_schema_names()
            assert "c_yangliu" in schemas and "hall" in schemas
        assert community_revision(t, "yangliu") == head_revision("community")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_files_use_wal_normal_sync_foreign_keys_and_busy_timeout(app, build):
    build.community("yangliu")
    with app.app_context():
        with tenancy().community_engine("yangliu").connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_records_of_one_community_are_not_in_another(app, build):
    build.community("comm-a")
    build.community("comm-b")
    build.user("alice", "comm-a", "resident", "张三", phone="13800000001")
    with app.app_context():
        assert community_session("comm-a").query(Profile).count() == 1
        assert community_session("comm-b").query(Profile).count() == 0


def test_engine_cache_is_bounded_and_least_recently_used(app_config, backend):
    from community_hall import create_app
    from community_hall.migrate import upgrade_registry
    from tests.helpers import Builder

    app = create_app({**app_config, "COMMUNITY_ENGINE_CACHE": 3})
    with app.app_context():
        upgrade_registry(tenancy())
    build = Builder(app)
    slugs = [f"c{i}" for i in range(6)]
    for slug in slugs:
        build.community(slug)
    with app.app_context():
        t = tenancy()
        for slug in slugs:
            community_session(slug).execute(text("SELECT 1"))
        assert t.cached_slugs() == ["c3", "c4", "c5"]
        t.community_engine("c3")
        assert t.cached_slugs() == ["c4", "c5", "c3"]
        # An evicted community opens again on demand with its data intact.
        assert community_session("c0").get(Station, 1).name == "c0社区服务站"
    t.dispose()


def test_failed_creation_leaves_nothing(app, backend, monkeypatch):
    import community_hall.communities.services as services

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "upgrade_community", broken)
    with app.app_context(), pytest.raises(RuntimeError):
        services.create_community("broken", "坏社区")
    with app.app_context():
        assert get_community("broken") is None
        t = tenancy()
        if backend == "sqlite":
            assert not os.path.exists(t.community_path("broken"))
        else:
            assert "c_broken" not in inspect(t.migration_engine()).get_schema_names()


@pytest.mark.parametrize("slug", ["", "a", "Yangliu", "yang liu", "-yangliu", "yangliu-", "杨柳", "a" * 41, "a_b"])
def test_bad_slugs_are_refused(app, slug):
    from community_hall.communities.services import create_community

    with app.app_context():
        with pytest.raises(HallError) as err:
            create_community(slug, "某社区")
        assert err.value.field == "slug"
        assert get_community(slug) is None


def test_duplicate_slug_is_refused(app, build):
    from community_hall.communities.services import create_community

    build.community("yangliu", "杨柳社区")
    with app.app_context():
        with pytest.raises(HallError):
            create_community("yangliu", "另一个杨柳")
        assert get_community("yangliu").name == "杨柳社区"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_begin_immediate_takes_the_write_lock_at_once(app, build):
    build.community("yangliu")
    with app.app_context():
        engine = tenancy().community_engine("yangliu")
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with conn.begin():
                conn.exec_driver_sql("SELECT 1")  # no write yet, but the lock is held
                other = sqlite3.connect(tenancy().community_path("yangliu"), timeout=0)
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
                other.close()
