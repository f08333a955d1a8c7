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
        assert ledger.check(db) == []
        db.close()
