"""Every migration down and up on a populated demo site, both backends; a failing community keeps its version."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from community_hall.demo import seed_demo
from community_hall.migrate import SCRIPT_DIRS, community_revision, head_revision, upgrade_community, upgrade_registry
from community_hall.tenancy import REGISTRY_SCHEMA, all_communities, tenancy
from tests.backup.site import submit, ticket_numbers

TICKETS_FROM = "c0003"   # the migration that creates the tickets table


def revisions(kind: str) -> list[str]:
    """Revisions of the registry or community scripts, oldest first."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_DIRS[kind])
    return [script.revision for script in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]


def _registry_revision(t) -> str | None:
    from community_hall.migrate import _current

    with t.migration_engine().connect() as conn:
        return _current(conn, REGISTRY_SCHEMA if t.backend == "postgresql" else None)


def _step(t, slug: str | None, revs: list[str], down: bool) -> None:
    """Migrate one database through revs one revision at a time, checking where each step lands."""
    for rev in revs:
        if slug is None:
            result = upgrade_registry(t, rev, down=down)
        else:
            result = upgrade_community(t, slug, rev, down=down)
        assert result.error is None
        assert result.after == (None if rev == "base" else rev), (slug, rev, result)


def test_every_migration_down_and_up_on_the_demo_site(app):
    with app.app_context():
        list(seed_demo())
    numbers = {slug: {submit(app, slug, f"居民{i}") for i in range(3)} for slug in ("yangliu", "qinghe")}
    community_revs, registry_revs = revisions("community"), revisions("registry")
    assert community_revs[-1] == head_revision("community") and len(community_revs) > 10
    keep = community_revs.index(TICKETS_FROM)
    with app.app_context():
        t = tenancy()
        slugs = [c.slug for c in all_communities()]
        # Down to the revision that made the tickets table and back: every step keeps the tickets.
        _step(t, "yangliu", reversed(community_revs[keep:-1]), down=True)
        assert community_revision(t, "yangliu") == TICKETS_FROM
        _step(t, "yangliu", community_revs[keep + 1:], down=False)
    assert ticket_numbers(app, "yangliu") == numbers["yangliu"]
    with app.app_context():
        t = tenancy()
        # Every community and the registry: down migration by migration to base, then up to head.
        for slug in slugs:
            _step(t, slug, [*reversed(community_revs[:-1]), "base"], down=True)
            assert community_revision(t, slug) is None
            _step(t, slug, community_revs, down=False)
        _step(t, None, [*reversed(registry_revs[:-1]), "base"], down=True)
        assert _registry_revision(t) is None
        _step(t, None, registry_revs, down=False)
        assert _registry_revision(t) == head_revision("registry")
    # Back at head the rebuilt schema works: a menu item and a ticket (numbered from 1 again) can be stored.
    with app.app_context():
        from types import SimpleNamespace

        from community_hall.menu.services import clean_item, create_item
        from community_hall.tenancy import community_session
        from community_hall.window.services import Actor, Submission, submit_ticket

        session = community_session("qinghe")
        create_item(session, clean_item({"code": "ZJ-001", "name": "开具居住证明", "category": "证照办理",
                                         "time_limit": "1", "channels": "window,online"}))
        session.commit()
        # The rebuilt registry no longer lists qinghe: a stand-in with no registry id (so no head to route to).
        stand_in = SimpleNamespace(id=None, slug="qinghe", timezone="Asia/Shanghai")
        ticket = submit_ticket(session, stand_in, Submission("ZJ-001", "王秀兰", "13800138001"),
                               Actor(None, "王秀兰", "resident"))
        assert ticket.number.endswith("-0001")


def _has_table(t, slug: str, name: str) -> bool:
    with t.migration_engine().connect() if t.backend == "postgresql" else t.community_engine(slug).connect() as conn:
        return inspect(conn).has_table(name, schema=t.schema_name(slug) if t.backend == "postgresql" else None)


def test_a_failing_community_is_left_at_its_old_version_while_the_others_proceed(app, build, runner, backend):
    for slug in ("comm-a", "comm-b", "comm-c"):
        build.community(slug)
    head = head_revision("community")
    with app.app_context():
        t = tenancy()
        for slug in ("comm-b", "comm-c"):
            upgrade_community(t, slug, "c0017", down=True)
        # comm-b cannot take c0019: an index of that name exists already. c0018 would pass, but the whole run is
        # one transaction, so comm-b must stay at c0017, not stop half-way at c0018.
        if backend == "sqlite":
            with t.community_engine("comm-b").begin() as conn:
                conn.execute(text("CREATE INDEX ix_tickets_kind_submitted ON tickets (id)"))
        else:
            with t.migration_engine().begin() as conn:
                conn.execute(text("CREATE INDEX ix_tickets_kind_submitted ON c_comm_b.tickets (id)"))
    result = runner.invoke(args=["hall", "migrate"])
    assert result.exit_code != 0
    assert "comm-b: FAILED (" in result.output and "left at its old version c0017" in result.output
    assert f"comm-a: up to date at {head}" in result.output
    assert f"comm-c: c0017 -> {head}" in result.output
    assert "1 communities failed to migrate: comm-b" in result.output
    with app.app_context():
        t = tenancy()
        assert community_revision(t, "comm-b") == "c0017"
        assert not _has_table(t, "comm-b", "timebank_settings")   # c0018 rolled back with the rest
        assert community_revision(t, "comm-c") == head and _has_table(t, "comm-c", "timebank_settings")
        from community_hall.migrate import migrate_all

        results = {r.name: r for r in migrate_all(t, ["comm-a", "comm-b", "comm-c"])}
        assert results["comm-b"].error and results["comm-b"].before == results["comm-b"].after == "c0017"
        assert results["comm-a"].error is None and results["comm-c"].error is None
        # Once the operator removes the obstacle, the next migrate brings comm-b up.
        if backend == "sqlite":
            with t.community_engine("comm-b").begin() as conn:
                conn.execute(text("DROP INDEX ix_tickets_kind_submitted"))
        else:
            with t.migration_engine().begin() as conn:
                conn.execute(text("DROP INDEX c_comm_b.ix_tickets_kind_submitted"))
    result = runner.invoke(args=["hall", "migrate"])
    assert result.exit_code == 0, result.output
    assert f"comm-b: c0017 -> {head}" in result.output
    with app.app_context():
        assert community_revision(tenancy(), "comm-b") == head and _has_table(tenancy(), "comm-b", "timebank_settings")
