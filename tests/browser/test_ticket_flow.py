"""A ticket's whole life in the browser: find, apply, track, accept, complete, rate badly, follow up.

Four people, each in their own browser context: the resident (anonymous, who proves the ticket by
submitting it), a stranger with the number and phone digits, staff-a at the window, and head-a who
follows up the bad rating. Every page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from community_hall.glossary import status_label
from community_hall.menu import services as menu_services
from community_hall.rosters.services import create_post
from community_hall.tenancy import community_session
from community_hall.window import ratings
from tests.menu.conftest import ITEMS

pytestmark = pytest.mark.browser

SLUG = "comm-a"
NAME = "王秀兰"
PHONE = "13800138001"
REPLY = "居住证明已开具，请凭身份证到1号窗口领取。"
COMMENT = "等了很久，窗口也没有人解释为什么。"
FOLLOWUP_NOTES = {
    "contact": "已电话联系王秀兰，她反映等候时间太长。",
    "verify": "调取记录，办理确实超出承诺时间。",
    "rectify": "已调整窗口排班，高峰时段加开一个窗口。",
    "close": "感谢您的意见，我们已加开窗口并向您致歉。",
}


@pytest.fixture
def menu(app, build):
    """comm-a (head-a, staff-a, res-a) with the menu of tests/menu; ZJ-001 开具居住证明 takes online requests."""
    build.two_communities()
    with app.app_context():
        session = community_session(SLUG)
        create_post(session, "SB", "社会保障岗", "2号窗口")
        for raw in ITEMS:
            menu_services.create_item(session, menu_services.clean_item(raw))
        session.commit()


@pytest.fixture
def zh(app):
    """A label as the Chinese pages show it (whatever the catalogue says today)."""
    def label(make):
        with app.test_request_context(), force_locale("zh_CN"):
            return str(make())
    return label


def mark_page(page) -> None:
    """Tag the current document; the tag survives htmx swaps and vanishes on a page load."""
    page.evaluate("window.__sameDocument = true")


def assert_same_page(page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded instead of swapped by htmx"


def test_ticket_from_search_to_closed_followup(menu, hall, new_tab, zh):
    page = hall.page

    # 1. The resident finds the service by pinyin as they type, applies online, and gets a receipt.
    hall.visit(f"/c/{SLUG}/menu/", "flow-menu")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    mark_page(page)
    with page.expect_response(lambda r: "/menu/?q=juzhu" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#q").press_sequentially("juzhu", delay=30)
    result = page.locator("#results a.item-name[href$='/menu/ZJ-001']")
    expect(result).to_have_text("开具居住证明")
    expect(page.locator("#results a.item-name")).to_have_count(1)
    assert_same_page(page)
    expect(page).to_have_url(re.compile(r"/menu/\?q=juzhu$"))  # hx-push-url keeps the search in history
    hall.check("flow-menu-juzhu")

    result.click()
    expect(page).to_have_url(hall.url(f"/c/{SLUG}/menu/ZJ-001"))
    hall.check("flow-item")
    expect(page.locator("h1")).to_have_text("开具居住证明")

    page.locator("main a[href$='/apply/ZJ-001']").click()
    expect(page).to_have_url(hall.url(f"/c/{SLUG}/apply/ZJ-001"))
    hall.check("flow-apply")
    page.locator("#resident_name").fill(NAME)
    page.locator("#resident_phone").fill(PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/c/{SLUG}/receipt/[^/]+$"))
    hall.check("flow-receipt")
    number = page.locator(".ticket-number").inner_text().strip()
    assert number and page.url.endswith(f"/receipt/{number}"), (number, page.url)
    qr = page.locator(".qr > svg")
    expect(qr).to_have_count(1)
    expect(qr).to_be_visible()
    expect(page.locator("main")).to_contain_text(zh(lambda: status_label("submitted")))

    # 2. A stranger with the number and the phone's last four digits can follow it; without them, nothing.
    with new_tab() as stranger:
        stranger.visit(f"/c/{SLUG}/track/{number}", "flow-track-unproved")  # redirected to the form
        expect(stranger.page).to_have_url(re.compile(rf"/c/{SLUG}/track\?number="))
        expect(stranger.page.locator("#number")).to_have_value(number)
        stranger.page.locator("#digits").fill("8001")
        stranger.page.locator("main form button[type=submit]").click()
        stranger.page.wait_for_url(stranger.url(f"/c/{SLUG}/track/{number}"))
        stranger.check("flow-tracked-submitted")
        expect(stranger.page.locator("p.status")).to_have_text(zh(lambda: status_label("submitted")))
        expect(stranger.page.locator("main")).not_to_contain_text(PHONE)

    # 3. staff-a accepts it in the queue (the row is swapped in place) and completes it with a reply.
    with new_tab() as staff:
        sp = staff.page
        staff.sign_in("staff-a")
        staff.visit(f"/c/{SLUG}/queue", "flow-queue")
        row_id = sp.locator("#queue-rows tr").filter(has=sp.locator(f"a:text-is('{number}')")).get_attribute("id")
        row = sp.locator(f"#{row_id}")
        status_cell = row.locator("td").nth(3)
        expect(status_cell).to_have_text(zh(lambda: status_label("submitted")))
        queue_url = sp.url
        mark_page(sp)
        with sp.expect_response(lambda r: r.url.endswith(f"/tickets/{number}/accept")) as accepted:
            row.locator("form[action$='/accept'] button[type=submit]").click()
        assert accepted.value.status == 200 and accepted.value.request.headers.get("hx-request") == "true"
        expect(status_cell).to_have_text(zh(lambda: status_label("accepted")))
        expect(row.locator("form[action$='/start']")).to_have_count(1)   # the swapped row offers the next step
        expect(row.locator("form[action$='/accept']")).to_have_count(0)
        expect(sp.locator("#queue-announce")).to_contain_text(number)          # announced in the live region
        expect(row.locator("a[autofocus]")).to_be_focused()    # focus stays on the row
        assert_same_page(sp)
        assert sp.url == queue_url
        staff.check("flow-queue-accepted")

        row.locator(f"a[href$='/tickets/{number}']").first.click()
        sp.wait_for_url(staff.url(f"/c/{SLUG}/tickets/{number}"))
        staff.check("flow-ticket-accepted")
        expect(sp.locator("p.status")).to_have_class(re.compile(r"\bstatus-accepted\b"))
        complete = sp.locator("form[action$='/complete']")
        complete.locator("textarea[name=note]").fill(REPLY)
        with sp.expect_navigation():
            complete.locator("button[type=submit]").click()
        staff.check("flow-ticket-done")
        expect(sp.locator("p.status")).to_have_class(re.compile(r"\bstatus-done\b"))
        expect(sp.locator("main")).to_contain_text(REPLY)

    # 4. The resident (whose tab proved the ticket in step 1) sees it done with the reply, and rates it 不满意.
    hall.visit(f"/c/{SLUG}/track/{number}", "flow-tracked-done")
    expect(page.locator("p.status")).to_have_text(zh(lambda: status_label("done")))
    expect(page.locator("main")).to_contain_text(REPLY)
    rate_link = page.locator(f"main a[href$='/rate/{number}']")
    if rate_link.count():
        rate_link.first.click()
        page.wait_for_url(hall.url(f"/c/{SLUG}/rate/{number}"))
        hall.check("flow-rate")
    else:  # tracked.html has no rate link yet: go there directly
        hall.visit(f"/c/{SLUG}/rate/{number}", "flow-rate")
    page.locator("input[name=level][value='2']").check()
    for name, value in (("score_1", "1"), ("score_2", "3"), ("score_3", "2")):
        page.locator(f"input[name={name}][value='{value}']").check()
    page.locator("textarea[name=comment]").fill(COMMENT)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    hall.check("flow-rated")
    rating = page.locator("#rating")
    expect(rating).to_be_visible()
    expect(rating.locator("p.lead")).to_have_text(zh(lambda: ratings.level_label(2)))
    expect(rating).to_contain_text(COMMENT)
    expect(page.locator("main form button[type=submit]")).to_have_count(0)  # rated once, no second form

    # 5. head-a works the follow-up of the bad rating through every step to closed.
    with new_tab() as head:
        hp = head.page
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/followups", "flow-followups")
        listed = hp.locator("main table tr").filter(has=hp.locator(f"a:text-is('{number}')"))
        expect(listed).to_have_count(1)
        expect(listed.locator("td").nth(2)).to_have_text(zh(lambda: ratings.level_label(2)))
        expect(listed.locator("td").nth(3)).to_have_text(zh(lambda: ratings.FOLLOWUP_STATE_LABELS["open"]))
        listed.locator("a").first.click()
        hp.wait_for_url(re.compile(rf"/c/{SLUG}/followups/\d+$"))
        followup_url = hp.url
        head.check("flow-followup-open")
        expect(hp.locator("main")).to_contain_text(COMMENT)

        for step, note in FOLLOWUP_NOTES.items():
            form = hp.locator("main form[method=post]")
            expect(form.locator("input[name=step]")).to_have_value(step)
            if step == "verify":
                form.locator("input[name=justified][value=yes]").check()
            form.locator("textarea[name=note]").fill(note)
            with hp.expect_navigation():
                form.locator("button[type=submit]").click()
            assert hp.url == followup_url
            head.check(f"flow-followup-{step}")
            expect(hp.locator(".error-summary")).to_have_count(0)
            expect(hp.locator("ol.timeline")).to_contain_text(note)

        expect(hp.locator("main form[method=post]")).to_have_count(0)   # nothing left to record
        expect(hp.locator("p.status strong").first).to_have_text(zh(lambda: ratings.FOLLOWUP_STATE_LABELS["closed"]))

        head.visit(f"/c/{SLUG}/followups", "flow-followups-closed")
        listed = hp.locator("main table tr").filter(has=hp.locator(f"a:text-is('{number}')"))
        expect(listed.locator("td").nth(3)).to_have_text(zh(lambda: ratings.FOLLOWUP_STATE_LABELS["closed"]))

    # The resident's rating page now carries the station's reply.
    hall.visit(f"/c/{SLUG}/rate/{number}", "flow-rated-replied")
    expect(page.locator("#rating")).to_contain_text(FOLLOWUP_NOTES["close"])
