"""A member gives hours to the pool from the hours page; the head reverses it on the ledger page (axe on each page)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, registry_session
from community_hall.timebank import ledger

pytestmark = pytest.mark.browser

SLUG = "comm-a"


@pytest.fixture
def hours(app, build):
    """comm-a and comm-b; res-a belongs to both and has 12 h 30 min in comm-a."""
    build.two_communities()
    build.grant("res-a", "comm-b", "resident")
    with app.app_context():
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        ledger.credit_service(community_session(SLUG), uid, 750, "activity:1", "c1", SimpleNamespace(user_id=1, name="站长"))


def test_member_gives_hours_and_head_reverses(hours, hall, new_tab, zh):
    page = hall.page
    hall.sign_in("res-a")
    hall.visit(f"/c/{SLUG}/timebank/hours", "hours-mine")
    expect(page.locator("#balance")).to_have_text("12 小时 30 分")
    expect(page.locator("#combined-total")).to_have_text("12 小时 30 分")
    page.locator("#hours").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Continue")).click()
    hall.check("hours-confirm")
    expect(page.locator("#confirm-text")).to_contain_text(zh("Give %(hours)s to the donation pool?", hours="2 小时 0 分"))
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Yes, give the hours")).click()
    hall.check("hours-given")
    expect(page.locator("#balance")).to_have_text("10 小时 30 分")

    with new_tab() as head:
        hp = head.page
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/timebank/ledger", "hours-ledger")
        expect(hp.locator("#pool-balance")).to_have_text("2 小时 0 分")
        with hp.expect_navigation():
            hp.locator("#movement-2 a").click()
        head.check("hours-reverse")
        hp.locator("#reason").fill("捐错了，本人要求退回")
        with hp.expect_navigation():
            hp.get_by_role("button", name=zh("Confirm the reversal")).click()
        head.check("hours-reversed")
        expect(hp.locator("#pool-balance")).to_have_text("0 小时 0 分")
