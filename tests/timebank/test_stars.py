"""Star levels: a pure rule by service minutes; spending does not lower them; who reached a new level."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from community_hall.tenancy import community_session, utcnow
from community_hall.timebank import ledger, stars

HEAD = SimpleNamespace(user_id=1, name="王主任")


@pytest.mark.parametrize("minutes, thresholds, level", [
    (0, (100, 300, 600, 1000, 1500), 0),
    (100 * 60 - 1, (100, 300, 600, 1000, 1500), 0),
    (100 * 60, (100, 300, 600, 1000, 1500), 1),
    (599 * 60, (100, 300, 600, 1000, 1500), 2),
    (1500 * 60, (100, 300, 600, 1000, 1500), 5),
    (10 ** 7, (100, 300, 600, 1000, 1500), 5),
    (20 * 60, (10, 20), 2),                      # a community with its own thresholds
])
def test_star_level_is_a_pure_rule(minutes, thresholds, level):
    assert stars.star_level(minutes, thresholds) == level


def test_default_thresholds_come_from_the_setting(app):
    with app.app_context():
        assert stars.configured_thresholds() == (100, 300, 600, 1000, 1500)


def test_spending_does_not_lower_stars_but_a_reversed_credit_does_not_count(app, build):
    build.community("comm-a", "甲社区")
    with app.app_context():
        db = community_session("comm-a")
        ledger.credit_service(db, 7, 300, "activity:1", "a1", HEAD)
        wrong = ledger.credit_service(db, 7, 300, "activity:2", "a2", HEAD)
        ledger.pay_service(db, 7, 200, "order:1", "p1", HEAD)
        ledger.donate(db, 7, 8, 100, "d1", HEAD)
        assert stars.service_minutes(db, 7) == 600 and stars.service_minutes(db, 8) == 0
        ledger.reverse(db, wrong.id, "重复录入", HEAD)
        assert stars.service_minutes(db, 7) == 300
        assert stars.star_level(stars.service_minutes(db, 7), (5,)) == 1


def test_new_levels_since_lists_who_rose(app, build):
    build.community("comm-a", "甲社区")
    with app.app_context():
        db = community_session("comm-a")
        ledger.credit_service(db, 7, 50, "activity:1", "a1", HEAD)
        ledger.credit_service(db, 8, 120, "activity:1", "a2", HEAD)
        since = utcnow() + timedelta(microseconds=1)
        while utcnow() <= since:
            pass
        ledger.credit_service(db, 7, 20, "activity:2", "b1", HEAD)     # 70 min: reaches 1 star of (1 h, 2 h)
        ledger.credit_service(db, 8, 10, "activity:2", "b2", HEAD)     # 130 min: still 2 stars
        ledger.credit_service(db, 9, 130, "activity:2", "b3", HEAD)    # new volunteer: straight to 2 stars
        assert stars.new_levels_since(db, since, (1, 2)) == [(7, 0, 1), (9, 0, 2)]
