"""Orders (点单 → 派单 → 接单 → 评单): transitions and refusals, payment sources, idempotent confirm, the claim race."""

from __future__ import annotations

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from community_hall.errors import HallError
from community_hall.tenancy import community_session
from community_hall.timebank import family, ledger
from community_hall.timebank import orders as services
from community_hall.timebank.ledger_models import LedgerMovement
from community_hall.timebank.order_models import Order, OrderEvent
from community_hall.timebank.volunteers import approved_volunteer
from tests.timebank.orders_setup import DAY, HEAD, TODAY, actor, books_sound, new_order, served_order, uid, world  # noqa: F401


@pytest.fixture
def db(world):  # noqa: F811
    """comm-a's session inside an app context, messages in English."""
    with world.app_context(), force_locale("en"):
        yield community_session("comm-a")


def _snapshot(session):
    session.rollback()
    orders = [(o.id, o.status, o.volunteer_id, o.on_board, o.minutes, o.pay_movement_id, o.credit_movement_id)
              for o in session.scalars(select(Order).order_by(Order.id))]
    return orders, session.query(OrderEvent).count(), session.query(LedgerMovement).count()


def _vol(session, username):
    return approved_volunteer(session, uid(username))


def test_place_order_records_the_resident_and_proxy(db):
    own = services.place(db, uid("res-a"), new_order(), actor("res-a"), TODAY)
    assert (own.status, own.by_proxy, own.item_name, own.resident_name) == ("open", False, "便民维修服务", "居民a")
    proxy = services.place(db, uid("res-a"), new_order(), actor("staff-a"), TODAY)
    assert proxy.by_proxy and proxy.placed_by_name == "员工a"
    assert [e.action for e in proxy.events] == ["proxy_order"]


@pytest.mark.parametrize("changes, field", [
    ({"item_id": 99999}, "item"), ({"wanted_day": TODAY.replace(day=1)}, "wanted_day"), ({"wanted_part": "night"},
                                                                                         "wanted_part"),
    ({"address": "x"}, "address"), ({"phone": "123"}, "phone"), ({"note": "长" * 501}, "note"),
])
def test_bad_orders_are_refused_and_store_nothing(db, changes, field):
    with pytest.raises(HallError) as err:
        services.place(db, uid("res-a"), new_order(**changes), actor("res-a"), TODAY)
    assert err.value.field == field
    assert _snapshot(db)[0] == []


def test_items_not_from_volunteers_cannot_be_ordered(db):
    from community_hall.menu import services as menu_services

    item = menu_services.create_item(db, menu_services.clean_item({"code": "ZJ-001", "name": "开具居住证明",
                                                                   "category": "证照办理"}))
    db.commit()
    assert [i.code for i in services.volunteer_items(db)] == ["JJ-004"]
    with pytest.raises(HallError, match="volunteers provide"):
        services.place(db, uid("res-a"), new_order(item_id=item.id), actor("res-a"), TODAY)


def test_candidates_free_at_the_requested_time_come_first(db):
    order = services.place(db, uid("res-a"), new_order(), actor("res-a"), TODAY)   # Saturday morning
    assert services.slot(order) == "sat-am"
    rows = services.candidates(db, order)
    assert [(v.real_name, free) for v, free in rows] == [("vol-2", True), ("vol-1", False)]


def test_full_flow_dispatch_accept_done_confirm_with_own_hours(db):
    order = served_order(hours="1.5")
    assert (order.status, order.minutes, order.done_note) == ("done", 90, "修好了")
    confirmed = services.confirm(db, order.id, actor("res-a"), 5, "很好", "own")
    assert confirmed.status == "confirmed" and confirmed.pay_source == "own" and confirmed.rating == 5
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 90
    assert ledger.balance(db, ledger.person(uid("vol-1"))) == 90
    credit = db.get(LedgerMovement, confirmed.credit_movement_id)
    pay = db.get(LedgerMovement, confirmed.pay_movement_id)
    assert (credit.kind, credit.reference, pay.kind, pay.reference) == ("credit_service", f"order:{order.id}",
                                                                        "pay_service", f"order:{order.id}")
    assert services.is_confirmed_credit(db, credit) and not services.is_confirmed_credit(db, pay)
    assert [e.action for e in db.get(Order, order.id).events] == ["order", "dispatch", "accept", "done", "confirm"]
    assert ledger.check(db, ties=False) == [] and books_sound(db) == []


def test_confirming_twice_charges_and_credits_once(db):
    order = served_order()
    services.confirm(db, order.id, actor("res-a"), 4, "", "own")
    before = _snapshot(db)
    again = services.confirm(db, order.id, actor("res-a"), 1, "再点一次", "own")
    assert again.rating == 4 and _snapshot(db) == before
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 60


def test_transitions_refused_for_the_wrong_person_or_state_change_nothing(db):
    order = services.place(db, uid("res-a"), new_order(), actor("res-a"), TODAY)
    vol1, vol2 = _vol(db, "vol-1"), _vol(db, "vol-2")
    before = _snapshot(db)
    refusals = [
        lambda: services.accept(db, order.id, actor("vol-1")),                 # not dispatched yet
        lambda: services.complete(db, order.id, actor("vol-1"), "1", ""),      # not accepted
        lambda: services.confirm(db, order.id, actor("res-a"), 5, "", "own"),  # not done
        lambda: services.claim(db, order.id, actor("vol-1")),                  # not on the board
        lambda: services.claim(db, order.id, actor("res-a")),                  # not a volunteer
        lambda: services.dispatch(db, order.id, 99999, HEAD),                  # no such volunteer
    ]
    for refuse in refusals:
        with pytest.raises(HallError):
            refuse()
        assert _snapshot(db) == before
    services.dispatch(db, order.id, vol1.id, HEAD)
    before = _snapshot(db)
    for refuse in [lambda: services.accept(db, order.id, actor("vol-2")),                 # wrong volunteer
                   lambda: services.decline(db, order.id, actor("vol-2"), "没空"),
                   lambda: services.decline(db, order.id, actor("vol-1"), ""),            # reason needed
                   lambda: services.dispatch(db, order.id, vol2.id, HEAD)]:               # already dispatched
        with pytest.raises(HallError):
            refuse()
        assert _snapshot(db) == before
    services.accept(db, order.id, actor("vol-1"))
    before = _snapshot(db)
    for hours in ("0", "-1", "24.5", "abc", "", "nan"):
        with pytest.raises(HallError, match="hours spent"):
            services.complete(db, order.id, actor("vol-1"), hours, "")
    with pytest.raises(HallError):
        services.complete(db, order.id, actor("vol-2"), "1", "")
    with pytest.raises(HallError):
        services.confirm(db, order.id, actor("vol-1"), 5, "", "own")       # not the resident, not on behalf
    assert _snapshot(db) == before


def test_decline_puts_it_back_on_the_board_and_another_claims_it(db):
    order = services.place(db, uid("res-a"), new_order(), actor("res-a"), TODAY)
    services.dispatch(db, order.id, _vol(db, "vol-1").id, HEAD)
    back = services.decline(db, order.id, actor("vol-1"), "那天要出差")
    assert (back.status, back.volunteer_id, back.on_board) == ("open", None, True)
    assert [o.id for o in services.board(db)] == [order.id]
    taken = services.claim(db, order.id, actor("vol-2"))
    assert (taken.status, taken.volunteer_id) == ("accepted", _vol(db, "vol-2").id)
    assert services.board(db) == []
    assert db.get(Order, order.id).events[-2].note == "那天要出差"


def test_a_volunteer_cannot_serve_their_own_order(db):
    order = services.place(db, uid("vol-1"), new_order(), actor("vol-1"), TODAY)
    with pytest.raises(HallError, match="own order"):
        services.dispatch(db, order.id, _vol(db, "vol-1").id, HEAD)
    services.to_board(db, order.id, HEAD)
    with pytest.raises(HallError, match="own order"):
        services.claim(db, order.id, actor("vol-1"))
    assert db.get(Order, order.id).status == "open"


def test_cancel_only_by_the_resident_or_staff_before_service(db):
    order = services.place(db, uid("res-a"), new_order(), actor("res-a"), TODAY)
    with pytest.raises(HallError):
        services.cancel(db, order.id, actor("vol-1"), staff=False)
    assert services.cancel(db, order.id, actor("res-a"), staff=False).status == "cancelled"
    with pytest.raises(HallError):
        services.cancel(db, order.id, actor("res-a"), staff=False)


def test_pay_from_a_family_grant_charges_the_grantor_on_behalf_of_the_resident(db):
    family.grant(db, uid("son-a"), "res-a", "child", None)
    order = served_order(hours="2")
    done = services.confirm(db, order.id, actor("res-a"), 5, "", "family", uid("son-a"))
    assert (done.pay_source, done.payer_user_id, done.grant_id is not None) == ("family", uid("son-a"), True)
    assert ledger.balance(db, ledger.person(uid("son-a"))) == 180
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 180
    assert db.get(LedgerMovement, done.pay_movement_id).reason == f"on behalf of person:{uid('res-a')}"


def test_family_grant_cap_and_revocation_are_checked(db):
    grant = family.grant(db, uid("son-a"), "13800000007", "child", 2.5)     # res-a by phone, 150 minutes a month
    first = services.confirm(db, served_order(hours="2").id, actor("res-a"), 5, "", "family", uid("son-a"))
    assert first.status == "confirmed"
    second = served_order(hours="1")
    before = _snapshot(db)
    with pytest.raises(HallError, match="monthly limit"):
        services.confirm(db, second.id, actor("res-a"), 5, "", "family", uid("son-a"))
    assert _snapshot(db) == before
    family.revoke(db, grant.id, uid("son-a"))
    with pytest.raises(HallError, match="withdrawn"):
        services.confirm(db, second.id, actor("res-a"), 5, "", "family", uid("son-a"))
    with pytest.raises(HallError, match="granted"):
        services.confirm(db, second.id, actor("res-a"), 5, "", "family", uid("vol-2"))   # never granted
    assert _snapshot(db) == before


def test_the_grant_cap_holds_when_two_confirmations_pass_the_first_check_together(db, monkeypatch):
    family.grant(db, uid("son-a"), "13800000007", "child", 2.5)     # 150 minutes a month
    first, second = served_order(hours="2"), served_order(hours="1")
    choose = services._choose_payment

    def overtaken(session, order, *args):
        # This confirmation has passed the cap check when another one, for the first order, pays in between.
        payment = choose(session, order, *args)
        if order.id == second.id:
            services.confirm(db, first.id, actor("res-a"), 5, "", "family", uid("son-a"))
        return payment

    monkeypatch.setattr(services, "_choose_payment", overtaken)
    with pytest.raises(HallError, match="monthly limit"):
        services.confirm(db, second.id, actor("res-a"), 5, "", "family", uid("son-a"))
    db.rollback()
    assert db.get(Order, first.id).status == "confirmed" and db.get(Order, second.id).status == "done"
    assert ledger.balance(db, ledger.person(uid("son-a"))) == 300 - 120       # only the first order was charged
    assert ledger.check(db, ties=False) == []


def test_pay_from_the_pool_needs_the_heads_mark(db):
    order = served_order(hours="3")
    with pytest.raises(HallError, match="donation pool"):
        services.confirm(db, order.id, actor("res-a"), 5, "", "pool")
    services.mark_eligible(db, "res-a", "isolated", HEAD)
    done = services.confirm(db, order.id, actor("res-a"), 5, "", "pool")
    assert done.pay_source == "pool" and ledger.balance(db, "pool") == 60
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 180


def test_not_enough_hours_is_refused_naming_the_balance_and_nothing_changes(db):
    order = served_order(hours="4")                      # res-a has 3 hours
    before = _snapshot(db)
    with pytest.raises(HallError) as err:
        services.confirm(db, order.id, actor("res-a"), 5, "", "own")
    assert "the balance is 3 hours and this service took 4 hours" in str(err.value.message)
    assert _snapshot(db) == before and ledger.balance(db, ledger.person(uid("vol-1"))) == 0
    services.mark_eligible(db, "res-a", "empty_nest", HEAD)
    bigger = served_order(hours="5")                     # the pool holds 4 hours
    before = _snapshot(db)
    with pytest.raises(HallError, match="balance is 4 hours"):
        services.confirm(db, bigger.id, actor("res-a"), 5, "", "pool")
    assert _snapshot(db) == before


def test_staff_confirm_for_the_resident_is_recorded(db):
    order = served_order()
    done = services.confirm(db, order.id, actor("staff-a"), 3, "电话回访", "own", on_behalf=True)
    assert done.rated_on_behalf and done.events[-1].action == "confirm_proxy"


@pytest.mark.parametrize("fail_at", ["credit", "mark"])
def test_a_retry_after_a_failure_between_steps_finishes_once(db, monkeypatch, fail_at):
    order = served_order(hours="2")
    def broken(*args, **kwargs):
        raise RuntimeError("power cut")

    if fail_at == "credit":
        monkeypatch.setattr(ledger, "credit_service", broken)
    else:
        monkeypatch.setattr(services, "_mark_confirmed", broken)
    with pytest.raises(RuntimeError):
        services.confirm(db, order.id, actor("res-a"), 5, "", "own")
    monkeypatch.undo()
    db.rollback()
    assert db.get(Order, order.id).status == "done"
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 60          # charged once already
    credited = ledger.balance(db, ledger.person(uid("vol-1")))
    assert credited == (0 if fail_at == "credit" else 120)
    done = services.confirm(db, order.id, actor("res-a"), 5, "", "own")   # res-a now has 1 hour: the retry must not recheck
    assert done.status == "confirmed" and done.pay_movement_id and done.credit_movement_id
    assert ledger.balance(db, ledger.person(uid("res-a"))) == 60
    assert ledger.balance(db, ledger.person(uid("vol-1"))) == 120
    assert db.query(LedgerMovement).filter(LedgerMovement.reference == f"order:{order.id}").count() == 2
    assert services.is_confirmed_credit(db, db.get(LedgerMovement, done.credit_movement_id))


def test_a_home_visit_ticket_becomes_an_order(db):
    from community_hall.tenancy import get_community
    from community_hall.window.services import Submission, submit_ticket

    ticket = submit_ticket(db, get_community("comm-a"), Submission(
        item_code="JJ-004", resident_name="居民a", resident_phone="13800000001", channel="home_visit",
        home_address="幸福里3号楼", resident_user_id=uid("res-a")), actor("staff-a"))
    order = services.create_from_ticket(db, ticket.id, actor("staff-a"), TODAY)
    assert (order.ticket_id, order.item_name, order.address, order.by_proxy) == (ticket.id, "便民维修服务", "幸福里3号楼",
                                                                                 True)
    assert services.create_from_ticket(db, ticket.id, actor("staff-a"), TODAY).id == order.id
    stranger = submit_ticket(db, get_community("comm-a"), Submission(
        item_code="JJ-004", resident_name="路人", resident_phone="13800000009"), actor("staff-a"))
    with pytest.raises(HallError, match="registered resident"):
        services.create_from_ticket(db, stranger.id, actor("staff-a"), TODAY)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_volunteers_racing_for_a_board_order_exactly_one_wins(world):  # noqa: F811
    with world.app_context():
        session = community_session("comm-a")
        order = services.place(session, uid("res-a"), new_order(), actor("res-a"), TODAY)
        services.to_board(session, order.id, HEAD)
        racers = [actor("vol-1"), actor("vol-2")]
        session.close()
    won, lost = [], []
    barrier = threading.Barrier(2)

    def take(who):
        with world.app_context():
            s = community_session("comm-a")
            try:
                barrier.wait()
                services.claim(s, order.id, who)
                won.append(who.name)
            except HallError:
                lost.append(who.name)
            finally:
                s.close()

    threads = [threading.Thread(target=take, args=(who,)) for who in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 1
    with world.app_context():
        row = community_session("comm-a").get(Order, order.id)
        assert row.status == "accepted" and [e.action for e in row.events].count("claim") == 1
