"""Checks that refuse to start a production site that is not fit to run (HALL_ENV=production)."""

from __future__ import annotations

import logging

from sqlalchemy import inspect, select
from werkzeug.security import check_password_hash

from .config import ConfigError
from .tenancy import REGISTRY_SCHEMA

log = logging.getLogger(__name__)


def demo_usernames() -> frozenset[str]:
    """Every account that `hall seed-demo` creates."""
    from .demo import COMMUNITIES, DISTRICT_ADMIN

    names = {DISTRICT_ADMIN[0]}
    for spec in COMMUNITIES:
        names.add(spec["head"][0])
        names.update(username for username, *_rest in spec["staff"])
        names.update(username for username, *_rest in spec["people"])
    return frozenset(names)


def accounts_with_demo_password(t) -> list[str]:
    """Active demo accounts whose password is still a demo password."""
    from .accounts.models import User
    from .accounts.services import DEMO_PASSWORDS

    # Only the demo usernames are hashed (scrypt costs tens of ms each): every other way of setting a
    # password refuses demo passwords in production, and sign-in refuses them too (accounts/services.py).
    with t.registry_engine.connect() as conn:
        schema = REGISTRY_SCHEMA if t.backend == "postgresql" else None
        if not inspect(conn).has_table(User.__tablename__, schema=schema):
            return []  # no registry yet (before `hall init`/`hall import`): nothing to check
        rows = conn.execute(select(User.username, User.password_hash).where(
            User.username.in_(sorted(demo_usernames())), User.is_active.is_(True)).order_by(User.username)).all()
    return [username for username, password_hash in rows
            if any(check_password_hash(password_hash, password) for password in DEMO_PASSWORDS)]


def check(app) -> None:
    """Raise ConfigError when the site must not run in production; warn about what only weakens it."""
    t = app.extensions["tenancy"]
    try:
        found = accounts_with_demo_password(t)
    finally:
        t.registry_engine.dispose()  # connections opened here must not outlive a fork (preload_app)
    if found:
        raise ConfigError(
            f"HALL_ENV=production refuses to start: {len(found)} demo account(s) still have the demo password "
            f"({', '.join(found[:5])}{', …' if len(found) > 5 else ''}), so this site was seeded with `hall seed-demo`. "
            "Start production from an empty data directory or database, or first give each of them a new password "
            "with `flask --app app hall set-password USERNAME` (run without HALL_ENV=production).")
    if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        log.warning("RATELIMIT_STORAGE_URI is memory://: every worker process counts rate limits on its own, "
                    "so each limit is multiplied by the number of workers and not shared between servers; "
                    "set it to redis://… to count them once.")
