"""Failed attempts at one target (a ticket number), from any address, counted in the rate-limit storage."""

from __future__ import annotations

import logging

from flask import current_app
from limits import parse

from .extensions import limiter

log = logging.getLogger(__name__)


def _check(setting: str, key: tuple[str, ...], hit: bool) -> bool:
    # The limiter's storage (Redis in production) is shared by every worker, so the count holds across them; its
    # own fallback to memory covers an outage. Any other storage error lets the attempt through (the per-address
    # limit still holds) rather than answer a 500.
    if not limiter.enabled:
        return True
    item = parse(current_app.config[setting])
    try:
        return limiter.limiter.hit(item, "attempts", *key) if hit else limiter.limiter.test(item, "attempts", *key)
    except Exception:  # noqa: BLE001 - a storage outage must not take the page down
        log.warning("attempt counter unavailable for %s", setting, exc_info=True)
        return True


def locked(setting: str, *key: str) -> bool:
    """The target has used up its failures (config[setting], e.g. "5 per hour") in the current window."""
    return not _check(setting, key, hit=False)


def failed(setting: str, *key: str) -> None:
    """Count one failure against the target."""
    _check(setting, key, hit=True)
