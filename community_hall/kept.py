"""Values a worker keeps for a few seconds because every request reads them (users, roles, API keys)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
MISSING = object()


def store(name: str) -> dict:
    """The app's cache called `name` (one per app, so test apps never share what they keep)."""
    return current_app.extensions.setdefault(name, {})


def kept(name: str, key: object, seconds: float, load: Callable[[], T], *, bound: int = 10_000,
         keep: Callable[[T], bool] = lambda _value: True) -> T:
    """`load()`'s value, read again once it is `seconds` old; values `keep` refuses are not kept."""
    cache = store(name)
    found = cache.get(key, MISSING)
    if found is not MISSING and time.monotonic() - found[0] < seconds:
        return found[1]
    value = load()
    if keep(value):
        if len(cache) >= bound:     # bounded: never let a worker's cache grow without end
            cache.clear()
        cache[key] = (time.monotonic(), value)
    return value
