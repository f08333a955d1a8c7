"""The time bank end to end (issue 6, point 12), as real people clicking and typing on the real pages.

A resident registers as a volunteer and the head approves; the head publishes an activity, the volunteer signs up
(htmx) and the head marks attendance and confirms; the volunteer sees the balance and the star progress on My hours
and on the card, and gives the hours to the donation pool. An elderly resident living alone (elderly mode) orders a
repair from a volunteer-provided menu item; the head marks her as paying from the pool and dispatches the order to
the volunteer, who accepts, serves and reports the hours; she confirms, rates and pays from the pool. Four people in
their own browser contexts; every page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from community_hall.accounts.models import User
from community_hall.menu import services as menu_services
from community_hall.rosters.services import local_now
from community_hall.tenancy import community_session, get_community, registry_session, utcnow
from community_hall.timebank import ledger
from community_hall.timebank.activity_models import Activity
from community_hall.timebank.order_models import Order
from tests.timebank.orders_setup import REPAIR

pytestmark = pytest.mark.browser

SLUG = "comm-a"
ELDER_PHONE = "13900000021"


@pytest.fixture
def timebank(app, build):
    """comm-a and comm-b with their people, an elderly resident elder-a in comm-a and a repair item volunteers provide.

    Only the starting data is built here; every step of the time bank itself happens in the browser.
    """
    build.two_communities()
    build.user("elder-a", SLUG, "resident", "李奶奶", phone=ELDER_PHONE)
    with app.app_context():
        session = community_session(SLUG)
        menu_services.create_item(session, menu_services.clean_item(REPAIR))
        session.commit()
        local = local_now(get_community(SLUG))
        return {name: registry_session().query(User).filter_by(username=name).one().id
                for name in ("res-a", "elder-a")} | {"tomorrow": (local + timedelta(days=1)).date()}


def _submit(tab, button, name: str) -> None:
    """Click a button that posts a form and check the page it leads to."""
    with tab.page.expect_navigation():
        button.click()
    tab.check(name)


def test_volunteer_earns_hours_and_an_elderly_resident_pays_from_the_pool(app, timebank, hall, new_tab, zh):
    ids = timebank
    page = hall.page
    tomorrow = ids["tomorrow"]

    # 1. res-a registers as a volunteer.
    hall.sign_in("res-a")
    hall.visit(f"/c/{SLUG}/timebank/apply", "tb-flow-apply")
    page.locator("#real_name").fill("王小明")
    page.locator("#phone").fill("13912345678")
    page.get_by_label(zh("Household repairs")).check()
    page.locator("#avail-sat-am").check()
    page.locator("#emergency_name").fill("王大明")
    page.locator("#emergency_phone").fill("13811112222")
    page.locator("#consent").check()
    _submit(hall, page.locator("main form button[type=submit]"), "tb-flow-applied")
    expect(page.locator("#application-status")).to_contain_text(zh("Waiting for the station head's decision."))

    with new_tab() as head, new_tab() as elder:
        hp = head.page
        head.sign_in("head-a")
        # ... and the head approves on the applications page.
        head.visit(f"/c/{SLUG}/timebank/applications", "tb-flow-applications")
        card = hp.locator("main .cards li").filter(has_text="王小明")
        _submit(head, card.locator("form[action$='/approve'] button"), "tb-flow-approved")
        expect(hp.locator(".flash")).to_contain_text("COMM-A-V-0001")

        # The head lowers the star thresholds so that a few hours of service show a star and progress.
        head.visit(f"/c/{SLUG}/timebank/ledger", "tb-flow-ledger")
        for i, hours in enumerate((1, 3, 6, 10, 15), start=1):
            hp.locator(f"#star{i}").fill(str(hours))
        _submit(head, hp.get_by_role("button", name=zh("Save the thresholds")), "tb-flow-stars-saved")
        expect(hp.locator(".flash")).to_contain_text(zh("Star thresholds saved."))

        # 2. The head publishes an activity tomorrow morning through the form.
        head.visit(f"/c/{SLUG}/timebank/activities/new", "tb-flow-activity-new")
        hp.locator("#title").fill("助老陪伴日")
        hp.locator("#description").fill("陪独居老人聊天、打扫")
        hp.locator("#starts_at").fill(f"{tomorrow.isoformat()}T09:00")
        hp.locator("#ends_at").fill(f"{tomorrow.isoformat()}T11:00")
        hp.locator("#place").fill("服务站门口")
        hp.locator("#slots").fill("3")
        hp.locator("#hours").fill("2")
        _submit(head, hp.locator("main form button[type=submit]"), "tb-flow-activity-published")
        expect(hp.locator(".flash")).to_contain_text(zh("The activity is published."))
        activity_id = int(re.search(r"/activities/(\d+)$", hp.url).group(1))

        # The volunteer signs up on the activity page; htmx swaps the sign-up fragment in place.
        hall.visit(f"/c/{SLUG}/timebank/activities/{activity_id}", "tb-flow-activity")
        page.evaluate("window.__mark = 1")
        page.locator(f"#signup-{activity_id} button").click()
        expect(page.locator(f"#signup-{activity_id}")).to_contain_text(zh("You are signed up"))
        expect(page.locator(f"#signup-{activity_id}")).to_contain_text(
            zh("Places left: %(left)s of %(slots)s", left=2, slots=3))
        assert page.evaluate("window.__mark === 1"), "the page reloaded instead of swapping the fragment"
        hall.check("tb-flow-activity-signed-up")

        # Sign-ups close at the start and attendance opens then; rather than wait until tomorrow, the activity
        # is moved to have just taken place (publishing through the form refuses a start in the past).
        with app.app_context():
            session = community_session(SLUG)
            row = session.get(Activity, activity_id)
            row.starts_at, row.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(minutes=5)
            session.commit()

        # The head marks the volunteer attended with the hours actually served (htmx row) and confirms.
        head.visit(f"/c/{SLUG}/timebank/activities/{activity_id}/attendance", "tb-flow-attendance")
        person = hp.locator("#attendance li").filter(has_text="王小明")
        person.locator("input[name=hours]").fill("2.5")
        person.locator("button").click()
        expect(hp.locator("#attendance li").filter(has_text="王小明")).to_contain_text(zh("%(hours)s hours", hours="2.5"))
        expect(hp.locator("#unmarked-hint")).to_have_text("")
        head.check("tb-flow-attendance-marked")
        _submit(head, hp.locator("main form button").filter(has_text=zh("Confirm attendance and credit hours")),
                "tb-flow-attendance-confirmed")
        expect(hp.locator(".flash")).to_contain_text(zh("Attendance confirmed; the hours are credited."))

        # 3. The volunteer's hours: balance, star level and progress to the next star, also on the card.
        hall.visit(f"/c/{SLUG}/timebank/hours", "tb-flow-hours")
        expect(page.locator("#balance")).to_have_text("2 小时 30 分")
        expect(page.locator(".stars")).to_contain_text(zh("Star level: %(level)s of %(top)s", level=1, top=5))
        progress = page.locator("#star-progress")
        expect(progress).to_have_attribute("value", "75")           # 2.5 h of the 1 → 3 h step
        expect(page.get_by_label(zh("To the next level (%(hours)s hours): %(left)s to go", hours=3,
                                    left="0 小时 30 分"))).to_have_count(1)
        expect(page.locator("main .panel")).to_contain_text("75%")
        hall.visit(f"/c/{SLUG}/timebank/card", "tb-flow-card")
        stars = page.locator(".volunteer-card .card-stars")
        expect(stars).to_contain_text("★☆☆☆☆")
        expect(stars).to_contain_text(zh("Service hours in total: %(hours)s", hours="2 小时 30 分"))

        # The volunteer gives 2 hours to the donation pool for elderly people living alone.
        hall.visit(f"/c/{SLUG}/timebank/hours", "tb-flow-hours-before-gift")
        page.get_by_label(zh("The donation pool (捐赠池)")).check()
        page.locator("#hours").fill("2")
        _submit(hall, page.get_by_role("button", name=zh("Continue")), "tb-flow-gift-confirm")
        expect(page.locator("#confirm-text")).to_contain_text(
            zh("Give %(hours)s to the donation pool?", hours="2 小时 0 分"))
        _submit(hall, page.get_by_role("button", name=zh("Yes, give the hours")), "tb-flow-gift-given")
        expect(page.locator("#balance")).to_have_text("0 小时 30 分")

        # 4. The head puts the elderly resident on the list of those who pay from the donation pool.
        head.visit(f"/c/{SLUG}/orders/pool", "tb-flow-pool")
        expect(hp.locator("main .hint")).to_contain_text(zh(
            "Residents on this list may pay for volunteer services from the hours people have donated to the "
            "community. The pool holds %(hours)s hours.", hours="2"))
        hp.locator("#who").fill(ELDER_PHONE)
        hp.get_by_label(zh("Elderly person living alone without family (孤寡老人)")).check()
        _submit(head, hp.get_by_role("button", name=zh("Add"), exact=True), "tb-flow-pool-added")
        expect(hp.locator("main .cards")).to_contain_text("李奶奶")

        # The elderly resident switches on elderly mode, signs in and orders the repair from the orders page.
        ep = elder.page
        elder.visit(f"/c/{SLUG}/", "tb-flow-elder-home")
        ep.locator(".site-header button[aria-pressed]").click()
        expect(ep.locator("body")).to_have_class(re.compile(r"\belderly\b"))
        elder.check("tb-flow-elder-home-elderly")
        elder.sign_in("elder-a")
        elder.visit(f"/c/{SLUG}/orders", "tb-flow-elder-orders")
        expect(ep.locator("body")).to_have_class(re.compile(r"\belderly\b"))
        _submit(elder, ep.locator("main .cards li").filter(has_text=REPAIR["name"]).get_by_role("link"),
                "tb-flow-elder-order-new")
        expect(ep.locator("#item option:checked")).to_have_text(REPAIR["name"])
        expect(ep.locator("#phone")).to_have_value(ELDER_PHONE)          # from her profile
        ep.locator("#wanted_day").fill(tomorrow.isoformat())
        ep.get_by_label(zh("Morning")).check()
        ep.locator("#address").fill("幸福里3号楼2单元501")
        ep.locator("#note").fill("厨房水龙头漏水")
        _submit(elder, ep.get_by_role("button", name=zh("Send the order")), "tb-flow-elder-ordered")
        expect(ep.locator(".flash")).to_contain_text(zh("Your order has been sent to the station."))
        expect(ep.locator("main")).to_contain_text(zh("Waiting for a volunteer"))
        order_id = int(re.search(r"/orders/(\d+)$", ep.url).group(1))

        # The station dispatches it to the volunteer.
        head.visit(f"/c/{SLUG}/orders", "tb-flow-station-orders")
        _submit(head, hp.locator("main table a", has_text=f"#{order_id}"), "tb-flow-station-order")
        choice = hp.locator("#volunteer option", has_text="COMM-A-V-0001 王小明")
        hp.locator("#volunteer").select_option(choice.get_attribute("value"))
        _submit(head, hp.get_by_role("button", name=zh("Send"), exact=True), "tb-flow-dispatched")
        expect(hp.locator(".flash")).to_contain_text(zh("The order was sent to the volunteer."))

        # The volunteer finds it among their orders, accepts, serves and reports 1.5 hours.
        hall.visit(f"/c/{SLUG}/orders", "tb-flow-volunteer-orders")
        _submit(hall, page.locator("main table a", has_text=f"#{order_id}"), "tb-flow-volunteer-order")
        _submit(hall, page.get_by_role("button", name=zh("Accept the order")), "tb-flow-accepted")
        expect(page.locator(".flash")).to_contain_text(zh("Accepted. Please call the resident to agree the time."))
        page.locator("#hours").fill("1.5")
        page.locator("#note").fill("换了水龙头阀芯")
        _submit(hall, page.get_by_role("button", name=zh("Done"), exact=True), "tb-flow-served")
        expect(page.locator(".flash")).to_contain_text(zh("Thank you. The resident will be asked to confirm."))

        # The elderly resident confirms, rates and pays from the donation pool.
        elder.visit(f"/c/{SLUG}/orders/{order_id}", "tb-flow-elder-confirm")
        expect(ep.locator("main")).to_contain_text(zh("Served, waiting for confirmation"))
        ep.get_by_label(zh("Very satisfied")).check()
        ep.locator("#comment").fill("小王手艺好，谢谢")
        pool_choice = ep.get_by_label(zh("The community's donation pool"))
        expect(pool_choice).to_be_checked()            # preselected: she is on the pool list and has no hours
        _submit(elder, ep.get_by_role("button", name=zh("Confirm and pay")), "tb-flow-elder-confirmed")
        expect(ep.locator(".flash")).to_contain_text(
            zh("Confirmed. The volunteer has been credited; thank you for rating."))
        facts = ep.locator("main dl")
        expect(ep.locator("main")).to_contain_text(zh("Confirmed and paid"))
        expect(facts).to_contain_text(zh("Donation pool"))
        expect(facts).to_contain_text("5/5")
        expect(ep.locator("body")).to_have_class(re.compile(r"\belderly\b"))

        # The pool paid the 1.5 hours: 2 h given, 0.5 h left.
        head.visit(f"/c/{SLUG}/timebank/ledger", "tb-flow-ledger-after")
        expect(hp.locator("#pool-balance")).to_have_text("0 小时 30 分")

    # The volunteer is credited for the order: 0.5 h left after the gift + 1.5 h, and 4 h of service in all.
    hall.visit(f"/c/{SLUG}/timebank/hours", "tb-flow-hours-after")
    expect(page.locator("#balance")).to_have_text("2 小时 0 分")
    expect(page.locator(".stars")).to_contain_text(zh("Star level: %(level)s of %(top)s", level=2, top=5))
    expect(page.locator("#star-progress")).to_have_attribute("value", "33")       # 4 h of the 3 → 6 h step

    with app.app_context():
        session = community_session(SLUG)
        order = session.get(Order, order_id)
        assert (order.status, order.pay_source, order.minutes, order.rating) == ("confirmed", "pool", 90, 5)
        assert ledger.balance(session, ledger.person(ids["res-a"])) == 120
        assert ledger.balance(session, "pool") == 30
        assert ledger.balance(session, ledger.person(ids["elder-a"])) == 0
        assert ledger.check(session) == []
