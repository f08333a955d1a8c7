"""A resident looks at their personal data and deletes it with the keyboard; the head sets retention periods.

Every page goes through hall.visit / hall.check: axe, CSP, console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.menu.conftest import menu  # noqa: F401 - the menu fixture
from tests.personal_setup import populate

pytestmark = pytest.mark.browser


def test_resident_sees_data_and_deletes_it_head_sets_retention(app, menu, hall, new_tab, zh):  # noqa: F811
    data = populate(app)
    page = hall.page
    hall.sign_in("res-a")
    hall.visit("/account/data", "personal-data")
    expect(page.locator("main")).to_contain_text(data.ticket)
    page.get_by_text(zh("Tickets") + " (1)").click()
    hall.check("personal-data-open")
    page.get_by_role("link", name=zh("Delete my personal data")).click()
    hall.check("personal-data-delete")
    page.locator("#password").fill("wrong-password")
    page.locator("#password").press("Enter")
    page.wait_for_load_state("load")
    hall.check("personal-data-delete-refused")
    expect(page.locator("main")).to_contain_text(zh("The password is wrong."))
    page.locator("#password").fill("password123")
    with page.expect_navigation():
        page.locator("#password").press("Enter")
    hall.check("personal-data-deleted")
    expect(page.locator("body")).to_contain_text(zh("Your account is closed and your personal details have been removed."))

    with new_tab() as head:
        head.sign_in("head-a")
        head.visit("/c/comm-a/retention", "retention")
        head.page.locator("#tickets").fill("0")
        with head.page.expect_navigation():
            head.page.locator("main button[type=submit]").click()
        head.check("retention-refused")
        expect(head.page.locator("main")).to_contain_text(zh("Give a whole number of months from 1 to 600."))
        head.page.locator("#tickets").fill("24")
        with head.page.expect_navigation():
            head.page.locator("main button[type=submit]").click()
        head.check("retention-saved")
        expect(head.page.locator("#tickets")).to_have_value("24")
