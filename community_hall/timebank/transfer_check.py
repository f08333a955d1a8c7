"""The ledger check across communities: every transfer's two records agree (id, person, minutes, source, target)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .ledger_models import LedgerTransfer


def _records(session: Session) -> dict[str, LedgerTransfer]:
    return {r.transfer_id: r for r in session.scalars(select(LedgerTransfer)
                                                      .execution_options(populate_existing=True))}


def check_between(session: Session, slug: str, session_for: Callable[[str], Session | None]) -> list[str]:
    """Problems with this community's transfer records seen from the other side; empty when every one agrees.

    `session_for(slug)` gives another community's session, or None when no such community is registered. A transfer
    in must have its transfer out (same id, person, minutes; it names this community as its target) that was not
    rolled back; a completed transfer out must have arrived, as the same transfer, in its target."""
    problems, others = [], {}
    for row in _records(session).values():
        if row.direction == "in" and row.state == "rolled_back":
            continue        # a tombstone: nothing arrived
        if row.direction == "out" and row.state != "completed":
            continue        # pending: recovery finishes it; rolled back: checked from the other side's tombstone
        if row.other_community not in others:
            other = session_for(row.other_community) if row.other_community != slug else None
            others[row.other_community] = _records(other) if other is not None else None
        records = others[row.other_community]
        there = (records or {}).get(row.transfer_id)
        if row.direction == "in":
            what = f"transfer {row.transfer_id} arrived from {row.other_community}"
            if records is None:
                problems.append(f"{what}, which is not a community of this site")
            elif there is None or there.direction != "out" or there.other_community != slug:
                problems.append(f"{what} but {row.other_community} has no matching transfer out")
            elif (there.user_id, there.minutes) != (row.user_id, row.minutes):
                problems.append(f"{what} as {row.minutes} minutes of person:{row.user_id}, but "
                                f"{row.other_community} sent {there.minutes} minutes of person:{there.user_id}")
            elif there.state == "rolled_back":
                problems.append(f"{what} but {row.other_community} rolled it back (the hours are in both)")
        else:
            what = f"transfer {row.transfer_id} to {row.other_community} is completed"
            if (records is None or there is None or there.direction != "in" or there.state != "completed"
                    or (there.user_id, there.minutes, there.other_community) != (row.user_id, row.minutes, slug)):
                problems.append(f"{what} but {row.other_community} has no matching transfer in")
    return problems
