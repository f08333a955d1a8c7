"""Template filters for showing stored values: UTC times in the community's zone, minutes as hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import g

DEFAULT_TZ = "Asia/Shanghai"


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time (naive from SQLite, aware from PostgreSQL) in the community's zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    community = g.get("community")
    return value.astimezone(ZoneInfo(community.timezone if community else DEFAULT_TZ)).strftime(fmt)


def decimal_hours(minutes: int | None) -> str:
    """Whole minutes as hours the way people write them: 120 → 2, 90 → 1.5, 20 → 0.33 ("" for none)."""
    if minutes is None:
        return ""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


# A CSV cell starting with one of these is a formula to a spreadsheet; every export writes text cells through
# spreadsheet_cell (a leading ', which the importers take off again).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A value for a CSV cell: text that a spreadsheet would run as a formula gets a leading ' (numbers stay)."""
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def register(app) -> None:
    """Make the filters available to templates."""
    from .privacy import mask_phone, mask_public, mask_text
    from .window.rules import TRANSITIONS

    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_text"] = mask_text
    app.jinja_env.filters["mask_public"] = mask_public
    app.jinja_env.filters["minutes_as_hours"] = decimal_hours
    app.jinja_env.globals["transitions"] = TRANSITIONS
