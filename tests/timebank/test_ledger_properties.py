"""Property tests: random credits, payments, donations, reversals and retries keep the books sound."""

from __future__ import annotations

import itertools
from collections import Counter
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import ledger
from tests.helpers import Builder

HEAD = SimpleNamespace(user_id=1, name="王主任")
PEOPLE = st.integers(min_value=1, max_value=4)
MINUTES = st.integers(min_value=-5, max_value=400)
_slugs = itertools.count(1)

operations = st.lists(st.one_of(
    st.tuples(st.just("credit"), PEOPLE, MINUTES),
    st.tuples(st.just("pay"), PEOPLE, MINUTES),
    st.tuples(st.just("donate"), PEOPLE, st.one_of(PEOPLE, st.just("pool")), MINUTES),
    st.tuples(st.just("pool"), PEOPLE, MINUTES),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("retry"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("overdraft"), PEOPLE, st.integers(min_value=0, max_value=120)),
), max_size=30)


def _apply(db, op, key):
    kind = op[0]
    if kind == "credit":
        return ledger.credit_service(db, op[1], op[2], "activity:1", key, HEAD)
    if kind == "pay":
        return ledger.pay_service(db, op[1], op[2], "order:1", key, HEAD)
    if kind == "donate":
        return ledger.donate(db, op[1], op[2], op[3], key, HEAD)
    if kind == "pool":
        return ledger.pay_from_pool(db, op[1], op[2], "order:2", key, HEAD)
    raise AssertionError(kind)


def _balances(db):
    accounts = ["issuing", "pool"] + [f"person:{u}" for u in range(1, 5)]
    return {a: ledger.balance(db, a) for a in accounts}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_sequences_keep_the_books_sound(app, ops):
    slug = f"prop-{next(_slugs)}"
    Builder(app).community(slug)
    with app.app_context():
        db = community_session(slug)
        expected = Counter()
        done = []       # (op, key, movement id) of movements recorded
        for n, op in enumerate(ops):
            key = f"k{n}"
            try:
                if op[0] == "overdraft":
                    ledger.set_overdraft(db, op[1], op[2], HEAD)
                    continue
                if op[0] == "reverse":
                    if not done:
                        continue
                    _, _, mid = done[op[1] % len(done)]
                    movement = ledger.reverse(db, mid, "纠错", HEAD)
                elif op[0] == "retry":
                    if not done:
                        continue
                    first_op, first_key, mid = done[op[1] % len(done)]
                    if first_op[0] == "reverse":
                        continue
                    before = _balances(db)
                    assert _apply(db, first_op, first_key).id == mid      # a retried key credits once
                    assert _balances(db) == before
                    continue
                else:
                    movement = _apply(db, op, key)
            except HallError:
                continue
            done.append((op, key, movement.id))
            for line in ledger._legs(db, movement.id):
                expected[line[0]] += line[1]
        balances = _balances(db)
        assert sum(balances.values()) == 0
        assert balances == {a: expected.get(a, 0) for a in balances}
        for account, value in balances.items():
            low = ledger.floor(db, account)
            assert low is None or value >= low
        assert ledger.check(db, ties=False) == []
        db.close()


transfers = st.lists(st.tuples(st.sampled_from(["x", "y"]), st.integers(min_value=1, max_value=90),
                               st.integers(min_value=1, max_value=3), st.booleans(), st.booleans()), max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=transfers)
def test_transfers_that_fail_midway_never_lose_or_duplicate_hours(app, steps):
    n = next(_slugs)
    slugs = {"x": f"tx-{n}", "y": f"ty-{n}"}
    for slug in slugs.values():
        Builder(app).community(slug)
    with app.app_context():
        db = {side: community_session(slug) for side, slug in slugs.items()}
        of = {slug: db[side] for side, slug in slugs.items()}.__getitem__
        for side in db:
            ledger.credit_service(db[side], 7, 100, "activity:1", "seed", HEAD)
        for i, (side, minutes, steps_done, roll_back, retry) in enumerate(steps):
            other = "y" if side == "x" else "x"
            tid = f"t{i}"
            try:
                ledger.start_transfer(db[side], tid, 7, minutes, slugs[other], HEAD)
                if steps_done >= 2:
                    ledger.receive_transfer(db[other], slugs[other], db[side], slugs[side], tid, HEAD)
                if retry:
                    ledger.receive_transfer(db[other], slugs[other], db[side], slugs[side], tid, HEAD)
                if steps_done >= 3:
                    ledger.complete_transfer(db[side], tid, HEAD)
            except HallError:
                pass
            if i % 3 == 2:      # the recovery job runs now and then, the rest stays pending for a while
                for s in db:
                    ledger.recover_transfers(db[s], slugs[s], of, HEAD, roll_back=roll_back)
            assert ledger.check(db["x"], ties=False) == [] and ledger.check(db["y"], ties=False) == []
        for s in db:
            ledger.recover_transfers(db[s], slugs[s], of, HEAD)
        assert ledger.combined_balance(list(db.values()), 7) == 200
        assert all(ledger.balance(d, "person:7") >= 0 for d in db.values())
        for d in db.values():
            d.close()
