"""Star levels (星级) by cumulative confirmed service hours; spending hours never lowers them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from .ledger_models import LedgerEntry, LedgerMovement

DEFAULT_STAR_HOURS = (100, 300, 600, 1000, 1500)


def star_level(total_minutes: int, thresholds=DEFAULT_STAR_HOURS) -> int:
    """How many stars (0 to len(thresholds)) so many minutes of confirmed service earn."""
    return sum(1 for hours in thresholds if total_minutes >= hours * 60)


def _service_minutes(session: Session, before: datetime | None = None) -> dict[int, int]:
    """Minutes of service credited to each person (credits minus their reversals), optionally before a time."""
    original = aliased(LedgerMovement)
    query = (select(LedgerEntry.account, func.sum(LedgerEntry.amount))
             .join(LedgerMovement, LedgerMovement.id == LedgerEntry.movement_id)
             .outerjoin(original, original.id == LedgerMovement.reverses_movement_id)
             .where(LedgerEntry.account.like("person:%"),
                    or_(LedgerMovement.kind == "credit_service",
                        and_(LedgerMovement.kind == "reverse", original.kind == "credit_service")))
             .group_by(LedgerEntry.account))
    if before is not None:
        query = query.where(LedgerMovement.created_at < before)
    return {int(account.split(":")[1]): total for account, total in session.execute(query)}


def service_minutes(session: Session, user_id: int) -> int:
    """A person's cumulative confirmed service minutes."""
    return _service_minutes(session).get(int(user_id), 0)


def new_levels_since(session: Session, since: datetime, thresholds=DEFAULT_STAR_HOURS) -> list[tuple[int, int, int]]:
    """(user_id, level before, level now) for everyone who reached a higher star level after `since`."""
    before, now = _service_minutes(session, since), _service_minutes(session)
    rises = []
    for user_id, total in sorted(now.items()):
        old, new = star_level(before.get(user_id, 0), thresholds), star_level(total, thresholds)
        if new > old:
            rises.append((user_id, old, new))
    return rises


def configured_thresholds() -> tuple[int, ...]:
    """The star thresholds in hours from the TIMEBANK_STAR_HOURS setting."""
    from flask import current_app

    return tuple(current_app.config.get("TIMEBANK_STAR_HOURS", DEFAULT_STAR_HOURS))


def thresholds_for(session: Session) -> tuple[int, ...]:
    """The star thresholds of this community: its own (set by the head), else the TIMEBANK_STAR_HOURS setting."""
    from .settings import stored_thresholds

    return stored_thresholds(session) or configured_thresholds()
