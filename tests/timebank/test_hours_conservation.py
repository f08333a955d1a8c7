"""Hours are conserved across three communities: a stateful property test over the ledger services, both backends.

Rules credit hours, reverse credits, grant overdrafts, give, pay (own hours, for a family member, from the pool),
move hours between communities (sometimes cut short after a step, then finished or rolled back by recovery) and replay
existing transfer ids with other amounts, targets or people. After every step, across all communities together, each
person's hours (plus those of their transfers still on the way) are what the credits, reversals, gifts and payments
alone explain; every ledger balances and passes the check, and the communities' transfer records agree.
"""

from __future__ import annotations

import itertools
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import ledger
from community_hall.timebank.ledger_models import LedgerTransfer
from community_hall.timebank.transfer_check import check_between
from tests.helpers import Builder

STAFF = SimpleNamespace(user_id=1, name="王主任")
PEOPLE = (10, 11, 12)
SIDES = (0, 1, 2)
_runs = itertools.count(1)

person = st.sampled_from(PEOPLE)
side = st.sampled_from(SIDES)
minutes = st.integers(min_value=1, max_value=240)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


class Hours(RuleBasedStateMachine):
    """Three communities, three people; `expected` is what credits, reversals, gifts and payments explain."""

    app = None

    def __init__(self):
        super().__init__()
        n = next(_runs)
        self.slugs = [f"h{n}-{c}" for c in "xyz"]
        for slug in self.slugs:
            Builder(self.app).community(slug)
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.db = [community_session(s) for s in self.slugs]
        self.expected = Counter()
        self.credits = []           # (side, movement id, person, minutes) of credits not known to be reversed
        self.transfers = []         # (id, source side, target side, person, minutes) that were started
        self.keys = itertools.count(1)
        self.overdraft = Counter()  # (side, person) -> minutes the head lets the balance go below zero

    def teardown(self):
        for s in self.db:
            s.close()
        self.ctx.pop()

    def _key(self):
        return f"k{next(self.keys)}"

    def _session_for(self, slug):
        return self.db[self.slugs.index(slug)]

    def _snapshot(self):
        for s in self.db:
            s.rollback()
        return ([{a: ledger.balance(s, a) for a in ["issuing", "pool"] + [ledger.person(p) for p in PEOPLE]}
                 for s in self.db],
                [sorted((r.transfer_id, r.direction, r.user_id, r.minutes, r.other_community, r.state)
                        for r in s.scalars(select(LedgerTransfer))) for s in self.db])

    @rule(at=side, who=person, amount=minutes)
    def credit(self, at, who, amount):
        movement = ledger.credit_service(self.db[at], who, amount, "activity:1", self._key(), STAFF)
        self.expected[who] += amount
        self.credits.append((at, movement.id, who, amount))

    @precondition(lambda self: self.credits)
    @rule(pick=st.integers(min_value=0, max_value=50))
    def reverse(self, pick):
        at, movement_id, who, amount = self.credits[pick % len(self.credits)]
        try:
            ledger.reverse(self.db[at], movement_id, "纠错", STAFF)
        except HallError:
            return          # spent already, or reversed before: nothing changed
        self.expected[who] -= amount
        self.credits.remove((at, movement_id, who, amount))

    @rule(at=side, who=person, amount=st.integers(min_value=0, max_value=600))
    def overdraft(self, at, who, amount):
        """The head lets a balance go below zero: credit for services there, never hours to give or move."""
        try:
            ledger.set_overdraft(self.db[at], who, amount, STAFF)
        except HallError:
            return
        self.overdraft[at, who] = amount

    def _own(self, at, who) -> int:
        self.db[at].rollback()
        return ledger.balance(self.db[at], ledger.person(who))

    @rule(at=side, giver=person, to=st.one_of(person, st.just("pool")), amount=minutes)
    def donate(self, at, giver, to, amount):
        had = self._own(at, giver)
        try:
            ledger.donate(self.db[at], giver, to, amount, self._key(), STAFF)
        except HallError:
            return
        assert had >= amount, "a gift spent the overdraft"
        self.expected[giver] -= amount
        if to != "pool":
            self.expected[to] += amount

    @rule(at=side, payer=person, for_whom=st.one_of(st.none(), person), amount=minutes, pool=st.booleans())
    def pay(self, at, payer, for_whom, amount, pool):
        try:
            if pool:
                ledger.pay_from_pool(self.db[at], payer, amount, "order:1", self._key(), STAFF)
            else:       # own hours, or a family member's hours paying for someone else's service
                ledger.pay_service(self.db[at], payer, amount, "order:1", self._key(), STAFF, on_behalf_of=for_whom)
        except HallError:
            return
        if not pool:
            self.expected[payer] -= amount

    @rule(src=side, shift=st.integers(min_value=1, max_value=2), who=person, amount=minutes,
          steps=st.integers(min_value=1, max_value=3))
    def transfer(self, src, shift, who, amount, steps):
        dst = (src + shift) % 3
        tid = f"t{next(self.keys)}"
        actor = SimpleNamespace(user_id=who, name="本人")
        had = self._own(src, who)
        try:
            ledger.start_transfer(self.db[src], tid, who, amount, self.slugs[dst], actor)
        except HallError:
            return
        assert had >= amount, "a transfer moved the overdraft to another community"
        self.transfers.append((tid, src, dst, who, amount))
        if steps >= 2:      # otherwise cut short after the hours left: recovery finishes or rolls it back
            ledger.receive_transfer(self.db[dst], self.slugs[dst], self.db[src], self.slugs[src], tid, actor)
        if steps >= 3:
            ledger.complete_transfer(self.db[src], tid, actor)

    @precondition(lambda self: self.transfers)
    @rule(pick=st.integers(min_value=0, max_value=50), how=st.sampled_from(["start", "receive", "transfer"]),
          other_minutes=minutes, other_target=side, other_person=person)
    def replay(self, pick, how, other_minutes, other_target, other_person):
        tid, src, dst, who, amount = self.transfers[pick % len(self.transfers)]
        before = self._snapshot()
        actor = SimpleNamespace(user_id=other_person, name="重放")
        try:
            if how == "start":
                ledger.start_transfer(self.db[src], tid, other_person, other_minutes, self.slugs[other_target], actor)
            elif how == "receive":     # any community asked to credit it, naming any source
                ledger.receive_transfer(self.db[other_target], self.slugs[other_target], self.db[(src + 1) % 3],
                                        self.slugs[(src + 1) % 3], tid, actor)
            elif other_target != src:
                ledger.transfer(self.db[src], self.db[other_target], tid, other_person, other_minutes,
                                self.slugs[src], self.slugs[other_target], actor)
        except HallError:
            pass
        same = (other_person, other_minutes, other_target) == (who, amount, dst)
        if how == "start" and not same or how == "receive" or how == "transfer" and not same:
            assert self._snapshot() == before, "a replay changed something"

    @rule(at=side, roll_back=st.booleans())
    def recover(self, at, roll_back):
        ledger.recover_transfers(self.db[at], self.slugs[at], self._session_for, STAFF, roll_back=roll_back)

    def _on_the_way(self) -> Counter:
        """Minutes of pending transfers out that have not arrived, per person."""
        way = Counter()
        for s in self.db:
            for row in s.scalars(select(LedgerTransfer).where(LedgerTransfer.direction == "out",
                                                                LedgerTransfer.state == "pending")):
                there = self._session_for(row.other_community).get(LedgerTransfer, row.transfer_id)
                if there is None or there.state != "completed":
                    way[row.user_id] += row.minutes
        return way

    @invariant()
    def conserved(self):
        for s in self.db:
            s.rollback()
        way = self._on_the_way()
        for p in PEOPLE:
            assert ledger.combined_balance(self.db, p) + way[p] == self.expected[p], p
        for s, slug in zip(self.db, self.slugs, strict=True):
            assert ledger.check(s, ties=False) == []
            assert check_between(s, slug, self._session_for) == []

    @invariant()
    def nobody_below_floor(self):
        for at, s in enumerate(self.db):
            for p in PEOPLE:
                assert ledger.balance(s, ledger.person(p)) >= -self.overdraft[at, p]


def test_hours_are_conserved_across_communities(app, backend):
    Hours.app = app
    run_state_machine_as_test(Hours, settings=settings(
        max_examples=8 if backend == "sqlite" else 4, stateful_step_count=25, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
