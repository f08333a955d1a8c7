"""The head's dashboard in the browser, in elderly mode: tables, charts and the period filter, through axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community_hall import clock as app_clock
from tests.disclosure.conftest import LATE_NOVEMBER, NAME, fresh_cache, seed, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_dashboard_in_elderly_mode(app, world, hall, monkeypatch):  # noqa: F811
    app_clock.set_now(LATE_NOVEMBER)
    app_clock.set_now(LATE_NOVEMBER)
    page = hall.page
    hall.sign_in("head-a")
    hall.visit("/c/comm-a/", "dashboard-home")
    page.locator(".site-header button[aria-pressed]").click()
    expect(page.locator("body")).to_have_class("elderly")
    page.locator("a[href$='/dashboard']").first.click()
    expect(page).to_have_url(hall.url("/c/comm-a/dashboard"))
    expect(page.locator("#escalations-title")).to_be_visible()
    hall.check("dashboard-elderly")
    expect(page.locator("#chart-trend svg[role=img]")).to_be_visible()
    expect(page.locator("#chart-posts table")).to_contain_text("社会保障岗")
    expect(page.locator("#dashboard-staff")).to_contain_text("员工乙")
    expect(page.locator("#dashboard-overdue tbody tr")).to_have_count(2)
    # A mistyped month: a clear message, this month's figures still shown, and the page still passes axe.
    page.locator("#month").fill("2026-13")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("YYYY-MM")
    hall.check("dashboard-bad-month-elderly")
    page.locator("#month").fill("")
    page.locator("#period").select_option("last_month")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator(".lead")).to_contain_text("2026-10")
    expect(page.locator(".error-summary")).to_have_count(0)
    hall.check("dashboard-last-month-elderly")
    assert NAME not in page.locator("body").inner_text()
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("#dashboard-posts")).to_be_visible()
