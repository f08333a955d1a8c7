"""The district dashboard in the browser, in elderly mode: ranked table, sorting, drill-down and the report, through axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.disclosure.conftest import fresh_cache  # noqa: F401 - fixture
from tests.disclosure.district_fixtures import district, late_november  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_district_dashboard_in_elderly_mode(app, district, late_november, hall):  # noqa: F811
    page = hall.page
    hall.sign_in("district")
    page.locator(".site-header button[aria-pressed]").click()
    expect(page.locator("body")).to_have_class("elderly")
    page.locator("nav a[href='/district']").click()
    expect(page).to_have_url(hall.url("/district"))
    hall.check("district-elderly")
    rows = page.locator("#district-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("甲社区")
    expect(page.locator("#chart-district svg[role=img]")).to_be_visible()
    # Sort by staff per 1,000 households through the column heading: the busiest station first.
    page.locator("#district-table thead a[href*='sort=staff']").click()
    expect(rows.first).to_contain_text("乙社区")
    expect(page.locator("#district-table th[aria-sort=descending]")).to_have_count(1)
    hall.check("district-sorted-elderly")
    # One street only, then its monthly report.
    page.locator("#street").select_option("西街道")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    page.locator("a[href*='/district/report']").click()
    expect(page.locator("h1")).to_contain_text("2026-11")
    hall.check("district-report-elderly")
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("#district-table")).to_be_visible()
    page.emulate_media(media="screen")
    # Drill down: the community's head dashboard, which the district admin may read.
    page.locator("#district-table a[href='/c/comm-b/dashboard']").click()
    expect(page).to_have_url(hall.url("/c/comm-b/dashboard"))
    hall.check("district-drill-down-elderly")
