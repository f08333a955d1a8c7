"""A volunteer asks for a service certificate, the head issues it, anyone checks it; the head reads the figures.

Every page goes through hall.visit / hall.check: axe, CSP, console; the certificate is also shot as printed.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from community_hall.accounts.models import User
from community_hall.tenancy import community_session, get_community, registry_session
from community_hall.timebank import ledger
from community_hall.timebank import volunteers as volunteer_services

pytestmark = pytest.mark.browser

SLUG = "comm-a"
HEAD = SimpleNamespace(user_id=1, name="站长a")


@pytest.fixture
def volunteer(app, build):
    """res-a approved as a volunteer with 3.5 hours of service."""
    build.two_communities()
    with app.app_context():
        session = community_session(SLUG)
        uid = registry_session().query(User).filter_by(username="res-a").one().id
        v = volunteer_services.apply(session, uid, volunteer_services.Application(
            real_name="王小明", phone="13912345678", id_number="120101199001011234", emergency_name="王大明",
            emergency_phone="13811112222", consent=True))
        volunteer_services.approve(session, get_community(SLUG), v.id, 1)
        ledger.credit_service(session, uid, 120, "activity:12", "a12", HEAD)
        ledger.credit_service(session, uid, 90, "order:5", "o5", HEAD)


def test_volunteer_asks_head_issues_anyone_checks(volunteer, hall, new_tab, zh):
    page = hall.page
    hall.sign_in("res-a")
    hall.visit(f"/c/{SLUG}/timebank/certificates/mine", "certificate-mine")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Ask for a certificate")).click()
    hall.check("certificate-asked")
    sent = zh("Your request was sent to the station head, who issues the certificate.")
    expect(page.locator(".flash")).to_contain_text(sent)

    with new_tab() as head:
        hp = head.page
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/timebank/certificates", "certificates")
        request = hp.locator("main .cards li").filter(has_text="王小明")
        with hp.expect_navigation():
            request.get_by_role("button").click()
        head.check("certificate-issued")
        expect(hp.locator("#certificate-hours")).to_have_text("3.5")
        expect(hp.locator(".certificate")).to_contain_text("1201**********1234")
        expect(hp.locator(".certificate")).not_to_contain_text("120101199001011234")
        expect(hp.locator(".certificate-qr svg")).to_be_visible()
        hp.emulate_media(media="print")
        hp.screenshot(path=str(head.screenshot_dir / "certificate-print.png"), full_page=True)
        expect(hp.locator(".site-header")).to_be_hidden()
        expect(hp.locator("form[action$='/revoke']")).to_be_hidden()
        hp.emulate_media(media="screen")
        head.visit(f"/c/{SLUG}/timebank/figures", "timebank-figures")
        expect(hp.locator("#figure-orders")).to_contain_text("—")

    hall.visit(f"/c/{SLUG}/timebank/certificates/mine", "certificate-mine-issued")
    link = page.locator("main .cards a").first
    expect(link).to_have_text(re.compile(r"COMM-A-Z-\d{4}-0001"))
    with page.expect_navigation():
        link.click()
    hall.check("certificate-own")
    check = page.locator("main a").filter(has_text=zh("Public check page"))
    with page.expect_navigation():
        check.click()
    hall.check("certificate-check")
    expect(page.locator("main")).to_contain_text(zh("This is a genuine certificate issued by %(community)s.",
                                                    community="甲社区"))
    expect(page.locator("main")).not_to_contain_text("13912345678")
