"""A resident registers as a volunteer, the head approves, the resident sees the card with its QR code.

Two people in their own browser contexts: res-a (applying with the keyboard-usable form) and head-a
(approving). Every page goes through hall.visit / hall.check: axe, CSP, console.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from community_hall.tenancy import community_session
from community_hall.timebank import teams as team_services

pytestmark = pytest.mark.browser

SLUG = "comm-a"


@pytest.fixture
def teams(app, build):
    """comm-a and comm-b with their people; comm-a has two teams without members."""
    build.two_communities()
    with app.app_context():
        session = community_session(SLUG)
        team_services.save_team(session, "义务巡逻队", "夜间巡逻")
        team_services.save_team(session, "助老服务队", "陪伴老人")
        session.commit()


def test_resident_applies_head_approves_resident_sees_card(teams, hall, new_tab, zh):
    page = hall.page
    hall.sign_in("res-a")
    hall.visit(f"/c/{SLUG}/timebank/teams", "volunteer-teams")
    expect(page.locator("main .cards li")).to_have_count(2)
    hall.visit(f"/c/{SLUG}/timebank/apply", "volunteer-apply")
    expect(page.locator("#privacy-terms")).to_be_visible()

    # 1. Sent without consent: refused with a clear message, then corrected.
    page.locator("#real_name").fill("王小明")
    page.locator("#phone").fill("13912345678")
    page.locator("#id_number").fill("120101199001011234")
    page.get_by_label(zh("Household repairs")).check()
    page.locator("#avail-sat-am").check()
    page.get_by_label("助老服务队").check()
    page.locator("#emergency_name").fill("王大明")
    page.locator("#emergency_phone").fill("13811112222")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    hall.check("volunteer-apply-refused")
    expect(page.locator(".error-summary")).to_contain_text(zh("Please agree to the privacy terms to apply."))
    expect(page.locator("#avail-sat-am")).to_be_checked()   # what was ticked stays ticked
    page.locator("#consent").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    hall.check("volunteer-apply-sent")
    expect(page.locator("#application-status")).to_contain_text(zh("Waiting for the station head's decision."))

    # 2. The head approves.
    with new_tab() as head:
        hp = head.page
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/timebank/applications", "volunteer-applications")
        card = hp.locator("main .cards li").filter(has_text="王小明")
        expect(card).to_contain_text("1201**********1234")
        expect(card).not_to_contain_text("120101199001011234")
        with hp.expect_navigation():
            card.locator("form[action$='/approve'] button").click()
        head.check("volunteer-applications-approved")
        expect(hp.locator(".flash")).to_contain_text("COMM-A-V-0001")

    # 3. The resident sees the card with the number and a QR code pointing at the public check.
    hall.visit(f"/c/{SLUG}/timebank/card", "volunteer-card")
    expect(page.locator("#volunteer-number")).to_have_text("COMM-A-V-0001")
    expect(page.locator(".volunteer-card")).to_contain_text("助老服务队")
    qr = page.locator(".qr > svg")
    expect(qr).to_have_count(1)
    expect(qr).to_be_visible()
    check_link = page.locator("main a").filter(has_text=zh("Public check page"))
    expect(check_link).to_have_attribute("href", re.compile(r"/c/comm-a/timebank/volunteers/COMM-A-V-0001$"))
    with page.expect_navigation():
        check_link.click()
    hall.check("volunteer-check")
    expect(page.locator("main")).to_contain_text("王**")
    expect(page.locator("main")).not_to_contain_text("13912345678")
