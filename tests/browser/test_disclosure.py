"""The public disclosure page in the browser, in elderly mode: charts, tables and the period switch, through axe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from community_hall import clock as app_clock
from community_hall.menu import services as menu_services
from community_hall.rosters.services import create_post
from community_hall.tenancy import community_session
from tests.disclosure.conftest import NAME, PHONE, fresh_cache, mix, seed  # noqa: F401 - fixtures
from tests.menu.conftest import ITEMS

pytestmark = pytest.mark.browser


def test_disclosure_page_in_elderly_mode(app, mix, hall, monkeypatch):  # noqa: F811
    app_clock.set_now(datetime(2026, 11, 15, 4, tzinfo=UTC))
    with app.app_context():
        session = community_session("comm-a")
        create_post(session, "SB", "社会保障岗", "2号窗口")
        for raw in ITEMS:
            menu_services.create_item(session, menu_services.clean_item(raw))
        session.commit()
    page = hall.page
    hall.visit("/c/comm-a/", "disclosure-home")
    page.locator(".site-header button[aria-pressed]").click()
    expect(page.locator("body")).to_have_class("elderly")
    page.locator("main a[href$='/disclosure']").click()
    expect(page).to_have_url(hall.url("/c/comm-a/disclosure"))
    expect(page.locator("body")).to_have_class("elderly")
    hall.check("disclosure-month-elderly")
    expect(page.locator("#chart-counts svg[role=img]")).to_be_visible()
    expect(page.locator("#chart-counts .chart-summary")).to_contain_text("6")
    expect(page.locator("#chart-rates table")).to_contain_text("75%")
    page.get_by_role("link", name="本季度").click()
    expect(page).to_have_url(hall.url("/c/comm-a/disclosure?period=quarter"))
    expect(page.get_by_role("link", name="本季度")).to_have_attribute("aria-current", "page")
    hall.check("disclosure-quarter-elderly")
    text = page.locator("body").inner_text()
    assert "2026-Q4" in text and NAME not in text and PHONE not in text
    page.emulate_media(media="print")
    expect(page.locator(".period-switch")).to_be_hidden()
    expect(page.locator("#chart-rates table")).to_be_visible()
