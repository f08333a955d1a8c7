"""First-inquiry routing in the browser: staff-a logs an inquiry with the quick form, hands it to the routed
person (staff-c, the post's A holder), who acknowledges and answers it; staff-a sees it answered in "my first
inquiries". Every page through axe, CSP and console checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from community_hall.accounts.models import User
from community_hall.rosters.models import Post
from community_hall.tenancy import community_session, registry_session
from tests.browser.test_ticket_flow import menu  # noqa: F401 - comm-a with its people and menu

pytestmark = pytest.mark.browser

SLUG = "comm-a"
ANSWER = "低保申请请带身份证、户口簿到2号窗口办理。"


@pytest.fixture
def receiver(app, build, menu):  # noqa: F811
    """staff-c (员工丙) holds post SB as A, so routing proposes them for 最低生活保障申请."""
    build.user("staff-c", SLUG, "staff", "员工丙")
    with app.app_context():
        session = community_session(SLUG)
        post = session.scalar(select(Post).where(Post.code == "SB"))
        post.a_holder_id = registry_session().scalar(select(User.id).where(User.username == "staff-c"))
        session.commit()


def test_inquiry_handed_over_acknowledged_and_answered(receiver, hall, new_tab):
    page = hall.page
    hall.sign_in("staff-a")
    hall.visit(f"/c/{SLUG}/inquiries", "routing-inquiries")
    page.locator("#resident_name").fill("王秀兰")
    page.locator("#contact_phone").fill("13800138001")
    page.locator("#item_code").select_option("SB-001")
    page.locator("#text").fill("想问低保怎么申请，需要什么材料？")
    page.locator("#work button[type=submit]").click()
    logged = page.locator("#work .flash.success a")
    expect(logged).to_be_visible()                                # the htmx fragment names the new inquiry
    expect(page.locator("#work tbody tr")).to_have_count(1)
    hall.check("routing-inquiry-logged")
    logged.click()
    page.wait_for_url(re.compile(rf"/c/{SLUG}/inquiries/\d+$"))
    inquiry_url = page.url
    expect(page.locator("#routing-title + dl")).to_contain_text("员工丙")   # routing proposes A, with the reason
    hall.check("routing-inquiry")
    expect(page.locator("#to_user_id")).to_have_value(re.compile(r"\d+"))
    page.locator("form[action$='/handover'] button[type=submit]").click()
    page.wait_for_url(inquiry_url)
    expect(page.locator(".flash.success")).to_contain_text("员工丙")
    hall.check("routing-handed-over")

    with new_tab() as other:
        other.sign_in("staff-c")
        other.visit(f"/c/{SLUG}/inquiries", "routing-receiver-list")
        expect(other.page.locator(".badge")).to_have_text("1")          # the notice of the hand-over
        other.page.goto(inquiry_url)
        other.check("routing-receiver-inquiry")
        other.page.locator("form[action$='/acknowledge'] button").click()
        other.page.wait_for_url(inquiry_url)
        expect(other.page.locator("form[action$='/acknowledge']")).to_have_count(0)
        other.page.locator("#answer").fill(ANSWER)
        other.page.locator("form[action$='/answer'] button[type=submit]").click()
        other.page.wait_for_url(inquiry_url)
        expect(other.page.locator(".facts").first).to_contain_text(ANSWER)
        other.check("routing-answered")

    hall.visit(f"/c/{SLUG}/inquiries/mine", "routing-mine")
    row = page.locator("main tbody tr").first
    expect(row).to_contain_text("员工丙")
    expect(row.locator("strong").first).to_have_text(re.compile("已答复|Answered"))
    hall.visit(f"/c/{SLUG}/staff/notices", "routing-notices")
    expect(page.locator(".notices li").first).to_contain_text("已答复")

    with new_tab() as head:                                   # the head's page with the numbers of routing
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/inquiries/escalations", "routing-escalations")
        expect(head.page.locator("main table").last).to_contain_text("员工a")
