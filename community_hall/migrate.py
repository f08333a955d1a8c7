"""Alembic migrations for the registry and for every community database."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from .tenancy import REGISTRY_SCHEMA, Tenancy

HERE = os.path.dirname(__file__)
SCRIPT_DIRS = {
    "registry": os.path.join(HERE, "migrations", "registry"),
    "community": os.path.join(HERE, "migrations", "community"),
}


@dataclass
class MigrationResult:
    """Outcome of migrating one database."""

    name: str
    before: str | None
    after: str | None
    error: str | None = None


def _config(kind: str, connection, schema: str | None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_DIRS[kind])
    cfg.attributes["connection"] = connection
    cfg.attributes["schema"] = schema
    return cfg


def _current(connection, schema: str | None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return ctx.get_current_revision()


def _run(t: Tenancy, kind: str, engine, schema: str | None, target: str = "head", down: bool = False):
    with engine.connect() as conn:
        with conn.begin():
            if schema is not None:
                # Scripts name no schema; search_path puts their tables in this community's schema.
                conn.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            before = _current(conn, schema)
            cfg = _config(kind, conn, schema)
            (command.downgrade if down else command.upgrade)(cfg, target)
            after = _current(conn, schema)
    return before, after


def upgrade_registry(t: Tenancy, target: str = "head", down: bool = False) -> MigrationResult:
    """Bring the registry database to the target revision."""
    t.create_registry_storage()
    engine = t.migration_engine()
    schema = REGISTRY_SCHEMA if t.backend == "postgresql" else None
    before, after = _run(t, "registry", engine, schema, target, down)
    return MigrationResult("registry", before, after)


def upgrade_community(t: Tenancy, slug: str, target: str = "head", down: bool = False) -> MigrationResult:
    """Bring one community database to the target revision."""
    if t.backend == "postgresql":
        engine, schema = t.migration_engine(), t.schema_name(slug)
    else:
        engine, schema = t.community_engine(slug), None
    before, after = _run(t, "community", engine, schema, target, down)
    return MigrationResult(slug, before, after)


def head_revision(kind: str) -> str:
    """The newest revision of the registry or community scripts."""
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_DIRS[kind])
    return ScriptDirectory.from_config(cfg).get_current_head()


def community_revision(t: Tenancy, slug: str) -> str | None:
    """The Alembic revision a community database is at (None when empty)."""
    if t.backend == "postgresql":
        with t.migration_engine().connect() as conn:
            return _current(conn, t.schema_name(slug))
    with t.community_engine(slug).connect() as conn:
        return _current(conn, None)


def migrate_all(t: Tenancy, slugs: list[str], report: Callable[[MigrationResult], None] = lambda r: None):
    """Upgrade the registry and then each community; a failing community is reported and skipped."""
    results = [upgrade_registry(t)]
    report(results[0])
    for slug in slugs:
        try:
            result = upgrade_community(t, slug)
        except Exception as exc:  # one broken community must not stop the others
            # Its whole run was one transaction, rolled back: it is still at the revision it had, if readable.
            try:
                old = community_revision(t, slug)
            except Exception:
                old = None
            first_line = (str(exc).splitlines() or [""])[0]
            result = MigrationResult(slug, old, old, error=f"{type(exc).__name__}: {first_line}")
        results.append(result)
        report(result)
    return results


def run_env() -> None:
    """Body of both env.py files: run migrations on the connection handed in by _run."""
    from alembic import context

    cfg = context.config
    context.configure(
        connection=cfg.attributes["connection"],
        version_table_schema=cfg.attributes.get("schema"),
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
