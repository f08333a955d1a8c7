"""Values a worker keeps because every request reads them: for a few seconds, or while their write stamps hold."""

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


def kept_while(name: str, key: object, stamp: object, load: Callable[[], T], *, bound: int = 10_000) -> T:
    """`load()`'s value, kept while `stamp` equals the stamp it was loaded with; a None stamp keeps nothing."""
    if stamp is None:   # the caller cannot tell whether the value is current (writes pending, no app)
        return load()
    cache = store(name)
    found = cache.get(key, MISSING)
    if found is not MISSING and found[0] == stamp:
        return found[1]
    value = load()
    if len(cache) >= bound:     # bounded: never let a worker's cache grow without end
        cache.clear()
    cache[key] = (stamp, value)
    return value
