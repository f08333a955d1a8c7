"""The monthly report in the browser, in elderly mode and as printed: reached from the dashboard, through axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community_hall import clock as app_clock
from tests.disclosure.conftest import LATE_NOVEMBER, NAME, fresh_cache, seed, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_report_in_elderly_mode_and_print(app, world, hall, monkeypatch):  # noqa: F811
    app_clock.set_now(LATE_NOVEMBER)
    page = hall.page
    hall.sign_in("head-a")
    hall.visit("/c/comm-a/dashboard?month=2026-11", "report-dashboard")
    page.locator(".site-header button[aria-pressed]").click()
    expect(page.locator("body")).to_have_class("elderly")
    page.locator("a[href$='/report?month=2026-11']").click()
    expect(page).to_have_url(hall.url("/c/comm-a/report?month=2026-11"))
    expect(page.locator("h1")).to_contain_text("2026-11")
    expect(page.locator(".report-summary")).to_contain_text("本月受理7件，办结4件，按时办结率75%")
    expect(page.locator("#chart-trend svg[role=img]")).to_be_visible()
    expect(page.locator("#report-posts")).to_contain_text("社会保障岗")
    hall.check("report-elderly")
    # A month in the future: a clear message and this month's report, still accessible.
    page.locator("#month").fill("2030-01")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("2025-11")
    hall.check("report-bad-month-elderly")
    assert NAME not in page.locator("body").inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(hall.screenshot_dir / "report-print.png"), full_page=True)
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#report-targets")).to_be_visible()
    expect(page.locator("#report-staff")).to_be_visible()
