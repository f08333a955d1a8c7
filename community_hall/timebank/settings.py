"""The community's time bank settings: star thresholds (星级标准) kept in its own database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..errors import HallError
from ..tenancy import utcnow
from .settings_models import TimebankSetting

STAR_KEY = "star_hours"
MAX_STAR_HOURS = 100000


def stored_thresholds(session: Session) -> tuple[int, ...] | None:
    """The thresholds this community set, or None when it uses the app's default."""
    row = session.get(TimebankSetting, STAR_KEY)
    if row is None:
        return None
    try:
        return tuple(int(part) for part in row.value.split(","))
    except ValueError:      # a hand-edited value that is not numbers: fall back to the default
        return None


def check_thresholds(values) -> tuple[int, ...]:
    """Five whole numbers of hours, each above the one before, from 1 to 100000; else HallError."""
    if len(values) != 5 or any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        raise HallError(_l("Give five whole numbers of hours, one for each star."), "star1")
    if any(v <= 0 or v > MAX_STAR_HOURS for v in values):
        raise HallError(_l("Each threshold must be between 1 and 100000 hours."), "star1")
    for i in range(1, 5):
        if values[i] <= values[i - 1]:
            raise HallError(_l("Each star needs more hours than the star before it."), f"star{i + 1}")
    return tuple(values)


def save_thresholds(session: Session, values, user_id: int) -> tuple[int, ...]:
    """Store the community's five star thresholds (the head, on the ledger page)."""
    values = check_thresholds(list(values))
    row = session.get(TimebankSetting, STAR_KEY)
    if row is None:
        row = TimebankSetting(key=STAR_KEY, value="")
        session.add(row)
    row.value, row.updated_by, row.updated_at = ",".join(map(str, values)), user_id, utcnow()
    session.commit()
    return values
