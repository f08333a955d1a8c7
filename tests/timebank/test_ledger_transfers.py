"""Moving hours between communities: two steps, idempotent, recoverable without losing or duplicating hours."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import ledger

HEAD = SimpleNamespace(user_id=1, name="王主任")


@pytest.fixture
def two(app, build):
    """comm-x and comm-y sessions; person 7 has 2 hours in comm-x."""
    build.community("comm-x", "甲社区")
    build.community("comm-y", "乙社区")
    with app.app_context(), force_locale("en"):
        x, y = community_session("comm-x"), community_session("comm-y")
        ledger.credit_service(x, 7, 120, "activity:1", "c1", HEAD)
        yield SimpleNamespace(x=x, y=y, of={"comm-x": x, "comm-y": y}.__getitem__)


def _where(two):
    return ledger.balance(two.x, "person:7"), ledger.balance(two.y, "person:7")


def test_transfer_moves_hours_once_even_when_repeated(two):
    for _ in range(2):
        done = ledger.transfer(two.x, two.y, "t-1", 7, 50, "comm-x", "comm-y", HEAD)
    assert done.state == "completed" and _where(two) == (70, 50)
    assert ledger.combined_balance([two.x, two.y], 7) == 120
    assert ledger.check(two.x, ties=False) == [] and ledger.check(two.y, ties=False) == []


def test_a_transfer_cannot_take_more_than_the_floor_allows(two):
    with pytest.raises(HallError, match="below its floor"):
        ledger.start_transfer(two.x, "t-2", 7, 121, "comm-y", HEAD)
    assert _where(two) == (120, 0) and ledger.recover_transfers(two.x, "comm-x", two.of, HEAD) == []


def test_recovery_finishes_a_transfer_the_receiver_never_saw(two):
    ledger.start_transfer(two.x, "t-3", 7, 30, "comm-y", HEAD)             # then the sender crashed
    assert _where(two) == (90, 0)
    assert ledger.recover_transfers(two.x, "comm-x", two.of, HEAD) == [("t-3", "completed")]
    assert _where(two) == (90, 30)
    assert ledger.recover_transfers(two.x, "comm-x", two.of, HEAD) == []


def test_recovery_completes_when_the_hours_arrived_but_the_sender_did_not_hear(two):
    ledger.start_transfer(two.x, "t-4", 7, 30, "comm-y", HEAD)
    ledger.receive_transfer(two.y, "comm-y", two.x, "comm-x", "t-4", HEAD)          # the answer was lost
    assert ledger.recover_transfers(two.x, "comm-x", two.of, HEAD, roll_back=True) == [("t-4", "completed")]
    assert _where(two) == (90, 30)


def test_rollback_gives_the_hours_back_and_a_late_arrival_is_refused(two):
    ledger.start_transfer(two.x, "t-5", 7, 30, "comm-y", HEAD)
    assert ledger.recover_transfers(two.x, "comm-x", two.of, HEAD, roll_back=True) == [("t-5", "rolled_back")]
    assert _where(two) == (120, 0)
    with pytest.raises(HallError, match="cancelled"):
        ledger.receive_transfer(two.y, "comm-y", two.x, "comm-x", "t-5", HEAD)      # the delayed step 2 finally runs
    assert _where(two) == (120, 0)
    assert ledger.check(two.x, ties=False) == [] and ledger.check(two.y, ties=False) == []


def test_an_unreachable_receiver_leaves_the_transfer_pending(two):
    ledger.start_transfer(two.x, "t-6", 7, 30, "comm-y", HEAD)

    def down(slug):
        raise ConnectionError(slug)

    assert ledger.recover_transfers(two.x, "comm-x", down, HEAD) == [("t-6", "pending")]
    assert _where(two) == (90, 0)
    assert ledger.recover_transfers(two.x, "comm-x", two.of, HEAD) == [("t-6", "completed")]
    assert ledger.combined_balance([two.x, two.y], 7) == 120


def test_transfers_cannot_be_reversed(two):
    done = ledger.transfer(two.x, two.y, "t-7", 7, 10, "comm-x", "comm-y", HEAD)
    with pytest.raises(HallError, match="recovery"):
        ledger.reverse(two.x, done.movement_id, "oops", HEAD)


def test_ledger_check_finds_a_transfer_movement_without_its_record(two):
    done = ledger.transfer(two.x, two.y, "t-8", 7, 10, "comm-x", "comm-y", HEAD)
    two.x.execute(text("DELETE FROM ledger_transfers WHERE transfer_id = 't-8'"))
    two.x.commit()
    assert ledger.check(two.x, ties=False) == [f"movement {done.movement_id}: a transfer_out without its transfer record"]
    two.y.execute(text("UPDATE ledger_transfers SET movement_id = NULL WHERE transfer_id = 't-8'"))
    two.y.commit()
    assert ledger.check(two.y, ties=False)[0] == "transfer t-8: its in movement is missing or wrong"
