"""A complaint in the browser: an anonymous resident complains about a member of staff, the head answers in
writing, the resident reads the reply; every page through axe, CSP and console checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_ticket_flow import menu  # noqa: F401 - comm-a with its people and menu

pytestmark = pytest.mark.browser

SLUG = "comm-a"
REPLY = "已对该工作人员进行批评教育，向您致歉。"


def test_complaint_from_the_form_to_the_written_reply(menu, hall, new_tab):  # noqa: F811
    page = hall.page
    hall.visit(f"/c/{SLUG}/", "complaint-home")
    page.locator("main a[href$='/complaints/new']").click()
    expect(page).to_have_url(hall.url(f"/c/{SLUG}/complaints/new"))
    hall.check("complaint-new")
    page.locator("main button[type=submit]").click()          # nothing filled in: told what is missing
    expect(page.locator(".error-summary")).to_be_visible()
    hall.check("complaint-new-errors")
    page.locator("#resident_name").fill("赵六")
    page.locator("#resident_phone").fill("13912340000")
    page.get_by_label("工作人员", exact=True).first.check()
    page.locator("#staff_user_id").select_option(label="员工a")
    page.locator("#details").fill("窗口人员态度差。")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/c/{SLUG}/receipt/[^/]+$"))
    hall.check("complaint-receipt")
    number = page.locator(".ticket-number").inner_text().strip()

    hall.visit(f"/c/{SLUG}/unresolved/new", "unresolved-new")

    with new_tab() as staff:                                   # the person complained about sees nothing
        staff.sign_in("staff-a")
        staff.visit(f"/c/{SLUG}/queue?status=all", "complaint-staff-queue")
        expect(staff.page.locator("main")).not_to_contain_text(number)
        expect(staff.page.locator("nav.main-nav a[href$='/complaints']")).to_have_count(0)

    with new_tab() as head:
        head.sign_in("head-a")
        head.visit(f"/c/{SLUG}/complaints", "complaint-list")
        head.page.locator(f"main a:has-text('{number}')").click()
        head.page.wait_for_url(head.url(f"/c/{SLUG}/complaints/{number}"))
        head.check("complaint-show")
        expect(head.page.locator("main")).to_contain_text("13912340000")
        head.page.locator("#note-reply").fill(REPLY)
        head.page.locator("form[action$='/reply'] button[type=submit]").click()
        head.page.wait_for_url(head.url(f"/c/{SLUG}/complaints/{number}"))
        head.check("complaint-answered")
        expect(head.page.locator("main")).to_contain_text(REPLY)

    hall.visit(f"/c/{SLUG}/track/{number}", "complaint-tracked")
    expect(page.locator("main")).to_contain_text(REPLY)
