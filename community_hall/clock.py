"""The app's one clock: every "now" and "today" is asked here, so a test (or faketime) moves all of it at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"

# A fixed moment set by tests (``set_now``); None means the system clock. Process-wide on purpose: a test's live
# server thread and the test itself must agree on the day.
_fixed: datetime | None = None


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def local_now(tz: str | None = None) -> datetime:
    """The current moment in a zone (a community's; Asia/Shanghai by default)."""
    return utcnow().astimezone(ZoneInfo(tz or DEFAULT_TZ))


def today(tz: str | None = None) -> date:
    """Today's date in a zone (a community's; Asia/Shanghai by default): never the server's UTC date."""
    return local_now(tz).date()


def timestamp() -> float:
    """Seconds since the epoch by this clock (for cache keys that change with the minute)."""
    return utcnow().timestamp()


def set_now(moment: datetime | None) -> None:
    """Fix the clock at an aware moment, or give it back to the system with None (tests only)."""
    global _fixed
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs a timezone-aware moment")
    _fixed = moment.astimezone(UTC) if moment is not None else None
