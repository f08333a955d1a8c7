"""The hours ledger: double entry, refusals, idempotency (also under concurrency), reversals, ledger-check."""

from __future__ import annotations

import threading
from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import ledger
from community_hall.timebank.ledger_models import LedgerEntry, LedgerMovement
from community_hall.timebank.order_models import Order

HEAD = SimpleNamespace(user_id=1, name="王主任")


@pytest.fixture
def db(app, build):
    """comm-a's session inside an app context."""
    build.community("comm-a", "甲社区")
    with app.app_context(), force_locale("en"):     # messages matched below in English; Chinese in one test
        yield community_session("comm-a")


def _sums(session):
    return [row[1] for row in session.execute(select(LedgerEntry.movement_id, text("sum(amount)"))
                                              .group_by(LedgerEntry.movement_id))]


def test_credit_pay_donate_move_hours_with_balanced_entries(db):
    ledger.credit_service(db, 7, 120, "activity:3", "act-3-u7", HEAD)
    ledger.pay_service(db, 7, 45, "order:5", "order-5-pay", HEAD)
    ledger.donate(db, 7, 8, 30, "don-1", HEAD)
    ledger.donate(db, 7, "pool", 15, "don-2", HEAD)
    ledger.pay_from_pool(db, 9, 10, "order:6", "order-6-pay", HEAD)
    assert ledger.balance(db, "person:7") == 30
    assert ledger.balance(db, "person:8") == 30
    assert ledger.balance(db, "pool") == 5
    assert ledger.balance(db, "issuing") == -120 + 45 + 10
    assert set(_sums(db)) == {0} and len(_sums(db)) == 5
    assert ledger.check(db, ties=False) == []
    lines = ledger.statement(db, 7)
    assert [(ln.kind, ln.amount, ln.balance) for ln in lines] == [
        ("credit_service", 120, 120), ("pay_service", -45, 75), ("donate", -30, 45), ("donate", -15, 30)]


@pytest.mark.parametrize("minutes", [0, -5, 1.5, True, 500 * 60 + 1, "60"])
def test_non_positive_or_absurd_amounts_are_refused(db, minutes):
    with pytest.raises(HallError):
        ledger.credit_service(db, 7, minutes, "activity:1", "k", HEAD)
    assert db.scalar(select(LedgerMovement.id)) is None


def test_refusals_change_nothing(db):
    with pytest.raises(HallError, match="activity, order or ticket"):
        ledger.credit_service(db, 7, 60, "cash:1", "k1", HEAD)
    with pytest.raises(HallError, match="no such account"):
        ledger.pay_service(db, 7, 60, "order:1", "k2", HEAD)          # never had an account
    ledger.credit_service(db, 7, 60, "activity:1", "k3", HEAD)
    with pytest.raises(HallError, match="below its floor"):
        ledger.pay_service(db, 7, 61, "order:1", "k4", HEAD)
    with pytest.raises(HallError, match="below its floor"):
        ledger.donate(db, 7, 8, 61, "k5", HEAD)
    with pytest.raises(HallError, match="no such account"):
        ledger.pay_from_pool(db, 9, 5, "order:2", "k6", HEAD)        # nobody gave to the pool yet
    with pytest.raises(HallError, match="no such account"):
        ledger.balance(db, "person:abc")
    with pytest.raises(HallError, match="same account"):
        ledger.donate(db, 7, 7, 5, "k7", HEAD)
    assert ledger.balance(db, "person:7") == 60 and len(_sums(db)) == 1


def test_refusals_speak_chinese_by_default(app, build):
    build.community("comm-a", "甲社区")
    with app.app_context():
        with pytest.raises(HallError) as err:
            ledger.credit_service(community_session("comm-a"), 7, 0, "activity:1", "k", HEAD)
        assert str(err.value.message) == "分钟数必须是大于零的整数。"


def test_overdraft_lowers_the_floor_and_cannot_be_cut_below_the_balance(db):
    ledger.credit_service(db, 7, 60, "activity:1", "c1", HEAD)
    ledger.set_overdraft(db, 7, 30, HEAD)
    ledger.pay_service(db, 7, 90, "order:1", "p1", HEAD)
    assert ledger.balance(db, "person:7") == -30
    with pytest.raises(HallError, match="below its floor"):
        ledger.pay_service(db, 7, 1, "order:2", "p2", HEAD)
    with pytest.raises(HallError, match="already below"):
        ledger.set_overdraft(db, 7, 10, HEAD)
    with pytest.raises(HallError, match="between 0 and 500"):
        ledger.set_overdraft(db, 7, -1, HEAD)
    assert ledger.check(db, ties=False) == []


def test_a_repeated_key_returns_the_first_movement_and_credits_once(db):
    first = ledger.credit_service(db, 7, 60, "activity:1", "same", HEAD)
    again = ledger.credit_service(db, 7, 60, "activity:1", "same", HEAD)
    assert again.id == first.id and ledger.balance(db, "person:7") == 60
    with pytest.raises(HallError, match="different movement"):
        ledger.donate(db, 7, 8, 10, "same", HEAD)


def test_reversal_is_a_new_opposite_movement_once(db):
    credit = ledger.credit_service(db, 7, 60, "activity:1", "c1", HEAD)
    with pytest.raises(HallError, match="why"):
        ledger.reverse(db, credit.id, "  ", HEAD)
    back = ledger.reverse(db, credit.id, "录错了人", HEAD)
    assert back.kind == "reverse" and back.reverses_movement_id == credit.id and back.id != credit.id
    assert ledger.balance(db, "person:7") == 0 and ledger.balance(db, "issuing") == 0
    with pytest.raises(HallError, match="already been reversed"):
        ledger.reverse(db, credit.id, "again", HEAD)
    with pytest.raises(HallError, match="cannot itself be reversed"):
        ledger.reverse(db, back.id, "undo", HEAD)
    with pytest.raises(HallError, match="no such movement"):
        ledger.reverse(db, 999, "x", HEAD)
    assert db.scalar(select(text("count(*)")).select_from(LedgerEntry)) == 4   # nothing edited or deleted
    assert ledger.check(db, ties=False) == []


def test_reversing_a_spent_credit_would_break_the_floor(db):
    credit = ledger.credit_service(db, 7, 60, "activity:1", "c1", HEAD)
    ledger.pay_service(db, 7, 60, "order:1", "p1", HEAD)
    with pytest.raises(HallError, match="below its floor"):
        ledger.reverse(db, credit.id, "wrong", HEAD)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_retries_credit_once_and_payers_never_break_the_floor(app, build, backend):
    build.community("comm-a", "甲社区")
    with app.app_context():
        ledger.credit_service(community_session("comm-a"), 7, 100, "activity:1", "seed", HEAD)
    errors, refused = [], []

    def worker(i):
        with app.app_context():
            session = community_session("comm-a")
            for j in range(5):
                try:
                    ledger.credit_service(session, 8, 30, "order:2", "dup-credit", HEAD)
                    ledger.pay_service(session, 7, 10, "order:3", f"pay-{i}-{j}", HEAD)
                except HallError:
                    refused.append(i)
                except Exception as exc:    # noqa: BLE001 - any other error is the failure being tested
                    errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with app.app_context():
        session = community_session("comm-a")
        assert errors == []
        assert ledger.balance(session, "person:8") == 30
        assert ledger.balance(session, "person:7") == 0 and len(refused) == 30 - 10
        assert ledger.check(session, ties=False) == []


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_statement_pages_are_the_statement_newest_first(backend, db):
    ledger.credit_service(db, 7, 120, "activity:1", "c1", HEAD)
    ledger.credit_service(db, 8, 60, "activity:1", "c2", HEAD)
    for n in range(5):
        ledger.donate(db, 7, 8, 10 + n, f"d{n}", HEAD)
    ledger.donate(db, 8, 7, 25, "back", HEAD)
    whole = ledger.statement(db, 7)
    assert ledger.statement_length(db, 7) == len(whole) == 7 and whole[-1].balance == 120 - 60 + 25
    pages = [ledger.statement_page(db, 7, offset, 3) for offset in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [line for page in pages for line in page] == list(reversed(whole))     # same lines and balances
    assert ledger.statement_page(db, 99, 0, 3) == [] and ledger.statement_length(db, 99) == 0


def _held_credit(session, user_id: int, minutes: int) -> LedgerMovement:
    """A credit held by a confirmed order, as ledger-check requires of every credit."""
    order = Order(item_name="助老陪护", resident_user_id=99, resident_name="李奶奶", phone="13900000000", address="1-101",
                  wanted_day=date(2026, 11, 20), wanted_part="am", placed_by_user_id=99, status="confirmed",
                  minutes=minutes)
    session.add(order)
    session.commit()
    movement = ledger.credit_service(session, user_id, minutes, f"order:{order.id}", f"order:{order.id}:credit", HEAD)
    order.credit_movement_id = movement.id
    session.commit()
    return movement


def _corrupt(app, sql):
    with app.app_context():
        session = community_session("comm-a")
        for statement in sql:
            session.execute(text(statement))
        session.commit()


def test_ledger_check_passes_a_sound_ledger(app, db, runner):
    _held_credit(db, 7, 60)
    result = runner.invoke(args=["hall", "ledger-check", "--community", "comm-a"])
    assert result.exit_code == 0 and "comm-a: ok" in result.output


def test_ledger_check_finds_credits_no_confirmed_activity_or_order_holds(app, db, runner):
    held = _held_credit(db, 7, 60)
    stray = ledger.credit_service(db, 7, 30, "activity:1", "stray", HEAD)         # no such activity
    other = ledger.credit_service(db, 7, 30, f"order:{held.id + 5}", "other", HEAD)   # an order that does not hold it
    assert ledger.check(db, ties=False) == []
    assert ledger.check(db) == [
        f"movement {stray.id}: credit for activity:1 is not held by a confirmed activity sign-up or order "
        "(finish the confirmation, or reverse the credit)",
        f"movement {other.id}: credit for {other.reference} is not held by a confirmed activity sign-up or order "
        "(finish the confirmation, or reverse the credit)"]
    db.query(Order).update({"status": "done"})     # the order that held the first credit is not confirmed after all
    db.commit()
    result = runner.invoke(args=["hall", "ledger-check", "--community", "comm-a"])
    assert result.exit_code == 1 and "comm-a: 3 problem(s)" in result.output


@pytest.mark.parametrize("sql, expected", [
    (["INSERT INTO ledger_entries (movement_id, account, amount) VALUES (1, 'person:7', 5)"],
     "movement 1: entries sum to 5"),
    (["INSERT INTO ledger_accounts (account, overdraft_minutes, created_at) VALUES ('person:9', 0, '2026-01-01')",
      "INSERT INTO ledger_movements (id, kind, idem_key, reason, reference, actor_name, created_at) "
      "VALUES (50, 'donate', 'x', '', '', '', '2026-01-01')",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (50, 'person:9', -10)",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (50, 'person:7', 10)"],
     "account person:9: balance -10 below its floor 0"),
    (["INSERT INTO ledger_movements (id, kind, idem_key, reason, reference, actor_name, created_at) "
      "VALUES (51, 'credit_service', 'y', '', 'gift:1', '', '2026-01-01')",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (51, 'issuing', -10)",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (51, 'person:7', 10)"],
     "movement 51: credit_service not tied"),
    (["INSERT INTO ledger_movements (id, kind, idem_key, reason, reference, actor_name, created_at) "
      "VALUES (52, 'reverse', 'z', 'r', '', '', '2026-01-01')",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (52, 'issuing', 10)",
      "INSERT INTO ledger_entries (movement_id, account, amount) VALUES (52, 'person:7', -10)"],
     "movement 52: reverses movement None, which does not exist"),
])
def test_ledger_check_finds_corruption_and_exits_non_zero(app, db, runner, sql, expected):
    _held_credit(db, 7, 60)
    db.close()
    _corrupt(app, sql)
    result = runner.invoke(args=["hall", "ledger-check", "--community", "comm-a"])
    assert result.exit_code == 1
    assert expected in result.output + (result.stderr if hasattr(result, "stderr") else "")


def test_ledger_check_covers_every_community_by_default(app, build, runner):
    build.community("comm-a", "甲社区")
    build.community("comm-b", "乙社区")
    with app.app_context():
        for slug in ("comm-a", "comm-b"):
            _held_credit(community_session(slug), 7, 60)
    _corrupt(app, ["INSERT INTO ledger_entries (movement_id, account, amount) VALUES (1, 'person:7', 1)"])
    result = runner.invoke(args=["hall", "ledger-check"])
    assert result.exit_code == 1
    assert "comm-a: 2 problem(s)" in result.output and "comm-b: ok" in result.output
