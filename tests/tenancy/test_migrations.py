"""`hall migrate`: idempotent, per-community progress, a broken community reported while others proceed."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import community_hall.accounts.retention  # noqa: F401
import community_hall.appointments.models  # noqa: F401
import community_hall.complaints.models  # noqa: F401
import community_hall.floor.models  # noqa: F401
import community_hall.menu.models  # noqa: F401 - every model module, so the comparison sees every table
import community_hall.pagecache  # noqa: F401
import community_hall.rosters.ical_models  # noqa: F401
import community_hall.rosters.models  # noqa: F401
import community_hall.routing.models  # noqa: F401
import community_hall.timebank.activity_models  # noqa: F401
import community_hall.timebank.certificate_models  # noqa: F401
import community_hall.timebank.ledger_models  # noqa: F401
import community_hall.timebank.order_models  # noqa: F401
import community_hall.timebank.settings_models  # noqa: F401
import community_hall.visits.models  # noqa: F401
import community_hall.window.models  # noqa: F401
import community_hall.window.ratings_models  # noqa: F401
from community_hall.migrate import community_revision, head_revision, upgrade_community
from community_hall.tenancy import CommunityBase, RegistryBase, tenancy

HEAD = head_revision("community")


def test_migrate_is_idempotent_and_reports_each_community(app, build, runner):
    build.community("comm-a")
    build.community("comm-b")
    first = runner.invoke(args=["hall", "migrate"])
    assert first.exit_code == 0, first.output
    assert f"comm-a: up to date at {HEAD}" in first.output
    assert f"comm-b: up to date at {HEAD}" in first.output
    assert f"registry: up to date at {head_revision('registry')}" in first.output
    second = runner.invoke(args=["hall", "migrate"])
    assert second.exit_code == 0 and second.output == first.output


def test_migrate_upgrades_a_community_left_behind(app, build, runner):
    build.community("comm-a")
    with app.app_context():
        upgrade_community(tenancy(), "comm-a", "base", down=True)
        assert community_revision(tenancy(), "comm-a") is None
    result = runner.invoke(args=["hall", "migrate"])
    assert result.exit_code == 0, result.output
    assert f"comm-a: empty -> {HEAD}" in result.output
    with app.app_context():
        assert community_revision(tenancy(), "comm-a") == HEAD


def test_a_broken_community_is_reported_and_the_others_proceed(app, build, runner, backend):
    build.community("comm-a")
    build.community("comm-b")
    build.community("comm-c")
    with app.app_context():
        t = tenancy()
        upgrade_community(t, "comm-c", "base", down=True)
        if backend == "sqlite":
            t.community_engine("comm-b").dispose()
            with open(t.community_path("comm-b"), "wb") as f:
                f.write(b"this is not a database" * 100)
        else:
            with t.migration_engine().begin() as conn:
                conn.execute(text('DROP SCHEMA "c_comm_b" CASCADE'))
    result = runner.invoke(args=["hall", "migrate"])
    assert result.exit_code != 0
    assert "comm-b: FAILED" in result.output
    assert f"comm-a: up to date at {HEAD}" in result.output
    assert f"comm-c: empty -> {HEAD}" in result.output
    assert "1 communities failed to migrate: comm-b" in result.output


def _diff(connection, metadata, schema_map):
    ctx = MigrationContext.configure(connection, opts={"include_schemas": False})
    return compare_metadata(ctx, metadata)


def test_models_match_the_migrations(app, build, backend):
    """The declared models and the migrated databases agree (no forgotten migration)."""
    build.community("comm-a")
    with app.app_context():
        t = tenancy()
        if backend == "sqlite":
            with t.registry_engine.connect() as conn:
                registry_diff = _diff(conn.execution_options(schema_translate_map={"hall": None}),
                                      _plain(RegistryBase.metadata), None)
            with t.community_engine("comm-a").connect() as conn:
                community_diff = _diff(conn, _plain(CommunityBase.metadata), None)
        else:
            with t.migration_engine().connect() as conn:
                conn.execute(text('SET search_path TO "hall"'))
                registry_diff = _diff(conn, _plain(RegistryBase.metadata), None)
                conn.execute(text('SET search_path TO "c_comm_a"'))
                community_diff = _diff(conn, _plain(CommunityBase.metadata), None)
                conn.rollback()
    assert registry_diff == []
    assert community_diff == []


def _plain(metadata):
    """A copy of the metadata without the placeholder schema, to compare against one database."""
    from sqlalchemy import MetaData

    plain = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(plain, schema=None)
    return plain
